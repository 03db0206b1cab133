//! Incidents and requests in the console: the rows of a queue, and the forms that create, edit,
//! assign and move them. Each form posts to the same domain calls as the JSON API; a form that
//! fails its checks comes back with every value kept and each field's message beside it.

use std::collections::HashMap;

use askama::Template;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use steward_core::Error;
use steward_core::clock::ClockView;
use steward_core::history::HistoryAction;
use steward_core::id::{CatalogueItemId, ServiceId, SupplierId, TeamId, UserId};
use steward_core::incident::{Incident, IncidentPatch, IncidentTransition, NewIncident, PendingReason, ResolutionCode};
use steward_core::lifecycle::Lifecycle;
use steward_core::priority::{Impact, Priority, Urgency};
use steward_core::record::{Record, RecordKind};
use steward_core::request::{NewRequest, Request, RequestPatch, RequestTransition};
use steward_core::service::{CatalogueItem, Service};
use steward_core::supplier::Supplier;
use steward_core::team::Team;
use steward_core::user::User;
use steward_store::Table;

use super::form::{self, FormErrors, named, text};
use super::session::Posted;
use super::{Chrome, UiError, UiResult, Viewer, record_href, render, see_other, span};
use crate::api::{create, modify};
use crate::auth::Ctx;
use crate::error::ApiError;

/// What a queue row shows of an incident or a request.
pub trait TicketRecord: Table {
    fn title(&self) -> &str;
    fn priority(&self) -> Priority;
    fn status(&self) -> &'static str;
    fn service(&self) -> Option<ServiceId>;
    fn assignee(&self) -> Option<UserId>;
    fn team(&self) -> Option<TeamId>;
    fn updated(&self) -> DateTime<Utc>;
}

/// Incidents and requests show the same columns; only where the service lives differs.
macro_rules! ticket_record {
    ($t:ty, |$r:ident| $service:expr) => {
        impl TicketRecord for $t {
            fn title(&self) -> &str {
                &self.title
            }
            fn priority(&self) -> Priority {
                self.priority
            }
            fn status(&self) -> &'static str {
                self.status.as_str()
            }
            fn service(&self) -> Option<ServiceId> {
                let $r = self;
                $service
            }
            fn assignee(&self) -> Option<UserId> {
                self.assignee
            }
            fn team(&self) -> Option<TeamId> {
                self.team
            }
            fn updated(&self) -> DateTime<Utc> {
                self.updated_at
            }
        }
    };
}

ticket_record!(Incident, |r| r.service);
ticket_record!(Request, |r| Some(r.service));

/// How close a ticket is to its first running clock's target.
pub struct Due {
    pub text: String,
    /// `due-breached`, `due-soon` (within four hours) or `due-ok`; empty with no running clock.
    pub class: &'static str,
}

impl Due {
    pub fn of(clocks: &[ClockView], now: DateTime<Utc>) -> Due {
        let first = clocks
            .iter()
            .filter_map(|c| c.due_at.map(|d| (d, c.metric)))
            .min_by_key(|(d, _)| *d);
        match first {
            None => Due {
                text: "—".into(),
                class: "",
            },
            Some((due, metric)) => {
                let left = (due - now).num_microseconds().unwrap_or(i64::MAX);
                if left < 0 {
                    Due {
                        text: format!("{metric} breached {} ago", span(left)),
                        class: "due-breached",
                    }
                } else {
                    Due {
                        text: format!("{metric} due in {}", span(left)),
                        class: if left < 4 * 3_600_000_000 { "due-soon" } else { "due-ok" },
                    }
                }
            }
        }
    }
}

pub struct Row {
    pub reference: String,
    pub href: String,
    pub title: String,
    pub priority: String,
    pub priority_class: String,
    pub status: String,
    pub service: String,
    pub assignee: String,
    pub team: String,
    pub due: Due,
    pub updated: String,
}

