//! How users are stored (credentials live in `auth`).

use steward_core::Result;
use steward_core::id::{OrganisationId, UserId};
use steward_core::record::RecordKind;
use steward_core::user::{Role, User};

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    organisation_id: Option<i64>,
    active: bool,
    security_cleared: bool,
    created_at: i64,
    updated_at: i64,
}

impl Table for User {
    type Row = UserRow;
    const TABLE: &'static str = "users";
    const COLUMNS: &'static [&'static str] = &[
        "email",
        "name",
        "role",
        "organisation_id",
        "active",
        "security_cleared",
        "created_at",
        "updated_at",
    ];
    const ORGANISATION_COLUMN: Option<&'static str> = Some("organisation_id");

    fn from_row(r: UserRow) -> Result<Self> {
        Ok(User {
            id: UserId(r.id),
            email: r.email,
            name: r.name,
            role: parse_stored("role", &r.role, Role::parse)?,
            organisation: r.organisation_id.map(OrganisationId),
            active: r.active,
            security_cleared: r.security_cleared,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.email,
            &self.name,
            self.role.as_str(),
            self.organisation.map(|v| v.0),
            self.active,
            self.security_cleared,
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(
            &mut r,
            "organisation",
            RecordKind::Organisation,
            self.organisation.map(|v| v.0),
        );
        r
    }
}
