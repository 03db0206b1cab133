//! The relationships page (`/relationships`, 8.3.2): every active customer and interested party
//! with its relationship owner, its service reviews (the last held, the next planned) and its
//! complaints over the last days; satisfaction per service from the surveys sent in that time;
//! the reviews still planned and the complaints not yet closed, late ones marked; and, for
//! whoever may write them, the forms to plan a review, record one as held, record a complaint
//! and send a periodic survey round.

use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde::Deserialize;
use steward_core::Error;
use steward_core::access::{Operation, authorize};
use steward_core::complaint::{Complaint, NewComplaint, Target};
use steward_core::history::HistoryAction;
use steward_core::id::{OrganisationId, ServiceId, ServiceReviewId};
use steward_core::organisation::{Organisation, OrganisationKind, Relationship};
use steward_core::record::RecordKind;
use steward_core::service_review::{NewServiceReview, ServiceReview, ServiceReviewTransition};
use steward_core::survey::{Satisfaction, SurveyRound};
use steward_store::ListQuery;

use super::form::{FormErrors, date, reference, text, written_or_redisplay};
use super::session::Posted;
use super::ticket::{Choice, Options, all};
use super::{Chrome, UiResult, Viewer, record_href, render};
use crate::api::{create, list_all, modify};

#[derive(Deserialize, Default)]
pub struct RelationshipsParams {
    #[serde(default)]
    days: Option<i64>,
}

/// The three forms of the page, as typed.
#[derive(Deserialize, Default)]
pub struct PlanForm {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    scheduled_on: String,
}

#[derive(Deserialize, Default)]
pub struct HeldForm {
    #[serde(default)]
    review: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    attendees: String,
    #[serde(default)]
    minutes: String,
}

#[derive(Deserialize, Default)]
pub struct ComplaintForm {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    complainant: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
}

/// An organisation's row, in words.
struct Row {
    organisation: String,
    href: String,
    kind: &'static str,
    owner: String,
    last_review: String,
    next_review: String,
    review_due: bool,
    reviews_held: i64,
    received: i64,
    open: i64,
    overdue: i64,
    on_time: String,
}

/// A service's satisfaction, in words.
struct Liked {
    service: String,
    sent: i64,
    answered: i64,
    response: String,
    mean: String,
    satisfied: i64,
    dissatisfied: i64,
}

fn liked(s: Satisfaction) -> Liked {
    let or_dash = |v: Option<f64>, digits: usize| v.map(|v| format!("{v:.digits$}")).unwrap_or_else(|| "—".into());
    Liked {
        response: or_dash(s.response_percent, 1),
        mean: or_dash(s.mean_score, 2),
        service: s.service_name,
        sent: s.sent,
        answered: s.answered,
        satisfied: s.satisfied,
        dissatisfied: s.dissatisfied,
    }
}

#[derive(Deserialize, Default)]
pub struct RoundForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    organisation: String,
}

/// A planned review or an unclosed complaint in a list.
struct Listed {
    reference: String,
    href: String,
    title: String,
    organisation: String,
    when: String,
    status: String,
    late: bool,
}

#[derive(Template)]
#[template(path = "relationship/index.html")]
struct RelationshipsPage {
    chrome: Chrome,
    days: i64,
    rows: Vec<Row>,
    satisfaction: Vec<Liked>,
    planned: Vec<Listed>,
    complaints: Vec<Listed>,
    may_plan: bool,
    may_complain: bool,
    organisations: Vec<Choice>,
    reviews: Vec<Choice>,
    options: Options,
    plan_form: PlanForm,
    held_form: HeldForm,
    complaint_form: ComplaintForm,
    round_form: RoundForm,
    may_survey: bool,
    errors: FormErrors,
}

fn kind_words(k: OrganisationKind) -> &'static str {
    match k {
        OrganisationKind::Customer => "customer",
        OrganisationKind::InterestedParty => "interested party",
    }
}

fn row(r: Relationship, options: &Options, today: chrono::NaiveDate) -> Row {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "none".into());
    Row {
        href: record_href(RecordKind::Organisation, r.organisation.0),
        organisation: r.organisation_name,
        kind: kind_words(r.kind),
        owner: r
            .relationship_owner
            .map(|u| {
                let id = u.to_string();
                options
                    .agents
                    .iter()
                    .find(|c| c.value == id)
                    .map(|c| c.label.clone())
                    .unwrap_or(id)
            })
            .unwrap_or_default(),
        last_review: day(r.last_review_on),
        review_due: r.kind == OrganisationKind::Customer && r.next_review_on.is_none_or(|d| d < today),
        next_review: day(r.next_review_on),
        reviews_held: r.reviews_held,
        received: r.complaints_received,
        open: r.complaints_open,
        overdue: r.complaints_overdue,
        on_time: if r.complaints_resolved == 0 {
            "—".into()
        } else {
            format!("{} of {}", r.complaints_resolved_on_time, r.complaints_resolved)
        },
    }
}

