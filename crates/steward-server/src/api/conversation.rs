//! The conversation on every record: comments (`GET`/`POST /api/v1/<collection>/{reference}/comments`)
//! and attachments (`GET`/`POST .../{reference}/attachments`, and `GET /api/v1/attachments/{reference}`
//! for a file's bytes), the same routes for each kind. Public replies and files are read by
//! whoever may read the record; internal work notes and files only by the service provider's
//! people — a requester never sees one, here or in the history. Writing needs the right to
//! change the record, except that a requester may reply and attach on the tickets of their
//! organisation; the auditor reads and never writes.

use axum::body::Bytes;
use axum::extract::FromRequest;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use steward_core::attachment::{ATTACHMENT_MAX, Attachment, check_upload, content_type_of};
use steward_core::comment::{Comment, NewComment, Visibility, authorize_comment, settle_visibility, visible_to};
use steward_core::id::AttachmentId;
use steward_core::user::Role;
use steward_store::NewAttachment;

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
pub(crate) async fn reach(
    ctx: &Ctx,
    kind: RecordKind,
    reference: &str,
    scope: steward_core::access::Scope,
) -> ApiResult<i64> {
    Ok(reach_located(ctx, kind, reference, scope).await?.0)
}

/// [`reach`], with where the record is: the organisation it belongs to and whom it is kept to.
pub(crate) async fn reach_located(
    ctx: &Ctx,
    kind: RecordKind,
    reference: &str,
    scope: steward_core::access::Scope,
) -> ApiResult<(i64, steward_store::Located)> {
    let not_found = || steward_core::Error::not_found(kind.as_str(), reference.chars().take(40).collect::<String>());
    let (_, id) = RecordKind::parse_reference(reference)
        .filter(|(k, _)| *k == kind)
        .ok_or_else(not_found)?;
    let located = ctx.state.store.locate(kind, id).await?.ok_or_else(not_found)?;
    if !within_reach(&ctx.actor, scope, &located) {
        return Err(not_found().into());
    }
    Ok((id, located))
}

/// Whether a located record is within the actor's reach: in their organisation's scope, and
/// not kept on a need-to-know basis from them.
pub(crate) fn within_reach(
    actor: &steward_core::access::Actor,
    scope: steward_core::access::Scope,
    located: &steward_store::Located,
) -> bool {
    scope.covers(located.organisation) && actor.knows(located.need_to_know.as_ref())
}

/// The record behind `reference` that the caller may comment on or attach to: who may write to
/// records of `kind`, then the record's reach. For the API and the web forms alike.
pub(crate) async fn reach_to_write(ctx: &Ctx, kind: RecordKind, reference: &str) -> ApiResult<i64> {
    let scope = authorize_comment(&ctx.actor, kind)?;
    reach(ctx, kind, reference, scope).await
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
    let id = reach_to_write(ctx, kind, reference).await?;
    let ApiJson(input) = ApiJson::<NewComment>::from_request(request, &()).await?;
    let (visibility, body) = input.check(&ctx.actor)?;
    let comment = ctx
        .state
        .store
        .add_comment(kind, id, ctx.actor.user, ctx.now, visibility, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(comment)))
}

/// Where a file's name and who may see it are given: the body is the file itself.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AttachQuery {
    /// The file's name, e.g. `screenshot.png`.
    name: String,
    /// `public` (the default for a requester) or `internal` (the default for everyone else).
    #[serde(default)]
    visibility: Option<Visibility>,
}

async fn list_attachments(ctx: &Ctx, kind: RecordKind, reference: &str) -> ApiResult<Json<Vec<Attachment>>> {
    let scope = authorize(&ctx.actor, kind, Operation::Read)?;
    let id = reach(ctx, kind, reference, scope).await?;
    let internal = ctx.actor.role != Role::Requester;
    Ok(Json(ctx.state.store.attachments_seen_by(kind, id, internal).await?))
}

