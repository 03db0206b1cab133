//! The agent console's queue: incidents or requests as a view (mine, my team's, unassigned,
//! breaching soon, all) with filters, sort, keyset paging and saved views. Every view reads one
//! index range: the open states of a queue are few however many tickets are closed.

use askama::Template;
use axum::extract::{Path, RawQuery};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_core::Error;
use steward_core::id::TeamId;
use steward_core::incident::Incident;
use steward_core::request::Request;
use steward_store::exec::Arg;
use steward_store::{ListQuery, SavedView, Sort};

use super::session::Posted;
use super::ticket::{Choice, Row, TicketRecord, rows};
use super::{Chrome, UiResult, Viewer, render, see_other, urlencode};
use crate::api::list_all;
use crate::error::ApiError;

/// How far ahead "breaching soon" looks.
const SOON_HOURS: i64 = 4;
const PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct QueueParams {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    view: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    team: Option<String>,
    #[serde(default)]
    sort: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
}

/// One queue as shown: its settings, its rows and the way to the next page.
pub struct QueueView {
    pub kind: &'static str,
    pub view: &'static str,
    pub status: String,
    pub priority: String,
    pub team: String,
    pub sort: &'static str,
    pub rows: Vec<Row>,
    pub next: Option<String>,
    pub note: Option<String>,
    /// The query string of this view without its cursor, to save or to link.
    pub query: String,
    pub teams: Vec<Choice>,
    pub statuses: Vec<Choice>,
}

impl QueueView {
    pub fn tab(&self, view: &str) -> String {
        format!("/queue?kind={}&view={view}", self.kind)
    }
    pub fn current(&self, view: &str) -> &'static str {
        if self.view == view { "page" } else { "false" }
    }
}

#[derive(Template)]
#[template(path = "queue/index.html")]
struct QueuePage {
    chrome: Chrome,
    q: QueueView,
    views: Vec<SavedView>,
}

#[derive(Template)]
#[template(path = "queue/index.html", block = "results")]
struct QueueResults {
    q: QueueView,
}

const VIEWS: [&str; 5] = ["mine", "team", "unassigned", "breaching", "all"];
/// The sorts a queue offers, each with an index for every view.
const SORTS: [(&str, &str); 3] = [
    ("due", "sla_due_at"),
    ("updated", "-updated_at"),
    ("priority", "priority"),
];

fn pick<'a>(options: &[&'a str], given: Option<&str>, default: &'a str) -> Result<&'a str, ApiError> {
    match given.filter(|g| !g.is_empty()) {
        None => Ok(default),
        Some(g) => options.iter().copied().find(|o| *o == g).ok_or_else(|| {
            ApiError::BadQuery(format!(
                "this queue has no '{}'; choose one of {}",
                g.chars().take(30).collect::<String>(),
                options.join(", ")
            ))
        }),
    }
}

