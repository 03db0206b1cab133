//! `/api/v1/search`: full-text search over incidents, requests, problems, changes,
//! configuration items and knowledge articles, ranked, with the caller's visibility applied in
//! the same query.

use serde::Deserialize;
use steward_core::access::Scope;
use steward_core::article::{Article, ArticleStatus};
use steward_core::search::{SearchHit, kinds, suggestion_terms, terms};
use steward_store::SearchQuery;

use super::prelude::*;

/// Query of a search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find (every one must match; the last also as a prefix), or a reference such as `INC-42`.
    pub q: String,
    /// Comma-separated kinds: incident, request, problem, change, configuration_item, article; all by default.
    #[serde(default)]
    pub kind: Option<String>,
    /// 1 to 100; 20 by default.
    #[serde(default)]
    pub limit: Option<u32>,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

/// The best matches first. A requester finds only their organisation's incidents and requests
/// and the articles published for customers.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = ListOf<SearchHit>), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn search(ctx: Ctx, ApiQuery(p): ApiQuery<SearchParams>) -> ApiResult<Json<ListOf<SearchHit>>> {
    let limit = match p.limit {
        None => 20,
        Some(n) if (1..=100).contains(&n) => n,
        Some(_) => return Err(ApiError::BadQuery("limit must be between 1 and 100".into())),
    };
    Ok(Json(ListOf {
        items: find(&ctx, &p.q, p.kind.as_deref(), limit).await?,
        next_cursor: None,
    }))
}

/// Each kind the caller may read, with how far that reaches.
fn reach(ctx: &Ctx, kinds: Vec<RecordKind>) -> Vec<(RecordKind, Scope)> {
    kinds
        .into_iter()
        .filter_map(|k| authorize(&ctx.actor, k, Operation::Read).ok().map(|s| (k, s)))
        .collect()
}

/// The store's search for these words within the caller's reach.
fn query<'a>(
    ctx: &Ctx,
    reach: &[(RecordKind, Scope)],
    allowed: &'a [RecordKind],
    words: &'a [String],
    match_any: bool,
    limit: u32,
) -> SearchQuery<'a> {
    SearchQuery {
        terms: words,
        kinds: allowed,
        organisation: reach.iter().find_map(|(_, s)| match s {
            Scope::Organisation(o) => Some(*o),
            _ => None,
        }),
        published_only: reach.iter().any(|(_, s)| *s == Scope::Published),
        uncleared_viewer: (!ctx.actor.cleared).then_some(ctx.actor.user),
        match_any,
        limit,
    }
}

/// The hits for `q` that the caller may see, an exact reference first (the API and the web
/// interface's search both ask this).
pub(crate) async fn find(ctx: &Ctx, q: &str, kind: Option<&str>, limit: u32) -> ApiResult<Vec<SearchHit>> {
    let reach = reach(ctx, kinds(kind)?);
    let allowed: Vec<RecordKind> = reach.iter().map(|(k, _)| *k).collect();
    let mut items = Vec::new();
    // A reference finds its record first, if the caller may see it.
    if let Some((kind, id)) = RecordKind::parse_reference(q.trim())
        && let Some(&(_, scope)) = reach.iter().find(|(k, _)| *k == kind)
        && let Some(located) = ctx.state.store.locate(kind, id).await?
        && match scope {
            // Only articles are published to customers.
            Scope::Published => ctx
                .state
                .store
                .get::<Article>(id)
                .await?
                .is_some_and(|a| steward_core::record::Record::published(&a)),
            _ => scope.covers(located.organisation),
        }
        && ctx.actor.knows(located.need_to_know.as_ref())
    {
        let title = ctx.state.store.search_title(kind, id).await?.unwrap_or_default();
        items.push(SearchHit {
            reference: format!("{}-{id}", kind.prefix()),
            kind,
            title,
            snippet: String::new(),
            score: 0.0,
        });
    }
    let words = terms(q)?;
    let found = ctx
        .state
        .store
        .search(&query(ctx, &reach, &allowed, &words, false, limit))
        .await?;
    // An exact reference ranks above every word match.
    let best = found.iter().map(|h| h.score).fold(0.0, f64::max);
    if let Some(exact) = items.first_mut() {
        exact.score = (best + 1.0).round();
    }
    for hit in found {
        if items.len() >= limit as usize {
            break;
        }
        if !items.iter().any(|h: &SearchHit| h.reference == hit.reference) {
            items.push(hit);
        }
    }
    Ok(items)
}

/// The published articles the caller may read whose words best match what is being typed (the
/// title of a ticket being raised), best first: any one word is enough. Nothing typed that says
/// what the ticket is about suggests nothing.
pub(crate) async fn suggest(ctx: &Ctx, typed: &str, limit: u32) -> ApiResult<Vec<Article>> {
    let words = suggestion_terms(typed);
    let reach = reach(ctx, vec![RecordKind::Article]);
    if words.is_empty() || reach.is_empty() {
        return Ok(Vec::new());
    }
    let allowed = [RecordKind::Article];
    // Staff also find drafts and retired articles, which are no answer to give: ask for more
    // than are shown, then keep the published ones in rank order.
    let found = ctx
        .state
        .store
        .search(&query(ctx, &reach, &allowed, &words, true, limit.saturating_mul(3)))
        .await?;
    let mut articles = articles_of(ctx, &found, |a| a.status == ArticleStatus::Published).await?;
    articles.truncate(limit as usize);
    Ok(articles)
}

/// The articles behind search hits that pass `keep`, in the hits' order (one read for all).
pub(crate) async fn articles_of(
    ctx: &Ctx,
    hits: &[SearchHit],
    keep: impl Fn(&Article) -> bool,
) -> ApiResult<Vec<Article>> {
    let ranked: Vec<i64> = hits
        .iter()
        .filter(|h| h.kind == RecordKind::Article)
        .filter_map(|h| RecordKind::parse_reference(&h.reference).map(|(_, id)| id))
        .collect();
    let mut found: Vec<Article> = ctx
        .state
        .store
        .get_many::<Article>(&ranked)
        .await?
        .into_iter()
        .filter(|a| keep(a))
        .collect();
    found.sort_by_key(|a| ranked.iter().position(|id| *id == a.id.0));
    Ok(found)
}
