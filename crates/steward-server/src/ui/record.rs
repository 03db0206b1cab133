//! The page of any record: its fields, its service level clocks (tickets), its links, and its
//! timeline — the hash-chained history with the comments in it — plus the forms the person may
//! use on it. One page serves every kind; incidents and requests add the console's forms.

use askama::Template;
use axum::extract::{MatchedPath, Path};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use steward_core::access::{Operation, Scope, authorize};
use steward_core::comment::{NewComment, Visibility, authorize_comment};
use steward_core::history::{HistoryAction, HistoryEntry};
use steward_core::incident::Incident;
use steward_core::link::Endpoint;
use steward_core::record::RecordKind;
use steward_core::request::Request;
use steward_core::user::Role;

use super::form::FormErrors;
use super::session::Posted;
use super::ticket::{Choice, Names, Options, TicketForm, levels, next_states, pending_reasons, resolution_codes};
use super::work::{ApprovalsPanel, MovePanel};
use super::{Chrome, UiError, UiResult, Viewer, href_of_reference, kind_label, render, see_other, urlencode, when};
use crate::api::read_one;
use crate::auth::Ctx;
use crate::error::ApiError;

/// Runs `$body` with `$T` bound to the record type of `$kind`.
macro_rules! with_record_type {
    ($kind:expr, $T:ident => $body:expr) => {{
        use steward_core::record::RecordKind as K;
        match $kind {
            K::Service => {
                type $T = steward_core::service::Service;
                $body
            }
            K::CatalogueItem => {
                type $T = steward_core::service::CatalogueItem;
                $body
            }
            K::Calendar => {
                type $T = steward_core::calendar::Calendar;
                $body
            }
            K::Agreement => {
                type $T = steward_core::agreement::Agreement;
                $body
            }
            K::Organisation => {
                type $T = steward_core::organisation::Organisation;
                $body
            }
            K::Team => {
                type $T = steward_core::team::Team;
                $body
            }
            K::User => {
                type $T = steward_core::user::User;
                $body
            }
            K::Incident => {
                type $T = steward_core::incident::Incident;
                $body
            }
            K::Request => {
                type $T = steward_core::request::Request;
                $body
            }
            K::Problem => {
                type $T = steward_core::problem::Problem;
                $body
            }
            K::Change => {
                type $T = steward_core::change::Change;
                $body
            }
            K::ChangeBlackout => {
                type $T = steward_core::change_blackout::ChangeBlackout;
                $body
            }
            K::ChangeTemplate => {
                type $T = steward_core::change_template::ChangeTemplate;
                $body
            }
            K::Release => {
                type $T = steward_core::release::Release;
                $body
            }
            K::ConfigurationItem => {
                type $T = steward_core::configuration_item::ConfigurationItem;
                $body
            }
            K::Asset => {
                type $T = steward_core::asset::Asset;
                $body
            }
            K::Licence => {
                type $T = steward_core::asset::Licence;
                $body
            }
            K::SmsScope => {
                type $T = steward_core::sms_scope::SmsScope;
                $body
            }
            K::Assessment => {
                type $T = steward_core::assessment::Assessment;
                $body
            }
            K::Document => {
                type $T = steward_core::document::Document;
                $body
            }
            K::Evidence => {
                type $T = steward_core::evidence::Evidence;
                $body
            }
            K::Audit => {
                type $T = steward_core::audit::Audit;
                $body
            }
            K::Finding => {
                type $T = steward_core::audit::Finding;
                $body
            }
            K::Nonconformity => {
                type $T = steward_core::nonconformity::Nonconformity;
                $body
            }
            K::Action => {
                type $T = steward_core::action::Action;
                $body
            }
            K::ManagementReview => {
                type $T = steward_core::management_review::ManagementReview;
                $body
            }
            K::Improvement => {
                type $T = steward_core::improvement::Improvement;
                $body
            }
            K::Risk => {
                type $T = steward_core::risk::Risk;
                $body
            }
            K::Objective => {
                type $T = steward_core::objective::Objective;
                $body
            }
            K::Programme => {
                type $T = steward_core::certification::Programme;
                $body
            }
            K::Certificate => {
                type $T = steward_core::certification::Certificate;
                $body
            }
            K::Outage => {
                type $T = steward_core::outage::Outage;
                $body
            }
            K::Supplier => {
                type $T = steward_core::supplier::Supplier;
                $body
            }
            K::Contract => {
                type $T = steward_core::contract::Contract;
                $body
            }
            K::Dispute => {
                type $T = steward_core::dispute::Dispute;
                $body
            }
            K::ServiceReview => {
                type $T = steward_core::service_review::ServiceReview;
                $body
            }
            K::Complaint => {
                type $T = steward_core::complaint::Complaint;
                $body
            }
            K::Survey => {
                type $T = steward_core::survey::Survey;
                $body
            }
            K::Budget => {
                type $T = steward_core::budget::Budget;
                $body
            }
            K::Cost => {
                type $T = steward_core::cost::Cost;
                $body
            }
            K::CapacityRequirement => {
                type $T = steward_core::capacity::CapacityRequirement;
                $body
            }
            K::DemandForecast => {
                type $T = steward_core::demand::DemandForecast;
                $body
            }
            K::ContinuityPlan => {
                type $T = steward_core::continuity::ContinuityPlan;
                $body
            }
            K::ContinuityTest => {
                type $T = steward_core::continuity::ContinuityTest;
                $body
            }
            K::SecurityControl => {
                type $T = steward_core::security_control::SecurityControl;
                $body
            }
            K::Article => {
                type $T = steward_core::article::Article;
                $body
            }
        }
    }};
}

