//! `/api/v1/compliance/requirements`: the requirement catalogue of ISO/IEC 20000-1.

use axum::Json;
use serde::{Deserialize, Serialize};
use steward_core::compliance::{Requirement, catalogue, under};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::ApiQuery;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_requirements))
}

/// Query of the requirement catalogue.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequirementQuery {
    /// Only this clause and those under it, e.g. `8.5`.
    #[serde(default)]
    pub clause: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Requirements {
    pub edition: String,
    /// How the summaries were written.
    pub note: String,
    pub items: Vec<Requirement>,
}

/// The requirement catalogue: every clause and sub-clause from 4 to 10.2, summarised in Steward's
/// own words, with the documented information and evidence each asks for.
#[utoipa::path(get, path = "/api/v1/compliance/requirements", tag = "compliance", params(RequirementQuery),
    responses((status = 200, body = Requirements), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn list_requirements(_ctx: Ctx, ApiQuery(q): ApiQuery<RequirementQuery>) -> ApiResult<Json<Requirements>> {
    let c = catalogue()?;
    let items = c
        .requirements
        .iter()
        .filter(|r| q.clause.as_deref().is_none_or(|p| under(&r.clause, p)))
        .cloned()
        .collect();
    Ok(Json(Requirements {
        edition: c.edition.clone(),
        note: c.note.clone(),
        items,
    }))
}
