//! How catalogue services are stored.

use steward_core::Result;
use steward_core::id::*;
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;
use steward_core::service::{Criticality, Service, ServiceStatus};

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct ServiceRow {
    id: i64,
    code: String,
    name: String,
    description: String,
    status: String,
    criticality: String,
    owner_id: Option<i64>,
    team_id: Option<i64>,
    availability_target: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl Table for Service {
    type Row = ServiceRow;
    const TABLE: &'static str = "services";
    const COLUMNS: &'static [&'static str] = &[
        "code",
        "name",
        "description",
        "status",
        "criticality",
        "owner_id",
        "team_id",
        "availability_target",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ServiceRow) -> Result<Self> {
        Ok(Service {
            id: ServiceId(r.id),
            code: r.code,
            name: r.name,
            description: r.description,
            status: parse_stored("status", &r.status, ServiceStatus::parse)?,
            criticality: parse_stored("criticality", &r.criticality, Criticality::parse)?,
            owner: r.owner_id.map(UserId),
            team: r.team_id.map(TeamId),
            // Kept as thousandths of a percent, so 99.95 reads back exactly.
            availability_target: r.availability_target.map(|t| t as f64 / 1000.0),
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.code,
            &self.name,
            &self.description,
            self.status.as_str(),
            self.criticality.as_str(),
            self.owner.map(|v| v.0),
            self.team.map(|v| v.0),
            self.availability_target.map(|t| (t * 1000.0).round() as i64),
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