/// Names of the people, teams and services a page of records refers to: three statements.
#[derive(Default)]
pub struct Names {
    pub users: HashMap<i64, String>,
    pub teams: HashMap<i64, String>,
    pub services: HashMap<i64, String>,
}

impl Names {
    pub async fn load(ctx: &Ctx, users: &[i64], teams: &[i64], services: &[i64]) -> Result<Names, ApiError> {
        Ok(Names {
            users: names::<User>(ctx, users, |u| u.name).await?,
            teams: names::<Team>(ctx, teams, |t| t.name).await?,
            services: names::<Service>(ctx, services, |s| s.name).await?,
        })
    }

    fn of(map: &HashMap<i64, String>, id: Option<i64>) -> String {
        match id {
            None => "—".into(),
            Some(id) => map.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
        }
    }
    pub fn user(&self, id: Option<UserId>) -> String {
        Self::of(&self.users, id.map(|u| u.0))
    }
    pub fn team(&self, id: Option<TeamId>) -> String {
        Self::of(&self.teams, id.map(|t| t.0))
    }
    pub fn service(&self, id: Option<ServiceId>) -> String {
        Self::of(&self.services, id.map(|s| s.0))
    }
}

/// The names of the records with these ids: one statement.
async fn names<T: Table>(ctx: &Ctx, ids: &[i64], name: impl Fn(T) -> String) -> Result<HashMap<i64, String>, ApiError> {
    Ok(ctx
        .state
        .store
        .get_many::<T>(ids)
        .await?
        .into_iter()
        .map(|r| (r.id(), name(r)))
        .collect())
}

/// Rows for a page of tickets, with their clocks and names in a fixed number of statements.
pub async fn rows<T: TicketRecord>(ctx: &Ctx, items: Vec<T>) -> Result<Vec<Row>, ApiError> {
    let ids: Vec<i64> = items.iter().map(|t| t.id()).collect();
    let mut clocks = ctx
        .state
        .store
        .clock_views(T::KIND, &ids, ctx.now.timestamp_micros())
        .await?;
    let users: Vec<i64> = items.iter().filter_map(|t| t.assignee().map(|u| u.0)).collect();
    let teams: Vec<i64> = items.iter().filter_map(|t| t.team().map(|u| u.0)).collect();
    let services: Vec<i64> = items.iter().filter_map(|t| t.service().map(|u| u.0)).collect();
    let names = Names::load(ctx, &users, &teams, &services).await?;
    Ok(items
        .into_iter()
        .map(|t| {
            let c = clocks.remove(&t.id()).unwrap_or_default();
            Row {
                reference: format!("{}-{}", T::KIND.prefix(), t.id()),
                href: record_href(T::KIND, t.id()),
                title: t.title().to_string(),
                priority: t.priority().to_string(),
                priority_class: t.priority().to_string().to_lowercase(),
                status: t.status().replace('_', " "),
                service: names.service(t.service()),
                assignee: names.user(t.assignee()),
                team: names.team(t.team()),
                due: Due::of(&c, ctx.now),
                updated: super::when(t.updated()),
            }
        })
        .collect())
}

/// A choice in a select list.
pub struct Choice {
    pub value: String,
    pub label: String,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Choice {
        Choice {
            value: value.into(),
            label: label.into(),
        }
    }
}

/// The lists a ticket form offers: services, catalogue items, teams, agents and active
/// suppliers.
pub struct Options {
    pub services: Vec<Choice>,
    pub items: Vec<Choice>,
    pub teams: Vec<Choice>,
    pub agents: Vec<Choice>,
    pub suppliers: Vec<Choice>,
}

