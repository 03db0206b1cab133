//! `/api/v1/complaints`: complaints from customers and other interested parties (8.3.2), from
//! received to closed against the targets of the complaint policy. A requester raises and reads
//! their own organisation's.

use steward_core::complaint::{Complaint, ComplaintPatch, ComplaintStatus, ComplaintTransition, NewComplaint};
use steward_core::id::{OrganisationId, ServiceId, UserId};
use steward_core::user::{Role, User};

use super::prelude::*;

list_query! {
    /// Filters for complaints.
    ComplaintQuery {
        organisation: OrganisationId => "organisation_id",
        service: ServiceId => "service_id",
        status: ComplaintStatus => "status",
        owner: UserId => "owner_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: Complaint, tag: "relationships", example: "e.g. CMP-3",
    list: list_complaints(ComplaintQuery) at "/api/v1/complaints",
    create: create_complaint(NewComplaint) as |ctx, input| new_complaint(&ctx, input).await,
    get: get_complaint at "/api/v1/complaints/{reference}",
    update: update_complaint(ComplaintPatch),
    history: complaint_history at "/api/v1/complaints/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes().routes(routes!(transition_complaint))
}

/// A complaint as received now under the policy in force. A requester's is their own
/// organisation's unless they name it, in their own name unless they give one, and they do not
/// choose its handler.
pub(crate) async fn new_complaint(ctx: &Ctx, mut input: NewComplaint) -> Result<Complaint, ApiError> {
    if ctx.actor.role == Role::Requester {
        input.organisation = input.organisation.or(ctx.actor.organisation);
        input.owner = None;
        if input.complainant.as_deref().is_none_or(|c| c.trim().is_empty()) {
            input.complainant = ctx.state.store.get::<User>(ctx.actor.user.0).await?.map(|u| u.name);
        }
    }
    let policy = ctx.state.store.complaint_policy().await?;
    Ok(Complaint::create(input, &policy, ctx.now)?)
}

/// Moves a complaint: `investigating` (the first move acknowledges it), `escalated`,
/// `resolved` (with what was done), `closed`, or back to `investigating` when the complainant
/// does not accept the resolution.
#[utoipa::path(post, path = "/api/v1/complaints/{reference}/transition", tag = "relationships",
    params(("reference" = String, Path, description = "e.g. CMP-3")), request_body = ComplaintTransition,
    responses((status = 200, body = Complaint), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_complaint(
    ctx: Ctx,
    _: May<Changing, Complaint>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<ComplaintTransition>,
) -> ApiResult<Json<Complaint>> {
    let now = ctx.now;
    modify(&ctx, &reference, HistoryAction::Transition, |k: &mut Complaint| {
        k.transition(t, now)
    })
    .await
}
