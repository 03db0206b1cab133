//! Comments on every record: `GET` and `POST /api/v1/<collection>/{reference}/comments`, the
//! same two routes for each kind. Public replies are read by whoever may read the record;
//! internal work notes only by the service provider's people — a requester never sees one, here
//! or in the history. Commenting needs the right to change the record, except that a requester
//! may reply on the tickets of their organisation; the auditor reads and never comments.

use axum::http::request::Parts;
use steward_core::comment::{Comment, NewComment, authorize_comment};
use steward_core::user::Role;

use super::check_limit;
use super::prelude::*;
use crate::auth::actor_in;

/// A kind of record whose comment routes a handler serves.
trait CommentsOn {
    const KIND: RecordKind;
}

/// Proof that the caller may comment on records of `K`'s kind, asked before the body is read.
struct MayComment<K>(std::marker::PhantomData<K>);

impl<K: CommentsOn> axum::extract::FromRequestParts<AppState> for MayComment<K> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        authorize_comment(&actor_in(parts)?, K::KIND)?;
        Ok(MayComment(std::marker::PhantomData))
    }
}

/// The record behind `reference`, if it is of `kind` and within the caller's `scope`; anything
/// else is not found, so a record outside one's reach is not given away.
async fn reach(ctx: &Ctx, kind: RecordKind, reference: &str, scope: steward_core::access::Scope) -> ApiResult<i64> {
    let not_found = || steward_core::Error::not_found(kind.as_str(), reference.chars().take(40).collect::<String>());
    let (_, id) = RecordKind::parse_reference(reference)
        .filter(|(k, _)| *k == kind)
        .ok_or_else(not_found)?;
    let organisation = ctx.state.store.locate(kind, id).await?.ok_or_else(not_found)?;
    if !scope.covers(organisation.map(steward_core::id::OrganisationId)) {
        return Err(not_found().into());
    }
    Ok(id)
}

async fn list(ctx: &Ctx, kind: RecordKind, reference: &str, q: PageQuery) -> ApiResult<Json<ListOf<Comment>>> {
    let limit = check_limit(q.limit, 100)?;
    let scope = authorize(&ctx.actor, kind, Operation::Read)?;
    let id = reach(ctx, kind, reference, scope).await?;
    let internal = ctx.actor.role != Role::Requester;
    Ok(Json(
        ctx.state
            .store
            .comments_seen_by(kind, id, q.cursor.as_deref(), limit, internal)
            .await?
            .into(),
    ))
}

/// Adds a comment: the record is found within the caller's reach before the body is read, so a
/// record out of reach is not found whatever the body holds.
async fn add(
    ctx: &Ctx,
    kind: RecordKind,
    reference: &str,
    request: axum::extract::Request,
) -> ApiResult<(StatusCode, Json<Comment>)> {
    use axum::extract::FromRequest;
    let scope = authorize_comment(&ctx.actor, kind)?;
    let id = reach(ctx, kind, reference, scope).await?;
    let ApiJson(input) = ApiJson::<NewComment>::from_request(request, &()).await?;
    let (visibility, body) = input.check(&ctx.actor)?;
    let comment = ctx
        .state
        .store
        .add_comment(kind, id, ctx.actor.user, ctx.now, visibility, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(comment)))
}

macro_rules! comment_routes {
    ($($marker:ident, $list:ident, $add:ident: $kind:ident at $path:literal, tag $tag:literal, e.g. $example:literal;)+) => {
        pub fn routes() -> OpenApiRouter<AppState> {
            OpenApiRouter::new()$(.routes(routes!($list, $add)))+
        }

        $(
        struct $marker;

        impl CommentsOn for $marker {
            const KIND: RecordKind = RecordKind::$kind;
        }

        /// The record's comments, oldest first: public replies, and internal work notes for the
        /// service provider's people.
        #[utoipa::path(get, path = $path, tag = $tag,
            params(("reference" = String, Path, description = $example), PageQuery),
            responses((status = 200, body = ListOf<Comment>), (status = 404, body = ErrorBody)),
            security(("bearer" = [])))]
        async fn $list(ctx: Ctx, ApiPath(reference): ApiPath<String>, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult<Json<ListOf<Comment>>> {
            list(&ctx, RecordKind::$kind, &reference, q).await
        }

        /// Adds a comment: `internal` unless `visibility` says `public` (a requester's is always
        /// public). It is written to the record's history and moves the record's `updated_at`.
        #[utoipa::path(post, path = $path, tag = $tag, request_body = NewComment,
            params(("reference" = String, Path, description = $example)),
            responses((status = 201, body = Comment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
            security(("bearer" = [])))]
        async fn $add(
            ctx: Ctx,
            _: MayComment<$marker>,
            ApiPath(reference): ApiPath<String>,
            request: axum::extract::Request,
        ) -> ApiResult<(StatusCode, Json<Comment>)> {
            add(&ctx, RecordKind::$kind, &reference, request).await
        }
        )+
    };
}

