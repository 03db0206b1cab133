//! `/api/v1/compliance/assessments`: self-assessments (gap analysis), their scores per
//! requirement, and the gap report against the target and the baseline.

use serde::Deserialize;
use steward_core::assessment::{
    Assessment, AssessmentPatch, AssessmentStatus, GapReport, MATURITY_SCALE, MaturityLevel, NewAssessment, Score,
    ScoreInput, gap_report,
};
use steward_core::compliance::catalogue;
use steward_core::id::{AssessmentId, UserId};

use super::prelude::*;

list_query! {
    /// Filters for the assessment list.
    AssessmentQuery {
        status: AssessmentStatus => "status",
        assessor: UserId => "assessor_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: Assessment, tag: "compliance", example: "e.g. ASM-2",
    list: list_assessments(AssessmentQuery) at "/api/v1/compliance/assessments",
    get: get_assessment at "/api/v1/compliance/assessments/{reference}",
    update: update_assessment(AssessmentPatch),
    transition: transition_assessment at "/api/v1/compliance/assessments/{reference}/transition"
        as |ctx, a, t| a.transition(t),
    history: assessment_history at "/api/v1/compliance/assessments/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
        .routes(routes!(create_assessment))
        .routes(routes!(maturity_scale))
        .routes(routes!(list_scores))
        .routes(routes!(set_score))
        .routes(routes!(assessment_gaps))
}

/// Starts an assessment. With a `baseline`, that assessment's scores are copied in as the
/// starting point and the gap report compares the two.
#[utoipa::path(post, path = "/api/v1/compliance/assessments", tag = "compliance", request_body = NewAssessment,
    responses((status = 201, body = Assessment), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn create_assessment(
    ctx: Ctx,
    _: May<Creating, Assessment>,
    ApiJson(input): ApiJson<NewAssessment>,
) -> ApiResult<(StatusCode, Json<Assessment>)> {
    authorize(&ctx.actor, RecordKind::Assessment, Operation::Create)?;
    let a = Assessment::create(input, ctx.actor.user, ctx.now)?;
    let saved = ctx.state.store.insert_assessment(a, ctx.actor.user).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// The 0-5 maturity scale every score is given on.
#[utoipa::path(get, path = "/api/v1/compliance/maturity-scale", tag = "compliance",
    responses((status = 200, body = [MaturityLevel])), security(("bearer" = [])))]
async fn maturity_scale(_ctx: Ctx) -> Json<Vec<MaturityLevel>> {
    Json(MATURITY_SCALE.to_vec())
}

/// Every score of an assessment, in clause order (at most one per requirement, so one page).
#[utoipa::path(get, path = "/api/v1/compliance/assessments/{reference}/scores", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. ASM-2")),
    responses((status = 200, body = ListOf<Score>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn list_scores(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<ListOf<Score>>> {
    let a: Assessment = read_one(&ctx, &reference).await?;
    Ok(Json(ListOf {
        items: ctx.state.store.scores(a.id).await?,
        next_cursor: None,
    }))
}

/// Scores one requirement (a clause with no sub-clauses) on the 0-5 scale. Every requirement
/// applies: there is no "not applicable".
#[utoipa::path(put, path = "/api/v1/compliance/assessments/{reference}/scores/{clause}", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. ASM-2"), ("clause" = String, Path, description = "e.g. 8.5.1.1")),
    request_body = ScoreInput,
    responses((status = 200, body = Score), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_score(
    ctx: Ctx,
    _: May<Changing, Assessment>,
    ApiPath((reference, clause)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<ScoreInput>,
) -> ApiResult<Json<Score>> {
    authorize(&ctx.actor, RecordKind::Assessment, Operation::Update)?;
    let id = AssessmentId(id_from_path::<Assessment>(&reference)?);
    let score = input.into_score(catalogue()?, &clause, ctx.actor.user, ctx.now)?;
    Ok(Json(
        ctx.state.store.set_score(id, score, ctx.actor.user, ctx.now).await?,
    ))
}

/// Query of the gap report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GapQuery {
    /// The assessment to compare with; defaults to the assessment's own baseline.
    #[serde(default)]
    pub baseline: Option<String>,
}

/// The gap report: every requirement below the target, largest gap first, grouped by owner too,
/// with the change since the baseline.
#[utoipa::path(get, path = "/api/v1/compliance/assessments/{reference}/gaps", tag = "compliance",
    params(("reference" = String, Path, description = "e.g. ASM-2"), GapQuery),
    responses((status = 200, body = GapReport), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn assessment_gaps(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<GapQuery>,
) -> ApiResult<Json<GapReport>> {
    let a: Assessment = read_one(&ctx, &reference).await?;
    let baseline = match q.baseline {
        Some(b) => Some(
            b.parse::<AssessmentId>()
                .map_err(|e| ApiError::BadQuery(format!("baseline: {e}")))?,
        ),
        None => a.baseline,
    };
    let store = &ctx.state.store;
    let scores = store.scores(a.id).await?;
    let before = match baseline {
        Some(b) => {
            let base: Assessment = read_one(&ctx, &b.to_string()).await?;
            Some((base.id, store.scores(base.id).await?))
        }
        None => None,
    };
    Ok(Json(gap_report(
        catalogue()?,
        &a,
        &scores,
        before.as_ref().map(|(id, s)| (*id, s.as_slice())),
    )))
}
