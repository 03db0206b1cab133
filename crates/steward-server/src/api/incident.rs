//! `/api/v1/incidents`.

use axum::Json;
use axum::http::StatusCode;
use steward_core::Error;
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::{OrganisationId, UserId};
use steward_core::id::{ServiceId, TeamId};
use steward_core::incident::{Incident, IncidentPatch, IncidentStatus, IncidentTransition, NewIncident};
use steward_core::priority::Priority;
use steward_core::user::{Role, User};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{Clocked, ListOf, PageQuery, clocked, create, history_of, list_clocked, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the incident list.
    IncidentQuery {
        status: IncidentStatus => "status",
        priority: Priority => "priority",
        service: ServiceId => "service_id",
        assignee: UserId => "assignee_id",
        team: TeamId => "team_id",
        supplier: steward_core::id::SupplierId => "supplier_id",
        caller: UserId => "caller_id",
        organisation: OrganisationId => "organisation_id",
        major: bool => "major",
        security: bool => "security",
    }
    sorts: ["updated_at", "created_at", "priority", "sla_due_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_incidents, create_incident))
        .routes(routes!(get_incident, update_incident))
        .routes(routes!(transition_incident))
        .routes(routes!(incident_history))
}

/// The organisation a caller belongs to, which the incident then belongs to.
pub(crate) async fn organisation_of(ctx: &Ctx, field: &str, user: Option<UserId>) -> ApiResult<Option<OrganisationId>> {
    let Some(u) = user else {
        return Ok(None);
    };
    let found: Option<User> = ctx.state.store.get(u.0).await?;
    match found {
        Some(u) => Ok(u.organisation),
        None => Err(Error::invalid(field, format!("{u} does not exist")).into()),
    }
}

/// Requesters raise tickets for themselves, in their own organisation, and do not triage them.
pub(crate) fn requester_limits(
    ctx: &Ctx,
    person: &mut Option<UserId>,
    field: &str,
    triage: &[(&str, bool)],
) -> ApiResult<()> {
    if ctx.actor.role != Role::Requester {
        return Ok(());
    }
    match person {
        Some(p) if *p != ctx.actor.user => {
            return Err(Error::invalid(field, "a requester can only raise tickets for themselves").into());
        }
        _ => *person = Some(ctx.actor.user),
    }
    for (name, set) in triage {
        if *set {
            return Err(Error::invalid(*name, "is set by the service desk, not by a requester").into());
        }
    }
    Ok(())
}

/// A security incident stays one unless someone cleared for security incidents says otherwise:
/// its caller or assignee could otherwise open it to everyone.
pub(crate) fn may_reclassify(
    actor: &steward_core::access::Actor,
    incident: &Incident,
    patch: &IncidentPatch,
) -> Result<(), Error> {
    if incident.security && patch.security == Some(false) && !actor.cleared {
        return Err(Error::Forbidden(
            "only someone cleared for security incidents may say an incident is not one".into(),
        ));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", params(IncidentQuery),
    responses((status = 200, body = ListOf<Clocked<Incident>>), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_incidents(ctx: Ctx, ApiQuery(q): ApiQuery<IncidentQuery>) -> ApiResult<Json<ListOf<Clocked<Incident>>>> {
    list_clocked(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = NewIncident,
    responses((status = 201, body = Clocked<Incident>), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_incident(
    ctx: Ctx,
    _: May<Creating, Incident>,
    ApiJson(mut input): ApiJson<NewIncident>,
) -> ApiResult<(StatusCode, Json<Clocked<Incident>>)> {
    let triage = [
        ("assignee", input.assignee.is_some()),
        ("team", input.team.is_some()),
        ("major", input.major.is_some()),
    ];
    requester_limits(&ctx, &mut input.caller, "caller", &triage)?;
    let organisation = organisation_of(&ctx, "caller", input.caller).await?;
    let rules = ctx.state.store.priority_rules().await?;
    let incident = Incident::create(input, organisation, &rules, ctx.now)?;
    let (status, Json(saved)) = create(&ctx, incident).await?;
    Ok((status, clocked(&ctx, saved).await?))
}

#[utoipa::path(get, path = "/api/v1/incidents/{reference}", tag = "incidents",
    params(("reference" = String, Path, description = "e.g. INC-42")),
    responses((status = 200, body = Clocked<Incident>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_incident(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Clocked<Incident>>> {
    let incident: Incident = read_one(&ctx, &reference).await?;
    clocked(&ctx, incident).await
}

#[utoipa::path(patch, path = "/api/v1/incidents/{reference}", tag = "incidents",
    params(("reference" = String, Path, description = "e.g. INC-42")), request_body = IncidentPatch,
    responses((status = 200, body = Clocked<Incident>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_incident(
    ctx: Ctx,
    _: May<Changing, Incident>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<IncidentPatch>,
) -> ApiResult<Json<Clocked<Incident>>> {
    let organisation = match patch.caller {
        Some(caller) => Some(organisation_of(&ctx, "caller", caller).await?),
        None => None,
    };
    let rules = ctx.state.store.priority_rules().await?;
    let Json(saved) = modify(&ctx, &reference, HistoryAction::Update, |i: &mut Incident| {
        may_reclassify(&ctx.actor, i, &patch)?;
        i.apply_patch(patch, &rules)?;
        if let Some(o) = organisation {
            i.organisation = o;
        }
        Ok(())
    })
    .await?;
    clocked(&ctx, saved).await
}

#[utoipa::path(post, path = "/api/v1/incidents/{reference}/transition", tag = "incidents",
    params(("reference" = String, Path, description = "e.g. INC-42")), request_body = IncidentTransition,
    responses((status = 200, body = Clocked<Incident>), (status = 409, body = ErrorBody, description = "not allowed from the current state; `allowed` names the next states"), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_incident(
    ctx: Ctx,
    _: May<Changing, Incident>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<IncidentTransition>,
) -> ApiResult<Json<Clocked<Incident>>> {
    let now = ctx.now;
    let Json(saved) = modify(&ctx, &reference, HistoryAction::Transition, |i: &mut Incident| {
        i.transition(t, now)
    })
    .await?;
    clocked(&ctx, saved).await
}

#[utoipa::path(get, path = "/api/v1/incidents/{reference}/history", tag = "incidents",
    params(("reference" = String, Path, description = "e.g. INC-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn incident_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Incident>(&ctx, &reference, q).await
}
