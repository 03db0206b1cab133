//! How the improvement register is stored.

use steward_core::Result;
use steward_core::id::{FindingId, ImprovementId, ServiceId, UserId};
use steward_core::improvement::{Improvement, ImprovementSource, ImprovementStatus};
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros, opt_stored_date, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct ImprovementRow {
    id: i64,
    title: String,
    description: String,
    source: String,
    finding_id: Option<i64>,
    service_id: Option<i64>,
    owner_id: Option<i64>,
    status: String,
    expected_benefit: String,
    target_date: Option<String>,
    outcome: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl Table for Improvement {
    type Row = ImprovementRow;
    const TABLE: &'static str = "improvements";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "description",
        "source",
        "finding_id",
        "service_id",
        "owner_id",
        "status",
        "expected_benefit",
        "target_date",
        "outcome",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ImprovementRow) -> Result<Self> {
        Ok(Improvement {
            id: ImprovementId(r.id),
            title: r.title,
            description: r.description,
            source: parse_stored("source", &r.source, ImprovementSource::parse)?,
            finding: r.finding_id.map(FindingId),
            service: r.service_id.map(ServiceId),
            owner: r.owner_id.map(UserId),
            status: parse_stored("status", &r.status, ImprovementStatus::parse)?,
            expected_benefit: r.expected_benefit,
            target_date: opt_stored_date("target_date", r.target_date)?,
            outcome: r.outcome,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            &self.description,
            self.source.as_str(),
            self.finding.map(|v| v.0),
            self.service.map(|v| v.0),
            self.owner.map(|v| v.0),
            self.status.as_str(),
            &self.expected_benefit,
            self.target_date.map(|d| d.to_string()),
            self.outcome.clone(),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        refer(&mut r, "service", RecordKind::Service, self.service.map(|v| v.0));
        refer(&mut r, "finding", RecordKind::Finding, self.finding.map(|v| v.0));
        r
    }
}
