//! Assets and licences: hardware and software with owner, location and lifecycle, and software
//! licences whose entitlements are counted against the installations that use them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{AssetId, ConfigurationItemId, LicenceId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::service::StatusTransition;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, blank_to_none};
use crate::{lifecycle, named_enum, record};

lifecycle! {
    /// ordered -> in_stock -> in_use <-> in_repair; back to stock; retired; disposed.
    AssetStatus {
        Ordered = "ordered" => [InStock, Disposed],
        InStock = "in_stock" => [InUse, Retired],
        InUse = "in_use" => [InRepair, InStock, Retired],
        InRepair = "in_repair" => [InUse, Retired],
        Retired = "retired" => [Disposed],
        Disposed = "disposed" => [],
    }
}

named_enum! {
    AssetType { Hardware = "hardware", Software = "software" }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Asset {
    pub id: AssetId,
    pub name: String,
    pub asset_type: AssetType,
    /// Asset tag or serial number.
    pub tag: Option<String>,
    pub status: AssetStatus,
    pub owner: Option<UserId>,
    pub location: Option<String>,
    /// The configuration item this asset is, if it is one.
    pub configuration_item: Option<ConfigurationItemId>,
    /// For a software installation, the licence it uses.
    pub licence: Option<LicenceId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Asset, RecordKind::Asset, AssetId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAsset {
    pub name: String,
    pub asset_type: AssetType,
    #[serde(default)]
    pub tag: Option<String>,
    /// Defaults to in_stock.
    #[serde(default)]
    pub status: Option<AssetStatus>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub configuration_item: Option<ConfigurationItemId>,
    #[serde(default)]
    pub licence: Option<LicenceId>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub tag: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub configuration_item: Option<Option<ConfigurationItemId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub licence: Option<Option<LicenceId>>,
}

impl Asset {
    pub fn create(input: NewAsset, at: DateTime<Utc>) -> Result<Asset> {
        let a = Asset {
            id: AssetId(0),
            name: input.name.trim().to_string(),
            asset_type: input.asset_type,
            tag: blank_to_none(input.tag),
            status: input.status.unwrap_or(AssetStatus::InStock),
            owner: input.owner,
            location: blank_to_none(input.location),
            configuration_item: input.configuration_item,
            licence: input.licence,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        c.line("name", &input.name, NAME_MAX);
        a.check(&mut c);
        c.finish()?;
        Ok(a)
    }

    fn check(&self, c: &mut Checker) {
        c.opt_line("tag", self.tag.as_deref(), NAME_MAX);
        c.opt_line("location", self.location.as_deref(), NAME_MAX);
        if self.licence.is_some() && self.asset_type != AssetType::Software {
            c.fail("licence", "only a software installation uses a licence");
        }
    }

    pub fn apply_patch(&mut self, p: AssetPatch) -> Result<()> {
        let mut c = Checker::new();
        c.opt_line("name", p.name.as_deref(), NAME_MAX);
        let mut next = self.clone();
        set(&mut next.name, p.name.map(|n| n.trim().to_string()));
        set(&mut next.tag, p.tag.map(blank_to_none));
        set(&mut next.owner, p.owner);
        set(&mut next.location, p.location.map(blank_to_none));
        set(&mut next.configuration_item, p.configuration_item);
        set(&mut next.licence, p.licence);
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    pub fn transition(&mut self, t: StatusTransition) -> Result<()> {
        self.status = self.status.check_move(&t.to)?;
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Licence {
    pub id: LicenceId,
    pub name: String,
    pub vendor: Option<String>,
    /// How many installations the licence allows.
    pub entitlements: i64,
    pub expires: Option<NaiveDate>,
    pub owner: Option<UserId>,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Licence, RecordKind::Licence, LicenceId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLicence {
    pub name: String,
    #[serde(default)]
    pub vendor: Option<String>,
    pub entitlements: i64,
    #[serde(default)]
    pub expires: Option<NaiveDate>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicencePatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub vendor: Option<Option<String>>,
    #[serde(default)]
    pub entitlements: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    pub expires: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A licence used by more installations than it allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OverUse {
    pub licence: LicenceId,
    pub name: String,
    pub entitlements: i64,
    /// Software assets in use or in repair that use the licence.
    pub installations: i64,
}

impl Licence {
    pub fn create(input: NewLicence, at: DateTime<Utc>) -> Result<Licence> {
        let l = Licence {
            id: LicenceId(0),
            name: input.name.trim().to_string(),
            vendor: blank_to_none(input.vendor),
            entitlements: input.entitlements,
            expires: input.expires,
            owner: input.owner,
            description: input.description.unwrap_or_default(),
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        c.line("name", &input.name, NAME_MAX);
        l.check(&mut c);
        c.finish()?;
        Ok(l)
    }

    fn check(&self, c: &mut Checker) {
        c.opt_line("vendor", self.vendor.as_deref(), NAME_MAX);
        c.text("description", &self.description, TEXT_MAX);
        if !(0..=10_000_000).contains(&self.entitlements) {
            c.fail("entitlements", "must be between 0 and 10,000,000");
        }
    }

    pub fn apply_patch(&mut self, p: LicencePatch) -> Result<()> {
        let mut c = Checker::new();
        c.opt_line("name", p.name.as_deref(), NAME_MAX);
        let mut next = self.clone();
        set(&mut next.name, p.name.map(|n| n.trim().to_string()));
        set(&mut next.vendor, p.vendor.map(blank_to_none));
        set(&mut next.entitlements, p.entitlements);
        set(&mut next.expires, p.expires);
        set(&mut next.owner, p.owner);
        set(&mut next.description, p.description);
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    #[test]
    fn transition_table() {
        use AssetStatus::*;
        assert_table(&[
            (Ordered, &[InStock, Disposed][..]),
            (InStock, &[InUse, Retired]),
            (InUse, &[InRepair, InStock, Retired]),
            (InRepair, &[InUse, Retired]),
            (Retired, &[Disposed]),
            (Disposed, &[]),
        ]);
    }
}