/// One field as shown: its label, its value in words, and a link when it names a record.
pub struct Field {
    pub label: String,
    pub value: String,
    pub href: Option<String>,
}

/// The people, teams and services a record names, to show their names beside the references.
async fn names_in(ctx: &Ctx, v: &Value) -> Result<Names, ApiError> {
    let (mut users, mut teams, mut services) = (vec![], vec![], vec![]);
    if let Value::Object(map) = v {
        for value in map.values() {
            if let Some((kind, id)) = value.as_str().and_then(RecordKind::parse_reference) {
                match kind {
                    RecordKind::User => users.push(id),
                    RecordKind::Team => teams.push(id),
                    RecordKind::Service => services.push(id),
                    _ => {}
                }
            }
        }
    }
    Names::load(ctx, &users, &teams, &services).await
}

/// The record's fields in words; a reference links to its page only when the person may read
/// that kind of record (a customer sees who works their ticket, but no link to their profile).
fn fields_of(v: &Value, names: &Names, actor: &steward_core::access::Actor) -> Vec<Field> {
    let Value::Object(map) = v else {
        return vec![];
    };
    map.iter()
        .filter(|(k, _)| k.as_str() != "id")
        .map(|(k, v)| {
            let (value, href) = match v {
                Value::Null => ("—".to_string(), None),
                Value::Bool(b) => ((if *b { "yes" } else { "no" }).to_string(), None),
                // Money is kept in minor units; people read it with its decimals.
                Value::Number(n) if k == "amount" => (
                    n.as_i64()
                        .map(steward_core::cost::format_amount)
                        .unwrap_or_else(|| n.to_string()),
                    None,
                ),
                Value::Number(n) => (n.to_string(), None),
                Value::String(s) => {
                    let readable = RecordKind::parse_reference(s)
                        .is_some_and(|(k, _)| authorize(actor, k, Operation::Read).is_ok());
                    let href = href_of_reference(s).filter(|_| readable && s.len() <= 24 && !s.contains(' '));
                    let named = match RecordKind::parse_reference(s) {
                        Some((RecordKind::User, id)) => names.users.get(&id),
                        Some((RecordKind::Team, id)) => names.teams.get(&id),
                        Some((RecordKind::Service, id)) => names.services.get(&id),
                        _ => None,
                    };
                    match named {
                        Some(n) => (format!("{n} ({s})"), href),
                        None => (s.clone(), href),
                    }
                }
                other => (other.to_string(), None),
            };
            Field {
                label: k.replace('_', " "),
                value,
                href,
            }
        })
        .collect()
}

/// One moment of the timeline.
pub struct Moment {
    pub at: String,
    pub actor: String,
    /// `comment`, `internal` (a work note) or `change`.
    pub class: &'static str,
    pub headline: String,
    pub body: Option<String>,
}

