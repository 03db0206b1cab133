//! How service management objectives are stored.

use steward_core::id::{ObjectiveId, UserId};
use steward_core::lifecycle::Lifecycle;
use steward_core::objective::{Objective, ObjectiveStatus};
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros, parse_stored, stored_date};

#[derive(sqlx::FromRow)]
pub struct ObjectiveRow {
    id: i64,
    title: String,
    measure: String,
    indicator: Option<String>,
    target_percent: Option<i64>,
    target: String,
    owner_id: i64,
    due_date: String,
    plan: String,
    status: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for Objective {
    type Row = ObjectiveRow;
    const TABLE: &'static str = "objectives";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "measure",
        "indicator",
        "target_percent",
        "target",
        "owner_id",
        "due_date",
        "plan",
        "status",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ObjectiveRow) -> Result<Self> {
        Ok(Objective {
            id: ObjectiveId(r.id),
            title: r.title,
            measure: r.measure,
            indicator: r.indicator,
            target_percent: r
                .target_percent
                .map(|v| {
                    u8::try_from(v).map_err(|_| Error::unexpected(format!("stored target_percent {v} is out of range")))
                })
                .transpose()?,
            target: r.target,
            owner: UserId(r.owner_id),
            due_date: stored_date("due_date", &r.due_date)?,
            plan: r.plan,
            status: parse_stored("status", &r.status, ObjectiveStatus::parse)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            &self.measure,
            self.indicator.clone(),
            self.target_percent.map(i64::from),
            &self.target,
            self.owner.0,
            self.due_date.to_string(),
            &self.plan,
            self.status.as_str(),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        vec![("owner", RecordKind::User, self.owner.0)]
    }
}
