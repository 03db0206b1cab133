//! The compliance workspace: readiness by clause and requirement (the clause tree), a heat map of
//! the gaps, evidence with its freshness, documents due for review, audits, open nonconformities
//! and actions, and the certification calendar. Everything here is read from the live records on
//! each request; the auditor sees all of it and no form.

use askama::Template;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use steward_core::access::{Operation, authorize};
use steward_core::action::{Action, ActionStatus};
use steward_core::audit::Audit;
use steward_core::certification::Certificate;
use steward_core::document::{Document, ReviewState};
use steward_core::evidence::Evidence;
use steward_core::indicator::Period;
use steward_core::lifecycle::Lifecycle;
use steward_core::nonconformity::{Nonconformity, NonconformityStatus};
use steward_core::record::{Record, RecordKind};
use steward_store::exec::Arg;
use steward_store::{ListQuery, Sort, Table};

use super::{Chrome, UiResult, Viewer, record_href, render};
use crate::api::list_all;
use crate::auth::Ctx;
use crate::error::ApiError;

/// One requirement in the tree and the heat map.
pub struct Requirement {
    pub clause: String,
    pub title: String,
    pub percent: String,
    /// `ready` (80% or more), `partly` (50% or more) or `gap`.
    pub band: &'static str,
    pub score: String,
    pub reasons: Vec<String>,
}

/// A top-level clause (4 to 10) with its figure and requirements.
pub struct Clause {
    pub clause: String,
    pub title: String,
    pub percent: String,
    pub band: &'static str,
    pub requirements: Vec<Requirement>,
    pub gaps: usize,
}

/// A row of one of the registers: a linked reference and a few columns.
pub struct Line {
    pub reference: String,
    pub href: String,
    pub cells: Vec<String>,
    /// A word that marks the row: `stale`, `overdue`, `due-soon` or empty.
    pub flag: &'static str,
}

#[derive(Template)]
#[template(path = "compliance/index.html")]
struct CompliancePage {
    chrome: Chrome,
    overall: String,
    period: String,
    clauses: Vec<Clause>,
    evidence: Vec<Line>,
    documents: Vec<Line>,
    audits: Vec<Line>,
    nonconformities: Vec<Line>,
    actions: Vec<Line>,
    calendar: Vec<Line>,
}

fn band(p: f64) -> &'static str {
    if p >= 80.0 {
        "ready"
    } else if p >= 50.0 {
        "partly"
    } else {
        "gap"
    }
}