fn show(v: &Option<Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn moments(entries: &[HistoryEntry], names: &Names) -> Vec<Moment> {
    entries
        .iter()
        .map(|e| {
            let actor = e.actor.map(|a| names.user(Some(a))).unwrap_or_else(|| "Steward".into());
            let field = e.field.clone().unwrap_or_default().replace('_', " ");
            let (class, headline, body) = match e.action {
                HistoryAction::Comment if e.field.as_deref() == Some("internal") => {
                    ("internal", "work note".to_string(), Some(show(&e.new_value)))
                }
                HistoryAction::Comment => ("comment", "reply".to_string(), Some(show(&e.new_value))),
                HistoryAction::Attach => {
                    let file = e.new_value.as_ref();
                    let name = file.and_then(|f| f["name"].as_str()).unwrap_or("a file");
                    let size = file.and_then(|f| f["size"].as_i64()).unwrap_or(0);
                    let class = if e.field.as_deref() == Some("internal") {
                        "internal"
                    } else {
                        "comment"
                    };
                    (class, format!("attached {name} ({})", bytes_shown(size)), None)
                }
                HistoryAction::Create => ("change", "created".to_string(), None),
                HistoryAction::Transition if e.field.as_deref() == Some("status") => (
                    "change",
                    format!("moved from {} to {}", show(&e.old_value), show(&e.new_value)).replace('_', " "),
                    None,
                ),
                HistoryAction::SlaWarning | HistoryAction::SlaBreach => (
                    "change",
                    format!("{} {}", e.action.as_str().replace('_', " "), field)
                        .trim()
                        .to_string(),
                    Some(show(&e.new_value)),
                ),
                _ => (
                    "change",
                    format!("{field}: {} → {}", show(&e.old_value), show(&e.new_value)),
                    None,
                ),
            };
            Moment {
                at: when(e.at),
                actor,
                class,
                headline,
                body,
            }
        })
        .collect()
}

/// A size as people read it: `512 bytes`, `34.2 KiB`, `2.5 MiB`.
pub fn bytes_shown(size: i64) -> String {
    match size {
        s if s < 1024 => format!("{s} bytes"),
        s if s < 1024 * 1024 => format!("{:.1} KiB", s as f64 / 1024.0),
        s => format!("{:.1} MiB", s as f64 / 1024.0 / 1024.0),
    }
}

/// A clock as a line: "resolution (sla): running, due 2026-11-25 14:00 UTC".
pub struct ClockLine {
    pub label: String,
    pub state: String,
    pub detail: String,
}

/// The console's forms for an incident or a request.
pub struct TicketPanel {
    pub base: String,
    pub is_incident: bool,
    pub next: Vec<Choice>,
    pub form: TicketForm,
    pub options: Options,
    pub levels: Vec<Choice>,
    pub pending_reasons: Vec<Choice>,
    pub resolution_codes: Vec<Choice>,
    pub clocks: Vec<ClockLine>,
    pub assigned_to_me: bool,
}

#[derive(Template)]
#[template(path = "record/show.html")]
struct RecordPage {
    chrome: Chrome,
    kind: String,
    reference: String,
    title: String,
    base: String,
    fields: Vec<Field>,
    links: Vec<Field>,
    /// An audit's findings, each with its grade.
    findings: Vec<Field>,
    timeline: Vec<Moment>,
    more_history: bool,
    ticket: Option<TicketPanel>,
    moves: Option<MovePanel>,
    approvals: Option<ApprovalsPanel>,
    /// The page with the form that changes this record, where it has one of its own.
    edit_href: Option<String>,
    /// For a major incident, the form that records the outage it reports (for whoever may).
    outage_href: Option<String>,
    /// For an incident or a request, to whoever may log time: the finance page's time form.
    time_href: Option<String>,
    /// A security incident, which only some may see: the page says so.
    restricted: bool,
    can_comment: bool,
    may_note: bool,
    /// The files on the record this reader may see.
    files: Vec<FileLine>,
    /// Who watches the record, by name, and whether the reader is one of them.
    watchers: Vec<String>,
    watching: bool,
    errors: FormErrors,
}

/// A file on a record, as its page lists it.
pub struct FileLine {
    pub href: String,
    pub name: String,
    pub detail: String,
    pub internal: bool,
}

/// The kind a page address is for, from its collection segment.
fn kind_of_path(path: &str) -> Option<RecordKind> {
    let collection = path.trim_start_matches('/').split('/').next()?;
    RecordKind::ALL
        .into_iter()
        .find(|k| super::collection(*k) == collection)
}

const TIMELINE: u32 = 200;

pub async fn record_page(viewer: Viewer, matched: MatchedPath, Path(reference): Path<String>) -> UiResult<Response> {
    let kind = kind_of_path(matched.as_str()).ok_or(UiError::Api(ApiError::RouteNotFound))?;
    // Customers read articles in the portal, which shows only what is published for them.
    if kind == RecordKind::Article && viewer.ctx.actor.role == Role::Requester {
        return Ok(see_other(&format!("/portal/articles/{}", urlencode(&reference))));
    }
    page(&viewer, kind, &reference, FormErrors::default()).await
}

async fn page(viewer: &Viewer, kind: RecordKind, reference: &str, errors: FormErrors) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    // One boxed read per kind, so the page's future does not hold a frame for every kind.
    let (value, id, any) = with_record_type!(kind, T => Box::pin(read_shown::<T>(ctx, reference)).await?);
    let (ticket, moves, approvals) = (
        ticket_panel(ctx, kind, &any).await?,
        move_panel(ctx, kind, &any).await?,
        approvals_panel(ctx, &any).await?,
    );
    let reference = format!("{}-{id}", kind.prefix());
    let title = ["title", "name"]
        .iter()
        .find_map(|k| value.get(k).and_then(Value::as_str))
        .unwrap_or("")
        .to_string();
    let internal = ctx.actor.role != Role::Requester;
    let history = ctx
        .state
        .store
        .history_seen_by(kind, id, None, TIMELINE, internal)
        .await?;
    let actors: Vec<i64> = history.items.iter().filter_map(|e| e.actor.map(|a| a.0)).collect();
    let names = Names::load(ctx, &actors, &[], &[]).await?;
    let links = links(ctx, kind, id).await?;
    let named = names_in(ctx, &value).await?;
    let findings = findings_of(ctx, kind, id).await?;
    let files = ctx
        .state
        .store
        .attachments_seen_by(kind, id, internal)
        .await?
        .into_iter()
        .map(|a| FileLine {
            href: format!("/attachments/{}", a.id),
            detail: format!("{}, {}, {}", a.content_type, bytes_shown(a.size), when(a.uploaded_at)),
            internal: a.visibility == Visibility::Internal,
            name: a.name,
        })
        .collect();
    let watchers = ctx.state.store.watchers(kind, id).await?;
    let watching = watchers.iter().any(|w| w.user == ctx.actor.user);
    let page = RecordPage {
        chrome: viewer.chrome(if ctx.actor.role == Role::Requester {
            "portal"
        } else {
            "queue"
        }),
        kind: kind_label(kind),
        base: super::record_href(kind, id),
        title,
        fields: fields_of(&value, &named, &ctx.actor),
        links,
        findings,
        timeline: moments(&history.items, &names),
        more_history: history.next_cursor.is_some(),
        ticket,
        moves,
        approvals,
        edit_href: matches!(kind, RecordKind::Calendar | RecordKind::Agreement | RecordKind::Article)
            .then(|| authorize(&ctx.actor, kind, Operation::Update).ok())
            .flatten()
            .map(|_| format!("{}/edit", super::record_href(kind, id))),
        outage_href: (kind == RecordKind::Incident
            && value.get("major").and_then(Value::as_bool) == Some(true)
            && authorize(&ctx.actor, RecordKind::Outage, Operation::Create).is_ok())
        .then(|| {
            let service = value.get("service").and_then(Value::as_str).unwrap_or("");
            format!("/availability?incident={reference}&service={service}#h-record-outage")
        }),
        time_href: (matches!(kind, RecordKind::Incident | RecordKind::Request)
            && authorize(&ctx.actor, RecordKind::Cost, Operation::Create).is_ok())
        .then(|| format!("/finance?ticket={reference}#h-log-time")),
        restricted: kind == RecordKind::Incident && value.get("security").and_then(Value::as_bool) == Some(true),
        can_comment: authorize_comment(&ctx.actor, kind).is_ok(),
        may_note: internal,
        files,
        watchers: watchers.into_iter().map(|w| w.name).collect(),
        watching,
        errors,
        reference,
    };
    Ok(render(&page).into_response())
}

