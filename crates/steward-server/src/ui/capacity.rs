//! The capacity page (`/capacity`, 8.4.2 and 8.4.3): over the last days, each active capacity
//! requirement's utilisation against its thresholds with its capacity-related incidents, and
//! each demand forecast against the demand its service met; and the forms to add a
//! requirement, record a reading and plan a forecast (managers), and to flag an incident as
//! capacity-related (whoever works incidents).

use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde::Deserialize;
use steward_core::Error;
use steward_core::access::{Operation, authorize};
use steward_core::capacity::{
    CapacityKind, CapacityRequirement, CapacityState, CapacityUse, NewCapacityRequirement, NewReading, Reading,
    ReadingSource, format_figure as figure,
};
use steward_core::demand::{DemandForecast, DemandLine, DemandMeasure, NewDemandForecast};
use steward_core::id::{CapacityRequirementId, IncidentId, ServiceId};
use steward_core::record::RecordKind;

use super::form::{
    FormErrors, instant, reference, required, required_date, required_named, text, written_or_redisplay,
};
use super::session::Posted;
use super::ticket::{Choice, Options};
use super::{Chrome, UiResult, Viewer, record_href, render};
use crate::api::create;

#[derive(Deserialize, Default)]
pub struct CapacityParams {
    #[serde(default)]
    days: Option<i64>,
}

/// The forms of the page, as typed.
#[derive(Deserialize, Default)]
pub struct RequirementForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    warning_percent: String,
    #[serde(default)]
    critical_percent: String,
}

#[derive(Deserialize, Default)]
pub struct ReadingForm {
    #[serde(default)]
    requirement: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    measured_at: String,
}

#[derive(Deserialize, Default)]
pub struct ForecastForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    measure: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    forecast: String,
}

#[derive(Deserialize, Default)]
pub struct FlagForm {
    #[serde(default)]
    incident: String,
    #[serde(default)]
    requirement: String,
}

#[derive(Default)]
struct Typed {
    requirement: RequirementForm,
    reading: ReadingForm,
    forecast: ForecastForm,
    flag: FlagForm,
}

/// A requirement's row, in words.
struct Used {
    href: String,
    title: String,
    service: String,
    kind: String,
    capacity: String,
    latest: String,
    peak: String,
    mean: String,
    state: &'static str,
    alarm: bool,
    readings: i64,
    incidents: i64,
}

/// A forecast's row, in words.
struct Forecast {
    href: String,
    title: String,
    service: String,
    period: String,
    forecast: String,
    actual: String,
    variance: String,
    verdict: &'static str,
}

#[derive(Template)]
#[template(path = "capacity/index.html")]
struct CapacityPage {
    chrome: Chrome,
    days: i64,
    used: Vec<Used>,
    forecasts: Vec<Forecast>,
    may_plan: bool,
    may_flag: bool,
    kinds: Vec<Choice>,
    measures: Vec<Choice>,
    requirements: Vec<Choice>,
    options: Options,
    requirement_form: RequirementForm,
    reading_form: ReadingForm,
    forecast_form: ForecastForm,
    flag_form: FlagForm,
    errors: FormErrors,
}

fn percent(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "—".into())
}

fn used(u: CapacityUse) -> Used {
    let with_unit = |v: Option<f64>| {
        v.map(|v| format!("{} {}", figure(v), u.unit))
            .unwrap_or_else(|| "—".into())
    };
    Used {
        href: record_href(RecordKind::CapacityRequirement, u.requirement.0),
        capacity: format!(
            "{} {} (warns at {}%, critical at {}%)",
            figure(u.capacity),
            u.unit,
            figure(u.warning_percent),
            figure(u.critical_percent)
        ),
        latest: match u.latest_value {
            Some(_) => format!("{} ({})", with_unit(u.latest_value), percent(u.latest_percent)),
            None => "—".into(),
        },
        peak: percent(u.peak_percent),
        mean: with_unit(u.mean_value),
        state: match u.state {
            CapacityState::Ok => "below warning",
            CapacityState::Warning => "warning",
            CapacityState::Critical => "critical",
            CapacityState::Unmeasured => "no readings",
        },
        alarm: matches!(u.state, CapacityState::Warning | CapacityState::Critical),
        title: u.title,
        service: u.service_name,
        kind: u.kind.to_string(),
        readings: u.readings,
        incidents: u.incidents,
    }
}

