//! The finance page (`/finance`, 8.4.1): for one calendar year, each budget beside what its
//! service spent over the budget's period; what each service cost, by category, with the time
//! logged and what its incidents cost; the latest costs; and, for whoever may write them, the
//! forms to plan a budget, record a cost and log time worked on a ticket.

use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use steward_core::Error;
use steward_core::access::{Operation, authorize};
use steward_core::budget::{Budget, BudgetLine, NewBudget};
use steward_core::cost::{Cost, CostCategory, NewCost, ServiceCost, Ticket, TimeEntry, format_amount, parse_amount};
use steward_core::id::{IncidentId, RequestId, ServiceId};
use steward_core::outage::hours_and_minutes;
use steward_core::record::RecordKind;
use steward_store::{ListQuery, Sort};

use super::form::{
    FormErrors, date, parsed, reference, required, required_date, required_named, text, written_or_redisplay,
};
use super::session::Posted;
use super::ticket::{Choice, Names, Options};
use super::{Chrome, UiResult, Viewer, record_href, render};
use crate::api::{create, list_all};

#[derive(Deserialize, Default)]
pub struct FinanceParams {
    #[serde(default)]
    year: Option<i32>,
    /// The ticket the time form logs against (from a ticket's page).
    #[serde(default)]
    ticket: Option<String>,
}

/// The three forms of the page, as typed.
#[derive(Deserialize, Default)]
pub struct BudgetForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    amount: String,
}

#[derive(Deserialize, Default)]
pub struct CostForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    incurred_on: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    incident: String,
    #[serde(default)]
    ledger_ref: String,
}

#[derive(Deserialize, Default)]
pub struct TimeForm {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    worked_on: String,
    #[serde(default)]
    description: String,
}

#[derive(Default)]
struct Typed {
    budget: BudgetForm,
    cost: CostForm,
    time: TimeForm,
}

/// A budget's row, in words.
struct Planned {
    href: String,
    title: String,
    service: String,
    status: String,
    period: String,
    amount: String,
    actual: String,
    remaining: String,
    used: String,
    elapsed: String,
    overspent: bool,
}

/// A service's costs, in words.
struct Spent {
    service: String,
    href: String,
    total: String,
    staff: String,
    supplier: String,
    asset: String,
    licence: String,
    facilities: String,
    other: String,
    time: String,
    incidents: i64,
    incident_cost: String,
    per_incident: String,
}

/// A cost in the latest list.
struct Listed {
    reference: String,
    href: String,
    day: String,
    service: String,
    category: String,
    description: String,
    amount: String,
    source: String,
}

#[derive(Template)]
#[template(path = "finance/index.html")]
struct FinancePage {
    chrome: Chrome,
    year: i32,
    currency: String,
    staff_hour_rate: String,
    budgets: Vec<Planned>,
    services_spent: Vec<Spent>,
    costs: Vec<Listed>,
    may_plan: bool,
    may_record: bool,
    categories: Vec<Choice>,
    options: Options,
    budget_form: BudgetForm,
    cost_form: CostForm,
    time_form: TimeForm,
    errors: FormErrors,
}

fn category_words(c: CostCategory) -> &'static str {
    match c {
        CostCategory::Staff => "staff",
        CostCategory::Supplier => "supplier",
        CostCategory::Asset => "asset",
        CostCategory::Licence => "licence",
        CostCategory::Facilities => "facilities",
        CostCategory::Other => "other",
    }
}

fn planned(b: BudgetLine) -> Planned {
    Planned {
        href: record_href(RecordKind::Budget, b.budget.0),
        overspent: b.overspent(),
        title: b.title,
        service: b.service_name,
        status: b.status.to_string(),
        period: format!("{} to {}", b.starts_on, b.ends_on),
        amount: format_amount(b.amount),
        actual: format_amount(b.actual),
        remaining: format_amount(b.remaining),
        used: b.used_percent.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "—".into()),
        elapsed: format!("{:.0}%", b.elapsed_percent),
    }
}

fn spent(s: ServiceCost) -> Spent {
    Spent {
        href: record_href(RecordKind::Service, s.service.0),
        service: s.service_name,
        total: format_amount(s.total),
        staff: format_amount(s.staff),
        supplier: format_amount(s.supplier),
        asset: format_amount(s.asset),
        licence: format_amount(s.licence),
        facilities: format_amount(s.facilities),
        other: format_amount(s.other),
        time: hours_and_minutes(s.minutes * 60),
        incidents: s.incidents,
        incident_cost: format_amount(s.incident_cost),
        per_incident: s.cost_per_incident.map(format_amount).unwrap_or_else(|| "—".into()),
    }
}