/// What `ticket_panel` needs of a record, whatever its type.
enum AnyTicket {
    Incident(Box<Incident>),
    Request(Box<Request>),
    Problem(Box<steward_core::problem::Problem>),
    Change(Box<steward_core::change::Change>),
    Other,
}

/// A record read for its page: its fields as JSON, its id, and what its panels need of it.
async fn read_shown<T>(ctx: &Ctx, reference: &str) -> Result<(Value, i64, AnyTicket), ApiError>
where
    T: steward_store::Table + steward_core::record::Record + serde::Serialize + 'static,
{
    let rec: T = read_one(ctx, reference).await?;
    let id = steward_core::record::Record::id(&rec);
    let value = serde_json::to_value(&rec)
        .map_err(|e| ApiError::Domain(steward_core::Error::unexpected(format!("cannot show {reference}: {e}"))))?;
    Ok((value, id, rec_any(&rec)))
}

fn rec_any<T: serde::Serialize + 'static>(rec: &T) -> AnyTicket {
    let any = rec as &dyn std::any::Any;
    if let Some(i) = any.downcast_ref::<Incident>() {
        AnyTicket::Incident(Box::new(i.clone()))
    } else if let Some(r) = any.downcast_ref::<Request>() {
        AnyTicket::Request(Box::new(r.clone()))
    } else if let Some(p) = any.downcast_ref::<steward_core::problem::Problem>() {
        AnyTicket::Problem(Box::new(p.clone()))
    } else if let Some(c) = any.downcast_ref::<steward_core::change::Change>() {
        AnyTicket::Change(Box::new(c.clone()))
    } else {
        AnyTicket::Other
    }
}

