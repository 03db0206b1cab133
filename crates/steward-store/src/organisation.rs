//! How customer organisations are stored.

use steward_core::Result;
use steward_core::id::{OrganisationId, UserId};
use steward_core::organisation::{Organisation, OrganisationKind};
use steward_core::record::RecordKind;

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct OrganisationRow {
    id: i64,
    name: String,
    kind: String,
    relationship_owner_id: Option<i64>,
    description: String,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl Table for Organisation {
    type Row = OrganisationRow;
    const TABLE: &'static str = "organisations";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "kind",
        "relationship_owner_id",
        "description",
        "active",
        "created_at",
        "updated_at",
    ];
    const ORGANISATION_COLUMN: Option<&'static str> = Some("id");

    fn from_row(r: OrganisationRow) -> Result<Self> {
        Ok(Organisation {
            id: OrganisationId(r.id),
            name: r.name,
            kind: parse_stored("kind", &r.kind, OrganisationKind::parse)?,
            relationship_owner: r.relationship_owner_id.map(UserId),
            description: r.description,
            active: r.active,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.name,
            self.kind.as_str(),
            self.relationship_owner.map(|v| v.0),
            &self.description,
            self.active,
            micros(self.created_at),
            micros(self.updated_at)
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(
            &mut r,
            "relationship_owner",
            RecordKind::User,
            self.relationship_owner.map(|v| v.0),
        );
        r
    }
}
