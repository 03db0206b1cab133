//! `/api/v1/compliance/programmes` (the certification programme and its plan of tasks) and
//! `/api/v1/compliance/certificates` (certificates with their surveillance and recertification
//! schedule; reminders go to the certificate's owner before each audit falls due).

use steward_core::action::Action;
use steward_core::certification::{
    Certificate, CertificatePatch, CertificateStatus, DueAudit, NewCertificate, NewProgramme, Programme,
    ProgrammePatch, ProgrammeStatus,
};

use super::prelude::*;

list_query! {
    /// Filters for programmes.
    ProgrammeQuery {
        status: ProgrammeStatus => "status",
    }
    sorts: ["updated_at", "created_at"]
}

list_query! {
    /// Filters for certificates.
    CertificateQuery {
        status: CertificateStatus => "status",
    }
    sorts: ["updated_at", "created_at"]
}

mod programmes {
    use super::*;

    record_routes! {
        record: Programme, tag: "compliance", example: "e.g. PRG-1",
        list: list_programmes(ProgrammeQuery) at "/api/v1/compliance/programmes",
        get: get_programme at "/api/v1/compliance/programmes/{reference}",
        update: update_programme(ProgrammePatch),
        transition: transition_programme at "/api/v1/compliance/programmes/{reference}/transition"
            as |ctx, p, t| p.transition(t),
        history: programme_history at "/api/v1/compliance/programmes/{reference}/history",
    }

    pub(super) fn routes() -> OpenApiRouter<AppState> {
        record_routes()
            .routes(routes!(create_programme))
            .routes(routes!(programme_plan))
    }

    /// Starts a programme; its plan — one task per usual step, owned by the programme manager,
    /// due in step with the target date — is created with it.
    #[utoipa::path(post, path = "/api/v1/compliance/programmes", tag = "compliance", request_body = NewProgramme,
        responses((status = 201, body = Programme), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
        security(("bearer" = [])))]
    async fn create_programme(
        ctx: Ctx,
        _: May<Creating, Programme>,
        ApiJson(input): ApiJson<NewProgramme>,
    ) -> ApiResult<(StatusCode, Json<Programme>)> {
        authorize(&ctx.actor, RecordKind::Programme, Operation::Create)?;
        authorize(&ctx.actor, RecordKind::Action, Operation::Create)?;
        let p = Programme::create(input, ctx.actor.user, ctx.now)?;
        let (saved, _) = ctx.state.store.insert_programme(p, ctx.actor.user).await?;
        Ok((StatusCode::CREATED, Json(saved)))
    }

    /// The programme's plan: its tasks in the action register, by due date.
    #[utoipa::path(get, path = "/api/v1/compliance/programmes/{reference}/plan", tag = "compliance",
        params(("reference" = String, Path, description = "e.g. PRG-1")),
        responses((status = 200, body = ListOf<Action>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
    async fn programme_plan(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<ListOf<Action>>> {
        let p: Programme = read_one(&ctx, &reference).await?;
        Ok(Json(ListOf {
            items: ctx.state.store.actions_of(RecordKind::Programme, p.id.0).await?,
            next_cursor: None,
        }))
    }
}

mod certificates {
    use super::*;

    record_routes! {
        record: Certificate, tag: "compliance", example: "e.g. CERT-1",
        list: list_certificates(CertificateQuery) at "/api/v1/compliance/certificates",
        create: create_certificate(NewCertificate) as |ctx, input| Certificate::create(input, ctx.actor.user, ctx.now),
        get: get_certificate at "/api/v1/compliance/certificates/{reference}",
        update: update_certificate(CertificatePatch),
        transition: transition_certificate at "/api/v1/compliance/certificates/{reference}/transition"
            as |ctx, c, t| c.transition(t),
        history: certificate_history at "/api/v1/compliance/certificates/{reference}/history",
    }

    pub(super) fn routes() -> OpenApiRouter<AppState> {
        record_routes().routes(routes!(certificate_schedule))
    }

    /// The audits the certificate requires and when: surveillance in years one and two, and
    /// recertification before it expires.
    #[utoipa::path(get, path = "/api/v1/compliance/certificates/{reference}/schedule", tag = "compliance",
        params(("reference" = String, Path, description = "e.g. CERT-1")),
        responses((status = 200, body = [DueAudit]), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
    async fn certificate_schedule(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Vec<DueAudit>>> {
        let c: Certificate = read_one(&ctx, &reference).await?;
        Ok(Json(c.schedule()))
    }
}

pub fn routes() -> OpenApiRouter<AppState> {
    programmes::routes().merge(certificates::routes())
}