async fn ticket_panel(ctx: &Ctx, kind: RecordKind, rec: &AnyTicket) -> Result<Option<TicketPanel>, ApiError> {
    if ctx.actor.role == Role::Requester || authorize(&ctx.actor, kind, Operation::Update).is_err() {
        return Ok(None);
    }
    let (id, next, form, assignee) = match rec {
        AnyTicket::Incident(i) => (
            i.id.0,
            next_states(i.status),
            TicketForm {
                title: i.title.clone(),
                description: i.description.clone(),
                service: i.service.map(|s| s.to_string()).unwrap_or_default(),
                impact: i.impact.to_string(),
                urgency: i.urgency.to_string(),
                category: i.category.clone().unwrap_or_default(),
                assignee: i.assignee.map(|s| s.to_string()).unwrap_or_default(),
                team: i.team.map(|s| s.to_string()).unwrap_or_default(),
                supplier: i.supplier.map(|s| s.to_string()).unwrap_or_default(),
                security: if i.security { "on".into() } else { String::new() },
                ..TicketForm::default()
            },
            i.assignee,
        ),
        AnyTicket::Request(r) => (
            r.id.0,
            next_states(r.status),
            TicketForm {
                title: r.title.clone(),
                description: r.description.clone(),
                service: r.service.to_string(),
                impact: r.impact.to_string(),
                urgency: r.urgency.to_string(),
                category: r.category.clone().unwrap_or_default(),
                assignee: r.assignee.map(|s| s.to_string()).unwrap_or_default(),
                team: r.team.map(|s| s.to_string()).unwrap_or_default(),
                supplier: r.supplier.map(|s| s.to_string()).unwrap_or_default(),
                ..TicketForm::default()
            },
            r.assignee,
        ),
        AnyTicket::Problem(_) | AnyTicket::Change(_) | AnyTicket::Other => return Ok(None),
    };
    let mut views = ctx
        .state
        .store
        .clock_views(kind, &[id], ctx.now.timestamp_micros())
        .await?;
    let clocks = views
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            let detail = match (c.due_at, c.stopped_at, c.breached_at) {
                (_, Some(s), _) => format!("stopped {}", when(s)),
                (Some(d), None, _) => format!("due {}", when(d)),
                (None, None, Some(b)) => format!("breached {}", when(b)),
                (None, None, None) => format!("{} used of {}", c.elapsed, c.target),
            };
            ClockLine {
                label: format!("{} ({})", c.metric, c.scope),
                state: c.state.to_string(),
                detail,
            }
        })
        .collect();
    Ok(Some(TicketPanel {
        base: super::record_href(kind, id),
        is_incident: kind == RecordKind::Incident,
        next,
        form,
        options: Options::load(ctx).await?,
        levels: levels(),
        pending_reasons: pending_reasons(),
        resolution_codes: resolution_codes(),
        clocks,
        assigned_to_me: assignee == Some(ctx.actor.user),
    }))
}

