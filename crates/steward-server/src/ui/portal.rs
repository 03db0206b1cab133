//! The customer portal: the service catalogue, raising an incident or a request against a
//! service, following the tickets of one's own organisation (the access table confines a
//! requester to it; the pages add nothing to that rule), answering the satisfaction surveys put
//! to oneself, and raising and following the organisation's complaints.

use std::collections::HashMap;

use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_core::complaint::{Complaint, NewComplaint};
use steward_core::id::ServiceId;
use steward_core::incident::Incident;
use steward_core::request::Request;
use steward_core::service::{CatalogueItem, Service};
use steward_core::survey::{Survey, SurveyAnswer};
use steward_store::{ListQuery, Sort};

use super::form::{FormErrors, reference, text, written_or_redisplay};
use super::session::Posted;
use super::ticket::{Row, TicketForm, TicketRecord, new_ticket_page, rows};
use super::{Chrome, UiResult, Viewer, render, see_other};
use crate::api::list_all;
use crate::error::ApiError;

pub struct CatalogueEntry {
    pub service: String,
    pub reference: String,
    pub description: String,
    pub items: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "portal/index.html")]
struct PortalPage {
    chrome: Chrome,
    catalogue: Vec<CatalogueEntry>,
    incidents: Vec<Row>,
    requests: Vec<Row>,
    surveys: Vec<Asked>,
    complaints: Vec<Brief>,
    services: Vec<(String, String)>,
    complaint_form: ComplaintForm,
    errors: FormErrors,
}

/// A complaint in the portal's list.
pub struct Brief {
    pub reference: String,
    pub href: String,
    pub title: String,
    pub status: String,
    pub updated: String,
}

/// A survey put to the person, and what it asks about.
pub struct Asked {
    pub reference: String,
    pub about: String,
}

#[derive(Deserialize, Default)]
pub struct AnswerForm {
    #[serde(default)]
    survey: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize, Default)]
pub struct ComplaintForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
}

async fn recent<T: TicketRecord>(viewer: &Viewer) -> Result<Vec<Row>, ApiError> {
    let q = ListQuery {
        sort: Sort::default(),
        limit: 25,
        ..ListQuery::default()
    };
    let axum::Json(page) = list_all::<T>(&viewer.ctx, q).await?;
    rows(&viewer.ctx, page.items).await
}

pub async fn portal_page(viewer: Viewer) -> UiResult<Response> {
    show(&viewer, ComplaintForm::default(), FormErrors::default()).await
}

