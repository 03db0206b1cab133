//! `/api/v1/security-controls`: the information security controls (8.7.3) that treat the
//! security risks — each with an owner, planned, implemented and retired, and reviewed for
//! effectiveness (`…/review`); and `/api/v1/reports/security`, the trend of security incidents
//! with the security risks and the controls where they stand.

use steward_core::id::{ServiceId, UserId};
use steward_core::security_control::{
    ControlKind, ControlReview, Effectiveness, NewSecurityControl, SecurityControl, SecurityControlPatch,
    SecurityControlStatus, SecurityControlTransition, SecurityReport,
};

use super::prelude::*;
use super::report::{PeriodQuery, period};

list_query! {
    /// Filters for security controls.
    SecurityControlQuery {
        status: SecurityControlStatus => "status",
        kind: ControlKind => "kind",
        effectiveness: Effectiveness => "effectiveness",
        service: ServiceId => "service_id",
        owner: UserId => "owner_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: SecurityControl, tag: "security", example: "e.g. CTL-3",
    list: list_security_controls(SecurityControlQuery) at "/api/v1/security-controls",
    create: create_security_control(NewSecurityControl) as |ctx, input| SecurityControl::create(input, ctx.actor.user, ctx.now),
    get: get_security_control at "/api/v1/security-controls/{reference}",
    update: update_security_control(SecurityControlPatch),
    history: security_control_history at "/api/v1/security-controls/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
        .routes(routes!(transition_security_control))
        .routes(routes!(review_security_control))
        .routes(routes!(security_report))
}

/// Moves a control: `implemented` (its next effectiveness review must be set), back to
/// `planned` while it is reworked, or `retired`.
#[utoipa::path(post, path = "/api/v1/security-controls/{reference}/transition", tag = "security",
    params(("reference" = String, Path, description = "e.g. CTL-3")), request_body = SecurityControlTransition,
    responses((status = 200, body = SecurityControl), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_security_control(
    ctx: Ctx,
    _: May<Changing, SecurityControl>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<SecurityControlTransition>,
) -> ApiResult<Json<SecurityControl>> {
    modify(
        &ctx,
        &reference,
        HistoryAction::Transition,
        |c: &mut SecurityControl| c.transition(t),
    )
    .await
}

/// Records an effectiveness review of an implemented control (today if `held_on` is absent):
/// its verdict, what it found, and when the control is next reviewed. Each review is an entry of
/// the control's history.
#[utoipa::path(post, path = "/api/v1/security-controls/{reference}/review", tag = "security",
    params(("reference" = String, Path, description = "e.g. CTL-3")), request_body = ControlReview,
    responses((status = 200, body = SecurityControl), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn review_security_control(
    ctx: Ctx,
    _: May<Changing, SecurityControl>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(r): ApiJson<ControlReview>,
) -> ApiResult<Json<SecurityControl>> {
    review_control(&ctx, &reference, r).await
}

/// Reviews a control for the API and the pages alike.
pub(crate) async fn review_control(ctx: &Ctx, reference: &str, r: ControlReview) -> ApiResult<Json<SecurityControl>> {
    let today = ctx.now.date_naive();
    modify(ctx, reference, HistoryAction::Update, |c: &mut SecurityControl| {
        c.review(r, today)
    })
    .await
}

/// Information security over `[from, to)`: the security incidents raised month by month (how
/// many, how many P1 or P2, how many resolved and how fast), open now and by category; the
/// security risks not closed with their treatment and the controls in operation against them;
/// every control not retired with its latest effectiveness and whether its review is due; and
/// the information security policy in force. Counts only: no incident is named, so the report
/// is for everyone who may read controls.
#[utoipa::path(get, path = "/api/v1/reports/security", tag = "reports", params(PeriodQuery),
    responses((status = 200, body = SecurityReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn security_report(ctx: Ctx, ApiQuery(q): ApiQuery<PeriodQuery>) -> ApiResult<Json<SecurityReport>> {
    authorize(&ctx.actor, RecordKind::SecurityControl, Operation::Read)?;
    let (from, to) = period(&q.from, &q.to)?;
    Ok(Json(
        ctx.state.store.security_report(from, to, ctx.now.date_naive()).await?,
    ))
}
