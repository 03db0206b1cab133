//! The web interface: server-rendered pages from compile-checked templates (`templates/`), with
//! htmx (vendored, embedded) for partial updates. Every page reads without JavaScript; every
//! form posts with its session's CSRF token. Handlers reach the store through the same helpers
//! as the JSON API (`api::read_one`, `api::modify`, ...), so the access table, the domain's
//! rules and the error mapping are the API's own.

mod account;
mod admin;
mod agreement;
mod assets;
mod availability;
mod calendar;
mod capacity;
mod chart;
mod compliance;
mod continuity;
mod dashboard;
mod finance;
mod form;
mod knowledge;
mod mail;
mod portal;
mod queue;
mod record;
mod relationship;
mod search;
mod security;
mod session;
mod supplier;
mod ticket;
mod work;

use askama::Template;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use steward_core::FieldError;
use steward_core::record::RecordKind;
use steward_core::user::Role;

pub use session::Viewer;

/// Asked for with every embedded file, so a new release's files are fetched afresh.
pub const ASSET_VERSION: &str = env!("CARGO_PKG_VERSION");

use crate::AppState;
use crate::error::{ApiError, Told};

/// Every page of the web interface.
pub fn routes() -> Router<AppState> {
    let mut r = Router::new()
        .route("/", get(home))
        .route("/sign-in", get(session::sign_in_page).post(session::submit_sign_in))
        .route("/sign-out", post(session::sign_out))
        .route("/static/{file}", get(assets::serve))
        .route("/account", get(account::account_page))
        .route("/account/tokens", post(account::create_token))
        .route("/account/notifications", post(account::save_preferences))
        .route("/account/tokens/{reference}/revoke", post(account::revoke_token))
        .route("/queue", get(queue::queue_page))
        .route("/queue/views", post(queue::save_view))
        .route("/queue/views/{id}/delete", post(queue::delete_view))
        .route(
            "/incidents/new",
            get(ticket::new_incident_page).post(ticket::create_incident),
        )
        .route(
            "/requests/new",
            get(ticket::new_request_page).post(ticket::create_request),
        )
        .route("/problems/new", get(work::new_problem_page).post(work::create_problem))
        .route("/changes/new", get(work::new_change_page).post(work::create_change))
        .route(
            "/calendars/new",
            get(calendar::new_calendar_page).post(calendar::create_calendar),
        )
        .route(
            "/calendars/{reference}/edit",
            get(calendar::edit_calendar_page).post(calendar::update_calendar),
        )
        .route(
            "/agreements/new",
            get(agreement::new_agreement_page).post(agreement::create_agreement),
        )
        .route(
            "/agreements/{reference}/edit",
            get(agreement::edit_agreement_page).post(agreement::update_agreement),
        )
        .route("/search", get(search::search_page))
        .route("/attachments/{reference}", get(record::download))
        .route("/portal", get(portal::portal_page))
        .route("/portal/raise", get(portal::raise_page).post(portal::raise))
        .route("/portal/surveys", post(portal::answer_survey))
        .route("/portal/complaints", post(portal::raise_complaint))
        .route("/portal/articles", get(knowledge::answers_page))
        .route("/portal/articles/{reference}", get(knowledge::article_page))
        .route("/portal/articles/{reference}/votes", post(knowledge::vote))
        .route("/knowledge", get(knowledge::knowledge_page))
        .route("/knowledge/articles", post(knowledge::write_article))
        .route("/knowledge/suggestions", get(knowledge::suggestions))
        .route(
            "/articles/{reference}/edit",
            get(knowledge::edit_article_page).post(knowledge::update_article),
        )
        .route("/articles/{reference}/transition", post(knowledge::move_article))
        .route("/articles/{reference}/review", post(knowledge::review_article))
        .route("/articles/{reference}/problems", post(knowledge::explain_problem))
        .route("/dashboard", get(dashboard::dashboard_page))
        .route("/dashboard/readiness", get(dashboard::readiness))
        .route("/compliance", get(compliance::compliance_page))
        .route("/availability", get(availability::availability_page))
        .route("/availability/outages", post(availability::record_outage))
        .route("/capacity", get(capacity::capacity_page))
        .route("/capacity/requirements", post(capacity::add_requirement))
        .route("/capacity/readings", post(capacity::record_reading))
        .route("/capacity/forecasts", post(capacity::plan_forecast))
        .route("/capacity/incidents", post(capacity::flag_incident))
        .route("/continuity", get(continuity::continuity_page))
        .route("/continuity/plans", post(continuity::write_plan))
        .route("/continuity/approvals", post(continuity::approve_plan))
        .route("/continuity/reviews", post(continuity::review_plan))
        .route("/continuity/tests", post(continuity::schedule_test))
        .route("/continuity/results", post(continuity::record_result))
        .route("/security", get(security::security_page))
        .route("/security/controls", post(security::add_control))
        .route("/security/implementations", post(security::implement_control))
        .route("/security/treatments", post(security::treat_risk))
        .route("/security/reviews", post(security::review_control))
        .route("/finance", get(finance::finance_page))
        .route("/finance/budgets", post(finance::plan_budget))
        .route("/finance/costs", post(finance::record_cost))
        .route("/finance/time", post(finance::log_time))
        .route("/suppliers", get(supplier::suppliers_page).post(supplier::add_supplier))
        .route("/suppliers/reviews", post(supplier::review_contract))
        .route("/suppliers/disputes", post(supplier::raise_dispute))
        .route("/relationships", get(relationship::relationships_page))
        .route("/relationships/reviews", post(relationship::plan_review))
        .route("/relationships/reviews/held", post(relationship::hold_review))
        .route("/relationships/complaints", post(relationship::record_complaint))
        .route("/relationships/surveys", post(relationship::send_round))
        .route("/admin", get(admin::admin))
        .route("/admin/users", post(admin::add_user))
        .route("/admin/users/change", post(admin::change_user))
        .route("/admin/teams", post(admin::add_team))
        .route("/admin/services", post(admin::add_service))
        .route("/admin/mail", get(mail::mail_page))
        .route("/admin/mail/inbound/{id}/message", get(mail::message))
        .route("/admin/mail/inbound/{id}/reconsider", post(mail::reconsider))
        .route("/admin/mail/inbound/{id}/discard", post(mail::discard))
        .route("/admin/mail/rules", post(mail::add_rule))
        .route("/admin/mail/rules/{id}/delete", post(mail::delete_rule))
        .route("/admin/mail/outbox/{id}/retry", post(mail::retry))
        .route("/admin/mail/templates/{name}", post(mail::save_template))
        .route("/admin/mail/templates/{name}/reset", post(mail::reset_template));
    for kind in RecordKind::ALL {
        let base = format!("/{}/{{reference}}", collection(kind));
        r = r
            .route(&base, get(record::record_page))
            .route(&format!("{base}/comments"), post(record::comment))
            .route(&format!("{base}/watch"), post(record::watch))
            .route(
                &format!("{base}/attachments"),
                post(record::attach).layer(axum::extract::DefaultBodyLimit::max(
                    steward_core::attachment::ATTACHMENT_MAX + 64 * 1024,
                )),
            );
    }
    for kind in [RecordKind::Incident, RecordKind::Request] {
        let base = format!("/{}/{{reference}}", collection(kind));
        r = r
            .route(&format!("{base}/edit"), post(ticket::update))
            .route(&format!("{base}/transition"), post(ticket::transition))
            .route(&format!("{base}/assign-to-me"), post(ticket::assign_to_me));
    }
    for kind in [RecordKind::Problem, RecordKind::Change] {
        let base = format!("/{}/{{reference}}", collection(kind));
        r = r
            .route(&format!("{base}/edit"), post(work::update))
            .route(&format!("{base}/transition"), post(work::move_record))
            .route(&format!("{base}/assign-to-me"), post(ticket::assign_to_me));
    }
    r.route("/changes/{reference}/approvals", post(work::decide))
}

