//! `/api/v1/surveys`: satisfaction surveys (8.3.2), sent to the customer when a ticket of theirs
//! is resolved or in a periodic round on a service, and answered once by the person asked; and
//! `/api/v1/reports/satisfaction`, the results per service. A requester lists their own.

use chrono::{DateTime, Utc};
use serde::Serialize;
use steward_core::id::{IncidentId, OrganisationId, RequestId, ServiceId, UserId};
use steward_core::survey::{
    Satisfaction, Survey, SurveyAnswer, SurveyKind, SurveyRound, SurveyStatus, authorize_answer,
};
use steward_core::user::Role;

use super::prelude::*;
use super::report::{PeriodQuery, period};

list_query! {
    /// Filters for surveys.
    SurveyQuery {
        kind: SurveyKind => "kind",
        status: SurveyStatus => "status",
        recipient: UserId => "recipient_id",
        organisation: OrganisationId => "organisation_id",
        service: ServiceId => "service_id",
        incident: IncidentId => "incident_id",
        request: RequestId => "request_id",
    }
    sorts: ["updated_at", "created_at"]
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_surveys))
        .routes(routes!(get_survey))
        .routes(routes!(survey_history))
        .routes(routes!(send_round))
        .routes(routes!(answer_survey))
        .routes(routes!(satisfaction_report))
}

/// Surveys, newest change first; a requester sees only those put to them.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "relationships", params(SurveyQuery),
    responses((status = 200, body = ListOf<Survey>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_surveys(ctx: Ctx, ApiQuery(q): ApiQuery<SurveyQuery>) -> ApiResult<Json<ListOf<Survey>>> {
    let mut q = q.into_list()?;
    if ctx.actor.role == Role::Requester {
        q.filters.retain(|(column, _)| *column != "recipient_id");
        q.filters.push(("recipient_id", ctx.actor.user.0.into()));
    }
    list_all(&ctx, q).await
}

#[utoipa::path(get, path = "/api/v1/surveys/{reference}", tag = "relationships",
    params(("reference" = String, Path, description = "e.g. SAT-3")),
    responses((status = 200, body = Survey), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_survey(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Survey>> {
    read_one(&ctx, &reference).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/surveys/{reference}/history", tag = "relationships",
    params(("reference" = String, Path, description = "e.g. SAT-3"), PageQuery),
    responses((status = 200, body = ListOf<HistoryEntry>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn survey_history(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<HistoryEntry>>> {
    history_of::<Survey>(&ctx, &reference, q).await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoundSent {
    /// How many customers were asked.
    pub sent: usize,
    pub surveys: Vec<Survey>,
}

/// A periodic round on a service: one survey to each active customer of the organisations
/// named, or of every active customer organisation if none is.
#[utoipa::path(post, path = "/api/v1/surveys/rounds", tag = "relationships", request_body = SurveyRound,
    responses((status = 201, body = RoundSent), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn send_round(
    ctx: Ctx,
    _: May<Creating, Survey>,
    ApiJson(round): ApiJson<SurveyRound>,
) -> ApiResult<(StatusCode, Json<RoundSent>)> {
    let surveys = ctx
        .state
        .store
        .send_round(&round, Some(ctx.actor.user), ctx.now)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(RoundSent {
            sent: surveys.len(),
            surveys,
        }),
    ))
}

/// The answer of the person asked: a score from 1 (not at all satisfied) to 5 (fully
/// satisfied) and, if they like, why. A survey is answered once.
#[utoipa::path(post, path = "/api/v1/surveys/{reference}/answer", tag = "relationships",
    params(("reference" = String, Path, description = "e.g. SAT-3")), request_body = SurveyAnswer,
    responses((status = 200, body = Survey), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn answer_survey(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiJson(a): ApiJson<SurveyAnswer>,
) -> ApiResult<Json<Survey>> {
    answer(&ctx, &reference, a).await.map(Json)
}

/// Records an answer for the API and the portal alike, under the survey's row lock: one the
/// caller may not read is not found; one put to someone else is refused.
pub(crate) async fn answer(ctx: &Ctx, reference: &str, a: SurveyAnswer) -> ApiResult<Survey> {
    let scope = authorize(&ctx.actor, RecordKind::Survey, Operation::Read)?;
    let id = id_from_path::<Survey>(reference)?;
    let (now, actor) = (ctx.now, &ctx.actor);
    let saved = ctx
        .state
        .store
        .update::<Survey>(
            id,
            Some(actor.user),
            now,
            HistoryAction::Update,
            |s| scope.covers(s.organisation),
            |s| {
                authorize_answer(actor, s)?;
                s.answer(a, now)
            },
        )
        .await?;
    Ok(saved)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SatisfactionReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// One row per service asked about in the period, by name.
    pub services: Vec<Satisfaction>,
}

/// Satisfaction per service: surveys sent in the period, answered, the response rate, the mean
/// score, and how many answers were satisfied (4 or 5) and dissatisfied (1 or 2).
#[utoipa::path(get, path = "/api/v1/reports/satisfaction", tag = "reports", params(PeriodQuery),
    responses((status = 200, body = SatisfactionReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn satisfaction_report(ctx: Ctx, ApiQuery(q): ApiQuery<PeriodQuery>) -> ApiResult<Json<SatisfactionReport>> {
    // Everyone's answers: for whoever may read the service reviews (staff and the auditor), not
    // for customers, who read only the surveys put to them.
    authorize(&ctx.actor, RecordKind::ServiceReview, Operation::Read)?;
    let (from, to) = period(&q.from, &q.to)?;
    let services = ctx.state.store.satisfaction(from, to).await?;
    Ok(Json(SatisfactionReport { from, to, services }))
}
