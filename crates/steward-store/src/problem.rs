//! How problems are stored.

use steward_core::Result;
use steward_core::id::*;
use steward_core::lifecycle::Lifecycle;
use steward_core::priority::{Impact, Urgency};
use steward_core::problem::{Problem, ProblemStatus};
use steward_core::record::RecordKind;

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros, opt_from_micros, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct ProblemRow {
    id: i64,
    title: String,
    description: String,
    status: String,
    service_id: Option<i64>,
    configuration_item_id: Option<i64>,
    impact: String,
    urgency: String,
    priority: i64,
    root_cause: Option<String>,
    known_error: bool,
    workaround: Option<String>,
    category: Option<String>,
    subcategory: Option<String>,
    assignee_id: Option<i64>,
    team_id: Option<i64>,
    created_at: i64,
    updated_at: i64,
    resolved_at: Option<i64>,
    closed_at: Option<i64>,
}

impl Table for Problem {
    type Row = ProblemRow;
    const TABLE: &'static str = "problems";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "description",
        "status",
        "service_id",
        "configuration_item_id",
        "impact",
        "urgency",
        "priority",
        "root_cause",
        "known_error",
        "workaround",
        "category",
        "subcategory",
        "assignee_id",
        "team_id",
        "created_at",
        "updated_at",
        "resolved_at",
        "closed_at",
    ];

    fn from_row(r: ProblemRow) -> Result<Self> {
        Ok(Problem {
            id: ProblemId(r.id),
            title: r.title,
            description: r.description,
            status: parse_stored("status", &r.status, ProblemStatus::parse)?,
            service: r.service_id.map(ServiceId),
            configuration_item: r.configuration_item_id.map(ConfigurationItemId),
            impact: parse_stored("impact", &r.impact, Impact::parse)?,
            urgency: parse_stored("urgency", &r.urgency, Urgency::parse)?,
            priority: crate::priority_from_stored(r.priority)?,
            root_cause: r.root_cause,
            known_error: r.known_error,
            workaround: r.workaround,
            category: r.category,
            subcategory: r.subcategory,
            assignee: r.assignee_id.map(UserId),
            team: r.team_id.map(TeamId),
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
            resolved_at: opt_from_micros(r.resolved_at)?,
            closed_at: opt_from_micros(r.closed_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            &self.description,
            self.status.as_str(),
            self.service.map(|v| v.0),
            self.configuration_item.map(|v| v.0),
            self.impact.as_str(),
            self.urgency.as_str(),
            crate::priority_to_stored(self.priority),
            self.root_cause.clone(),
            self.known_error,
            self.workaround.clone(),
            self.category.clone(),
            self.subcategory.clone(),
            self.assignee.map(|v| v.0),
            self.team.map(|v| v.0),
            micros(self.created_at),
            micros(self.updated_at),
            self.resolved_at.map(micros),
            self.closed_at.map(micros),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(&mut r, "service", RecordKind::Service, self.service.map(|v| v.0));
        refer(
            &mut r,
            "configuration_item",
            RecordKind::ConfigurationItem,
            self.configuration_item.map(|v| v.0),
        );
        refer(&mut r, "assignee", RecordKind::User, self.assignee.map(|v| v.0));
        refer(&mut r, "team", RecordKind::Team, self.team.map(|v| v.0));
        r
    }

    fn sort_value(&self, column: &str) -> i64 {
        match column {
            "priority" => crate::priority_to_stored(self.priority),
            "created_at" => micros(self.created_at),
            _ => micros(self.updated_at),
        }
    }
}