/// The first day of `year`, or an error naming the parameter for a year outside the calendar.
fn year_start(year: i32) -> Result<NaiveDate, Error> {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .filter(|_| (1900..=9998).contains(&year))
        .ok_or_else(|| Error::invalid("year", "must be a year between 1900 and 9998"))
}

async fn show(viewer: &Viewer, year: i32, typed: Typed, errors: FormErrors) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Cost, Operation::Read)?;
    let start = year_start(year)?;
    let end = year_start(year + 1)?;
    let from = Utc.from_utc_datetime(&start.and_time(chrono::NaiveTime::MIN));
    let to = Utc.from_utc_datetime(&end.and_time(chrono::NaiveTime::MIN));
    let store = &ctx.state.store;
    let rates = store.cost_rates().await?;
    let budgets = if authorize(&ctx.actor, RecordKind::Budget, Operation::Read).is_ok() {
        store
            .budget_report(from, to, ctx.now.date_naive())
            .await?
            .into_iter()
            .map(planned)
            .collect()
    } else {
        vec![]
    };
    let services_spent = store.service_costs(from, to).await?.into_iter().map(spent).collect();
    let q = ListQuery {
        sort: Sort {
            column: "created_at",
            descending: true,
        },
        limit: 25,
        ..ListQuery::default()
    };
    let latest: Vec<Cost> = list_all::<Cost>(ctx, q).await?.0.items;
    let service_ids: Vec<i64> = latest.iter().map(|c| c.service.0).collect();
    let names = Names::load(ctx, &[], &[], &service_ids).await?;
    let costs = latest
        .into_iter()
        .map(|c| Listed {
            reference: c.id.to_string(),
            href: record_href(RecordKind::Cost, c.id.0),
            day: c.incurred_on.to_string(),
            service: names.service(Some(c.service)),
            category: category_words(c.category).into(),
            description: c.description,
            amount: format_amount(c.amount),
            source: c.source.to_string(),
        })
        .collect();
    let status = errors.status();
    let page = FinancePage {
        chrome: viewer.chrome("dashboard"),
        year,
        currency: rates.currency,
        staff_hour_rate: format_amount(rates.staff_hour_rate),
        budgets,
        services_spent,
        costs,
        may_plan: authorize(&ctx.actor, RecordKind::Budget, Operation::Create).is_ok(),
        may_record: authorize(&ctx.actor, RecordKind::Cost, Operation::Create).is_ok(),
        categories: CostCategory::ALL
            .iter()
            .map(|c| Choice::new(c.as_str(), category_words(*c)))
            .collect(),
        options: Options::load(ctx).await?,
        budget_form: typed.budget,
        cost_form: typed.cost,
        time_form: typed.time,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn finance_page(viewer: Viewer, Query(p): Query<FinanceParams>) -> UiResult<Response> {
    let year = p.year.unwrap_or_else(|| viewer.ctx.now.year());
    let typed = Typed {
        time: TimeForm {
            ticket: p.ticket.unwrap_or_default(),
            ..TimeForm::default()
        },
        ..Typed::default()
    };
    show(&viewer, year, typed, FormErrors::default()).await
}

/// What became of a form: the page of the record written, or this page again with its errors.
async fn outcome(viewer: &Viewer, typed: Typed, written: Result<String, crate::error::ApiError>) -> UiResult<Response> {
    let year = viewer.ctx.now.year();
    written_or_redisplay(written, |errors| show(viewer, year, typed, errors)).await
}

/// An amount as typed, in minor units; empty is refused with a message naming the field.
fn amount(e: &mut FormErrors, field: &str, typed: &str) -> Option<i64> {
    if typed.trim().is_empty() {
        e.fail(field, "give an amount such as 1234.50");
        return None;
    }
    parsed(e, parse_amount(field, typed))
}

/// Plans a budget from the page's form, then shows it.
pub async fn plan_budget(posted: Posted<BudgetForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Budget, Operation::Create)?;
    let mut e = FormErrors::default();
    let service: Option<ServiceId> = required(
        &mut e,
        "service",
        &form.service,
        RecordKind::Service,
        "choose the service the budget is for",
    );
    let starts_on = required_date(
        &mut e,
        "starts_on",
        &form.starts_on,
        "say when the budget's period begins",
    );
    let ends_on = required_date(&mut e, "ends_on", &form.ends_on, "say when the budget's period ends");
    let amount = amount(&mut e, "amount", &form.amount);
    let written = async {
        let (Some(service), Some(starts_on), Some(ends_on), Some(amount), false) =
            (service, starts_on, ends_on, amount, e.any())
        else {
            return Err(Error::Invalid(e.0).into());
        };
        let budget = Budget::create(
            NewBudget {
                service,
                title: text(&form.title),
                starts_on,
                ends_on,
                amount,
                owner: Some(ctx.actor.user),
                notes: None,
            },
            ctx.now,
        )?;
        let (_, axum::Json(saved)) = create(ctx, budget).await?;
        Ok(record_href(RecordKind::Budget, saved.id.0))
    }
    .await;
    let typed = Typed {
        budget: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}

/// Records a cost from the page's form, then shows it.
pub async fn record_cost(posted: Posted<CostForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Cost, Operation::Create)?;
    let mut e = FormErrors::default();
    let service: Option<ServiceId> = required(
        &mut e,
        "service",
        &form.service,
        RecordKind::Service,
        "choose the service the cost is for",
    );
    let incurred_on = date(&mut e, "incurred_on", &form.incurred_on).unwrap_or(ctx.now.date_naive());
    let amount = amount(&mut e, "amount", &form.amount);
    let category: Option<CostCategory> =
        required_named(&mut e, "category", &form.category, "choose what kind of cost it is");
    let incident: Option<IncidentId> = reference(&mut e, "incident", &form.incident, RecordKind::Incident);
    let written = async {
        let (Some(service), Some(amount), Some(category), false) = (service, amount, category, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let cost = Cost::create(
            NewCost {
                service,
                incurred_on,
                amount,
                category,
                description: form.description.clone(),
                incident,
                request: None,
                contract: None,
                asset: None,
                minutes: None,
                ledger_ref: text(&form.ledger_ref),
            },
            steward_core::cost::CostSource::Recorded,
            ctx.now,
        )?;
        let (_, axum::Json(saved)) = create(ctx, cost).await?;
        Ok(record_href(RecordKind::Cost, saved.id.0))
    }
    .await;
    let typed = Typed {
        cost: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}

/// The ticket a reference names: an incident (`INC-n`) or a request (`REQ-n`).
fn ticket(e: &mut FormErrors, typed: &str) -> Option<Ticket> {
    let t = typed.trim();
    if let Ok(i) = t.parse::<IncidentId>() {
        Some(Ticket::Incident(i))
    } else if let Ok(r) = t.parse::<RequestId>() {
        Some(Ticket::Request(r))
    } else {
        e.fail(
            "ticket",
            format!(
                "must be an incident or a request reference such as {}-42 or {}-7",
                IncidentId::PREFIX,
                RequestId::PREFIX
            ),
        );
        None
    }
}

/// Logs time worked on a ticket, priced at the staff hour rate, then shows the ticket.
pub async fn log_time(posted: Posted<TimeForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Cost, Operation::Create)?;
    let mut e = FormErrors::default();
    let ticket = ticket(&mut e, &form.ticket);
    let minutes = match form.minutes.trim().parse::<i64>() {
        Ok(m) => Some(m),
        Err(_) => {
            e.fail("minutes", "must be a whole number of minutes, such as 45");
            None
        }
    };
    let worked_on = date(&mut e, "worked_on", &form.worked_on);
    let written = async {
        let (Some(ticket), Some(minutes), false) = (ticket, minutes, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let entry = TimeEntry {
            minutes,
            worked_on,
            description: text(&form.description),
        };
        // A ticket that does not exist is the form's mistake, said beside its field.
        let _logged = crate::api::cost::log_time(ctx, ticket, entry)
            .await
            .map_err(|err| match err {
                crate::error::ApiError::Domain(Error::NotFound { kind, id }) => {
                    Error::invalid("ticket", format!("there is no {kind} {id}")).into()
                }
                other => other,
            })?;
        Ok(match ticket {
            Ticket::Incident(i) => record_href(RecordKind::Incident, i.0),
            Ticket::Request(r) => record_href(RecordKind::Request, r.0),
        })
    }
    .await;
    let typed = Typed {
        time: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}