/// Where a person lands: agents and managers on their queue, requesters on the portal,
/// auditors on the dashboard.
async fn home(viewer: Viewer) -> Redirect {
    Redirect::to(match viewer.ctx.actor.role {
        Role::Requester => "/portal",
        Role::Auditor => "/dashboard",
        Role::Admin | Role::Manager | Role::Agent => "/queue",
    })
}

/// The path segment of a kind's pages, the same as its API collection.
pub fn collection(kind: RecordKind) -> &'static str {
    kind.collection()
}

/// The page address of a record.
pub fn record_href(kind: RecordKind, id: i64) -> String {
    format!("/{}/{}-{id}", collection(kind), kind.prefix())
}

/// The page address behind a reference such as `INC-42`, if it names a kind.
pub fn href_of_reference(reference: &str) -> Option<String> {
    RecordKind::parse_reference(reference).map(|(k, id)| record_href(k, id))
}

/// The record a form posts to, from its address (`/incidents/INC-4/transition`), if it is of
/// one of `kinds`; anything else names no page.
pub fn posted_to(path: &str, kinds: &[RecordKind]) -> UiResult<(RecordKind, String)> {
    let reference = path.trim_start_matches('/').split('/').nth(1).unwrap_or("").to_string();
    match RecordKind::parse_reference(&reference) {
        Some((k, _)) if kinds.contains(&k) => Ok((k, reference)),
        _ => Err(UiError::Api(ApiError::RouteNotFound)),
    }
}