/// Stores the body as a file on the record, once the caller may, the record is within reach and
/// the query is read; the type is read from the bytes and a contradicting `Content-Type` refused.
async fn attach(
    ctx: &Ctx,
    kind: RecordKind,
    reference: &str,
    request: axum::extract::Request,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let id = reach_to_write(ctx, kind, reference).await?;
    let q: AttachQuery = super::extract::parse_query(request.uri().query().unwrap_or(""))?;
    let declared = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = Bytes::from_request(request, &()).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(format!(
                "an attachment may be at most {} MiB",
                ATTACHMENT_MAX / 1024 / 1024
            ))
        } else {
            ApiError::MalformedBody(format!("the body could not be read: {e}"))
        }
    })?;
    let saved = store_attachment(ctx, kind, id, &q.name, declared.as_deref(), q.visibility, &bytes).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// Checks and stores a file on record `id` (found by [`reach_to_write`]) for the API and the web
/// form alike: the name, size and type, and the visibility (a requester's is public).
pub(crate) async fn store_attachment(
    ctx: &Ctx,
    kind: RecordKind,
    id: i64,
    name: &str,
    declared: Option<&str>,
    visibility: Option<Visibility>,
    bytes: &[u8],
) -> ApiResult<Attachment> {
    let name = check_upload(name, bytes.len())?;
    let content_type = content_type_of(bytes, declared)?;
    let mut c = steward_core::validate::Checker::new();
    let visibility = settle_visibility(&mut c, ctx.actor.role, visibility);
    c.finish()?;
    let file = NewAttachment {
        name: &name,
        content_type: &content_type,
        visibility,
        bytes,
    };
    Ok(ctx
        .state
        .store
        .add_attachment(kind, id, ctx.actor.user, ctx.now, file)
        .await?)
}