/// Up to `limit` records of a register, in the order given.
async fn register<T: Table>(
    ctx: &Ctx,
    column: &'static str,
    descending: bool,
    any_of: Vec<(&'static str, Vec<Arg>)>,
    limit: u32,
) -> Result<Vec<T>, ApiError> {
    let q = ListQuery {
        any_of,
        sort: Sort { column, descending },
        limit,
        ..ListQuery::default()
    };
    Ok(list_all::<T>(ctx, q).await?.0.items)
}

fn line<T: Record>(r: &T, cells: Vec<String>, flag: &'static str) -> Line {
    Line {
        reference: format!("{}-{}", T::KIND.prefix(), r.id()),
        href: record_href(T::KIND, r.id()),
        cells,
        flag,
    }
}

fn words<S: ToString>(s: S) -> String {
    s.to_string().replace('_', " ")
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

pub async fn compliance_page(viewer: Viewer) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Assessment, Operation::Read)?;
    let now = ctx.now;
    let today = now.date_naive();
    let period = Period {
        from: now - chrono::Duration::days(90),
        to: now,
    };
    let report = ctx.state.store.readiness(period, now).await?;
    let mut clauses: Vec<Clause> = report
        .clauses
        .iter()
        .filter(|c| !c.clause.contains('.'))
        .map(|c| Clause {
            clause: c.clause.clone(),
            title: c.title.clone(),
            percent: format!("{:.0}%", c.readiness_percent),
            band: band(c.readiness_percent),
            requirements: vec![],
            gaps: 0,
        })
        .collect();
    for r in &report.requirements {
        let top = r.clause.split('.').next().unwrap_or("");
        if let Some(c) = clauses.iter_mut().find(|c| c.clause == top) {
            let b = band(r.readiness_percent);
            if b == "gap" {
                c.gaps += 1;
            }
            c.requirements.push(Requirement {
                clause: r.clause.clone(),
                title: r.title.clone(),
                percent: format!("{:.0}%", r.readiness_percent),
                band: b,
                score: r.score.map(|s| format!("{s}/5")).unwrap_or_else(|| "not scored".into()),
                reasons: r.reasons.clone(),
            });
        }
    }

    let evidence: Vec<Evidence> = register(ctx, "created_at", true, vec![], 100).await?;
    let evidence = evidence
        .iter()
        .map(|e| {
            let fresh = e.is_fresh(today);
            line(
                e,
                vec![
                    e.title.clone(),
                    e.requirement.clone(),
                    e.effective_date.to_string(),
                    e.fresh_until().to_string(),
                    (if fresh { "fresh" } else { "stale" }).into(),
                ],
                if fresh { "" } else { "stale" },
            )
        })
        .collect();
    let documents: Vec<Document> = register(ctx, "created_at", false, vec![], 500).await?;
    let mut documents: Vec<(ReviewState, Line)> = documents
        .iter()
        .filter_map(|d| {
            let state = d.review_state(today);
            let flag = match state {
                ReviewState::Overdue => "overdue",
                ReviewState::DueSoon => "due-soon",
                ReviewState::NotApproved => "",
                ReviewState::Current | ReviewState::Withdrawn => return None,
            };
            let state_words = match state {
                ReviewState::Overdue => "review overdue",
                ReviewState::DueSoon => "review due within 30 days",
                _ => "not yet approved",
            };
            Some((
                state,
                line(
                    d,
                    vec![
                        format!("{} {}", d.identifier, d.title),
                        d.version.clone(),
                        date(d.next_review),
                        state_words.into(),
                    ],
                    flag,
                ),
            ))
        })
        .collect();
    documents.sort_by_key(|(s, l)| {
        (
            *s != ReviewState::Overdue,
            *s != ReviewState::DueSoon,
            l.reference.clone(),
        )
    });
    let documents = documents.into_iter().map(|(_, l)| l).collect();

    let audits: Vec<Audit> = register(ctx, "created_at", true, vec![], 50).await?;
    let audits = audits
        .iter()
        .map(|a| {
            line(
                a,
                vec![
                    a.title.clone(),
                    words(a.audit_type),
                    words(a.status),
                    format!("{} to {}", a.planned_start, a.planned_end),
                ],
                "",
            )
        })
        .collect();
    let open: Vec<Arg> = NonconformityStatus::FIELD_VALUES
        .iter()
        .filter(|s| !s.allowed_next().is_empty())
        .map(|s| Arg::from(s.as_str()))
        .collect();
    let ncs: Vec<Nonconformity> = register(ctx, "created_at", true, vec![("status", open)], 100).await?;
    let nonconformities = ncs
        .iter()
        .map(|n| {
            line(
                n,
                vec![
                    n.title.clone(),
                    n.requirement.clone(),
                    words(n.severity),
                    words(n.status),
                    n.raised_on.to_string(),
                ],
                if words(n.severity) == "major" { "overdue" } else { "" },
            )
        })
        .collect();
    let open: Vec<Arg> = ActionStatus::FIELD_VALUES
        .iter()
        .filter(|s| !s.allowed_next().is_empty())
        .map(|s| Arg::from(s.as_str()))
        .collect();
    let actions: Vec<Action> = register(ctx, "created_at", true, vec![("status", open)], 100).await?;
    let mut actions: Vec<(NaiveDate, Line)> = actions
        .iter()
        .map(|a| {
            (
                a.due_date,
                line(
                    a,
                    vec![
                        a.title.clone(),
                        a.source.clone().unwrap_or_default(),
                        a.due_date.to_string(),
                        words(a.status),
                    ],
                    if a.due_date < today { "overdue" } else { "" },
                ),
            )
        })
        .collect();
    actions.sort_by_key(|(d, _)| *d);
    let actions = actions.into_iter().map(|(_, l)| l).collect();

    let certificates: Vec<Certificate> = register(ctx, "created_at", true, vec![], 20).await?;
    let mut calendar: Vec<(NaiveDate, Line)> = Vec::new();
    for c in &certificates {
        for due in c.schedule() {
            calendar.push((
                due.due,
                line(
                    c,
                    vec![
                        due.due.to_string(),
                        words(due.step),
                        c.number.clone(),
                        c.certification_body.clone(),
                    ],
                    if due.due < today { "overdue" } else { "" },
                ),
            ));
        }
        calendar.push((
            c.expires_on,
            line(
                c,
                vec![
                    c.expires_on.to_string(),
                    "certificate expires".into(),
                    c.number.clone(),
                    c.certification_body.clone(),
                ],
                "",
            ),
        ));
    }
    calendar.sort_by_key(|(d, _)| *d);
    let calendar = calendar.into_iter().map(|(_, l)| l).collect();

    let page = CompliancePage {
        chrome: viewer.chrome("compliance"),
        overall: format!("{:.1}%", report.overall_percent),
        period: format!("{} to {}", period.from.date_naive(), period.to.date_naive()),
        clauses,
        evidence,
        documents,
        audits,
        nonconformities,
        actions,
        calendar,
    };
    Ok(render(&page).into_response())
}
