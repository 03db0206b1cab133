//! How continuity plans and their tests are stored. A plan's review day is kept as an instant
//! too (`reviewed_at`), so the evidence can set it against the changes closed on its service.

use std::collections::HashMap;

use chrono::NaiveDate;
use steward_core::continuity::{
    ContinuityPlan, ContinuityPlanStatus, ContinuityStanding, ContinuityTest, ContinuityTestKind, ContinuityTestStatus,
};
use steward_core::id::*;
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::record::{Table, select_sql};
use crate::{args, from_micros, micros, midnight_micros, opt_stored_date, parse_stored, refer, stored_date};

#[derive(sqlx::FromRow)]
pub struct ContinuityPlanRow {
    id: i64,
    service_id: i64,
    title: String,
    recovery_time_minutes: i64,
    recovery_point_minutes: i64,
    invocation_criteria: String,
    recovery_steps: String,
    return_to_normal: String,
    owner_id: Option<i64>,
    status: String,
    reviewed_on: Option<String>,
    next_review: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl Table for ContinuityPlan {
    type Row = ContinuityPlanRow;
    const TABLE: &'static str = "continuity_plans";
    const COLUMNS: &'static [&'static str] = &[
        "service_id",
        "title",
        "recovery_time_minutes",
        "recovery_point_minutes",
        "invocation_criteria",
        "recovery_steps",
        "return_to_normal",
        "owner_id",
        "status",
        "reviewed_on",
        "reviewed_at",
        "next_review",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ContinuityPlanRow) -> Result<Self> {
        Ok(ContinuityPlan {
            id: ContinuityPlanId(r.id),
            service: ServiceId(r.service_id),
            title: r.title,
            recovery_time_minutes: r.recovery_time_minutes,
            recovery_point_minutes: r.recovery_point_minutes,
            invocation_criteria: r.invocation_criteria,
            recovery_steps: r.recovery_steps,
            return_to_normal: r.return_to_normal,
            owner: r.owner_id.map(UserId),
            status: parse_stored("status", &r.status, ContinuityPlanStatus::parse)?,
            reviewed_on: opt_stored_date("reviewed_on", r.reviewed_on)?,
            next_review: opt_stored_date("next_review", r.next_review)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            self.service.0,
            &self.title,
            self.recovery_time_minutes,
            self.recovery_point_minutes,
            &self.invocation_criteria,
            &self.recovery_steps,
            &self.return_to_normal,
            self.owner.map(|v| v.0),
            self.status.as_str(),
            self.reviewed_on.map(|d| d.to_string()),
            self.reviewed_on.map(midnight_micros),
            self.next_review.map(|d| d.to_string()),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("service", RecordKind::Service, self.service.0)];
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        r
    }
}

#[derive(sqlx::FromRow)]
pub struct ContinuityTestRow {
    id: i64,
    plan_id: i64,
    kind: String,
    title: String,
    scheduled_on: String,
    status: String,
    held_on: Option<String>,
    recovery_minutes: Option<i64>,
    data_loss_minutes: Option<i64>,
    recovery_time_objective: Option<i64>,
    recovery_point_objective: Option<i64>,
    met_objectives: Option<bool>,
    findings: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for ContinuityTest {
    type Row = ContinuityTestRow;
    const TABLE: &'static str = "continuity_tests";
    const COLUMNS: &'static [&'static str] = &[
        "plan_id",
        "kind",
        "title",
        "scheduled_on",
        "status",
        "held_on",
        "recovery_minutes",
        "data_loss_minutes",
        "recovery_time_objective",
        "recovery_point_objective",
        "met_objectives",
        "findings",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ContinuityTestRow) -> Result<Self> {
        Ok(ContinuityTest {
            id: ContinuityTestId(r.id),
            plan: ContinuityPlanId(r.plan_id),
            kind: parse_stored("kind", &r.kind, ContinuityTestKind::parse)?,
            title: r.title,
            scheduled_on: stored_date("scheduled_on", &r.scheduled_on)?,
            status: parse_stored("status", &r.status, ContinuityTestStatus::parse)?,
            held_on: opt_stored_date("held_on", r.held_on)?,
            recovery_minutes: r.recovery_minutes,
            data_loss_minutes: r.data_loss_minutes,
            recovery_time_objective: r.recovery_time_objective,
            recovery_point_objective: r.recovery_point_objective,
            met_objectives: r.met_objectives,
            findings: r.findings,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            self.plan.0,
            self.kind.as_str(),
            &self.title,
            self.scheduled_on.to_string(),
            self.status.as_str(),
            self.held_on.map(|d| d.to_string()),
            self.recovery_minutes,
            self.data_loss_minutes,
            self.recovery_time_objective,
            self.recovery_point_objective,
            self.met_objectives,
            &self.findings,
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        vec![("plan", RecordKind::ContinuityPlan, self.plan.0)]
    }
}

/// Plans read at most by one continuity report; more is refused rather than cut.
const PLANS_MAX: i64 = 5_000;

impl crate::Store {
    /// Every plan not retired, where it stands on `today`: its review, its last completed test
    /// and whether it met the objectives, its next scheduled test, the latest high-risk change
    /// to its service since its review, and its linked risks — five reads however many plans.
    pub async fn continuity_report(&self, today: NaiveDate) -> Result<Vec<ContinuityStanding>> {
        let mut c = self.read().await?;
        let rows: Vec<ContinuityPlanRow> = c
            .fetch_all(
                &format!(
                    "{} WHERE status <> 'retired' ORDER BY id LIMIT $1",
                    select_sql::<ContinuityPlan>()
                ),
                args![PLANS_MAX + 1],
            )
            .await?;
        if rows.len() as i64 > PLANS_MAX {
            return Err(Error::Conflict(format!(
                "more than {PLANS_MAX} continuity plans in force; the report reads at most that many: \
                 retire the plans no longer in use"
            )));
        }
        let plans: Vec<ContinuityPlan> = rows.into_iter().map(ContinuityPlan::from_row).collect::<Result<_>>()?;
        let names: Vec<(i64, String)> = c.fetch_all("SELECT id, name FROM services", args![]).await?;
        let names: HashMap<i64, String> = names.into_iter().collect();
        // The last completed test of each plan, and whether it met the objectives.
        let last: Vec<(i64, String, Option<bool>)> = c
            .fetch_all(
                "SELECT k.plan_id, k.held_on, k.met_objectives FROM continuity_tests k \
                 JOIN (SELECT plan_id, MAX(held_on) AS last FROM continuity_tests WHERE status = 'completed' \
                       GROUP BY plan_id) l ON l.plan_id = k.plan_id AND l.last = k.held_on \
                 WHERE k.status = 'completed' ORDER BY k.id",
                args![],
            )
            .await?;
        let next: Vec<(i64, String)> = c
            .fetch_all(
                "SELECT plan_id, MIN(scheduled_on) FROM continuity_tests WHERE status = 'scheduled' GROUP BY plan_id",
                args![],
            )
            .await?;
        let changes: Vec<(i64, i64)> = c
            .fetch_all(
                "SELECT service_id, MAX(closed_at) FROM changes WHERE risk = 'high' AND closed_at IS NOT NULL \
                 AND service_id IS NOT NULL GROUP BY service_id",
                args![],
            )
            .await?;
        let risks: Vec<(i64, i64)> = c
            .fetch_all(
                "SELECT from_id, COUNT(*) FROM links WHERE from_kind = 'continuity_plan' AND to_kind = 'risk' GROUP BY from_id",
                args![],
            )
            .await?;
        let mut last_by: HashMap<i64, (NaiveDate, Option<bool>)> = HashMap::new();
        for (plan, held, met) in last {
            // Two tests held the same day: the later written stands.
            last_by.insert(plan, (stored_date("held_on", &held)?, met));
        }
        let next: HashMap<i64, String> = next.into_iter().collect();
        let changes: HashMap<i64, i64> = changes.into_iter().collect();
        let risks: HashMap<i64, i64> = risks.into_iter().collect();
        let mut out = Vec::with_capacity(plans.len());
        for p in &plans {
            let mut s = ContinuityStanding::new(p, names.get(&p.service.0).cloned().unwrap_or_default(), today);
            if let Some((held, met)) = last_by.get(&p.id.0) {
                s.last_test_on = Some(*held);
                s.last_test_met = *met;
            }
            s.next_test_on = opt_stored_date("scheduled_on", next.get(&p.id.0).cloned())?;
            if let Some(closed) = changes.get(&p.service.0) {
                s.changed(from_micros(*closed)?);
            }
            s.risks = risks.get(&p.id.0).copied().unwrap_or(0);
            out.push(s);
        }
        out.sort_by(|a, b| (&a.service_name, a.plan).cmp(&(&b.service_name, b.plan)));
        Ok(out)
    }
}