/// The edit and move forms of a problem or a change, for those who may change it.
async fn move_panel(ctx: &Ctx, kind: RecordKind, rec: &AnyTicket) -> Result<Option<MovePanel>, ApiError> {
    if authorize(&ctx.actor, kind, Operation::Update).is_err() {
        return Ok(None);
    }
    Ok(match rec {
        AnyTicket::Problem(p) => Some(MovePanel::problem(ctx, p).await?),
        AnyTicket::Change(c) => Some(MovePanel::change(ctx, c).await?),
        AnyTicket::Incident(_) | AnyTicket::Request(_) | AnyTicket::Other => None,
    })
}

/// A change's approvals, for everyone who reads it.
async fn approvals_panel(ctx: &Ctx, rec: &AnyTicket) -> Result<Option<ApprovalsPanel>, ApiError> {
    match rec {
        AnyTicket::Change(c) => Ok(Some(ApprovalsPanel::of(ctx, c).await?)),
        _ => Ok(None),
    }
}

/// The findings an audit raised (none for any other kind): one statement.
async fn findings_of(ctx: &Ctx, kind: RecordKind, id: i64) -> Result<Vec<Field>, ApiError> {
    if kind != RecordKind::Audit {
        return Ok(vec![]);
    }
    let q = steward_store::ListQuery {
        filters: vec![("audit_id", id.into())],
        sort: steward_store::Sort {
            column: "updated_at",
            descending: false,
        },
        limit: steward_store::MAX_LIMIT,
        ..steward_store::ListQuery::default()
    };
    let found = crate::api::list_all::<steward_core::audit::Finding>(ctx, q)
        .await?
        .0
        .items;
    Ok(found
        .into_iter()
        .map(|f| Field {
            label: format!("{} · {}", f.grade.as_str().replace('_', " "), f.requirement),
            href: Some(super::record_href(RecordKind::Finding, f.id.0)),
            value: format!("{} {}", f.id, f.title),
        })
        .collect())
}

async fn links(ctx: &Ctx, kind: RecordKind, id: i64) -> Result<Vec<Field>, ApiError> {
    if authorize(&ctx.actor, kind, Operation::Read).ok() != Some(Scope::All) {
        return Ok(vec![]);
    }
    let me = Endpoint { kind, id };
    let mine = me.reference();
    Ok(ctx
        .state
        .store
        .links_of(me)
        .await?
        .into_iter()
        .filter_map(|l| {
            let other = if l.from == mine { l.to } else { l.from };
            let (k, _) = RecordKind::parse_reference(&other)?;
            matches!(authorize(&ctx.actor, k, Operation::Read), Ok(Scope::All)).then(|| Field {
                label: kind_label(k),
                href: href_of_reference(&other),
                value: other,
            })
        })
        .collect())
}

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    visibility: String,
}