async fn show(viewer: &Viewer, complaint_form: ComplaintForm, errors: FormErrors) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    let all = ListQuery {
        sort: Sort {
            column: "created_at",
            descending: false,
        },
        limit: steward_store::MAX_LIMIT,
        ..ListQuery::default()
    };
    let axum::Json(services) = list_all::<Service>(ctx, all.clone()).await?;
    let axum::Json(items) = list_all::<CatalogueItem>(ctx, all).await?;
    let mut by_service: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for i in items.items.into_iter().filter(|i| i.active) {
        by_service
            .entry(i.service.0)
            .or_default()
            .push((i.name, i.id.to_string()));
    }
    let names: HashMap<i64, String> = services.items.iter().map(|s| (s.id.0, s.name.clone())).collect();
    let open_surveys = ListQuery {
        filters: vec![("recipient_id", ctx.actor.user.0.into()), ("status", "sent".into())],
        limit: 10,
        ..ListQuery::default()
    };
    let surveys = list_all::<Survey>(ctx, open_surveys)
        .await?
        .0
        .items
        .into_iter()
        .map(|v| Asked {
            reference: v.id.to_string(),
            about: match (v.incident, v.request) {
                (Some(i), _) => format!("your incident {i}, now resolved"),
                (_, Some(r)) => format!("your request {r}, now fulfilled"),
                _ => v
                    .service
                    .and_then(|s| names.get(&s.0).cloned())
                    .map(|n| format!("the {n} service"))
                    .unwrap_or_else(|| "our services".into()),
            },
        })
        .collect();
    let complaints = list_all::<Complaint>(
        ctx,
        ListQuery {
            limit: 10,
            ..ListQuery::default()
        },
    )
    .await?
    .0
    .items
    .into_iter()
    .map(|k| Brief {
        href: super::record_href(steward_core::record::RecordKind::Complaint, k.id.0),
        reference: k.id.to_string(),
        title: k.title,
        status: k.status.to_string(),
        updated: k.updated_at.format("%Y-%m-%d %H:%M").to_string(),
    })
    .collect();
    let live: Vec<(String, String)> = services
        .items
        .iter()
        .filter(|s| s.status == steward_core::service::ServiceStatus::Live)
        .map(|s| (s.id.to_string(), s.name.clone()))
        .collect();
    let catalogue = services
        .items
        .into_iter()
        .filter(|s| s.status == steward_core::service::ServiceStatus::Live)
        .map(|s| CatalogueEntry {
            items: by_service.remove(&s.id.0).unwrap_or_default(),
            service: s.name,
            reference: s.id.to_string(),
            description: s.description,
        })
        .collect();
    let status = errors.status();
    let page = PortalPage {
        chrome: viewer.chrome("portal"),
        catalogue,
        incidents: recent::<Incident>(viewer).await?,
        requests: recent::<Request>(viewer).await?,
        surveys,
        complaints,
        services: live,
        complaint_form,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

/// The answer to a survey put to the person, then the portal again.
pub async fn answer_survey(posted: Posted<AnswerForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let mut e = FormErrors::default();
    let score = match form.score.trim() {
        "" => None,
        s => match s.parse::<u8>() {
            Ok(n) => Some(n),
            Err(_) => {
                e.fail("score", "choose a score from 1 to 5");
                None
            }
        },
    };
    if e.any() {
        return Box::pin(show(&viewer, ComplaintForm::default(), e)).await;
    }
    let answer = SurveyAnswer {
        score,
        comment: text(&form.comment),
    };
    let written = crate::api::survey::answer(&viewer.ctx, form.survey.trim(), answer)
        .await
        .map(|_| "/portal".to_string());
    written_or_redisplay(written, |errors| show(&viewer, ComplaintForm::default(), errors)).await
}

/// A complaint from the person's organisation, then its page.
pub async fn raise_complaint(posted: Posted<ComplaintForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let mut e = FormErrors::default();
    let service: Option<ServiceId> = reference(
        &mut e,
        "service",
        &form.service,
        steward_core::record::RecordKind::Service,
    );
    let written = async {
        if e.any() {
            return Err(ApiError::Domain(steward_core::Error::Invalid(e.0)));
        }
        let input = NewComplaint {
            organisation: None,
            service,
            complainant: None,
            title: form.title.clone(),
            description: text(&form.description),
            owner: None,
            received_at: None,
        };
        let complaint = crate::api::complaint::new_complaint(ctx, input).await?;
        let (_, axum::Json(saved)) = crate::api::create(ctx, complaint).await?;
        Ok(super::record_href(
            steward_core::record::RecordKind::Complaint,
            saved.id.0,
        ))
    }
    .await;
    written_or_redisplay(written, |errors| show(&viewer, form, errors)).await
}

#[derive(Deserialize)]
pub struct RaiseQuery {
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    item: Option<String>,
}

pub async fn raise_page(viewer: Viewer, Query(q): Query<RaiseQuery>) -> UiResult<Response> {
    let kind = if q.item.is_some() { "request" } else { "incident" };
    let form = TicketForm {
        service: q.service.unwrap_or_default(),
        catalogue_item: q.item.unwrap_or_default(),
        impact: "medium".into(),
        urgency: "medium".into(),
        ..TicketForm::default()
    };
    new_ticket_page(&viewer, kind, form, FormErrors::default(), true).await
}

#[derive(Deserialize)]
pub struct RaiseForm {
    #[serde(default)]
    kind: String,
    #[serde(flatten)]
    ticket: TicketForm,
}

pub async fn raise(posted: Posted<RaiseForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let kind = if form.kind == "request" { "request" } else { "incident" };
    match super::ticket::create_ticket(&viewer, kind, &form.ticket).await {
        Ok(href) => Ok(see_other(&href)),
        Err(Ok(errors)) => new_ticket_page(&viewer, kind, form.ticket, errors, true).await,
        Err(Err(e)) => Err(e),
    }
}