pub async fn queue_page(viewer: Viewer, headers: HeaderMap, RawQuery(raw): RawQuery) -> UiResult<Response> {
    let p: QueueParams = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::BadQuery(format!("the queue's address is not one Steward made: {e}")))?;
    let ctx = &viewer.ctx;
    let kind = pick(&["incidents", "requests"], p.kind.as_deref(), "incidents")?;
    let view = pick(&VIEWS, p.view.as_deref(), "mine")?;
    let default_sort = if view == "all" { "updated" } else { "due" };
    let sort_names: Vec<&str> = SORTS.iter().map(|(n, _)| *n).collect();
    let sort = pick(&sort_names, p.sort.as_deref(), default_sort)?;
    let status = p
        .status
        .clone()
        .unwrap_or_else(|| if view == "all" { "any".into() } else { "open".into() });
    let statuses = [
        "open",
        "any",
        "new",
        "in_progress",
        "pending",
        if kind == "incidents" { "resolved" } else { "fulfilled" },
        "closed",
        "cancelled",
    ];
    pick(&statuses, Some(&status), "open")?;
    let priority = p.priority.clone().unwrap_or_default();
    pick(&["", "P1", "P2", "P3", "P4", "P5"], Some(&priority), "")?;

    let my_teams = ctx.state.store.teams_of(ctx.actor.user).await?;
    let team_names =
        super::ticket::Names::load(ctx, &[], &my_teams.iter().map(|t| t.0).collect::<Vec<_>>(), &[]).await?;
    let teams: Vec<Choice> = my_teams
        .iter()
        .map(|t| Choice {
            value: t.to_string(),
            label: team_names.team(Some(*t)),
        })
        .collect();

    let mut q = ListQuery {
        limit: PAGE,
        cursor: p.cursor.clone().filter(|c| !c.is_empty()),
        ..ListQuery::default()
    };
    let sort_spec = SORTS
        .iter()
        .find(|(n, _)| *n == sort)
        .map(|(_, s)| *s)
        .unwrap_or("sla_due_at");
    q.sort = match sort_spec.strip_prefix('-') {
        Some(c) => Sort {
            column: static_column(c),
            descending: true,
        },
        None => Sort {
            column: static_column(sort_spec),
            descending: false,
        },
    };
    let mut note = None;
    let mut team = p.team.clone().unwrap_or_default();
    match view {
        "mine" => q.filters.push(("assignee_id", Arg::from(ctx.actor.user.0))),
        "team" => {
            let chosen = if team.is_empty() {
                my_teams.first().copied()
            } else {
                Some(
                    team.parse::<TeamId>()
                        .map_err(|_| Error::invalid("team", "must be a team reference such as TEAM-1"))?,
                )
            };
            match chosen {
                Some(t) => {
                    team = t.to_string();
                    q.filters.push(("team_id", Arg::from(t.0)));
                }
                None => {
                    note = Some("You are in no team yet, so there is no team queue to show.".to_string());
                    q.any_of.push(("id", vec![]));
                }
            }
        }
        "unassigned" => q.absent.push("assignee_id"),
        "breaching" => {
            let soon = ctx.now.timestamp_micros() + SOON_HOURS * 3_600_000_000;
            q.below = Some(("sla_due_at", soon));
        }
        _ => {}
    }
    match status.as_str() {
        "any" => {}
        "open" => q.any_of.push((
            "status",
            ["new", "in_progress", "pending"]
                .iter()
                .map(|s| Arg::from(s.to_string()))
                .collect(),
        )),
        s => q.filters.push(("status", Arg::from(s.to_string()))),
    }
    if !priority.is_empty() {
        let n: i64 = priority[1..].parse().unwrap_or(3);
        q.filters.push(("priority", Arg::from(n)));
    }
    let (rows, next) = if kind == "incidents" {
        page::<Incident>(&viewer, q).await?
    } else {
        page::<Request>(&viewer, q).await?
    };
    let mut query = format!("kind={kind}&view={view}&status={status}&sort={sort}");
    if !priority.is_empty() {
        query.push_str(&format!("&priority={priority}"));
    }
    if view == "team" && !team.is_empty() {
        query.push_str(&format!("&team={}", urlencode(&team)));
    }
    let next = next.map(|c| format!("/queue?{query}&cursor={}", urlencode(&c)));
    let q = QueueView {
        kind,
        view,
        status,
        priority,
        team,
        sort,
        rows,
        next,
        note,
        query,
        teams,
        statuses: statuses
            .iter()
            .map(|s| Choice {
                value: s.to_string(),
                label: s.replace('_', " "),
            })
            .collect(),
    };
    if super::is_htmx(&headers) && headers.get("HX-Target").is_some_and(|t| t == "queue-results") {
        return Ok(render(&QueueResults { q }));
    }
    let views = ctx.state.store.saved_views(ctx.actor.user).await?;
    Ok(render(&QueuePage {
        chrome: viewer.chrome("queue"),
        q,
        views,
    })
    .into_response())
}

fn static_column(c: &str) -> &'static str {
    match c {
        "updated_at" => "updated_at",
        "priority" => "priority",
        _ => "sla_due_at",
    }
}

async fn page<T: TicketRecord>(viewer: &Viewer, q: ListQuery) -> Result<(Vec<Row>, Option<String>), ApiError> {
    let axum::Json(page) = list_all::<T>(&viewer.ctx, q).await?;
    Ok((rows(&viewer.ctx, page.items).await?, page.next_cursor))
}

#[derive(Deserialize)]
pub struct SaveViewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
}

/// Saves the queue as it is shown under a name of the person's choosing.
pub async fn save_view(posted: Posted<SaveViewForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let name = form.name.trim();
    let mut c = steward_core::validate::Checker::new();
    c.line("name", name, steward_core::validate::NAME_MAX);
    if serde_urlencoded::from_str::<QueueParams>(&form.query).is_err() || form.query.len() > 2000 {
        c.fail("query", "is not a queue view");
    }
    c.finish()?;
    let query = form
        .query
        .split('&')
        .filter(|kv| !kv.starts_with("cursor="))
        .collect::<Vec<_>>()
        .join("&");
    viewer
        .ctx
        .state
        .store
        .save_view(viewer.ctx.actor.user, name, &query, viewer.ctx.now)
        .await?;
    Ok(see_other(&format!("/queue?{query}")))
}

#[derive(Deserialize)]
pub struct DeleteViewForm {}

pub async fn delete_view(Path(id): Path<String>, posted: Posted<DeleteViewForm>) -> UiResult<Response> {
    let ctx = &posted.viewer.ctx;
    let id: i64 = id.parse().map_err(|_| ApiError::RouteNotFound)?;
    if !ctx.state.store.delete_saved_view(ctx.actor.user, id).await? {
        return Err(Error::not_found("saved view", id).into());
    }
    Ok(see_other("/queue"))
}