comment_routes! {
    OnIncident, incident_comments, comment_on_incident: Incident at "/api/v1/incidents/{reference}/comments", tag "incidents", e.g. "e.g. INC-42";
    OnRequest, request_comments, comment_on_request: Request at "/api/v1/requests/{reference}/comments", tag "requests", e.g. "e.g. REQ-42";
    OnProblem, problem_comments, comment_on_problem: Problem at "/api/v1/problems/{reference}/comments", tag "problems", e.g. "e.g. PRB-42";
    OnChange, change_comments, comment_on_change: Change at "/api/v1/changes/{reference}/comments", tag "changes", e.g. "e.g. CHG-42";
    OnChangeBlackout, change_blackout_comments, comment_on_change_blackout: ChangeBlackout at "/api/v1/change-blackouts/{reference}/comments", tag "change-blackouts", e.g. "e.g. BLK-1";
    OnChangeTemplate, change_template_comments, comment_on_change_template: ChangeTemplate at "/api/v1/change-templates/{reference}/comments", tag "change-templates", e.g. "e.g. TPL-1";
    OnRelease, release_comments, comment_on_release: Release at "/api/v1/releases/{reference}/comments", tag "releases", e.g. "e.g. REL-1";
    OnConfigurationItem, configuration_item_comments, comment_on_configuration_item: ConfigurationItem at "/api/v1/configuration-items/{reference}/comments", tag "configuration-items", e.g. "e.g. CI-1";
    OnAsset, asset_comments, comment_on_asset: Asset at "/api/v1/assets/{reference}/comments", tag "assets", e.g. "e.g. AST-1";
    OnLicence, licence_comments, comment_on_licence: Licence at "/api/v1/licences/{reference}/comments", tag "assets", e.g. "e.g. LIC-1";
    OnService, service_comments, comment_on_service: Service at "/api/v1/services/{reference}/comments", tag "services", e.g. "e.g. SVC-1";
    OnCatalogueItem, catalogue_item_comments, comment_on_catalogue_item: CatalogueItem at "/api/v1/catalogue-items/{reference}/comments", tag "catalogue-items", e.g. "e.g. CAT-1";
    OnCalendar, calendar_comments, comment_on_calendar: Calendar at "/api/v1/calendars/{reference}/comments", tag "calendars", e.g. "e.g. CAL-1";
    OnAgreement, agreement_comments, comment_on_agreement: Agreement at "/api/v1/agreements/{reference}/comments", tag "agreements", e.g. "e.g. AGR-1";
    OnOrganisation, organisation_comments, comment_on_organisation: Organisation at "/api/v1/organisations/{reference}/comments", tag "organisations", e.g. "e.g. ORG-1";
    OnTeam, team_comments, comment_on_team: Team at "/api/v1/teams/{reference}/comments", tag "teams", e.g. "e.g. TEAM-1";
    OnUser, user_comments, comment_on_user: User at "/api/v1/users/{reference}/comments", tag "users", e.g. "e.g. USR-1";
    OnSmsScope, sms_scope_comments, comment_on_sms_scope: SmsScope at "/api/v1/compliance/scopes/{reference}/comments", tag "compliance", e.g. "e.g. SCOPE-1";
    OnAssessment, assessment_comments, comment_on_assessment: Assessment at "/api/v1/compliance/assessments/{reference}/comments", tag "compliance", e.g. "e.g. ASM-1";
    OnDocument, document_comments, comment_on_document: Document at "/api/v1/compliance/documents/{reference}/comments", tag "compliance", e.g. "e.g. DOC-1";
    OnEvidence, evidence_comments, comment_on_evidence: Evidence at "/api/v1/compliance/evidence/{reference}/comments", tag "compliance", e.g. "e.g. EVD-1";
    OnAudit, audit_comments, comment_on_audit: Audit at "/api/v1/compliance/audits/{reference}/comments", tag "compliance", e.g. "e.g. AUD-1";
    OnFinding, finding_comments, comment_on_finding: Finding at "/api/v1/compliance/findings/{reference}/comments", tag "compliance", e.g. "e.g. FND-1";
    OnNonconformity, nonconformity_comments, comment_on_nonconformity: Nonconformity at "/api/v1/compliance/nonconformities/{reference}/comments", tag "compliance", e.g. "e.g. NC-1";
    OnAction, action_comments, comment_on_action: Action at "/api/v1/compliance/actions/{reference}/comments", tag "compliance", e.g. "e.g. ACT-1";
    OnManagementReview, management_review_comments, comment_on_management_review: ManagementReview at "/api/v1/compliance/management-reviews/{reference}/comments", tag "compliance", e.g. "e.g. MR-1";
    OnImprovement, improvement_comments, comment_on_improvement: Improvement at "/api/v1/compliance/improvements/{reference}/comments", tag "compliance", e.g. "e.g. IMP-1";
    OnRisk, risk_comments, comment_on_risk: Risk at "/api/v1/compliance/risks/{reference}/comments", tag "compliance", e.g. "e.g. RSK-1";
    OnObjective, objective_comments, comment_on_objective: Objective at "/api/v1/compliance/objectives/{reference}/comments", tag "compliance", e.g. "e.g. OBJ-1";
    OnProgramme, programme_comments, comment_on_programme: Programme at "/api/v1/compliance/programmes/{reference}/comments", tag "compliance", e.g. "e.g. PRG-1";
    OnCertificate, certificate_comments, comment_on_certificate: Certificate at "/api/v1/compliance/certificates/{reference}/comments", tag "compliance", e.g. "e.g. CERT-1";
}
