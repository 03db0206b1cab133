//! How management reviews are stored, and the input pack compiled for one from the records of
//! its period in a fixed number of statements.

use chrono::{DateTime, NaiveTime, Utc};
use steward_core::Result;
use steward_core::id::{ManagementReviewId, ObjectiveId, UserId};
use steward_core::indicator::Period;
use steward_core::lifecycle::Lifecycle;
use steward_core::management_review::{
    Count, ManagementReview, ManagementReviewStatus, Measure, Named, ObjectiveProgress, PreviousReview, ReviewInputs,
};
use steward_core::record::RecordKind;

use crate::exec::Arg;
use crate::record::Table;
use crate::{Store, args, from_micros, json_text, micros, parse_stored, stored_date, stored_json};

#[derive(sqlx::FromRow)]
pub struct ManagementReviewRow {
    id: i64,
    title: String,
    status: String,
    held_on: String,
    period_from: String,
    period_to: String,
    chair_id: i64,
    attendees: String,
    minutes: String,
    decisions: String,
    inputs: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl Table for ManagementReview {
    type Row = ManagementReviewRow;
    const TABLE: &'static str = "management_reviews";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "status",
        "held_on",
        "period_from",
        "period_to",
        "chair_id",
        "attendees",
        "minutes",
        "decisions",
        "inputs",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ManagementReviewRow) -> Result<Self> {
        Ok(ManagementReview {
            id: ManagementReviewId(r.id),
            title: r.title,
            status: parse_stored("status", &r.status, ManagementReviewStatus::parse)?,
            held_on: stored_date("held_on", &r.held_on)?,
            period_from: stored_date("period_from", &r.period_from)?,
            period_to: stored_date("period_to", &r.period_to)?,
            chair: UserId(r.chair_id),
            attendees: stored_json("attendees", &r.attendees)?,
            minutes: r.minutes,
            decisions: stored_json("decisions", &r.decisions)?,
            inputs: r.inputs.map(|i| stored_json("inputs", &i)).transpose()?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            self.status.as_str(),
            self.held_on.to_string(),
            self.period_from.to_string(),
            self.period_to.to_string(),
            self.chair.0,
            json_text(&self.attendees),
            &self.minutes,
            json_text(&self.decisions),
            self.inputs.as_ref().map(json_text),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("chair", RecordKind::User, self.chair.0)];
        r.extend(self.attendees.iter().map(|u| ("attendees", RecordKind::User, u.0)));
        r
    }
}

/// An active objective: id, title, due date, indicator, target percent.
type ObjectiveRow = (i64, String, String, Option<String>, Option<i64>);

fn counts(rows: Vec<(String, i64)>) -> Vec<Count> {
    rows.into_iter().map(|(name, count)| Count { name, count }).collect()
}

impl Store {
    /// The input pack of a review covering `review.period_from` to `review.period_to`.
    pub async fn review_inputs(&self, review: &ManagementReview, now: DateTime<Utc>) -> Result<ReviewInputs> {
        let (from, to) = (review.period_from, review.period_to);
        let period = Period {
            from: from.and_time(NaiveTime::MIN).and_utc(),
            to: to.and_time(NaiveTime::MIN).and_utc(),
        };
        let today = now.date_naive();
        let (f, t, d) = (from.to_string(), to.to_string(), today.to_string());
        let mut c = self.read().await?;
        let previous: Option<(i64, String)> = c
            .fetch_optional(
                "SELECT id, held_on FROM management_reviews WHERE status IN ('held', 'closed') AND id <> $1 AND held_on <= $2 \
                 ORDER BY held_on DESC, id DESC LIMIT 1",
                args![review.id.0, review.held_on.to_string()],
            )
            .await?;
        let previous_review = match previous {
            Some((id, held_on)) => {
                let (actions, done, overdue): (i64, i64, i64) = c
                    .fetch_one(
                        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0), \
                         COALESCE(SUM(CASE WHEN status IN ('open', 'in_progress') AND due_date < $3 THEN 1 ELSE 0 END), 0) \
                         FROM actions WHERE source_kind = $1 AND source_id = $2",
                        args![RecordKind::ManagementReview.as_str(), id, d.clone()],
                    )
                    .await?;
                Some(PreviousReview {
                    review: ManagementReviewId(id),
                    held_on: stored_date("held_on", &held_on)?,
                    actions,
                    actions_done: done,
                    actions_overdue: overdue,
                })
            }
            None => None,
        };
        let (audits_completed,): (i64,) = c
            .fetch_one(
                "SELECT COUNT(*) FROM audits WHERE completed_on >= $1 AND completed_on < $2",
                args![f.clone(), t.clone()],
            )
            .await?;
        let findings: Vec<(String, i64)> = c
            .fetch_all(
                "SELECT f.grade, COUNT(*) FROM findings f JOIN audits a ON a.id = f.audit_id \
                 WHERE a.completed_on >= $1 AND a.completed_on < $2 GROUP BY f.grade ORDER BY f.grade",
                args![f.clone(), t.clone()],
            )
            .await?;
        let (major, minor, raised, closed): (i64, i64, i64, i64) = c
            .fetch_one(
                "SELECT COALESCE(SUM(CASE WHEN status <> 'closed' AND severity = 'major' THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN status <> 'closed' AND severity = 'minor' THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN raised_on >= $1 AND raised_on < $2 THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN closed_on >= $1 AND closed_on < $2 THEN 1 ELSE 0 END), 0) FROM nonconformities",
                args![f.clone(), t.clone()],
            )
            .await?;
        let (supplier_contracts,): (i64,) = c
            .fetch_one("SELECT COUNT(*) FROM agreements WHERE kind = 'uc' AND active", vec![])
            .await?;
        let (risks_open,): (i64,) = c
            .fetch_one("SELECT COUNT(*) FROM risks WHERE status <> 'closed'", vec![])
            .await?;
        let top: Vec<(i64, String, i64)> = c
            .fetch_all(
                "SELECT id, title, rating FROM risks WHERE status <> 'closed' ORDER BY rating DESC, id LIMIT 5",
                vec![],
            )
            .await?;
        let improvements: Vec<(String, i64)> = c
            .fetch_all(
                "SELECT status, COUNT(*) FROM improvements GROUP BY status ORDER BY status",
                vec![],
            )
            .await?;
        let objectives: Vec<ObjectiveRow> = c
            .fetch_all(
                "SELECT id, title, due_date, indicator, target_percent FROM objectives WHERE status = 'active' ORDER BY due_date, id LIMIT 200",
                vec![],
            )
            .await?;
        drop(c);
        let (actions_open, actions_overdue) = self.open_action_counts(today).await?;
        let indicators = self.indicators(period, now).await?;
        let readiness = self.readiness_with(period, now, &indicators).await?;
        let value_of = |id: &str| indicators.iter().find(|i| i.def.id == id);
        let performance = indicators
            .iter()
            .filter(|i| i.population > 0)
            .map(|i| Measure {
                name: i.def.title.to_string(),
                value_percent: i.value_percent,
                target_percent: Some(i.def.target_percent),
            })
            .collect();
        let mut weakest: Vec<&steward_core::readiness::ClauseReadiness> =
            readiness.clauses.iter().filter(|c| !c.clause.contains('.')).collect();
        weakest.sort_by(|a, b| a.readiness_percent.total_cmp(&b.readiness_percent));
        Ok(ReviewInputs {
            period_from: from,
            period_to: to,
            compiled_at: now,
            previous_review,
            audits_completed,
            findings: counts(findings),
            nonconformities_open_major: major,
            nonconformities_open_minor: minor,
            nonconformities_raised: raised,
            nonconformities_closed: closed,
            actions_open,
            actions_overdue,
            performance,
            supplier_contracts,
            risks_open,
            top_risks: top
                .into_iter()
                .map(|(id, title, rating)| Named {
                    reference: steward_core::id::RiskId(id).to_string(),
                    title,
                    rating,
                })
                .collect(),
            improvements: counts(improvements),
            objectives: objectives
                .into_iter()
                .map(|(id, title, due, indicator, target)| {
                    let target_percent = target.and_then(|t| u8::try_from(t).ok());
                    let value_percent = indicator.as_deref().and_then(value_of).and_then(|i| i.value_percent);
                    Ok(ObjectiveProgress {
                        objective: ObjectiveId(id),
                        title,
                        due_date: stored_date("due_date", &due)?,
                        indicator,
                        value_percent,
                        target_percent,
                        on_target: value_percent.zip(target_percent).map(|(v, t)| v >= f64::from(t)),
                    })
                })
                .collect::<Result<Vec<_>>>()?,
            readiness_percent: readiness.overall_percent,
            weakest_clauses: weakest
                .into_iter()
                .take(3)
                .map(|c| Measure {
                    name: format!("{} {}", c.clause, c.title),
                    value_percent: Some(c.readiness_percent),
                    target_percent: None,
                })
                .collect(),
        })
    }
}
