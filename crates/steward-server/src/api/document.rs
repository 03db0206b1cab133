//! `/api/v1/compliance/documents`: the register of documented information (7.5), and
//! `/api/v1/compliance/register`: the mandatory set of 7.5.4 with what is missing, and what is
//! due or overdue for review.

use serde::Serialize;
use steward_core::document::{
    Document, DocumentPatch, DocumentStatus, DocumentType, MandatoryDocument, MandatoryItem, NewDocument, ReviewState,
};
use steward_core::id::UserId;

use super::prelude::*;

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

record_routes! {
    record: Document, tag: "compliance", example: "e.g. DOC-4",
    list: list_documents(DocumentQuery) at "/api/v1/compliance/documents",
    create: create_document(NewDocument) as |ctx, input| Document::create(input, ctx.actor.user, ctx.now),
    get: get_document at "/api/v1/compliance/documents/{reference}",
    update: update_document(DocumentPatch),
    transition: transition_document at "/api/v1/compliance/documents/{reference}/transition"
        as |ctx, d, t| d.transition(t, ctx.actor.user, ctx.now.date_naive()),
    history: document_history at "/api/v1/compliance/documents/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes().routes(routes!(register))
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
    authorize(&ctx.actor, RecordKind::Document, Operation::Read)?;
    let today = ctx.now.date_naive();
    let (documents, mandatory) = ctx.state.store.register_check(today).await?;
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