fn forecast(l: DemandLine) -> Forecast {
    Forecast {
        href: record_href(RecordKind::DemandForecast, l.forecast_id.0),
        period: format!("{} to {}", l.starts_on, l.ends_on),
        forecast: format!("{} {}", figure(l.forecast), l.unit),
        actual: match l.actual {
            Some(a) if l.ended => figure(a),
            Some(a) => format!("{} so far", figure(a)),
            None => "not recorded".into(),
        },
        variance: l
            .variance_percent
            .map(|v| format!("{v:+.1}%"))
            .unwrap_or_else(|| "—".into()),
        verdict: l.verdict(),
        title: l.title,
        service: l.service_name,
    }
}

async fn show(viewer: &Viewer, days: i64, typed: Typed, errors: FormErrors) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::CapacityRequirement, Operation::Read)?;
    let days = days.clamp(1, 366);
    let (from, to) = (ctx.now - Duration::days(days), ctx.now);
    let store = &ctx.state.store;
    let report = store.capacity_report(from, to).await?;
    let requirements = report
        .iter()
        .map(|u| Choice::new(u.requirement.to_string(), format!("{} ({})", u.title, u.service_name)))
        .collect();
    let used = report.into_iter().map(used).collect();
    let forecasts = store
        .demand_report(from, to, ctx.now.date_naive())
        .await?
        .into_iter()
        .map(forecast)
        .collect();
    let status = errors.status();
    let page = CapacityPage {
        chrome: viewer.chrome("dashboard"),
        days,
        used,
        forecasts,
        may_plan: authorize(&ctx.actor, RecordKind::CapacityRequirement, Operation::Create).is_ok(),
        may_flag: authorize(&ctx.actor, RecordKind::Incident, Operation::Update).is_ok(),
        kinds: CapacityKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), k.as_str()))
            .collect(),
        measures: DemandMeasure::ALL
            .iter()
            .map(|m| Choice::new(m.as_str(), m.as_str()))
            .collect(),
        requirements,
        options: Options::load(ctx).await?,
        requirement_form: typed.requirement,
        reading_form: typed.reading,
        forecast_form: typed.forecast,
        flag_form: typed.flag,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn capacity_page(viewer: Viewer, Query(p): Query<CapacityParams>) -> UiResult<Response> {
    show(&viewer, p.days.unwrap_or(30), Typed::default(), FormErrors::default()).await
}

/// What became of a form: the page of the record written, or this page again with its errors.
async fn outcome(viewer: &Viewer, typed: Typed, written: Result<String, crate::error::ApiError>) -> UiResult<Response> {
    written_or_redisplay(written, |errors| show(viewer, 30, typed, errors)).await
}

/// A figure as typed: a number such as 1500 or 99.5; empty is none.
fn number(e: &mut FormErrors, field: &str, typed: &str) -> Option<f64> {
    let t = typed.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            e.fail(field, "must be a number such as 1500 or 99.5");
            None
        }
    }
}

