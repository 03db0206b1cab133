//! How registered evidence is stored.

use steward_core::Result;
use steward_core::evidence::Evidence;
use steward_core::id::EvidenceId;
use steward_core::record::RecordKind;

use crate::exec::Arg;
use crate::record::Table;
use crate::{Store, args, from_micros, json_text, micros, stored_date, stored_json};

#[derive(sqlx::FromRow)]
pub struct EvidenceRow {
    id: i64,
    title: String,
    requirement: String,
    description: String,
    location: Option<String>,
    records: String,
    effective_date: String,
    valid_days: i64,
    created_at: i64,
    updated_at: i64,
}

impl Table for Evidence {
    type Row = EvidenceRow;
    const TABLE: &'static str = "evidence";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "requirement",
        "description",
        "location",
        "records",
        "effective_date",
        "valid_days",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: EvidenceRow) -> Result<Self> {
        Ok(Evidence {
            id: EvidenceId(r.id),
            title: r.title,
            requirement: r.requirement,
            description: r.description,
            location: r.location,
            records: stored_json("records", &r.records)?,
            effective_date: stored_date("effective_date", &r.effective_date)?,
            valid_days: r.valid_days,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            &self.requirement,
            &self.description,
            self.location.clone(),
            json_text(&self.records),
            self.effective_date.to_string(),
            self.valid_days,
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    /// The records it points to must exist (the reference checks run in the write's transaction).
    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        self.referenced()
            .into_iter()
            .map(|(k, id)| ("records", k, id))
            .collect()
    }
}

/// Evidence is registered by the hundred per audit cycle; readiness reads what is still in
/// date, newest first, up to this many.
pub const EVIDENCE_MAX: i64 = 50_000;

impl Store {
    /// Evidence whose effective date is on or after `since` (ISO date), newest first.
    pub async fn evidence_since(&self, since: chrono::NaiveDate) -> Result<Vec<Evidence>> {
        let sql = format!(
            "SELECT id, {} FROM evidence WHERE effective_date >= $1 ORDER BY effective_date DESC, id DESC LIMIT $2",
            Evidence::COLUMNS.join(", ")
        );
        let mut c = self.read().await?;
        let rows: Vec<EvidenceRow> = c.fetch_all(&sql, args![since.to_string(), EVIDENCE_MAX]).await?;
        rows.into_iter().map(Evidence::from_row).collect()
    }
}
