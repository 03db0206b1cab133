//! How assets and licences are stored, and the licence over-use list.

use steward_core::Result;
use steward_core::asset::{Asset, AssetStatus, AssetType, Licence, OverUse};
use steward_core::id::{AssetId, ConfigurationItemId, LicenceId, UserId};
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;

use crate::exec::Arg;
use crate::record::Table;
use crate::{Store, args, from_micros, micros, opt_stored_date, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct AssetRow {
    id: i64,
    name: String,
    asset_type: String,
    tag: Option<String>,
    status: String,
    owner_id: Option<i64>,
    location: Option<String>,
    configuration_item_id: Option<i64>,
    licence_id: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl Table for Asset {
    type Row = AssetRow;
    const TABLE: &'static str = "assets";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "asset_type",
        "tag",
        "status",
        "owner_id",
        "location",
        "configuration_item_id",
        "licence_id",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: AssetRow) -> Result<Self> {
        Ok(Asset {
            id: AssetId(r.id),
            name: r.name,
            asset_type: parse_stored("asset_type", &r.asset_type, AssetType::parse)?,
            tag: r.tag,
            status: parse_stored("status", &r.status, AssetStatus::parse)?,
            owner: r.owner_id.map(UserId),
            location: r.location,
            configuration_item: r.configuration_item_id.map(ConfigurationItemId),
            licence: r.licence_id.map(LicenceId),
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.name,
            self.asset_type.as_str(),
            self.tag.clone(),
            self.status.as_str(),
            self.owner.map(|v| v.0),
            self.location.clone(),
            self.configuration_item.map(|v| v.0),
            self.licence.map(|v| v.0),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        refer(
            &mut r,
            "configuration_item",
            RecordKind::ConfigurationItem,
            self.configuration_item.map(|v| v.0),
        );
        refer(&mut r, "licence", RecordKind::Licence, self.licence.map(|v| v.0));
        r
    }
}

#[derive(sqlx::FromRow)]
pub struct LicenceRow {
    id: i64,
    name: String,
    vendor: Option<String>,
    entitlements: i64,
    expires: Option<String>,
    owner_id: Option<i64>,
    description: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for Licence {
    type Row = LicenceRow;
    const TABLE: &'static str = "licences";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "vendor",
        "entitlements",
        "expires",
        "owner_id",
        "description",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: LicenceRow) -> Result<Self> {
        Ok(Licence {
            id: LicenceId(r.id),
            name: r.name,
            vendor: r.vendor,
            entitlements: r.entitlements,
            expires: opt_stored_date("expires", r.expires)?,
            owner: r.owner_id.map(UserId),
            description: r.description,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.name,
            self.vendor.clone(),
            self.entitlements,
            self.expires.map(|d| d.to_string()),
            self.owner.map(|v| v.0),
            &self.description,
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        r
    }
}

impl Store {
    /// Licences with more installations (software assets in use or in repair) than entitlements,
    /// the most over-used first.
    pub async fn licence_over_use(&self) -> Result<Vec<OverUse>> {
        let mut c = self.read().await?;
        let rows: Vec<(i64, String, i64, i64)> = c
            .fetch_all(
                "SELECT l.id, l.name, l.entitlements, COUNT(a.id) FROM licences l \
                 JOIN assets a ON a.licence_id = l.id AND a.asset_type = 'software' AND a.status IN ('in_use', 'in_repair') \
                 GROUP BY l.id, l.name, l.entitlements HAVING COUNT(a.id) > l.entitlements \
                 ORDER BY COUNT(a.id) - l.entitlements DESC, l.id",
                vec![],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, entitlements, installations)| OverUse {
                licence: LicenceId(id),
                name,
                entitlements,
                installations,
            })
            .collect())
    }
}
