//! `/api/v1/budgets`: what each service may spend over a period (8.4.1), drafted, approved and
//! closed; and `/api/v1/reports/budget`, each budget against what its service spent.

use chrono::{DateTime, Utc};
use serde::Serialize;
use steward_core::budget::{Budget, BudgetLine, BudgetPatch, BudgetStatus, BudgetTransition, NewBudget};
use steward_core::id::{ServiceId, UserId};

use super::prelude::*;
use super::report::{PeriodQuery, period};

list_query! {
    /// Filters for budgets.
    BudgetQuery {
        service: ServiceId => "service_id",
        status: BudgetStatus => "status",
        owner: UserId => "owner_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: Budget, tag: "finance", example: "e.g. BUD-3",
    list: list_budgets(BudgetQuery) at "/api/v1/budgets",
    create: create_budget(NewBudget) as |ctx, input| Budget::create(input, ctx.now),
    get: get_budget at "/api/v1/budgets/{reference}",
    update: update_budget(BudgetPatch),
    history: budget_history at "/api/v1/budgets/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
        .routes(routes!(transition_budget))
        .routes(routes!(budget_report))
}

/// Moves a budget: `approved`, back to `draft` to revise its amount or period, or `closed`.
#[utoipa::path(post, path = "/api/v1/budgets/{reference}/transition", tag = "finance",
    params(("reference" = String, Path, description = "e.g. BUD-3")), request_body = BudgetTransition,
    responses((status = 200, body = Budget), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_budget(
    ctx: Ctx,
    _: May<Changing, Budget>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<BudgetTransition>,
) -> ApiResult<Json<Budget>> {
    modify(&ctx, &reference, HistoryAction::Transition, |b: &mut Budget| {
        b.transition(t)
    })
    .await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BudgetReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The currency every amount is in (minor units).
    pub currency: String,
    /// Every budget whose period meets the report's, by service and start.
    pub budgets: Vec<BudgetLine>,
}

/// Each budget whose period meets `[from, to)`, beside every cost of its service dated in the
/// budget's own period, by category, with how much of the period has passed today.
#[utoipa::path(get, path = "/api/v1/reports/budget", tag = "reports", params(PeriodQuery),
    responses((status = 200, body = BudgetReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn budget_report(ctx: Ctx, ApiQuery(q): ApiQuery<PeriodQuery>) -> ApiResult<Json<BudgetReport>> {
    authorize(&ctx.actor, RecordKind::Budget, Operation::Read)?;
    let (from, to) = period(&q.from, &q.to)?;
    let store = &ctx.state.store;
    let budgets = store.budget_report(from, to, ctx.now.date_naive()).await?;
    let currency = store.cost_rates().await?.currency;
    Ok(Json(BudgetReport {
        from,
        to,
        currency,
        budgets,
    }))
}
