//! `/api/v1/compliance/documents`: the register of documented information (7.5), and
//! `/api/v1/compliance/register`: the mandatory set of 7.5.4 with what is missing, and what is
//! due or overdue for review.

use std::collections::HashMap;

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Serialize;
use steward_core::access::{Action, authorize};
use steward_core::document::{
    Document, DocumentPatch, DocumentStatus, DocumentType, MandatoryDocument, MandatoryItem, NewDocument, ReviewState,
    mandatory_check,
};
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::UserId;
use steward_core::record::RecordKind;
use steward_core::service::StatusTransition;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the document register.
    DocumentQuery {
        status: DocumentStatus => "status",
        document_type: DocumentType => "document_type",
        owner: UserId => "owner_id",
        mandatory: MandatoryDocument => "mandatory",
        identifier: String => "identifier",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_documents, create_document))
        .routes(routes!(get_document, update_document))
        .routes(routes!(transition_document))
        .routes(routes!(document_history))
        .routes(routes!(register))
}

#[utoipa::path(get, path = "/api/v1/compliance/documents", tag = "compliance", params(DocumentQuery),
    responses((status = 200, body = ListOf<Document>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_documents(ctx: Ctx, ApiQuery(q): ApiQuery<DocumentQuery>) -> ApiResult<Json<ListOf<Document>>> {
    list_all(&ctx, q.into_list()?).await
}

/// Registers a document as a draft; its owner defaults to the person registering it.
#[utoipa::path(post, path = "/api/v1/compliance/documents", tag = "compliance", request_body = NewDocument,
    responses((status = 201, body = Document), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_document(ctx: Ctx, ApiJson(input): ApiJson<NewDocument>) -> ApiResult<(StatusCode, Json<Document>)> {
    create(&ctx, Document::create(input, ctx.actor.user, ctx.now)?).await
}

#[utoipa::path(get, path = "/api/v1/compliance/documents/{reference}", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. DOC-4")),
    responses((status = 200, body = Document), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_document(ctx: Ctx, Path(reference): Path<String>) -> ApiResult<Json<Document>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/compliance/documents/{reference}", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. DOC-4")), request_body = DocumentPatch,
    responses((status = 200, body = Document), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_document(
    ctx: Ctx,
    Path(reference): Path<String>,
    ApiJson(patch): ApiJson<DocumentPatch>,
) -> ApiResult<Json<Document>> {
    modify(&ctx, &reference, HistoryAction::Update, |d: &mut Document| {
        d.apply_patch(patch)
    })
    .await
}

/// Moves a document through draft, in_review, approved and withdrawn. Approving records the
/// caller and today's date as the approval and needs a review date after today.
#[utoipa::path(post, path = "/api/v1/compliance/documents/{reference}/transition", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. DOC-4")), request_body = StatusTransition,
    responses((status = 200, body = Document), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_document(
    ctx: Ctx,
    Path(reference): Path<String>,
    ApiJson(t): ApiJson<StatusTransition>,
) -> ApiResult<Json<Document>> {
    let (by, today) = (ctx.actor.user, ctx.now.date_naive());
    modify(&ctx, &reference, HistoryAction::Transition, |d: &mut Document| {
        d.transition(t, by, today)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/compliance/documents/{reference}/history", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. DOC-4"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn document_history(
    ctx: Ctx,
    Path(reference): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Document>(&ctx, &reference, q).await
}

/// A document in force with where it stands against its review date.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReviewItem {
    #[serde(flatten)]
    pub document: Document,
    pub review: ReviewState,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Register {
    /// Documents in force (not withdrawn).
    pub documents_in_force: usize,
    /// The documented information clause 7.5.4 requires, each present, overdue or missing.
    pub mandatory: Vec<MandatoryItem>,
    /// Documents overdue for review, due within 30 days, or not yet approved; overdue first.
    pub attention: Vec<ReviewItem>,
}

/// The state of the register: the mandatory set of 7.5.4 with what is missing, and the
/// documents that need attention.
#[utoipa::path(get, path = "/api/v1/compliance/register", tag = "compliance",
    responses((status = 200, body = Register), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn register(ctx: Ctx) -> ApiResult<Json<Register>> {
    authorize(&ctx.actor, RecordKind::Document, Action::Read)?;
    let today = ctx.now.date_naive();
    let store = &ctx.state.store;
    let documents = store.register().await?;
    let held: HashMap<_, _> = store.held_counts().await?.into_iter().collect();
    let mandatory = mandatory_check(&documents, |h| held.get(&h).copied().unwrap_or(0), today);
    let rank = |r: ReviewState| match r {
        ReviewState::Overdue => 0,
        ReviewState::DueSoon => 1,
        _ => 2,
    };
    let documents_in_force = documents.len();
    let mut attention: Vec<ReviewItem> = documents
        .into_iter()
        .map(|d| ReviewItem {
            review: d.review_state(today),
            document: d,
        })
        .filter(|i| !matches!(i.review, ReviewState::Current | ReviewState::Withdrawn))
        .collect();
    attention.sort_by(|a, b| {
        rank(a.review)
            .cmp(&rank(b.review))
            .then(a.document.next_review.cmp(&b.document.next_review))
    });
    Ok(Json(Register {
        documents_in_force,
        mandatory,
        attention,
    }))
}
