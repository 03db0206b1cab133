//! How customer organisations are stored.

use steward_core::Result;
use steward_core::id::OrganisationId;
use steward_core::organisation::Organisation;

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros};

#[derive(sqlx::FromRow)]
pub struct OrganisationRow {
    id: i64,
    name: String,
    description: String,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl Table for Organisation {
    type Row = OrganisationRow;
    const TABLE: &'static str = "organisations";
    const COLUMNS: &'static [&'static str] = &["name", "description", "active", "created_at", "updated_at"];
    const ORGANISATION_COLUMN: Option<&'static str> = Some("id");

    fn from_row(r: OrganisationRow) -> Result<Self> {
        Ok(Organisation {
            id: OrganisationId(r.id),
            name: r.name,
            description: r.description,
            active: r.active,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.name,
            &self.description,
            self.active,
            micros(self.created_at),
            micros(self.updated_at)
        ]
    }
}