/// Adds a capacity requirement, then shows it.
pub async fn add_requirement(posted: Posted<RequirementForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::CapacityRequirement, Operation::Create)?;
    let mut e = FormErrors::default();
    let service: Option<ServiceId> = required(
        &mut e,
        "service",
        &form.service,
        RecordKind::Service,
        "choose the service that needs it",
    );
    let kind: Option<CapacityKind> = required_named(&mut e, "kind", &form.kind, "choose what kind of resource it is");
    let capacity = number(&mut e, "capacity", &form.capacity);
    if form.capacity.trim().is_empty() {
        e.fail("capacity", "say how much of it there is");
    }
    let warning_percent = number(&mut e, "warning_percent", &form.warning_percent);
    let critical_percent = number(&mut e, "critical_percent", &form.critical_percent);
    let written = async {
        let (Some(service), Some(kind), Some(capacity), false) = (service, kind, capacity, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let r = CapacityRequirement::create(
            NewCapacityRequirement {
                service,
                kind,
                title: form.title.clone(),
                unit: form.unit.clone(),
                capacity,
                warning_percent,
                critical_percent,
                configuration_item: None,
                owner: Some(ctx.actor.user),
                notes: None,
            },
            ctx.now,
        )?;
        let (_, axum::Json(saved)) = create(ctx, r).await?;
        Ok(record_href(RecordKind::CapacityRequirement, saved.id.0))
    }
    .await;
    let typed = Typed {
        requirement: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}

/// Records a reading of a requirement, then shows this page with it counted.
pub async fn record_reading(posted: Posted<ReadingForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::CapacityRequirement, Operation::Update)?;
    let mut e = FormErrors::default();
    let requirement: Option<CapacityRequirementId> = reference(
        &mut e,
        "requirement",
        &form.requirement,
        RecordKind::CapacityRequirement,
    );
    if requirement.is_none() && !e.any() {
        e.fail("requirement", "choose the requirement read");
    }
    let value = number(&mut e, "value", &form.value);
    if form.value.trim().is_empty() {
        e.fail("value", "give the reading, in the requirement's unit");
    }
    let measured_at = instant(&mut e, "measured_at", &form.measured_at);
    let written = async {
        let (Some(requirement), Some(value), false) = (requirement, value, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let reading = Reading::create(
            Some(requirement),
            NewReading {
                requirement: None,
                measured_at,
                value,
            },
            ReadingSource::Recorded,
            Some(ctx.actor.user),
            ctx.now,
        )?;
        // A missing or retired requirement, or a second reading at the same instant, is the
        // form's mistake, said beside the field.
        ctx.state.store.record_reading(reading).await.map_err(|err| match err {
            Error::NotFound { kind, id } => Error::invalid("requirement", format!("there is no {kind} {id}")),
            Error::Conflict(m) if m.contains("retired") => Error::invalid("requirement", m),
            Error::Conflict(m) => Error::invalid("measured_at", m),
            other => other,
        })?;
        Ok("/capacity#h-utilisation".to_string())
    }
    .await;
    let typed = Typed {
        reading: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}

/// Plans a demand forecast, then shows it.
pub async fn plan_forecast(posted: Posted<ForecastForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::DemandForecast, Operation::Create)?;
    let mut e = FormErrors::default();
    let service: Option<ServiceId> = required(
        &mut e,
        "service",
        &form.service,
        RecordKind::Service,
        "choose the service whose demand it forecasts",
    );
    let measure: Option<DemandMeasure> = required_named(&mut e, "measure", &form.measure, "choose what it counts");
    let starts_on = required_date(
        &mut e,
        "starts_on",
        &form.starts_on,
        "say when the forecast's period begins",
    );
    let ends_on = required_date(&mut e, "ends_on", &form.ends_on, "say when the forecast's period ends");
    let figure = number(&mut e, "forecast", &form.forecast);
    if form.forecast.trim().is_empty() {
        e.fail("forecast", "give the demand expected over the period");
    }
    let written = async {
        let (Some(service), Some(measure), Some(starts_on), Some(ends_on), Some(figure), false) =
            (service, measure, starts_on, ends_on, figure, e.any())
        else {
            return Err(Error::Invalid(e.0).into());
        };
        let f = DemandForecast::create(
            NewDemandForecast {
                service,
                title: None,
                measure,
                unit: text(&form.unit),
                starts_on,
                ends_on,
                forecast: figure,
                actual: None,
                owner: Some(ctx.actor.user),
                notes: None,
            },
            ctx.now,
        )?;
        let (_, axum::Json(saved)) = create(ctx, f).await?;
        Ok(record_href(RecordKind::DemandForecast, saved.id.0))
    }
    .await;
    let typed = Typed {
        forecast: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}

/// Flags an incident as capacity-related by linking it to the requirement that ran short, then
/// shows the incident.
pub async fn flag_incident(posted: Posted<FlagForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Incident, Operation::Update)?;
    let mut e = FormErrors::default();
    let incident: Option<IncidentId> = required(
        &mut e,
        "incident",
        &form.incident,
        RecordKind::Incident,
        "give the incident, such as INC-42",
    );
    let requirement: Option<CapacityRequirementId> = reference(
        &mut e,
        "requirement",
        &form.requirement,
        RecordKind::CapacityRequirement,
    );
    if requirement.is_none() && !e.any() {
        e.fail("requirement", "choose the requirement that ran short");
    }
    let written = async {
        let (Some(incident), Some(requirement), false) = (incident, requirement, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        crate::api::link::link_as(
            ctx,
            (
                steward_core::link::Endpoint {
                    kind: RecordKind::Incident,
                    id: incident.0,
                },
                "incident",
            ),
            (
                steward_core::link::Endpoint {
                    kind: RecordKind::CapacityRequirement,
                    id: requirement.0,
                },
                "requirement",
            ),
        )
        .await
        .map_err(|err| match err {
            crate::error::ApiError::Domain(Error::Conflict(_)) => Error::invalid(
                "incident",
                format!("{incident} is already flagged against {requirement}"),
            )
            .into(),
            other => other,
        })?;
        Ok(record_href(RecordKind::Incident, incident.0))
    }
    .await;
    let typed = Typed {
        flag: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}
