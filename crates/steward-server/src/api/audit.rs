//! `/api/v1/compliance/audits` and `/api/v1/compliance/findings`: the audit programme (internal
//! audits and the certification body's) and what each audit found. A finding graded as a
//! nonconformity raises it; an opportunity for improvement enters the improvement register.

use steward_core::audit::{
    Audit, AuditPatch, AuditStatus, AuditType, Finding, FindingGrade, FindingPatch, NewAudit, NewFinding,
};
use steward_core::id::AuditId;

use super::prelude::*;

list_query! {
    /// Filters for the audit programme.
    AuditQuery {
        status: AuditStatus => "status",
        audit_type: AuditType => "audit_type",
    }
    sorts: ["updated_at", "created_at"]
}

list_query! {
    /// Filters for findings.
    FindingQuery {
        audit: AuditId => "audit_id",
        grade: FindingGrade => "grade",
        /// Only findings against this clause, e.g. `8.5.1.3`.
        requirement: String => "requirement",
    }
    sorts: ["updated_at", "created_at"]
}

mod audits {
    use super::*;

    record_routes! {
        record: Audit, tag: "compliance", example: "e.g. AUD-2",
        list: list_audits(AuditQuery) at "/api/v1/compliance/audits",
        create: create_audit(NewAudit) as |ctx, input| Audit::create(input, ctx.now),
        get: get_audit at "/api/v1/compliance/audits/{reference}",
        update: update_audit(AuditPatch),
        transition: transition_audit at "/api/v1/compliance/audits/{reference}/transition"
            as |ctx, a, t| a.transition(t, ctx.now.date_naive()),
        history: audit_history at "/api/v1/compliance/audits/{reference}/history",
    }

    pub(super) fn routes() -> OpenApiRouter<AppState> {
        record_routes()
    }
}

mod findings {
    use super::*;

    record_routes! {
        record: Finding, tag: "compliance", example: "e.g. FND-5",
        list: list_findings(FindingQuery) at "/api/v1/compliance/findings",
        get: get_finding at "/api/v1/compliance/findings/{reference}",
        update: update_finding(FindingPatch),
        history: finding_history at "/api/v1/compliance/findings/{reference}/history",
    }

    pub(super) fn routes() -> OpenApiRouter<AppState> {
        record_routes().routes(routes!(create_finding))
    }

    /// Records a finding of an audit in progress. A major or minor nonconformity raises a
    /// nonconformity (`nonconformity` in the answer), an opportunity for improvement an entry
    /// of the improvement register (`improvement`).
    #[utoipa::path(post, path = "/api/v1/compliance/findings", tag = "compliance", request_body = NewFinding,
        responses((status = 201, body = Finding), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
        security(("bearer" = [])))]
    async fn create_finding(
        ctx: Ctx,
        _: May<Creating, Finding>,
        ApiJson(input): ApiJson<NewFinding>,
    ) -> ApiResult<(StatusCode, Json<Finding>)> {
        authorize(&ctx.actor, RecordKind::Finding, Operation::Create)?;
        let f = Finding::create(input, ctx.now)?;
        let saved = ctx.state.store.record_finding(f, None, ctx.actor.user).await?;
        Ok((StatusCode::CREATED, Json(saved)))
    }
}

pub fn routes() -> OpenApiRouter<AppState> {
    audits::routes().merge(findings::routes())
}
