//! How nonconformities are stored. In verification or closed, a nonconformity's corrective
//! actions are counted from the action register in the same transaction as the write, so it can
//! neither move on nor stay there while an action is open.

use steward_core::Result;
use steward_core::id::{FindingId, NonconformityId, UserId};
use steward_core::lifecycle::Lifecycle;
use steward_core::nonconformity::{Nonconformity, NonconformitySource, NonconformityStatus, Severity};
use steward_core::readiness::OpenNonconformity;
use steward_core::record::RecordKind;

use crate::exec::{Arg, Tx};
use crate::record::Table;
use crate::{Store, args, from_micros, micros, opt_stored_date, parse_stored, refer, stored_date};

#[derive(sqlx::FromRow)]
pub struct NonconformityRow {
    id: i64,
    title: String,
    description: String,
    requirement: String,
    severity: String,
    source: String,
    finding_id: Option<i64>,
    raised_on: String,
    owner_id: Option<i64>,
    status: String,
    correction: Option<String>,
    root_cause: Option<String>,
    effectiveness_review: Option<String>,
    effective: Option<bool>,
    verified_by: Option<i64>,
    closed_on: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl Table for Nonconformity {
    type Row = NonconformityRow;
    const TABLE: &'static str = "nonconformities";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "description",
        "requirement",
        "severity",
        "source",
        "finding_id",
        "raised_on",
        "owner_id",
        "status",
        "correction",
        "root_cause",
        "effectiveness_review",
        "effective",
        "verified_by",
        "closed_on",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: NonconformityRow) -> Result<Self> {
        Ok(Nonconformity {
            id: NonconformityId(r.id),
            title: r.title,
            description: r.description,
            requirement: r.requirement,
            severity: parse_stored("severity", &r.severity, Severity::parse)?,
            source: parse_stored("source", &r.source, NonconformitySource::parse)?,
            finding: r.finding_id.map(FindingId),
            raised_on: stored_date("raised_on", &r.raised_on)?,
            owner: r.owner_id.map(UserId),
            status: parse_stored("status", &r.status, NonconformityStatus::parse)?,
            correction: r.correction,
            root_cause: r.root_cause,
            effectiveness_review: r.effectiveness_review,
            effective: r.effective,
            verified_by: r.verified_by.map(UserId),
            closed_on: opt_stored_date("closed_on", r.closed_on)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            &self.description,
            &self.requirement,
            self.severity.as_str(),
            self.source.as_str(),
            self.finding.map(|v| v.0),
            self.raised_on.to_string(),
            self.owner.map(|v| v.0),
            self.status.as_str(),
            self.correction.clone(),
            self.root_cause.clone(),
            self.effectiveness_review.clone(),
            self.effective,
            self.verified_by.map(|v| v.0),
            self.closed_on.map(|d| d.to_string()),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        refer(&mut r, "finding", RecordKind::Finding, self.finding.map(|v| v.0));
        r
    }

    async fn after_write(&self, tx: &mut Tx, _at: i64) -> Result<()> {
        if matches!(
            self.status,
            NonconformityStatus::Verification | NonconformityStatus::Closed
        ) {
            let (open, done) = crate::action::action_counts(tx, RecordKind::Nonconformity, self.id.0).await?;
            self.check_actions(open, done)?;
        }
        Ok(())
    }
}

impl Store {
    /// Every nonconformity not yet closed, as readiness counts them.
    pub async fn open_nonconformities(&self) -> Result<Vec<OpenNonconformity>> {
        let mut c = self.read().await?;
        let rows: Vec<(i64, String, String)> = c
            .fetch_all(
                "SELECT id, requirement, severity FROM nonconformities WHERE status <> 'closed' ORDER BY id LIMIT 100000",
                vec![],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, requirement, severity)| OpenNonconformity {
                reference: NonconformityId(id).to_string(),
                requirement,
                major: severity == "major",
            })
            .collect())
    }
}