/// A file's bytes, under its own name and the type read from them, always as a download (never
/// shown in the page that asked for it), to whoever may read its record and see its visibility.
#[utoipa::path(get, path = "/api/v1/attachments/{reference}", tag = "attachments",
    params(("reference" = String, Path, description = "e.g. ATT-7")),
    responses((status = 200, description = "the file, with its own Content-Type", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn download_attachment(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Response> {
    attachment_download(&ctx, &reference).await
}

/// The download of an attachment, for the API and the web page alike; anything the caller may
/// not see is not found.
pub(crate) async fn attachment_download(ctx: &Ctx, reference: &str) -> ApiResult<Response> {
    let not_found = || steward_core::Error::not_found("attachment", reference.chars().take(40).collect::<String>());
    let id: AttachmentId = reference.parse().map_err(|_| not_found())?;
    let (attachment, kind, record) = ctx.state.store.attachment(id).await?.ok_or_else(not_found)?;
    let scope = authorize(&ctx.actor, kind, Operation::Read).map_err(|_| not_found())?;
    let located = ctx.state.store.locate(kind, record).await?.ok_or_else(not_found)?;
    if !within_reach(&ctx.actor, scope, &located) || !visible_to(ctx.actor.role, attachment.visibility) {
        return Err(not_found().into());
    }
    let bytes = ctx.state.store.attachment_bytes(&attachment).await?;
    let disposition = format!("attachment; filename*=UTF-8''{}", percent_encode(&attachment.name));
    Ok((
        [
            (header::CONTENT_TYPE, attachment.content_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::ETAG, format!("\"{}\"", attachment.sha256)),
        ],
        bytes,
    )
        .into_response())
}

/// RFC 5987's encoding of a file name: letters, digits and a few marks as they are, every other
/// byte as `%XX`.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

macro_rules! comment_routes {
    ($($marker:ident, $list:ident, $add:ident: $kind:ident at $path:literal and $files:literal, tag $tag:literal, e.g. $example:literal;)+) => {
        pub fn routes() -> OpenApiRouter<AppState> {
            // Uploads may be larger than the server's usual body limit.
            let uploads = OpenApiRouter::new()
                $(.routes(routes!(attachments::$list, attachments::$add)))+
                .layer(axum::extract::DefaultBodyLimit::max(ATTACHMENT_MAX + 1));
            OpenApiRouter::new()
                $(.routes(routes!($list, $add)))+
                .routes(routes!(download_attachment))
                .merge(uploads)
        }

        /// The attachment routes, at each comment route's path with `attachments` for `comments`.
        mod attachments {
            use super::*;
            $(
            /// The record's attachments, oldest first: public files, and internal ones for the
            /// service provider's people.
            #[utoipa::path(get, path = $files, tag = $tag,
                params(("reference" = String, Path, description = $example)),
                responses((status = 200, body = Vec<Attachment>), (status = 404, body = ErrorBody)),
                security(("bearer" = [])))]
            pub(super) async fn $list(ctx: Ctx, ApiPath(reference): ApiPath<String>) -> ApiResult<Json<Vec<Attachment>>> {
                list_attachments(&ctx, RecordKind::$kind, &reference).await
            }

            /// Attaches the body as a file named by `name`: at most 10 MiB; its type is read
            /// from its bytes, and a `Content-Type` they contradict is refused.
            #[utoipa::path(post, path = $files, tag = $tag,
                params(("reference" = String, Path, description = $example), AttachQuery),
                request_body(content = Vec<u8>, content_type = "application/octet-stream"),
                responses((status = 201, body = Attachment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
                security(("bearer" = [])))]
            pub(super) async fn $add(
                ctx: Ctx,
                _: MayComment<$marker>,
                ApiPath(reference): ApiPath<String>,
                request: axum::extract::Request,
            ) -> ApiResult<(StatusCode, Json<Attachment>)> {
                attach(&ctx, RecordKind::$kind, &reference, request).await
            }
            )+
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
    OnIncident, incident_comments, comment_on_incident: Incident at "/api/v1/incidents/{reference}/comments" and "/api/v1/incidents/{reference}/attachments", tag "incidents", e.g. "e.g. INC-42";
    OnRequest, request_comments, comment_on_request: Request at "/api/v1/requests/{reference}/comments" and "/api/v1/requests/{reference}/attachments", tag "requests", e.g. "e.g. REQ-42";
    OnProblem, problem_comments, comment_on_problem: Problem at "/api/v1/problems/{reference}/comments" and "/api/v1/problems/{reference}/attachments", tag "problems", e.g. "e.g. PRB-42";
    OnChange, change_comments, comment_on_change: Change at "/api/v1/changes/{reference}/comments" and "/api/v1/changes/{reference}/attachments", tag "changes", e.g. "e.g. CHG-42";
    OnChangeBlackout, change_blackout_comments, comment_on_change_blackout: ChangeBlackout at "/api/v1/change-blackouts/{reference}/comments" and "/api/v1/change-blackouts/{reference}/attachments", tag "change-blackouts", e.g. "e.g. BLK-1";
    OnChangeTemplate, change_template_comments, comment_on_change_template: ChangeTemplate at "/api/v1/change-templates/{reference}/comments" and "/api/v1/change-templates/{reference}/attachments", tag "change-templates", e.g. "e.g. TPL-1";
    OnRelease, release_comments, comment_on_release: Release at "/api/v1/releases/{reference}/comments" and "/api/v1/releases/{reference}/attachments", tag "releases", e.g. "e.g. REL-1";
    OnConfigurationItem, configuration_item_comments, comment_on_configuration_item: ConfigurationItem at "/api/v1/configuration-items/{reference}/comments" and "/api/v1/configuration-items/{reference}/attachments", tag "configuration-items", e.g. "e.g. CI-1";
    OnAsset, asset_comments, comment_on_asset: Asset at "/api/v1/assets/{reference}/comments" and "/api/v1/assets/{reference}/attachments", tag "assets", e.g. "e.g. AST-1";
    OnLicence, licence_comments, comment_on_licence: Licence at "/api/v1/licences/{reference}/comments" and "/api/v1/licences/{reference}/attachments", tag "assets", e.g. "e.g. LIC-1";
    OnService, service_comments, comment_on_service: Service at "/api/v1/services/{reference}/comments" and "/api/v1/services/{reference}/attachments", tag "services", e.g. "e.g. SVC-1";
    OnCatalogueItem, catalogue_item_comments, comment_on_catalogue_item: CatalogueItem at "/api/v1/catalogue-items/{reference}/comments" and "/api/v1/catalogue-items/{reference}/attachments", tag "catalogue-items", e.g. "e.g. CAT-1";
    OnCalendar, calendar_comments, comment_on_calendar: Calendar at "/api/v1/calendars/{reference}/comments" and "/api/v1/calendars/{reference}/attachments", tag "calendars", e.g. "e.g. CAL-1";
    OnAgreement, agreement_comments, comment_on_agreement: Agreement at "/api/v1/agreements/{reference}/comments" and "/api/v1/agreements/{reference}/attachments", tag "agreements", e.g. "e.g. AGR-1";
    OnOrganisation, organisation_comments, comment_on_organisation: Organisation at "/api/v1/organisations/{reference}/comments" and "/api/v1/organisations/{reference}/attachments", tag "organisations", e.g. "e.g. ORG-1";
    OnTeam, team_comments, comment_on_team: Team at "/api/v1/teams/{reference}/comments" and "/api/v1/teams/{reference}/attachments", tag "teams", e.g. "e.g. TEAM-1";
    OnUser, user_comments, comment_on_user: User at "/api/v1/users/{reference}/comments" and "/api/v1/users/{reference}/attachments", tag "users", e.g. "e.g. USR-1";
    OnSmsScope, sms_scope_comments, comment_on_sms_scope: SmsScope at "/api/v1/compliance/scopes/{reference}/comments" and "/api/v1/compliance/scopes/{reference}/attachments", tag "compliance", e.g. "e.g. SCOPE-1";
    OnAssessment, assessment_comments, comment_on_assessment: Assessment at "/api/v1/compliance/assessments/{reference}/comments" and "/api/v1/compliance/assessments/{reference}/attachments", tag "compliance", e.g. "e.g. ASM-1";
    OnDocument, document_comments, comment_on_document: Document at "/api/v1/compliance/documents/{reference}/comments" and "/api/v1/compliance/documents/{reference}/attachments", tag "compliance", e.g. "e.g. DOC-1";
    OnEvidence, evidence_comments, comment_on_evidence: Evidence at "/api/v1/compliance/evidence/{reference}/comments" and "/api/v1/compliance/evidence/{reference}/attachments", tag "compliance", e.g. "e.g. EVD-1";
    OnAudit, audit_comments, comment_on_audit: Audit at "/api/v1/compliance/audits/{reference}/comments" and "/api/v1/compliance/audits/{reference}/attachments", tag "compliance", e.g. "e.g. AUD-1";
    OnFinding, finding_comments, comment_on_finding: Finding at "/api/v1/compliance/findings/{reference}/comments" and "/api/v1/compliance/findings/{reference}/attachments", tag "compliance", e.g. "e.g. FND-1";
    OnNonconformity, nonconformity_comments, comment_on_nonconformity: Nonconformity at "/api/v1/compliance/nonconformities/{reference}/comments" and "/api/v1/compliance/nonconformities/{reference}/attachments", tag "compliance", e.g. "e.g. NC-1";
    OnAction, action_comments, comment_on_action: Action at "/api/v1/compliance/actions/{reference}/comments" and "/api/v1/compliance/actions/{reference}/attachments", tag "compliance", e.g. "e.g. ACT-1";
    OnManagementReview, management_review_comments, comment_on_management_review: ManagementReview at "/api/v1/compliance/management-reviews/{reference}/comments" and "/api/v1/compliance/management-reviews/{reference}/attachments", tag "compliance", e.g. "e.g. MR-1";
    OnImprovement, improvement_comments, comment_on_improvement: Improvement at "/api/v1/compliance/improvements/{reference}/comments" and "/api/v1/compliance/improvements/{reference}/attachments", tag "compliance", e.g. "e.g. IMP-1";
    OnRisk, risk_comments, comment_on_risk: Risk at "/api/v1/compliance/risks/{reference}/comments" and "/api/v1/compliance/risks/{reference}/attachments", tag "compliance", e.g. "e.g. RSK-1";
    OnObjective, objective_comments, comment_on_objective: Objective at "/api/v1/compliance/objectives/{reference}/comments" and "/api/v1/compliance/objectives/{reference}/attachments", tag "compliance", e.g. "e.g. OBJ-1";
    OnProgramme, programme_comments, comment_on_programme: Programme at "/api/v1/compliance/programmes/{reference}/comments" and "/api/v1/compliance/programmes/{reference}/attachments", tag "compliance", e.g. "e.g. PRG-1";
    OnCertificate, certificate_comments, comment_on_certificate: Certificate at "/api/v1/compliance/certificates/{reference}/comments" and "/api/v1/compliance/certificates/{reference}/attachments", tag "compliance", e.g. "e.g. CERT-1";
    OnOutage, outage_comments, comment_on_outage: Outage at "/api/v1/outages/{reference}/comments" and "/api/v1/outages/{reference}/attachments", tag "availability", e.g. "e.g. OUT-1";
    OnSupplier, supplier_comments, comment_on_supplier: Supplier at "/api/v1/suppliers/{reference}/comments" and "/api/v1/suppliers/{reference}/attachments", tag "suppliers", e.g. "e.g. SUP-1";
    OnContract, contract_comments, comment_on_contract: Contract at "/api/v1/contracts/{reference}/comments" and "/api/v1/contracts/{reference}/attachments", tag "suppliers", e.g. "e.g. CTR-1";
    OnDispute, dispute_comments, comment_on_dispute: Dispute at "/api/v1/disputes/{reference}/comments" and "/api/v1/disputes/{reference}/attachments", tag "suppliers", e.g. "e.g. DSP-1";
    OnServiceReview, service_review_comments, comment_on_service_review: ServiceReview at "/api/v1/service-reviews/{reference}/comments" and "/api/v1/service-reviews/{reference}/attachments", tag "relationships", e.g. "e.g. SR-1";
    OnComplaint, complaint_comments, comment_on_complaint: Complaint at "/api/v1/complaints/{reference}/comments" and "/api/v1/complaints/{reference}/attachments", tag "relationships", e.g. "e.g. CMP-1";
    OnBudget, budget_comments, comment_on_budget: Budget at "/api/v1/budgets/{reference}/comments" and "/api/v1/budgets/{reference}/attachments", tag "finance", e.g. "e.g. BUD-1";
    OnCost, cost_comments, comment_on_cost: Cost at "/api/v1/costs/{reference}/comments" and "/api/v1/costs/{reference}/attachments", tag "finance", e.g. "e.g. CST-1";
    OnCapacityRequirement, capacity_requirement_comments, comment_on_capacity_requirement: CapacityRequirement at "/api/v1/capacity-requirements/{reference}/comments" and "/api/v1/capacity-requirements/{reference}/attachments", tag "capacity", e.g. "e.g. CAP-1";
    OnDemandForecast, demand_forecast_comments, comment_on_demand_forecast: DemandForecast at "/api/v1/demand-forecasts/{reference}/comments" and "/api/v1/demand-forecasts/{reference}/attachments", tag "capacity", e.g. "e.g. DEM-1";
    OnContinuityPlan, continuity_plan_comments, comment_on_continuity_plan: ContinuityPlan at "/api/v1/continuity-plans/{reference}/comments" and "/api/v1/continuity-plans/{reference}/attachments", tag "continuity", e.g. "e.g. CTP-1";
    OnContinuityTest, continuity_test_comments, comment_on_continuity_test: ContinuityTest at "/api/v1/continuity-tests/{reference}/comments" and "/api/v1/continuity-tests/{reference}/attachments", tag "continuity", e.g. "e.g. CTT-1";
    OnArticle, article_comments, comment_on_article: Article at "/api/v1/articles/{reference}/comments" and "/api/v1/articles/{reference}/attachments", tag "knowledge", e.g. "e.g. KB-1";
    OnSecurityControl, security_control_comments, comment_on_security_control: SecurityControl at "/api/v1/security-controls/{reference}/comments" and "/api/v1/security-controls/{reference}/attachments", tag "security", e.g. "e.g. CTL-1";
}
