//! The dashboards: the open backlog by priority and age, service level attainment and mean time
//! to resolve week by week, incidents by service, change success, and compliance readiness by
//! clause (loaded after the page, since it weighs every requirement's evidence).

use askama::Template;
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_core::Error;
use steward_core::access::{Operation, Scope, authorize};
use steward_core::dashboard::AGE_BANDS;
use steward_core::indicator::Period;
use steward_core::priority::Priority;
use steward_core::record::RecordKind;

use super::chart::{hbars, line, stacked_bars};
use super::ticket::Names;
use super::{Chrome, UiResult, Viewer, render};

#[derive(Deserialize)]
pub struct DashboardParams {
    #[serde(default)]
    weeks: Option<u32>,
}

/// A chart with its figures as a table.
pub struct Chart {
    pub svg: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "dashboard/index.html")]
struct DashboardPage {
    chrome: Chrome,
    weeks: u32,
    backlog_total: i64,
    attainment: String,
    mttr: String,
    change_success: String,
    backlog: Chart,
    sla: Chart,
    resolve: Chart,
    by_service: Chart,
    changes: Chart,
}

#[derive(Template)]
#[template(path = "dashboard/readiness.html")]
struct ReadinessPanel {
    overall: String,
    clauses: Chart,
}

#[derive(Template)]
#[template(path = "dashboard/readiness_page.html")]
struct ReadinessPage {
    chrome: Chrome,
    panel: ReadinessPanel,
}

fn staff_only(viewer: &Viewer) -> Result<(), Error> {
    match authorize(&viewer.ctx.actor, RecordKind::Incident, Operation::Read)? {
        Scope::All => Ok(()),
        Scope::Organisation(_) | Scope::Published => Err(Error::Forbidden(
            "the dashboards are for the service provider's people".into(),
        )),
    }
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into())
}

