//! How changes are stored.

use steward_core::Result;
use steward_core::change::{Change, ChangeOutcome, ChangeRisk, ChangeStatus, ChangeType, Likelihood};
use steward_core::id::*;
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros, opt_from_micros, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct ChangeRow {
    id: i64,
    title: String,
    description: String,
    status: String,
    change_type: String,
    risk: String,
    impact: Option<String>,
    likelihood: Option<String>,
    major: bool,
    transition_plan: Option<String>,
    template_id: Option<i64>,
    service_id: Option<i64>,
    planned_start: Option<i64>,
    planned_end: Option<i64>,
    implementation_plan: Option<String>,
    backout_plan: Option<String>,
    outcome: Option<String>,
    review_notes: Option<String>,
    category: Option<String>,
    subcategory: Option<String>,
    assignee_id: Option<i64>,
    team_id: Option<i64>,
    created_at: i64,
    updated_at: i64,
    closed_at: Option<i64>,
}

impl Table for Change {
    type Row = ChangeRow;
    const TABLE: &'static str = "changes";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "description",
        "status",
        "change_type",
        "risk",
        "impact",
        "likelihood",
        "major",
        "transition_plan",
        "template_id",
        "service_id",
        "planned_start",
        "planned_end",
        "implementation_plan",
        "backout_plan",
        "outcome",
        "review_notes",
        "category",
        "subcategory",
        "assignee_id",
        "team_id",
        "created_at",
        "updated_at",
        "closed_at",
    ];

    fn from_row(r: ChangeRow) -> Result<Self> {
        Ok(Change {
            id: ChangeId(r.id),
            title: r.title,
            description: r.description,
            status: parse_stored("status", &r.status, ChangeStatus::parse)?,
            change_type: parse_stored("change_type", &r.change_type, ChangeType::parse)?,
            risk: parse_stored("risk", &r.risk, ChangeRisk::parse)?,
            impact: r
                .impact
                .map(|v| parse_stored("impact", &v, steward_core::priority::Impact::parse))
                .transpose()?,
            likelihood: r
                .likelihood
                .map(|v| parse_stored("likelihood", &v, Likelihood::parse))
                .transpose()?,
            major: r.major,
            transition_plan: r
                .transition_plan
                .map(|v| serde_json::from_str(&v))
                .transpose()
                .map_err(|e| steward_core::Error::unexpected(format!("stored transition plan is not valid: {e}")))?,
            template: r.template_id.map(steward_core::id::ChangeTemplateId),
            service: r.service_id.map(ServiceId),
            planned_start: opt_from_micros(r.planned_start)?,
            planned_end: opt_from_micros(r.planned_end)?,
            implementation_plan: r.implementation_plan,
            backout_plan: r.backout_plan,
            outcome: r
                .outcome
                .map(|v| parse_stored("outcome", &v, ChangeOutcome::parse))
                .transpose()?,
            review_notes: r.review_notes,
            category: r.category,
            subcategory: r.subcategory,
            assignee: r.assignee_id.map(UserId),
            team: r.team_id.map(TeamId),
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
            closed_at: opt_from_micros(r.closed_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            &self.description,
            self.status.as_str(),
            self.change_type.as_str(),
            self.risk.as_str(),
            self.impact.map(|v| v.as_str()),
            self.likelihood.map(|v| v.as_str()),
            self.major,
            self.transition_plan.as_ref().map(crate::json_text),
            self.template.map(|t| t.0),
            self.service.map(|v| v.0),
            self.planned_start.map(micros),
            self.planned_end.map(micros),
            self.implementation_plan.clone(),
            self.backout_plan.clone(),
            self.outcome.map(|o| o.as_str()),
            self.review_notes.clone(),
            self.category.clone(),
            self.subcategory.clone(),
            self.assignee.map(|v| v.0),
            self.team.map(|v| v.0),
            micros(self.created_at),
            micros(self.updated_at),
            self.closed_at.map(micros),
        ]
    }

    /// Asks the approvers when the change enters assessment; clears them on rework.
    async fn after_write(&self, tx: &mut crate::exec::Tx, at: i64) -> Result<()> {
        crate::approval::follow_change(tx, self, at).await
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(&mut r, "service", RecordKind::Service, self.service.map(|v| v.0));
        refer(&mut r, "assignee", RecordKind::User, self.assignee.map(|v| v.0));
        refer(&mut r, "team", RecordKind::Team, self.team.map(|v| v.0));
        r
    }
}

impl crate::Store {
    /// Changes with a planned window ending at or after `since` that are approved, scheduled,
    /// being implemented or in review — the forward schedule of change — by start.
    pub async fn change_schedule(&self, since: chrono::DateTime<chrono::Utc>, limit: u32) -> Result<Vec<Change>> {
        let sql = format!(
            "SELECT id, {} FROM changes WHERE status IN ('approved', 'scheduled', 'implementing', 'review') \
             AND planned_end >= $1 ORDER BY planned_start, id LIMIT $2",
            Change::COLUMNS.join(", ")
        );
        let mut c = self.read().await?;
        let rows: Vec<ChangeRow> = c.fetch_all(&sql, args![micros(since), i64::from(limit)]).await?;
        rows.into_iter().map(Change::from_row).collect()
    }
}
