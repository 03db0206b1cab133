//! `/api/v1/teams`.

use axum::Json;
use axum::http::StatusCode;
use steward_core::access::{Operation, authorize};
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::UserId;
use steward_core::team::{NewTeam, Team, TeamPatch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, create, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the team list.
    TeamQuery {
        active: bool => "active",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_teams, create_team))
        .routes(routes!(get_team, update_team))
        .routes(routes!(team_history))
        .routes(routes!(list_team_members))
        .routes(routes!(add_team_member, remove_team_member))
}

#[utoipa::path(get, path = "/api/v1/teams", tag = "teams", params(TeamQuery),
    responses((status = 200, body = ListOf<Team>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_teams(ctx: Ctx, ApiQuery(q): ApiQuery<TeamQuery>) -> ApiResult<Json<ListOf<Team>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/teams", tag = "teams", request_body = NewTeam,
    responses((status = 201, body = Team), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_team(
    ctx: Ctx,
    _: May<Creating, Team>,
    ApiJson(input): ApiJson<NewTeam>,
) -> ApiResult<(StatusCode, Json<Team>)> {
    create(&ctx, Team::create(input, ctx.now)?).await
}

#[utoipa::path(get, path = "/api/v1/teams/{reference}", tag = "teams",
    params(("reference" = String, Path, description = "e.g. TEAM-42")),
    responses((status = 200, body = Team), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_team(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Team>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/teams/{reference}", tag = "teams",
    params(("reference" = String, Path, description = "e.g. TEAM-42")), request_body = TeamPatch,
    responses((status = 200, body = Team), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_team(
    ctx: Ctx,
    _: May<Changing, Team>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<TeamPatch>,
) -> ApiResult<Json<Team>> {
    modify(&ctx, &reference, HistoryAction::Update, |t: &mut Team| {
        t.apply_patch(patch)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/teams/{reference}/history", tag = "teams",
    params(("reference" = String, Path, description = "e.g. TEAM-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn team_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Team>(&ctx, &reference, q).await
}

/// The members of a team.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TeamMembers {
    pub team: steward_core::id::TeamId,
    pub members: Vec<UserId>,
}

#[utoipa::path(get, path = "/api/v1/teams/{reference}/members", tag = "teams",
    params(("reference" = String, Path, description = "e.g. TEAM-1")),
    responses((status = 200, body = TeamMembers), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn list_team_members(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<TeamMembers>> {
    let team: Team = read_one(&ctx, &reference).await?;
    let members = ctx.state.store.team_members(team.id).await?;
    Ok(Json(TeamMembers { team: team.id, members }))
}

async fn set_member(ctx: &Ctx, reference: &str, user: &str, member: bool) -> ApiResult<StatusCode> {
    authorize(&ctx.actor, steward_core::record::RecordKind::Team, Operation::Update)?;
    let team: Team = read_one(ctx, reference).await?;
    let user: UserId = steward_core::id::parse_field("user", user)?;
    ctx.state
        .store
        .set_team_member(team.id, user, member, Some(ctx.actor.user), ctx.now)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/teams/{reference}/members/{user}", tag = "teams",
    params(("reference" = String, Path, description = "e.g. TEAM-1"), ("user" = String, Path, description = "e.g. USR-3")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
async fn add_team_member(ctx: Ctx, ApiPath((reference, user)): ApiPath<(String, String)>) -> ApiResult<StatusCode> {
    set_member(&ctx, &reference, &user, true).await
}

#[utoipa::path(delete, path = "/api/v1/teams/{reference}/members/{user}", tag = "teams",
    params(("reference" = String, Path, description = "e.g. TEAM-1"), ("user" = String, Path, description = "e.g. USR-3")),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn remove_team_member(ctx: Ctx, ApiPath((reference, user)): ApiPath<(String, String)>) -> ApiResult<StatusCode> {
    set_member(&ctx, &reference, &user, false).await
}
