//! How configuration items are stored.

use steward_core::Result;
use steward_core::configuration_item::{ConfigurationItem, ConfigurationItemStatus};
use steward_core::id::*;
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct ConfigurationItemRow {
    id: i64,
    name: String,
    ci_type: String,
    description: String,
    status: String,
    owner_id: Option<i64>,
    team_id: Option<i64>,
    attributes: String,
    last_verified_at: Option<i64>,
    last_verified_by: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl Table for ConfigurationItem {
    type Row = ConfigurationItemRow;
    const TABLE: &'static str = "configuration_items";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "ci_type",
        "description",
        "status",
        "owner_id",
        "team_id",
        "attributes",
        "last_verified_at",
        "last_verified_by",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ConfigurationItemRow) -> Result<Self> {
        Ok(ConfigurationItem {
            id: ConfigurationItemId(r.id),
            name: r.name,
            ci_type: r.ci_type,
            description: r.description,
            status: parse_stored("status", &r.status, ConfigurationItemStatus::parse)?,
            owner: r.owner_id.map(UserId),
            team: r.team_id.map(TeamId),
            attributes: serde_json::from_str(&r.attributes)
                .map_err(|e| steward_core::Error::unexpected(format!("stored attributes are not valid: {e}")))?,
            last_verified_at: crate::opt_from_micros(r.last_verified_at)?,
            last_verified_by: r.last_verified_by.map(UserId),
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.name,
            &self.ci_type,
            &self.description,
            self.status.as_str(),
            self.owner.map(|v| v.0),
            self.team.map(|v| v.0),
            crate::json_text(&self.attributes),
            self.last_verified_at.map(micros),
            self.last_verified_by.map(|v| v.0),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        refer(&mut r, "team", RecordKind::Team, self.team.map(|v| v.0));
        r
    }
}
