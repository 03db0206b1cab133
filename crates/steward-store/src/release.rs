//! How releases are stored.

use steward_core::id::{ReleaseId, TeamId, UserId};
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;
use steward_core::release::{Release, ReleaseStatus, ReleaseType};
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, json_text, micros, opt_from_micros, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct ReleaseRow {
    id: i64,
    name: String,
    description: String,
    status: String,
    release_type: String,
    planned_deployment: Option<i64>,
    acceptance_criteria: String,
    deployment_notes: Option<String>,
    rolled_back: bool,
    assignee_id: Option<i64>,
    team_id: Option<i64>,
    deployed_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl Table for Release {
    type Row = ReleaseRow;
    const TABLE: &'static str = "releases";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "description",
        "status",
        "release_type",
        "planned_deployment",
        "acceptance_criteria",
        "deployment_notes",
        "rolled_back",
        "assignee_id",
        "team_id",
        "deployed_at",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ReleaseRow) -> Result<Self> {
        Ok(Release {
            id: ReleaseId(r.id),
            name: r.name,
            description: r.description,
            status: parse_stored("status", &r.status, ReleaseStatus::parse)?,
            release_type: parse_stored("release_type", &r.release_type, ReleaseType::parse)?,
            planned_deployment: opt_from_micros(r.planned_deployment)?,
            acceptance_criteria: serde_json::from_str(&r.acceptance_criteria)
                .map_err(|e| Error::unexpected(format!("stored acceptance criteria are not valid: {e}")))?,
            deployment_notes: r.deployment_notes,
            rolled_back: r.rolled_back,
            assignee: r.assignee_id.map(UserId),
            team: r.team_id.map(TeamId),
            deployed_at: opt_from_micros(r.deployed_at)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.name,
            &self.description,
            self.status.as_str(),
            self.release_type.as_str(),
            self.planned_deployment.map(micros),
            json_text(&self.acceptance_criteria),
            self.deployment_notes.clone(),
            self.rolled_back,
            self.assignee.map(|v| v.0),
            self.team.map(|v| v.0),
            self.deployed_at.map(micros),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(&mut r, "assignee", RecordKind::User, self.assignee.map(|v| v.0));
        refer(&mut r, "team", RecordKind::Team, self.team.map(|v| v.0));
        r
    }
}
