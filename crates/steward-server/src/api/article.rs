//! `/api/v1/articles`: the knowledge base (7.6). Staff read every article and agents, managers
//! and administrators write them; a requester reads, finds and votes on only the articles
//! published for customers. An article is drafted, published (with the day by which it is
//! checked again), reviewed (`…/review`) and retired; readers say whether it helped
//! (`…/votes`).

use steward_core::access::authorize_vote;
use steward_core::article::{
    Article, ArticlePatch, ArticleReview, ArticleStatus, ArticleTransition, Audience, NewArticle, NewVote, Vote,
};
use steward_core::id::{ServiceId, UserId};

use super::check_limit;
use super::prelude::*;
use steward_core::Error;

list_query! {
    /// Filters for articles.
    ArticleQuery {
        status: ArticleStatus => "status",
        audience: Audience => "audience",
        service: ServiceId => "service_id",
        owner: UserId => "owner_id",
    }
    sorts: ["updated_at", "created_at"]
}

record_routes! {
    record: Article, tag: "knowledge", example: "e.g. KB-3",
    list: list_articles(ArticleQuery) at "/api/v1/articles",
    create: create_article(NewArticle) as |ctx, input| Article::create(input, ctx.actor.user, ctx.now),
    get: get_article at "/api/v1/articles/{reference}",
    update: update_article(ArticlePatch),
    history: article_history at "/api/v1/articles/{reference}/history",
}

pub fn routes() -> OpenApiRouter<AppState> {
    record_routes()
        .routes(routes!(transition_article))
        .routes(routes!(review_article))
        .routes(routes!(list_votes, vote_on_article))
}

/// Moves an article: `published` (its next review must be set, not past and at most two years
/// ahead), back to `draft` while it is rewritten, or `retired`; a retired article can be taken
/// up again as a draft.
#[utoipa::path(post, path = "/api/v1/articles/{reference}/transition", tag = "knowledge",
    params(("reference" = String, Path, description = "e.g. KB-3")), request_body = ArticleTransition,
    responses((status = 200, body = Article), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn transition_article(
    ctx: Ctx,
    _: May<Changing, Article>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(t): ApiJson<ArticleTransition>,
) -> ApiResult<Json<Article>> {
    let now = ctx.now;
    modify(&ctx, &reference, HistoryAction::Transition, |a: &mut Article| {
        a.transition(t, now)
    })
    .await
}

/// Records that the article's content was checked and is still correct (today if `held_on` is
/// absent), and when it is checked next (at most two years on). Each review is an entry of the
/// article's history.
#[utoipa::path(post, path = "/api/v1/articles/{reference}/review", tag = "knowledge",
    params(("reference" = String, Path, description = "e.g. KB-3")), request_body = ArticleReview,
    responses((status = 200, body = Article), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn review_article(
    ctx: Ctx,
    _: May<Changing, Article>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(r): ApiJson<ArticleReview>,
) -> ApiResult<Json<Article>> {
    review(&ctx, &reference, r).await
}

/// Records a review of an article.
pub(crate) async fn review(ctx: &Ctx, reference: &str, r: ArticleReview) -> ApiResult<Json<Article>> {
    let today = ctx.now.date_naive();
    modify(ctx, reference, HistoryAction::Update, |a: &mut Article| {
        a.review(r, today)
    })
    .await
}

/// The votes on an article, newest first, with what readers said was missing. For staff: a
/// requester may vote but not read the others' votes.
#[utoipa::path(get, path = "/api/v1/articles/{reference}/votes", tag = "knowledge",
    params(("reference" = String, Path, description = "e.g. KB-3"), PageQuery),
    responses((status = 200, body = ListOf<Vote>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_votes(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListOf<Vote>>> {
    authorize_vote(&ctx.actor, Operation::Read)?;
    let limit = check_limit(q.limit, 100)?;
    let article = read_one::<Article>(&ctx, &reference).await?;
    Ok(Json(
        ctx.state
            .store
            .votes(article.id, q.cursor.as_deref(), limit)
            .await?
            .into(),
    ))
}

/// Says whether the article helped: one vote per reader, and voting again replaces the earlier
/// vote. Anyone who may read the article may vote but auditors, who only look. A vote is not
/// an edit: it leaves the article's history and `updated_at` alone.
#[utoipa::path(post, path = "/api/v1/articles/{reference}/votes", tag = "knowledge",
    params(("reference" = String, Path, description = "e.g. KB-3")), request_body = NewVote,
    responses((status = 200, body = Article), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn vote_on_article(
    ctx: Ctx,
    ApiPath(reference): ApiPath<String>,
    ApiJson(v): ApiJson<NewVote>,
) -> ApiResult<Json<Article>> {
    vote(&ctx, &reference, v).await.map(Json)
}

/// Records a vote on an article the caller may read.
pub(crate) async fn vote(ctx: &Ctx, reference: &str, v: NewVote) -> ApiResult<Article> {
    authorize_vote(&ctx.actor, Operation::Create)?;
    let article = read_one::<Article>(ctx, reference).await?;
    if article.status != ArticleStatus::Published {
        return Err(Error::Conflict(format!(
            "{} is not published: only a published article is voted on",
            article.id
        ))
        .into());
    }
    let comment = v.checked_comment()?;
    Ok(ctx
        .state
        .store
        .vote(article.id, ctx.actor.user, v.helpful, comment, ctx.now)
        .await?)
}