/// The first 500 records of a small table (services, teams, people who work tickets).
pub(crate) async fn all<T: Table>(
    ctx: &Ctx,
    any_of: Vec<(&'static str, Vec<steward_store::exec::Arg>)>,
) -> Result<Vec<T>, ApiError> {
    let q = steward_store::ListQuery {
        any_of,
        sort: steward_store::Sort {
            column: "created_at",
            descending: false,
        },
        limit: steward_store::MAX_LIMIT,
        ..Default::default()
    };
    Ok(ctx.state.store.list::<T>(&q).await?.items)
}

impl Options {
    pub async fn load(ctx: &Ctx) -> Result<Options, ApiError> {
        let services: Vec<Service> = all(ctx, vec![]).await?;
        let items: Vec<CatalogueItem> = all(ctx, vec![]).await?;
        let teams: Vec<Team> = all(ctx, vec![]).await?;
        let staff = ["agent", "manager", "admin"]
            .iter()
            .map(|r| steward_store::exec::Arg::from(r.to_string()))
            .collect();
        let agents: Vec<User> = all(ctx, vec![("role", staff), ("active", vec![true.into()])]).await?;
        let suppliers: Vec<Supplier> = all(ctx, vec![("active", vec![true.into()])]).await?;
        let service_name: HashMap<i64, &str> = services.iter().map(|s| (s.id.0, s.name.as_str())).collect();
        Ok(Options {
            items: items
                .iter()
                .map(|i| {
                    let service = service_name.get(&i.service.0).copied().unwrap_or("");
                    Choice::new(i.id.to_string(), format!("{} ({service})", i.name))
                })
                .collect(),
            services: services
                .iter()
                .map(|s| Choice::new(s.id.to_string(), &s.name))
                .collect(),
            teams: teams.iter().map(|t| Choice::new(t.id.to_string(), &t.name)).collect(),
            agents: agents.iter().map(|u| Choice::new(u.id.to_string(), &u.name)).collect(),
            suppliers: suppliers
                .iter()
                .map(|s| Choice::new(s.id.to_string(), &s.name))
                .collect(),
        })
    }
}

pub fn levels() -> Vec<Choice> {
    ["high", "medium", "low"]
        .into_iter()
        .map(|l| Choice::new(l, l))
        .collect()
}

/// The values of a ticket form as typed, so a refused form comes back as it was.
#[derive(Debug, Default, Deserialize)]
pub struct TicketForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub catalogue_item: String,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub urgency: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub team: String,
    /// The supplier the ticket is handed to (a supplier reference).
    #[serde(default)]
    pub supplier: String,
    /// Who the ticket is for (a user reference); a requester's own tickets are always theirs.
    #[serde(default)]
    pub caller: String,
    /// `on` when the incident is a security incident (a checkbox).
    #[serde(default)]
    pub security: String,
}

#[derive(Template)]
#[template(path = "ticket/new.html")]
pub struct NewTicketPage {
    pub chrome: Chrome,
    /// `incident` or `request`.
    pub kind: &'static str,
    pub action: String,
    pub form: TicketForm,
    pub errors: FormErrors,
    pub options: Options,
    pub levels: Vec<Choice>,
    /// A requester's form: no triage fields.
    pub portal: bool,
    /// The published articles that may answer the title typed (redrawn as it is typed).
    pub suggestions: Vec<super::knowledge::Suggestion>,
}