/// Adds a reply or a work note to a record, then shows the record again.
pub async fn comment(
    matched: MatchedPath,
    Path(reference): Path<String>,
    posted: Posted<CommentForm>,
) -> UiResult<Response> {
    let kind = kind_of_path(matched.as_str()).ok_or(UiError::Api(ApiError::RouteNotFound))?;
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize_comment(&ctx.actor, kind)?;
    let visibility = match form.visibility.as_str() {
        "" => None,
        v => Some(
            Visibility::parse(v)
                .ok_or_else(|| steward_core::Error::invalid("visibility", "must be public or internal"))?,
        ),
    };
    let (visibility, body) = match (NewComment {
        body: form.body,
        visibility,
    })
    .check(&ctx.actor)
    {
        Ok(ok) => ok,
        Err(steward_core::Error::Invalid(fields)) => {
            return page(&viewer, kind, &reference, FormErrors(fields)).await.map(|r| {
                let mut r = r;
                *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
                r
            });
        }
        Err(e) => return Err(e.into()),
    };
    // A record outside the person's reach is answered as not found, as everywhere.
    let id = crate::api::conversation::reach_to_write(ctx, kind, &reference).await?;
    ctx.state
        .store
        .add_comment(kind, id, ctx.actor.user, ctx.now, visibility, &body)
        .await?;
    Ok(see_other(&format!("{}#timeline", super::record_href(kind, id))))
}

/// Attaches a file from the record page's form (multipart: the form's token, who sees it, and
/// the file), by the same checks as the API; a refusal is shown on the page.
pub async fn attach(
    matched: MatchedPath,
    Path(reference): Path<String>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    mut form: axum::extract::Multipart,
) -> UiResult<Response> {
    let kind = kind_of_path(matched.as_str()).ok_or(UiError::Api(ApiError::RouteNotFound))?;
    if super::session::cross_site(&headers) {
        return Err(UiError::Csrf);
    }
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(format!(
                "a file may be at most {} MiB",
                steward_core::attachment::ATTACHMENT_MAX / 1024 / 1024
            ))
        } else {
            ApiError::MalformedBody(format!("the form could not be read: {e}"))
        }
    };
    let (mut csrf, mut visibility, mut file) = (String::new(), None, None);
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.map_err(unreadable)?,
            "visibility" => {
                let v = field.text().await.map_err(unreadable)?;
                visibility = Some(
                    Visibility::parse(&v)
                        .ok_or_else(|| steward_core::Error::invalid("visibility", "must be public or internal"))?,
                );
            }
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let declared = field.content_type().map(str::to_string);
                file = Some((name, declared, field.bytes().await.map_err(unreadable)?));
            }
            _ => {}
        }
    }
    if !super::session::same_token(&csrf, &viewer.csrf) {
        return Err(UiError::Csrf);
    }
    let (name, declared, bytes) = file.unwrap_or_default();
    let id = crate::api::conversation::reach_to_write(&viewer.ctx, kind, &reference).await?;
    let stored = crate::api::conversation::store_attachment(
        &viewer.ctx,
        kind,
        id,
        &name,
        declared.as_deref(),
        visibility,
        &bytes,
    )
    .await;
    match stored {
        Ok(a) => Ok(see_other(&format!(
            "{}#files",
            super::href_of_reference(&a.record).unwrap_or_default()
        ))),
        Err(ApiError::Domain(steward_core::Error::Invalid(fields))) => {
            page(&viewer, kind, &reference, FormErrors(fields)).await.map(|mut r| {
                *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
                r
            })
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct WatchForm {
    /// `on` to watch, anything else to stop.
    #[serde(default)]
    watch: String,
}

/// Watches the record, or stops watching it, from its page.
pub async fn watch(
    matched: MatchedPath,
    Path(reference): Path<String>,
    posted: Posted<WatchForm>,
) -> UiResult<Response> {
    let kind = kind_of_path(matched.as_str()).ok_or(UiError::Api(ApiError::RouteNotFound))?;
    let Posted { viewer, form } = posted;
    if RecordKind::parse_reference(&reference).map(|(k, _)| k) != Some(kind) {
        return Err(ApiError::Domain(steward_core::Error::not_found(
            kind.as_str(),
            reference.chars().take(40).collect::<String>(),
        ))
        .into());
    }
    let (kind, id) = if form.watch == "on" {
        crate::api::watcher::start_watching(&viewer.ctx, &reference, "me").await?
    } else {
        crate::api::watcher::stop_watching(&viewer.ctx, &reference, "me").await?
    };
    Ok(see_other(&format!("{}#watchers", super::record_href(kind, id))))
}

/// A file's bytes for a signed-in person, as the API gives them.
pub async fn download(viewer: Viewer, Path(reference): Path<String>) -> UiResult<Response> {
    Ok(crate::api::conversation::attachment_download(&viewer.ctx, &reference).await?)
}
