//! The demo's budgets and costs (8.4.1): an approved budget for this calendar year for every
//! live service but one (left as a draft, so the readiness report shows the gap), monthly
//! supplier and licence costs from the ledger, and staff time logged on the resolved incidents
//! of the last weeks — the major ones every time — so the budget and cost reports have figures
//! and one budget runs over.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use steward_core::budget::{Budget, BudgetTransition, NewBudget};
use steward_core::cost::{CostCategory, CostRates, NewCost, Ticket, TimeEntry};
use steward_core::history::HistoryAction;
use steward_core::id::UserId;
use steward_core::incident::Incident;
use steward_core::service::{Service, ServiceStatus};
use steward_store::{ListQuery, Store};

pub async fn seed(store: &Store, now: DateTime<Utc>, managers: &[UserId], services: &[Service]) -> anyhow::Result<()> {
    store
        .set_cost_rates(&CostRates::default(), now - Duration::days(120))
        .await?;
    let year = now.year();
    let (starts_on, ends_on) = (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default(),
    );
    let live: Vec<&Service> = services.iter().filter(|s| s.status == ServiceStatus::Live).collect();
    let months_passed = i64::from(now.month());
    let mut lines = Vec::new();
    for (n, s) in live.iter().enumerate() {
        // A monthly run cost of 1,000 to 4,000; the budget allows for a year of it, except the
        // second service's, set too low.
        let monthly = 100_000 * (1 + (n as i64 % 4));
        let amount = if n == 1 { monthly * 8 } else { monthly * 13 };
        let b = Budget::create(
            NewBudget {
                service: s.id,
                title: Some(format!("{} {year}", s.name)),
                starts_on,
                ends_on,
                amount,
                owner: managers.get(n % managers.len().max(1)).copied(),
                notes: Some("Run costs, supplier contracts and licences for the year.".into()),
            },
            now - Duration::days(i64::from(now.ordinal()) + 20),
        )?;
        let b = store.insert(b, managers.first().copied()).await?;
        if n + 1 != live.len() {
            store
                .update::<Budget>(
                    b.id.0,
                    managers.first().copied(),
                    b.created_at + Duration::days(5),
                    HistoryAction::Transition,
                    |_| true,
                    |b| b.transition(BudgetTransition { to: "approved".into() }),
                )
                .await?;
        }
        for m in 1..=months_passed.min(12) {
            let on = NaiveDate::from_ymd_opt(year, m as u32, 1).unwrap_or(starts_on);
            let (category, share, what) = if m % 3 == 0 {
                (CostCategory::Licence, 3, "Licence renewal")
            } else {
                (CostCategory::Supplier, 10, "Hosting and support")
            };
            lines.push(NewCost {
                service: s.id,
                incurred_on: on,
                amount: monthly * share / 10,
                category,
                description: format!("{what}, {}", on.format("%B %Y")),
                incident: None,
                request: None,
                contract: None,
                asset: None,
                minutes: None,
                ledger_ref: Some(format!("GL-{year}-{:02}-{}", m, s.code)),
            });
        }
    }
    for chunk in lines.chunks(500) {
        store
            .import_costs(chunk.to_vec(), managers.first().copied(), now)
            .await?;
    }
    let resolved = store
        .list::<Incident>(&ListQuery {
            filters: vec![("status", "closed".into())],
            limit: 200,
            ..Default::default()
        })
        .await?
        .items;
    for (n, i) in resolved.iter().enumerate() {
        let (Some(_), Some(at)) = (i.service, i.resolved_at) else {
            continue;
        };
        if !i.major && n % 3 == 2 {
            continue;
        }
        let entry = TimeEntry {
            minutes: if i.major { 240 } else { 15 + (n as i64 % 6) * 15 },
            worked_on: Some(at.date_naive()),
            description: None,
        };
        store.log_time(Ticket::Incident(i.id), entry, i.assignee, at).await?;
    }
    Ok(())
}
