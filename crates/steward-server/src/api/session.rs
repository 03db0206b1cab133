//! `/api/v1/me`: who the caller is and the teams they belong to.

use axum::Json;
use serde::Serialize;
use steward_core::id::TeamId;
use steward_core::user::User;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_me))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user: User,
    pub teams: Vec<TeamId>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn get_me(ctx: Ctx) -> ApiResult<Json<Me>> {
    let teams = ctx.state.store.teams_of(ctx.user.id).await?;
    Ok(Json(Me { user: ctx.user, teams }))
}
