//! The demo's service continuity (8.7.2): an approved continuity plan for every live service but
//! the last (so the evidence shows the gap), with objectives by the service's criticality, each
//! reviewed some months ago — one past its review date. Most plans were tested in the last year,
//! one test missing its recovery time objective; one test is scheduled for next month and one
//! was cancelled. The continuity risks of the register are linked to the first plan.

use chrono::{DateTime, Duration, Utc};
use steward_core::continuity::{
    ContinuityPlan, ContinuityPlanTransition, ContinuityTest, ContinuityTestKind, NewContinuityPlan, NewContinuityTest,
    PlanReview, TestCancellation, TestResult,
};
use steward_core::history::HistoryAction;
use steward_core::id::UserId;
use steward_core::link::Endpoint;
use steward_core::record::RecordKind;
use steward_core::risk::Risk;
use steward_core::service::{Criticality, Service, ServiceStatus};
use steward_store::{ListQuery, Store};

pub async fn seed(store: &Store, now: DateTime<Utc>, managers: &[UserId], services: &[Service]) -> anyhow::Result<()> {
    let owner = managers.first().copied();
    let today = now.date_naive();
    let live: Vec<&Service> = services.iter().filter(|s| s.status == ServiceStatus::Live).collect();
    let mut first = None;
    for (n, s) in live.iter().enumerate().take(live.len().saturating_sub(1)) {
        let (rto, rpo) = match s.criticality {
            Criticality::Critical => (60, 5),
            Criticality::High => (240, 15),
            Criticality::Medium => (480, 60),
            Criticality::Low => (1_440, 240),
        };
        let written = now - Duration::days(400);
        let p = ContinuityPlan::create(
            NewContinuityPlan {
                service: s.id,
                title: format!("{} continuity plan", s.name),
                recovery_time_minutes: rto,
                recovery_point_minutes: rpo,
                invocation_criteria: Some(format!(
                    "{} unavailable for more than half its recovery time objective with no fix in sight; \
                     the duty manager invokes.",
                    s.name
                )),
                recovery_steps: Some(
                    "Declare the invocation, fail over to the second site, restore the latest replica, \
                     check the service end to end, tell the customers."
                        .into(),
                ),
                return_to_normal: Some(
                    "Repair the first site, resynchronise, fail back out of hours, confirm with the customers.".into(),
                ),
                owner,
                next_review: Some(today + Duration::days(30)),
            },
            written,
        )?;
        let p = store.insert(p, owner).await?;
        let p = store
            .update::<ContinuityPlan>(
                p.id.0,
                owner,
                written + Duration::days(7),
                HistoryAction::Transition,
                |_| true,
                |p| p.transition(ContinuityPlanTransition { to: "approved".into() }),
            )
            .await?;
        // Reviewed three to nine months ago; the third plan's next review has passed.
        let held = now - Duration::days(90 + 30 * (n as i64 % 7));
        let next_review = if n == 2 {
            today - Duration::days(12)
        } else {
            held.date_naive() + Duration::days(365)
        };
        let p = store
            .update::<ContinuityPlan>(
                p.id.0,
                owner,
                held,
                HistoryAction::Update,
                |_| true,
                |p| {
                    p.review(
                        PlanReview {
                            held_on: Some(held.date_naive()),
                            next_review,
                        },
                        held.date_naive(),
                    )
                },
            )
            .await?;
        first.get_or_insert(p.id);
        let kind = match n % 3 {
            0 => ContinuityTestKind::Failover,
            1 => ContinuityTestKind::Tabletop,
            _ => ContinuityTestKind::Simulation,
        };
        // The fifth plan has not been tested in the year.
        if n != 4 {
            let on = (now - Duration::days(60 + 20 * n as i64)).date_naive();
            let t = store
                .insert(
                    ContinuityTest::create(
                        NewContinuityTest {
                            plan: p.id,
                            kind,
                            title: None,
                            scheduled_on: on,
                        },
                        now - Duration::days(200),
                    )?,
                    owner,
                )
                .await?;
            // The second service's failover ran over its recovery time objective.
            let recovery = if n == 1 { rto + 45 } else { rto * 3 / 4 };
            store
                .update::<ContinuityTest>(
                    t.id.0,
                    owner,
                    on.and_hms_opt(17, 0, 0).unwrap_or_default().and_utc(),
                    HistoryAction::Transition,
                    |_| true,
                    |t| {
                        t.complete(
                            TestResult {
                                held_on: Some(on),
                                recovery_minutes: recovery,
                                data_loss_minutes: rpo / 2,
                                findings: if n == 1 {
                                    "Restoring the replica took longer than planned: the runbook misses the index rebuild."
                                        .into()
                                } else {
                                    "Recovered within the objectives; the contact list needed two updates.".into()
                                },
                            },
                            &p,
                            on,
                        )
                    },
                )
                .await?;
        }
        if n == 0 || n == 3 {
            let t = store
                .insert(
                    ContinuityTest::create(
                        NewContinuityTest {
                            plan: p.id,
                            kind: ContinuityTestKind::Failover,
                            title: None,
                            scheduled_on: today + Duration::days(20 + n as i64),
                        },
                        now - Duration::days(10),
                    )?,
                    owner,
                )
                .await?;
            if n == 3 {
                store
                    .update::<ContinuityTest>(
                        t.id.0,
                        owner,
                        now - Duration::days(2),
                        HistoryAction::Transition,
                        |_| true,
                        |t| {
                            t.cancel(TestCancellation {
                                reason: "Moved after the data centre's power works; to be scheduled again.".into(),
                            })
                        },
                    )
                    .await?;
            }
        }
    }
    if let Some(plan) = first {
        let risks = store
            .list::<Risk>(&ListQuery {
                limit: 2,
                ..Default::default()
            })
            .await?
            .items;
        for r in risks {
            store
                .link(
                    Endpoint {
                        kind: RecordKind::ContinuityPlan,
                        id: plan.0,
                    },
                    Endpoint {
                        kind: RecordKind::Risk,
                        id: r.id.0,
                    },
                    owner,
                    now - Duration::days(80),
                )
                .await?;
        }
    }
    Ok(())
}
