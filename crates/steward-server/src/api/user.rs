//! `/api/v1/users`.

use axum::Json;
use axum::http::StatusCode;
use steward_core::access::{Operation, authorize};
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::id::OrganisationId;
use steward_core::record::RecordKind;
use steward_core::user::{NewUser, Role, User, UserPatch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::{ListOf, PageQuery, history_of, list_all, list_query, modify, read_one};
use crate::AppState;
use crate::auth::{Changing, Creating, Ctx, May};
use crate::error::{ApiResult, ErrorBody};

list_query! {
    /// Filters for the user list.
    UserQuery {
        role: Role => "role",
        organisation: OrganisationId => "organisation_id",
        email: String => "email",
        active: bool => "active",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(user_history))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery),
    responses((status = 200, body = ListOf<User>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
async fn list_users(ctx: Ctx, ApiQuery(q): ApiQuery<UserQuery>) -> ApiResult<Json<ListOf<User>>> {
    list_all(&ctx, q.into_list()?).await
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = User), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_user(
    ctx: Ctx,
    _: May<Creating, User>,
    ApiJson(input): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    authorize(&ctx.actor, RecordKind::User, Operation::Create)?;
    let user = User::create(&input, ctx.now)?;
    let hash = input.password.as_deref().map(crate::auth::hash_password).transpose()?;
    let saved = ctx.state.store.create_user(user, hash, Some(ctx.actor.user)).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

#[utoipa::path(get, path = "/api/v1/users/{reference}", tag = "users",
    params(("reference" = String, Path, description = "e.g. USR-42")),
    responses((status = 200, body = User), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_user(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<User>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(patch, path = "/api/v1/users/{reference}", tag = "users",
    params(("reference" = String, Path, description = "e.g. USR-42")), request_body = UserPatch,
    responses((status = 200, body = User), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_user(
    ctx: Ctx,
    _: May<Changing, User>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> ApiResult<Json<User>> {
    let deactivating = patch.active == Some(false);
    let saved = modify(&ctx, &reference, HistoryAction::Update, |u: &mut User| {
        u.apply_patch(patch)
    })
    .await?;
    if deactivating {
        ctx.state.store.revoke_tokens(saved.id, ctx.now).await?;
    }
    Ok(saved)
}

#[utoipa::path(get, path = "/api/v1/users/{reference}/history", tag = "users",
    params(("reference" = String, Path, description = "e.g. USR-42"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn user_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<User>(&ctx, &reference, q).await
}