/// Which form a refused post came from, with what was typed.
#[derive(Default)]
struct Typed {
    plan: PlanForm,
    held: HeldForm,
    complaint: ComplaintForm,
    round: RoundForm,
}

async fn show(viewer: &Viewer, days: i64, typed: Typed, errors: FormErrors) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::ServiceReview, Operation::Read)?;
    let days = days.clamp(1, 366);
    let today = ctx.now.date_naive();
    let options = Options::load(ctx).await?;
    let rows: Vec<Row> = ctx
        .state
        .store
        .relationships(ctx.now - Duration::days(days), ctx.now, ctx.now)
        .await?
        .into_iter()
        .map(|r| row(r, &options, today))
        .collect();
    let satisfaction = ctx
        .state
        .store
        .satisfaction(ctx.now - Duration::days(days), ctx.now)
        .await?
        .into_iter()
        .map(liked)
        .collect();
    // Every organisation, inactive ones too, to name those of each review and complaint; the
    // forms offer the active ones.
    let organisations: Vec<Organisation> = all(ctx, vec![]).await?;
    let name_of = |id: Option<OrganisationId>| {
        id.map(|id| {
            organisations
                .iter()
                .find(|o| o.id == id)
                .map(|o| o.name.clone())
                .unwrap_or_else(|| id.to_string())
        })
        .unwrap_or_default()
    };
    let live = |values: &[&str]| ListQuery {
        any_of: vec![("status", values.iter().map(|v| v.to_string().into()).collect())],
        limit: steward_store::MAX_LIMIT,
        ..ListQuery::default()
    };
    let reviews: Vec<ServiceReview> = list_all::<ServiceReview>(ctx, live(&["planned"])).await?.0.items;
    let complaints: Vec<Complaint> =
        list_all::<Complaint>(ctx, live(&["open", "investigating", "escalated", "resolved"]))
            .await?
            .0
            .items;
    let choices = reviews
        .iter()
        .map(|r| Choice::new(r.id.to_string(), format!("{} {} ({})", r.id, r.title, r.scheduled_on)))
        .collect();
    let planned = reviews
        .iter()
        .map(|r| Listed {
            reference: r.id.to_string(),
            href: record_href(RecordKind::ServiceReview, r.id.0),
            title: r.title.clone(),
            organisation: name_of(Some(r.organisation)),
            when: r.scheduled_on.to_string(),
            status: r.status.to_string(),
            late: r.scheduled_on < today,
        })
        .collect();
    let complaints = complaints
        .iter()
        .map(|k| Listed {
            reference: k.id.to_string(),
            href: record_href(RecordKind::Complaint, k.id.0),
            title: k.title.clone(),
            organisation: name_of(k.organisation),
            when: k.resolve_by.format("%Y-%m-%d").to_string(),
            status: k.status.to_string(),
            late: k.resolution_target(ctx.now) == Target::Missed,
        })
        .collect();
    let status = errors.status();
    let page = RelationshipsPage {
        chrome: viewer.chrome("dashboard"),
        days,
        rows,
        satisfaction,
        planned,
        complaints,
        may_plan: authorize(&ctx.actor, RecordKind::ServiceReview, Operation::Create).is_ok(),
        may_complain: authorize(&ctx.actor, RecordKind::Complaint, Operation::Create).is_ok(),
        organisations: organisations
            .iter()
            .filter(|o| o.active)
            .map(|o| Choice::new(o.id.to_string(), &o.name))
            .collect(),
        reviews: choices,
        options,
        plan_form: typed.plan,
        held_form: typed.held,
        complaint_form: typed.complaint,
        round_form: typed.round,
        may_survey: authorize(&ctx.actor, RecordKind::Survey, Operation::Create).is_ok(),
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn relationships_page(viewer: Viewer, Query(p): Query<RelationshipsParams>) -> UiResult<Response> {
    show(&viewer, p.days.unwrap_or(90), Typed::default(), FormErrors::default()).await
}

/// What became of a form: the page of the record written, or this page again with its errors.
async fn outcome(viewer: &Viewer, typed: Typed, written: Result<String, crate::error::ApiError>) -> UiResult<Response> {
    written_or_redisplay(written, |errors| show(viewer, 90, typed, errors)).await
}

/// Plans a service review with an organisation, then shows it.
pub async fn plan_review(posted: Posted<PlanForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::ServiceReview, Operation::Create)?;
    let mut e = FormErrors::default();
    let organisation: Option<OrganisationId> =
        reference(&mut e, "organisation", &form.organisation, RecordKind::Organisation);
    let scheduled_on = date(&mut e, "scheduled_on", &form.scheduled_on);
    if organisation.is_none() && !e.any() {
        e.fail("organisation", "choose who the review is with");
    }
    if scheduled_on.is_none() && !e.any() {
        e.fail("scheduled_on", "give the day it is planned for");
    }
    let written = async {
        let (Some(organisation), Some(scheduled_on), false) = (organisation, scheduled_on, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let review = ServiceReview::create(
            NewServiceReview {
                organisation,
                services: vec![],
                title: form.title.clone(),
                scheduled_on,
                owner: Some(ctx.actor.user),
                attendees: None,
            },
            ctx.now,
        )?;
        let (_, axum::Json(saved)) = create(ctx, review).await?;
        Ok(record_href(RecordKind::ServiceReview, saved.id.0))
    }
    .await;
    let typed = Typed {
        plan: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}

/// Records a planned review as held, with its minutes, then shows it.
pub async fn hold_review(posted: Posted<HeldForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::ServiceReview, Operation::Update)?;
    let mut e = FormErrors::default();
    let review: Option<ServiceReviewId> = reference(&mut e, "review", &form.review, RecordKind::ServiceReview);
    let held_on = date(&mut e, "held_on", &form.held_on);
    if review.is_none() && !e.any() {
        e.fail("review", "choose the review that was held");
    }
    let written = async {
        let (Some(review), false) = (review, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let t = ServiceReviewTransition {
            to: "held".into(),
            held_on,
            minutes: Some(form.minutes.clone()),
            attendees: text(&form.attendees),
        };
        let today = ctx.now.date_naive();
        let saved = modify(
            ctx,
            &review.to_string(),
            HistoryAction::Transition,
            |r: &mut ServiceReview| r.transition(t, today),
        )
        .await?;
        Ok(record_href(RecordKind::ServiceReview, saved.0.id.0))
    }
    .await;
    let typed = Typed {
        held: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}

/// Records a complaint received now under the complaint policy, then shows it.
pub async fn record_complaint(posted: Posted<ComplaintForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Complaint, Operation::Create)?;
    let mut e = FormErrors::default();
    let organisation: Option<OrganisationId> =
        reference(&mut e, "organisation", &form.organisation, RecordKind::Organisation);
    let service: Option<ServiceId> = reference(&mut e, "service", &form.service, RecordKind::Service);
    let written = async {
        if e.any() {
            return Err(Error::Invalid(e.0).into());
        }
        let policy = ctx.state.store.complaint_policy().await?;
        let complaint = Complaint::create(
            NewComplaint {
                organisation,
                service,
                complainant: text(&form.complainant),
                title: form.title.clone(),
                description: text(&form.description),
                owner: Some(ctx.actor.user),
                received_at: None,
            },
            &policy,
            ctx.now,
        )?;
        let (_, axum::Json(saved)) = create(ctx, complaint).await?;
        Ok(record_href(RecordKind::Complaint, saved.id.0))
    }
    .await;
    let typed = Typed {
        complaint: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}

/// Sends a periodic survey round on a service, to one organisation's customers or to every
/// customer organisation's, then shows the page again.
pub async fn send_round(posted: Posted<RoundForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Survey, Operation::Create)?;
    let mut e = FormErrors::default();
    let service: Option<ServiceId> = reference(&mut e, "service", &form.service, RecordKind::Service);
    let organisation: Option<OrganisationId> =
        reference(&mut e, "organisation", &form.organisation, RecordKind::Organisation);
    if service.is_none() && !e.any() {
        e.fail("service", "choose the service to ask about");
    }
    let written = async {
        let (Some(service), false) = (service, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let round = SurveyRound {
            service,
            organisations: organisation.into_iter().collect(),
        };
        ctx.state
            .store
            .send_round(&round, Some(ctx.actor.user), ctx.now)
            .await?;
        Ok("/relationships".to_string())
    }
    .await;
    let typed = Typed {
        round: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}
