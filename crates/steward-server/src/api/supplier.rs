//! `/api/v1/suppliers`: the parties that provide or operate part of a service (8.3.4, 8.2.3) —
//! external suppliers, internal groups and customers acting as suppliers — and
//! `/api/v1/reports/suppliers`, each active supplier's performance over a period.

use chrono::{DateTime, Utc};
use serde::Serialize;
use steward_core::id::{OrganisationId, TeamId, UserId};
use steward_core::supplier::{NewSupplier, Supplier, SupplierKind, SupplierPatch, SupplierPerformance};

use super::prelude::*;
use super::report::{PeriodQuery, period};

list_query! {
    /// Filters for suppliers.
    SupplierQuery {
        kind: SupplierKind => "kind",
        active: bool => "active",
        owner: UserId => "owner_id",
        team: TeamId => "team_id",
        organisation: OrganisationId => "organisation_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: Supplier, tag: "suppliers", example: "e.g. SUP-3",
    list: list_suppliers(SupplierQuery) at "/api/v1/suppliers",
    create: create_supplier(NewSupplier) as |ctx, input| Supplier::create(input, ctx.now),
    get: get_supplier at "/api/v1/suppliers/{reference}",
    update: update_supplier(SupplierPatch),
    history: supplier_history at "/api/v1/suppliers/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes().routes(routes!(supplier_report))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SupplierReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Every active supplier, by name.
    pub suppliers: Vec<SupplierPerformance>,
}

/// Each active supplier's performance: its underpinning contract clocks that stopped in the
/// period (met, breached, attainment), and now its open tickets, active contracts (those due a
/// review) and open disputes.
#[utoipa::path(get, path = "/api/v1/reports/suppliers", tag = "reports", params(PeriodQuery),
    responses((status = 200, body = SupplierReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
async fn supplier_report(ctx: Ctx, ApiQuery(q): ApiQuery<PeriodQuery>) -> ApiResult<Json<SupplierReport>> {
    authorize(&ctx.actor, RecordKind::Supplier, Operation::Read)?;
    let (from, to) = period(&q.from, &q.to)?;
    let suppliers = ctx
        .state
        .store
        .supplier_performance(from, to, ctx.now.date_naive())
        .await?;
    Ok(Json(SupplierReport { from, to, suppliers }))
}