pub async fn dashboard_page(viewer: Viewer, Query(p): Query<DashboardParams>) -> UiResult<Response> {
    staff_only(&viewer)?;
    let weeks = p.weeks.unwrap_or(12);
    if !(1..=52).contains(&weeks) {
        return Err(crate::error::ApiError::BadQuery("weeks must be between 1 and 52".into()).into());
    }
    let ctx = &viewer.ctx;
    let now = ctx.now;
    let d = ctx.state.store.dashboard(now.timestamp_micros(), weeks).await?;

    let priorities: Vec<String> = Priority::ALL.iter().map(|p| p.to_string()).collect();
    let series: Vec<(String, Vec<f64>)> = AGE_BANDS
        .iter()
        .enumerate()
        .map(|(b, (name, _))| {
            let values = Priority::ALL
                .iter()
                .map(|p| {
                    d.backlog
                        .iter()
                        .filter(|c| c.priority == *p && c.band == b)
                        .map(|c| c.count as f64)
                        .sum()
                })
                .collect();
            (name.to_string(), values)
        })
        .collect();
    let backlog = Chart {
        svg: stacked_bars("backlog", "Open tickets by priority and age", &priorities, &series, ""),
        head: std::iter::once("age".to_string())
            .chain(priorities.iter().cloned())
            .collect(),
        rows: series
            .iter()
            .map(|(name, v)| {
                std::iter::once(name.clone())
                    .chain(v.iter().map(|x| format!("{x}")))
                    .collect()
            })
            .collect(),
    };

    let labels: Vec<String> = (0..d.weeks.len())
        .map(|i| {
            let end = now - chrono::Duration::weeks((d.weeks.len() - 1 - i) as i64);
            end.format("%d %b").to_string()
        })
        .collect();
    let attain: Vec<Option<f64>> = d.weeks.iter().map(|w| w.attainment()).collect();
    let sla = Chart {
        svg: line(
            "sla",
            "Service level attainment by week",
            &labels,
            &attain,
            Some(100.0),
            "%",
        ),
        head: vec![
            "week ending".into(),
            "met".into(),
            "breached".into(),
            "attainment".into(),
        ],
        rows: d
            .weeks
            .iter()
            .zip(&labels)
            .map(|(w, l)| {
                vec![
                    l.clone(),
                    w.clocks_met.to_string(),
                    w.clocks_breached.to_string(),
                    pct(w.attainment()),
                ]
            })
            .collect(),
    };
    let hours: Vec<Option<f64>> = d.weeks.iter().map(|w| w.mean_hours_to_resolve()).collect();
    let resolve = Chart {
        svg: line(
            "mttr",
            "Mean time to resolve incidents by week",
            &labels,
            &hours,
            None,
            " h",
        ),
        head: vec!["week ending".into(), "resolved".into(), "mean hours".into()],
        rows: d
            .weeks
            .iter()
            .zip(&labels)
            .map(|(w, l)| {
                vec![
                    l.clone(),
                    w.resolved.to_string(),
                    w.mean_hours_to_resolve()
                        .map(|h| format!("{h:.1}"))
                        .unwrap_or_else(|| "—".into()),
                ]
            })
            .collect(),
    };

    let service_ids: Vec<i64> = d.incidents_by_service.iter().filter_map(|(s, _)| *s).collect();
    let names = Names::load(ctx, &[], &[], &service_ids).await?;
    let bars: Vec<(String, f64)> = d
        .incidents_by_service
        .iter()
        .take(12)
        .map(|(s, n)| {
            let name = match s {
                Some(id) => names.service(Some(steward_core::id::ServiceId(*id))),
                None => "no service given".into(),
            };
            (name, *n as f64)
        })
        .collect();
    let by_service = Chart {
        svg: hbars("services", "Incidents raised by service", &bars, None, ""),
        head: vec!["service".into(), "incidents".into()],
        rows: bars.iter().map(|(s, n)| vec![s.clone(), n.to_string()]).collect(),
    };
    let outcomes: Vec<(String, f64)> = d
        .change_outcomes
        .iter()
        .map(|(o, n)| (o.replace('_', " "), *n as f64))
        .collect();
    let changes = Chart {
        svg: hbars("changes", "Changes closed by outcome", &outcomes, None, ""),
        head: vec!["outcome".into(), "changes".into()],
        rows: outcomes.iter().map(|(o, n)| vec![o.clone(), n.to_string()]).collect(),
    };

    let met: i64 = d.weeks.iter().map(|w| w.clocks_met).sum();
    let breached: i64 = d.weeks.iter().map(|w| w.clocks_breached).sum();
    let resolved: i64 = d.weeks.iter().map(|w| w.resolved).sum();
    let resolve_micros: i64 = d.weeks.iter().map(|w| w.resolve_micros).sum();
    let whole = steward_core::dashboard::Week {
        clocks_met: met,
        clocks_breached: breached,
        resolved,
        resolve_micros,
    };
    let page = DashboardPage {
        chrome: viewer.chrome("dashboard"),
        weeks,
        backlog_total: d.backlog_total(),
        attainment: pct(whole.attainment()),
        mttr: whole
            .mean_hours_to_resolve()
            .map(|h| format!("{h:.1} h"))
            .unwrap_or_else(|| "—".into()),
        change_success: pct(d.change_success_rate()),
        backlog,
        sla,
        resolve,
        by_service,
        changes,
    };
    Ok(render(&page).into_response())
}

/// Readiness by clause: a fragment for the dashboard, or a page of its own without script.
pub async fn readiness(viewer: Viewer, headers: HeaderMap) -> UiResult<Response> {
    staff_only(&viewer)?;
    authorize(&viewer.ctx.actor, RecordKind::Assessment, Operation::Read)?;
    let now = viewer.ctx.now;
    let period = Period {
        from: now - chrono::Duration::days(90),
        to: now,
    };
    let r = viewer.ctx.state.store.readiness(period, now).await?;
    let top: Vec<(String, f64)> = r
        .clauses
        .iter()
        .filter(|c| !c.clause.contains('.'))
        .map(|c| (format!("{} {}", c.clause, c.title), c.readiness_percent))
        .collect();
    let panel = ReadinessPanel {
        overall: format!("{:.1}%", r.overall_percent),
        clauses: Chart {
            svg: hbars("readiness", "Certification readiness by clause", &top, Some(100.0), "%"),
            head: vec!["clause".into(), "readiness".into()],
            rows: top.iter().map(|(c, v)| vec![c.clone(), format!("{v:.1}%")]).collect(),
        },
    };
    if super::is_htmx(&headers) {
        return Ok(render(&panel));
    }
    Ok(render(&ReadinessPage {
        chrome: viewer.chrome("dashboard"),
        panel,
    }))
}