pub async fn new_ticket_page(
    viewer: &Viewer,
    kind: &'static str,
    form: TicketForm,
    errors: FormErrors,
    portal: bool,
) -> UiResult<Response> {
    let record = if kind == "incident" {
        RecordKind::Incident
    } else {
        RecordKind::Request
    };
    steward_core::access::authorize(&viewer.ctx.actor, record, steward_core::access::Operation::Create)?;
    let status = errors.status();
    let suggestions = if form.title.trim().is_empty() {
        Vec::new()
    } else {
        super::knowledge::suggestions_for(&viewer.ctx, &form.title).await?
    };
    let page = NewTicketPage {
        chrome: viewer.chrome(if portal { "raise" } else { "new" }),
        kind,
        action: if portal {
            "/portal/raise".into()
        } else {
            format!("/{kind}s/new")
        },
        form,
        errors,
        options: Options::load(&viewer.ctx).await?,
        levels: levels(),
        portal,
        suggestions,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn new_incident_page(viewer: Viewer) -> UiResult<Response> {
    new_ticket_page(
        &viewer,
        "incident",
        TicketForm {
            impact: "medium".into(),
            urgency: "medium".into(),
            ..TicketForm::default()
        },
        FormErrors::default(),
        false,
    )
    .await
}

pub async fn new_request_page(viewer: Viewer) -> UiResult<Response> {
    new_ticket_page(
        &viewer,
        "request",
        TicketForm {
            impact: "medium".into(),
            urgency: "medium".into(),
            ..TicketForm::default()
        },
        FormErrors::default(),
        false,
    )
    .await
}

/// Creates an incident or a request from a form; `Err(Ok(errors))` gives the form back.
pub async fn create_ticket(
    viewer: &Viewer,
    kind: &'static str,
    form: &TicketForm,
) -> Result<String, Result<FormErrors, UiError>> {
    let ctx = &viewer.ctx;
    let mut e = FormErrors::default();
    let service: Option<ServiceId> = form::reference(&mut e, "service", &form.service, RecordKind::Service);
    let impact: Option<Impact> = named(&mut e, "impact", &form.impact);
    let urgency: Option<Urgency> = named(&mut e, "urgency", &form.urgency);
    let assignee: Option<UserId> = form::reference(&mut e, "assignee", &form.assignee, RecordKind::User);
    let team: Option<TeamId> = form::reference(&mut e, "team", &form.team, RecordKind::Team);
    let item: Option<CatalogueItemId> = form::reference(
        &mut e,
        "catalogue_item",
        &form.catalogue_item,
        RecordKind::CatalogueItem,
    );
    let mut caller: Option<UserId> = form::reference(&mut e, "caller", &form.caller, RecordKind::User);
    if kind == "request" && form.security == "on" {
        e.fail(
            "security",
            "only something broken or not working is reported as a security incident, not a catalogue request",
        );
    }
    if kind == "request" && item.is_none() && e.of("catalogue_item").is_none() {
        e.fail("catalogue_item", "choose what you are asking for");
    }
    if form.title.trim().is_empty() {
        e.fail("title", "must not be blank");
    }
    if e.any() {
        return Err(Ok(e));
    }
    let outcome = async {
        let rules = ctx.state.store.priority_rules().await?;
        let matrix = &rules.standard;
        let triage = [("assignee", assignee.is_some()), ("team", team.is_some())];
        crate::api::incident::requester_limits(ctx, &mut caller, "caller", &triage)?;
        let organisation = crate::api::incident::organisation_of(ctx, "caller", caller).await?;
        if kind == "incident" {
            let input = NewIncident {
                title: form.title.clone(),
                description: text(&form.description),
                service,
                configuration_item: None,
                caller,
                impact,
                urgency,
                major: None,
                security: Some(form.security == "on"),
                category: text(&form.category),
                subcategory: None,
                assignee,
                team,
                supplier: None,
            };
            let incident = Incident::create(input, organisation, &rules, ctx.now)?;
            let (_, axum::Json(saved)) = create(ctx, incident).await?;
            Ok::<String, ApiError>(record_href(RecordKind::Incident, saved.id()))
        } else {
            let item = item.ok_or_else(|| Error::invalid("catalogue_item", "choose what you are asking for"))?;
            let found: CatalogueItem = ctx
                .state
                .store
                .get(item.0)
                .await?
                .filter(|i: &CatalogueItem| i.active)
                .ok_or_else(|| Error::invalid("catalogue_item", format!("{item} is not an active catalogue item")))?;
            let input = NewRequest {
                title: form.title.clone(),
                description: text(&form.description),
                catalogue_item: item,
                requested_for: caller,
                impact,
                urgency,
                category: text(&form.category),
                subcategory: None,
                assignee,
                team,
                supplier: None,
            };
            let request = Request::create(input, found.service, organisation, matrix, ctx.now)?;
            let (_, axum::Json(saved)) = create(ctx, request).await?;
            Ok(record_href(RecordKind::Request, saved.id()))
        }
    }
    .await;
    match outcome {
        Ok(href) => Ok(href),
        Err(ApiError::Domain(Error::Invalid(fields))) => Err(Ok(FormErrors(fields))),
        Err(other) => Err(Err(other.into())),
    }
}

async fn create_kind(posted: Posted<TicketForm>, kind: &'static str) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    match create_ticket(&viewer, kind, &form).await {
        Ok(href) => Ok(see_other(&href)),
        Err(Ok(errors)) => new_ticket_page(&viewer, kind, form, errors, false).await,
        Err(Err(e)) => Err(e),
    }
}

pub async fn create_incident(posted: Posted<TicketForm>) -> UiResult<Response> {
    create_kind(posted, "incident").await
}

pub async fn create_request(posted: Posted<TicketForm>) -> UiResult<Response> {
    create_kind(posted, "request").await
}

/// Edits an incident or a request: the fields of the edit form.
pub async fn update(uri: axum::http::Uri, posted: Posted<TicketForm>) -> UiResult<Response> {
    let (kind, reference) = super::posted_to(uri.path(), &[RecordKind::Incident, RecordKind::Request])?;
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let mut e = FormErrors::default();
    let service: Option<ServiceId> = form::reference(&mut e, "service", &form.service, RecordKind::Service);
    let impact: Option<Impact> = named(&mut e, "impact", &form.impact);
    let urgency: Option<Urgency> = named(&mut e, "urgency", &form.urgency);
    let assignee: Option<UserId> = form::reference(&mut e, "assignee", &form.assignee, RecordKind::User);
    let team: Option<TeamId> = form::reference(&mut e, "team", &form.team, RecordKind::Team);
    let supplier: Option<SupplierId> = form::reference(&mut e, "supplier", &form.supplier, RecordKind::Supplier);
    e.finish()?;
    let rules = ctx.state.store.priority_rules().await?;
    let matrix = &rules.standard;
    let category = Some(text(&form.category));
    if kind == RecordKind::Incident {
        let patch = IncidentPatch {
            title: Some(form.title.clone()),
            description: Some(form.description.clone()),
            service: Some(service),
            impact,
            urgency,
            category,
            assignee: Some(assignee),
            team: Some(team),
            supplier: Some(supplier),
            security: Some(form.security == "on"),
            ..IncidentPatch::default()
        };
        modify(ctx, &reference, HistoryAction::Update, |i: &mut Incident| {
            crate::api::incident::may_reclassify(&ctx.actor, i, &patch)?;
            i.apply_patch(patch, &rules)
        })
        .await
        .map(drop)?;
    } else {
        let patch = RequestPatch {
            title: Some(form.title.clone()),
            description: Some(form.description.clone()),
            impact,
            urgency,
            category,
            assignee: Some(assignee),
            team: Some(team),
            supplier: Some(supplier),
            ..RequestPatch::default()
        };
        modify(ctx, &reference, HistoryAction::Update, |r: &mut Request| {
            r.apply_patch(patch, matrix)
        })
        .await
        .map(drop)?;
    }
    Ok(see_other(&format!("{}#fields", uri.path().trim_end_matches("/edit"))))
}

#[derive(Deserialize)]
pub struct AssignForm {}

/// Takes an incident, a request, a problem or a change: the person becomes its assignee.
pub async fn assign_to_me(uri: axum::http::Uri, posted: Posted<AssignForm>) -> UiResult<Response> {
    let kinds = [
        RecordKind::Incident,
        RecordKind::Request,
        RecordKind::Problem,
        RecordKind::Change,
    ];
    let (kind, reference) = super::posted_to(uri.path(), &kinds)?;
    let ctx = &posted.viewer.ctx;
    let me = Some(ctx.actor.user);
    let rules = ctx.state.store.priority_rules().await?;
    let matrix = &rules.standard;
    let (r, action) = (reference.as_str(), HistoryAction::Update);
    match kind {
        RecordKind::Incident => {
            let patch = IncidentPatch {
                assignee: Some(me),
                ..IncidentPatch::default()
            };
            modify(ctx, r, action, |i: &mut Incident| i.apply_patch(patch, &rules))
                .await
                .map(drop)?;
        }
        RecordKind::Request => {
            let patch = RequestPatch {
                assignee: Some(me),
                ..RequestPatch::default()
            };
            modify(ctx, r, action, |q: &mut Request| q.apply_patch(patch, matrix))
                .await
                .map(drop)?;
        }
        RecordKind::Problem => {
            let patch = steward_core::problem::ProblemPatch {
                assignee: Some(me),
                ..Default::default()
            };
            modify(ctx, r, action, |p: &mut steward_core::problem::Problem| {
                p.apply_patch(patch, matrix)
            })
            .await
            .map(drop)?;
        }
        _ => {
            let patch = steward_core::change::ChangePatch {
                assignee: Some(me),
                ..Default::default()
            };
            modify(ctx, r, action, |c: &mut steward_core::change::Change| {
                c.apply_patch(patch)
            })
            .await
            .map(drop)?;
        }
    }
    Ok(see_other(uri.path().trim_end_matches("/assign-to-me")))
}

#[derive(Debug, Default, Deserialize)]
pub struct TransitionForm {
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub pending_reason: String,
    #[serde(default)]
    pub resolution_code: String,
    #[serde(default)]
    pub notes: String,
}

/// Moves an incident or a request to another state, with what that state needs.
pub async fn transition(uri: axum::http::Uri, posted: Posted<TransitionForm>) -> UiResult<Response> {
    let (kind, reference) = super::posted_to(uri.path(), &[RecordKind::Incident, RecordKind::Request])?;
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let now = ctx.now;
    let mut e = FormErrors::default();
    let pending_reason: Option<PendingReason> = named(&mut e, "pending_reason", &form.pending_reason);
    let resolution_code: Option<ResolutionCode> = named(&mut e, "resolution_code", &form.resolution_code);
    e.finish()?;
    let notes = text(&form.notes);
    if kind == RecordKind::Incident {
        let t = IncidentTransition {
            to: form.to.clone(),
            pending_reason,
            resolution_code,
            resolution_notes: notes,
        };
        modify(ctx, &reference, HistoryAction::Transition, |i: &mut Incident| {
            i.transition(t, now)
        })
        .await
        .map(drop)?;
    } else {
        let t = RequestTransition {
            to: form.to.clone(),
            pending_reason,
            fulfilment_notes: notes,
        };
        modify(ctx, &reference, HistoryAction::Transition, |r: &mut Request| {
            r.transition(t, now)
        })
        .await
        .map(drop)?;
    }
    Ok(see_other(uri.path().trim_end_matches("/transition")))
}

/// The moves a ticket may make now, for the transition form.
pub fn next_states<S: Lifecycle>(status: S) -> Vec<Choice> {
    status
        .allowed_next()
        .iter()
        .map(|s| Choice::new(s.as_str(), s.as_str().replace('_', " ")))
        .collect()
}

pub fn pending_reasons() -> Vec<Choice> {
    PendingReason::ALL
        .iter()
        .map(|r| Choice::new(r.as_str(), r.as_str().replace('_', " ")))
        .collect()
}

pub fn resolution_codes() -> Vec<Choice> {
    ResolutionCode::ALL
        .iter()
        .map(|r| Choice::new(r.as_str(), r.as_str().replace('_', " ")))
        .collect()
}
