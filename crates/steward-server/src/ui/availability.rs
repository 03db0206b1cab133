//! The availability page (`/availability`, 8.7.1): each service's availability over the last
//! days against its target, with downtime, failures, MTBF and MTRS; the latest outages, linked to
//! their pages; and, for whoever may record one, the form to record an outage.

use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde::Deserialize;
use steward_core::Error;
use steward_core::access::{Operation, authorize};
use steward_core::id::{IncidentId, ServiceId};
use steward_core::outage::{Availability, NewOutage, Outage, hours_and_minutes};
use steward_core::record::RecordKind;
use steward_core::service::Service;
use steward_store::{ListQuery, Sort};

use super::form::{FormErrors, instant};
use super::session::Posted;
use super::ticket::Choice;
use super::{Chrome, UiResult, Viewer, record_href, render, see_other};
use crate::api::{create, list_all};

#[derive(Deserialize, Default)]
pub struct AvailabilityParams {
    #[serde(default)]
    days: Option<i64>,
    /// The major incident whose outage the form records (from the incident's page).
    #[serde(default)]
    incident: Option<String>,
    #[serde(default)]
    service: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct OutageForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    planned: Option<String>,
    #[serde(default)]
    started_at: String,
    #[serde(default)]
    ended_at: String,
    #[serde(default)]
    incident: String,
}

/// A service's row, in words.
struct Row {
    service: String,
    href: String,
    target: String,
    availability: String,
    met: &'static str,
    downtime: String,
    failures: i64,
    mtbf: String,
    mtrs: String,
    unreviewed: i64,
}

/// An outage in the list.
struct Listed {
    reference: String,
    href: String,
    title: String,
    started: String,
    lasted: String,
    planned: bool,
    status: String,
}

#[derive(Template)]
#[template(path = "availability/index.html")]
struct AvailabilityPage {
    chrome: Chrome,
    days: i64,
    rows: Vec<Row>,
    outages: Vec<Listed>,
    services: Vec<Choice>,
    may_record: bool,
    form: OutageForm,
    errors: FormErrors,
}

fn row(a: Availability) -> Row {
    Row {
        href: record_href(RecordKind::Service, a.service.0),
        service: a.service_name,
        target: a.target_percent.map(|t| format!("{t}%")).unwrap_or_else(|| "—".into()),
        availability: format!("{:.3}%", a.availability_percent),
        met: match a.met {
            Some(true) => "met",
            Some(false) => "missed",
            None => "no target",
        },
        downtime: hours_and_minutes(a.downtime_seconds),
        failures: a.failures,
        mtbf: a.mtbf_seconds.map(hours_and_minutes).unwrap_or_else(|| "—".into()),
        mtrs: a.mtrs_seconds.map(hours_and_minutes).unwrap_or_else(|| "—".into()),
        unreviewed: a.unreviewed,
    }
}

async fn show(viewer: &Viewer, days: i64, form: OutageForm, errors: FormErrors) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Outage, Operation::Read)?;
    let days = days.clamp(1, 366);
    let rows = ctx
        .state
        .store
        .availability(ctx.now - Duration::days(days), ctx.now, ctx.now)
        .await?
        .into_iter()
        .map(row)
        .collect();
    let q = ListQuery {
        sort: Sort {
            column: "started_at",
            descending: true,
        },
        limit: 25,
        ..ListQuery::default()
    };
    let outages = list_all::<Outage>(ctx, q)
        .await?
        .0
        .items
        .into_iter()
        .map(|o| Listed {
            reference: o.id.to_string(),
            href: record_href(RecordKind::Outage, o.id.0),
            title: o.title,
            started: o.started_at.format("%Y-%m-%d %H:%M").to_string(),
            lasted: o
                .ended_at
                .map(|e| hours_and_minutes((e - o.started_at).num_seconds()))
                .unwrap_or_else(|| "ongoing".into()),
            planned: o.planned,
            status: o.status.to_string(),
        })
        .collect();
    let all = ListQuery {
        limit: 500,
        ..ListQuery::default()
    };
    let services = list_all::<Service>(ctx, all)
        .await?
        .0
        .items
        .into_iter()
        .map(|s| Choice {
            value: s.id.to_string(),
            label: s.name,
        })
        .collect();
    let status = errors.status();
    let page = AvailabilityPage {
        chrome: viewer.chrome("dashboard"),
        days,
        rows,
        outages,
        services,
        may_record: authorize(&ctx.actor, RecordKind::Outage, Operation::Create).is_ok(),
        form,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn availability_page(viewer: Viewer, Query(p): Query<AvailabilityParams>) -> UiResult<Response> {
    let form = OutageForm {
        incident: p.incident.unwrap_or_default(),
        service: p.service.unwrap_or_default(),
        ..OutageForm::default()
    };
    show(&viewer, p.days.unwrap_or(90), form, FormErrors::default()).await
}

/// Records an outage from the page's form, then shows its page.
pub async fn record_outage(posted: Posted<OutageForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Outage, Operation::Create)?;
    let mut e = FormErrors::default();
    let service = form
        .service
        .parse::<ServiceId>()
        .map_err(|_| e.fail("service", "choose a service"))
        .ok();
    let started_at = instant(&mut e, "started_at", &form.started_at);
    if started_at.is_none() && !e.any() {
        e.fail("started_at", "say when the service became unavailable");
    }
    let ended_at = instant(&mut e, "ended_at", &form.ended_at);
    let incident = match form.incident.trim() {
        "" => None,
        r => r
            .parse::<IncidentId>()
            .map_err(|_| e.fail("incident", "must be an incident reference such as INC-42"))
            .ok(),
    };
    let built = match (service, started_at, e.any()) {
        (Some(service), Some(started_at), false) => Outage::create(
            NewOutage {
                service,
                title: form.title.clone(),
                planned: Some(form.planned.is_some()),
                started_at,
                ended_at,
                incident,
                configuration_items: None,
                cause: None,
                problem: None,
            },
            ctx.now,
        ),
        _ => Err(Error::Invalid(e.0.clone())),
    };
    match built {
        Ok(outage) => {
            let (_, axum::Json(saved)) = create(ctx, outage).await?;
            Ok(see_other(&record_href(RecordKind::Outage, saved.id.0)))
        }
        Err(Error::Invalid(fields)) => show(&viewer, 90, form, FormErrors(fields)).await,
        Err(other) => Err(other.into()),
    }
}
