//! `/api/v1/continuity-plans`: each service's continuity plan (8.7.2) — its recovery time and
//! point objectives, when it is invoked, how the service is recovered and returns to normal —
//! drafted, approved, reviewed and retired; `/api/v1/continuity-tests`, the tests scheduled and
//! what they found against the objectives; and `/api/v1/reports/continuity`, where every plan
//! stands.

use chrono::NaiveDate;
use serde::Serialize;
use steward_core::continuity::{
    ContinuityPlan, ContinuityPlanPatch, ContinuityPlanStatus, ContinuityPlanTransition, ContinuityStanding,
    ContinuityTest, ContinuityTestKind, ContinuityTestPatch, ContinuityTestStatus, NewContinuityPlan,
    NewContinuityTest, PlanReview, TestCancellation, TestResult,
};
use steward_core::id::{ContinuityPlanId, ServiceId, UserId};

use super::prelude::*;

list_query! {
    /// Filters for continuity plans.
    ContinuityPlanQuery {
        service: ServiceId => "service_id",
        status: ContinuityPlanStatus => "status",
        owner: UserId => "owner_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: ContinuityPlan, tag: "continuity", example: "e.g. CTP-3",
    list: list_continuity_plans(ContinuityPlanQuery) at "/api/v1/continuity-plans",
    create: create_continuity_plan(NewContinuityPlan) as |ctx, input| ContinuityPlan::create(input, ctx.now),
    get: get_continuity_plan at "/api/v1/continuity-plans/{reference}",
    update: update_continuity_plan(ContinuityPlanPatch),
    history: continuity_plan_history at "/api/v1/continuity-plans/{reference}/history",
}

mod tests_routes {
    use super::*;

    list_query! {
        /// Filters for continuity tests.
        ContinuityTestQuery {
            plan: ContinuityPlanId => "plan_id",
            kind: ContinuityTestKind => "kind",
            status: ContinuityTestStatus => "status",
        }
        sorts: ["updated_at", "created_at"]
    }

    record_routes! {
        record: ContinuityTest, tag: "continuity", example: "e.g. CTT-3",
        list: list_continuity_tests(ContinuityTestQuery) at "/api/v1/continuity-tests",
        create: create_continuity_test(NewContinuityTest) as |ctx, input| ContinuityTest::create(input, ctx.now),
        get: get_continuity_test at "/api/v1/continuity-tests/{reference}",
        update: update_continuity_test(ContinuityTestPatch),
        history: continuity_test_history at "/api/v1/continuity-tests/{reference}/history",
    }

    pub fn routes() -> OpenApiRouter<AppState> {
        record_routes()
    }
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
        .merge(tests_routes::routes())
        .routes(routes!(transition_continuity_plan))
        .routes(routes!(review_continuity_plan))
        .routes(routes!(complete_continuity_test))
        .routes(routes!(cancel_continuity_test))
        .routes(routes!(continuity_report))
}

/// Moves a plan: `approved` (it must say when it is invoked, how the service is recovered and
/// returns to normal, and when it is next reviewed), back to `draft`, or `retired`.
#[utoipa::path(post, path = "/api/v1/continuity-plans/{reference}/transition", tag = "continuity",
    params(("reference" = String, Path, description = "e.g. CTP-3")), request_body = ContinuityPlanTransition,
    responses((status = 200, body = ContinuityPlan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_continuity_plan(
    ctx: Ctx,
    _: May<Changing, ContinuityPlan>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<ContinuityPlanTransition>,
) -> ApiResult<Json<ContinuityPlan>> {
    modify(&ctx, &reference, HistoryAction::Transition, |p: &mut ContinuityPlan| {
        p.transition(t)
    })
    .await
}

/// Records a review of the plan (today if `held_on` is absent) and sets the next one.
#[utoipa::path(post, path = "/api/v1/continuity-plans/{reference}/review", tag = "continuity",
    params(("reference" = String, Path, description = "e.g. CTP-3")), request_body = PlanReview,
    responses((status = 200, body = ContinuityPlan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn review_continuity_plan(
    ctx: Ctx,
    _: May<Changing, ContinuityPlan>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(r): ApiJson<PlanReview>,
) -> ApiResult<Json<ContinuityPlan>> {
    let today = ctx.now.date_naive();
    modify(&ctx, &reference, HistoryAction::Update, |p: &mut ContinuityPlan| {
        p.review(r, today)
    })
    .await
}

/// Records what a scheduled test found; the result is set against the plan's objectives as
/// they stand now, and kept with the test.
#[utoipa::path(post, path = "/api/v1/continuity-tests/{reference}/complete", tag = "continuity",
    params(("reference" = String, Path, description = "e.g. CTT-3")), request_body = TestResult,
    responses((status = 200, body = ContinuityTest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn complete_continuity_test(
    ctx: Ctx,
    _: May<Changing, ContinuityTest>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(r): ApiJson<TestResult>,
) -> ApiResult<Json<ContinuityTest>> {
    complete_test(&ctx, &reference, r).await
}

/// Completes a test for the API and the pages alike.
pub(crate) async fn complete_test(ctx: &Ctx, reference: &str, r: TestResult) -> ApiResult<Json<ContinuityTest>> {
    let test: ContinuityTest = read_one(ctx, reference).await?;
    let plan: ContinuityPlan = read_one(ctx, &test.plan.to_string()).await?;
    let today = ctx.now.date_naive();
    modify(ctx, reference, HistoryAction::Transition, |t: &mut ContinuityTest| {
        t.complete(r, &plan, today)
    })
    .await
}

/// Cancels a scheduled test, saying why.
#[utoipa::path(post, path = "/api/v1/continuity-tests/{reference}/cancel", tag = "continuity",
    params(("reference" = String, Path, description = "e.g. CTT-3")), request_body = TestCancellation,
    responses((status = 200, body = ContinuityTest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn cancel_continuity_test(
    ctx: Ctx,
    _: May<Changing, ContinuityTest>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(c): ApiJson<TestCancellation>,
) -> ApiResult<Json<ContinuityTest>> {
    modify(&ctx, &reference, HistoryAction::Transition, |t: &mut ContinuityTest| {
        t.cancel(c)
    })
    .await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContinuityReport {
    /// The day the report stands on.
    pub on: NaiveDate,
    /// Every plan not retired, by service.
    pub plans: Vec<ContinuityStanding>,
}

/// Where every continuity plan not retired stands today: its objectives, its review (due or
/// not), its last completed test and whether it met the objectives, its next scheduled test, the
/// latest high-risk change to its service since its review, and its linked risks. More than
/// 5,000 plans in force is refused (409) rather than cut short.
#[utoipa::path(get, path = "/api/v1/reports/continuity", tag = "reports",
    responses((status = 200, body = ContinuityReport), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn continuity_report(ctx: Ctx) -> ApiResult<Json<ContinuityReport>> {
    authorize(&ctx.actor, RecordKind::ContinuityPlan, Operation::Read)?;
    let on = ctx.now.date_naive();
    let plans = ctx.state.store.continuity_report(on).await?;
    Ok(Json(ContinuityReport { on, plans }))
}
