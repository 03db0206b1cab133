//! `/api/v1/watchers`: who watches a record, and watching or no longer watching it. A watcher is
//! told of the record's replies, work notes (staff only) and changes of state as its assignee is.
//! Anyone who may read a record may watch it; whoever may change it may add or remove others,
//! who must be able to read it themselves.

use steward_core::id::UserId;
use steward_core::user::User;
use steward_core::watcher::{Watcher, authorize_watch, check_watcher};

use super::conversation::{reach, reach_located};
use super::prelude::*;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_watchers))
        .routes(routes!(watch, unwatch))
}

/// Query of the watcher list.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct WatcherQuery {
    /// The record, e.g. INC-42.
    record: String,
}

fn kind_of(reference: &str) -> ApiResult<RecordKind> {
    RecordKind::parse_reference(reference).map(|(k, _)| k).ok_or_else(|| {
        steward_core::Error::invalid(
            "record",
            format!(
                "'{}' is not a record's reference (such as INC-42)",
                reference.chars().take(40).collect::<String>()
            ),
        )
        .into()
    })
}

/// Who the path's `{user}` is: `me`, or a person's reference.
fn user_of(ctx: &Ctx, user: &str) -> ApiResult<UserId> {
    if user == "me" {
        return Ok(ctx.actor.user);
    }
    user.parse()
        .map_err(|_| steward_core::Error::not_found("user", user.chars().take(40).collect::<String>()).into())
}

#[utoipa::path(get, path = "/api/v1/watchers", tag = "watchers", params(WatcherQuery),
    responses((status = 200, body = Vec<Watcher>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_watchers(ctx: Ctx, ApiQuery(q): ApiQuery<WatcherQuery>) -> ApiResult<Json<Vec<Watcher>>> {
    let kind = kind_of(&q.record)?;
    let scope = authorize(&ctx.actor, kind, Operation::Read)?;
    let id = reach(&ctx, kind, &q.record, scope).await?;
    Ok(Json(ctx.state.store.watchers(kind, id).await?))
}

/// The record behind `{record}` that the caller may add `{user}` to or take them off, with the
/// organisation it belongs to.
async fn reach_to_watch(
    ctx: &Ctx,
    record: &str,
    user: &str,
) -> ApiResult<(RecordKind, i64, steward_store::Located, UserId)> {
    let kind = kind_of(record)?;
    let user = user_of(ctx, user)?;
    authorize_watch(&ctx.actor, kind, user)?;
    let scope = authorize(&ctx.actor, kind, Operation::Read)?;
    let (id, located) = reach_located(ctx, kind, record, scope).await?;
    Ok((kind, id, located, user))
}

/// Watches a record: `{user}` is `me` or, for whoever may change the record, someone else who
/// may read it. Watching twice is watching; the answer is the record's watchers.
#[utoipa::path(put, path = "/api/v1/watchers/{record}/{user}", tag = "watchers",
    params(("record" = String, Path, description = "e.g. INC-42"), ("user" = String, Path, description = "`me` or e.g. USR-3")),
    responses((status = 200, body = Vec<Watcher>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn watch(ctx: Ctx, ApiPath((record, user)): ApiPath<(String, String)>) -> ApiResult<Json<Vec<Watcher>>> {
    let (kind, id) = start_watching(&ctx, &record, &user).await?;
    Ok(Json(ctx.state.store.watchers(kind, id).await?))
}

/// Makes `user` (`me`, or someone's reference) a watcher of `record`, for the API and the web
/// page alike; returns the record's kind and id.
pub(crate) async fn start_watching(ctx: &Ctx, record: &str, user: &str) -> ApiResult<(RecordKind, i64)> {
    let (kind, id, located, user) = reach_to_watch(ctx, record, user).await?;
    let person = ctx
        .state
        .store
        .get::<User>(user.0)
        .await?
        .ok_or_else(|| steward_core::Error::invalid("user", format!("{user} does not exist")))?;
    check_watcher(&person, kind, located.organisation, located.need_to_know.as_ref())?;
    ctx.state
        .store
        .add_watcher(kind, id, user, ctx.actor.user, ctx.now)
        .await?;
    Ok((kind, id))
}

/// Stops `{user}` (`me`, or someone else for whoever may change the record) watching it; it is
/// no error if they were not.
#[utoipa::path(delete, path = "/api/v1/watchers/{record}/{user}", tag = "watchers",
    params(("record" = String, Path, description = "e.g. INC-42"), ("user" = String, Path, description = "`me` or e.g. USR-3")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn unwatch(ctx: Ctx, ApiPath((record, user)): ApiPath<(String, String)>) -> ApiResult<StatusCode> {
    stop_watching(&ctx, &record, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stops `user` watching `record`, for the API and the web page alike.
pub(crate) async fn stop_watching(ctx: &Ctx, record: &str, user: &str) -> ApiResult<(RecordKind, i64)> {
    let (kind, id, _, user) = reach_to_watch(ctx, record, user).await?;
    ctx.state.store.remove_watcher(kind, id, user).await?;
    Ok((kind, id))
}
