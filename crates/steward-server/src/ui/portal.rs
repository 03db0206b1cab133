//! The customer portal: the service catalogue, raising an incident or a request against a
//! service, and following the tickets of one's own organisation (the access table confines a
//! requester to it; the pages add nothing to that rule).

use std::collections::HashMap;

use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_core::incident::Incident;
use steward_core::request::Request;
use steward_core::service::{CatalogueItem, Service};
use steward_store::{ListQuery, Sort};

use super::form::FormErrors;
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
    let page = PortalPage {
        chrome: viewer.chrome("portal"),
        catalogue,
        incidents: recent::<Incident>(&viewer).await?,
        requests: recent::<Request>(&viewer).await?,
    };
    Ok(render(&page).into_response())
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