/// A kind's name for people: "configuration item".
pub fn kind_label(kind: RecordKind) -> String {
    kind.as_str().replace('_', " ")
}

/// What the frame of every signed-in page needs.
pub struct Chrome {
    pub user_name: String,
    pub role: Role,
    pub csrf: String,
    /// The section the page belongs to, to mark it in the navigation.
    pub section: &'static str,
}

impl Chrome {
    pub fn is_requester(&self) -> bool {
        self.role == Role::Requester
    }
    /// Whether the person works tickets (sees queues and internal notes).
    pub fn is_staff(&self) -> bool {
        self.role != Role::Requester
    }
    pub fn can_write(&self) -> bool {
        !matches!(self.role, Role::Auditor)
    }
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section { "page" } else { "false" }
    }
}

/// An error on the way to a page.
pub enum UiError {
    Api(ApiError),
    /// No session: go and sign in, then come back to `next`.
    SignIn {
        next: String,
    },
    /// A form that did not come from one of our pages (no or a wrong CSRF token).
    Csrf,
}

impl<E: Into<ApiError>> From<E> for UiError {
    fn from(e: E) -> Self {
        UiError::Api(e.into())
    }
}

pub type UiResult<T> = Result<T, UiError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: String,
    message: String,
    fields: Vec<FieldError>,
    request_id: String,
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let told = match self {
            UiError::SignIn { next } => {
                let to = format!("/sign-in?next={}", urlencode(&next));
                let mut resp = Redirect::to(&to).into_response();
                if let Ok(v) = HeaderValue::from_str(&to) {
                    resp.headers_mut().insert("HX-Redirect", v);
                }
                return resp;
            }
            UiError::Csrf => Told {
                status: StatusCode::FORBIDDEN,
                code: "csrf",
                message: "This form has expired or did not come from Steward. Go back, reload the page and try again."
                    .into(),
                fields: vec![],
                allowed: None,
                request_id: crate::request_id::current(),
            },
            UiError::Api(e) => e.told(),
        };
        error_page(told)
    }
}

pub fn error_page(told: Told) -> Response {
    let title = match told.status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::CONFLICT => "Not possible now",
        StatusCode::UNPROCESSABLE_ENTITY => "Please check the form",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    let mut message = told.message;
    if let Some(allowed) = told.allowed {
        message = if allowed.is_empty() {
            format!("{message}. Nothing may follow the current state.")
        } else {
            format!("{message}. It may move to: {}.", allowed.join(", "))
        };
    }
    let page = ErrorPage {
        status: told.status.as_u16(),
        title: title.into(),
        message,
        fields: told.fields,
        request_id: told.request_id,
    };
    (told.status, render(&page)).into_response()
}

/// Renders a template; a failure (which the compiler has mostly ruled out) is a plain 500.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(request_id = %crate::request_id::current(), error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "the page could not be drawn").into_response()
        }
    }
}

/// Whether the request came from htmx, which wants a fragment rather than a whole page.
pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.get("HX-Request").is_some()
}

/// Whether a client asked for a page rather than JSON (for the 404 of an unknown address).
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

/// Escapes text for HTML and SVG, for markup written outside the templates (the charts, and the
/// printable audit pack of `steward compliance report`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// An instant as people read it in a list: "2026-11-25 14:03 UTC".
pub fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A span of time in words: "2 h 10 min", "3 d 4 h".
pub fn span(micros: i64) -> String {
    let m = micros.unsigned_abs() / 60_000_000;
    let (d, h, min) = (m / 1440, (m % 1440) / 60, m % 60);
    if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {min} min")
    } else {
        format!("{min} min")
    }
}

/// A 303 to a page, which htmx follows too.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}
