//! The knowledge base (7.6) in the web interface.
//!
//! - For staff, `/knowledge` lists and searches the articles (each with its audience, state,
//!   owner, next review and how often readers found it helpful) and holds the form to write one.
//!   `/articles/{reference}/edit` rewrites an article, publishes, withdraws or retires it,
//!   records its review, and shows what readers said when they voted.
//! - For customers, `/portal/articles` searches the articles published for them, and
//!   `/portal/articles/{reference}` reads one and asks whether it helped.
//! - For both, `/knowledge/suggestions` is the fragment the new-ticket form asks for as its
//!   title is typed: the published articles that may already answer it.
//!
//! Every read and write goes through the API's own helpers, so the access table and the
//! article's rules apply unchanged.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_core::Error;
use steward_core::access::{Operation, authorize};
use steward_core::article::{
    Article, ArticlePatch, ArticleReview, ArticleStatus, ArticleTransition, Audience, NewArticle, NewVote,
};
use steward_core::history::HistoryAction;
use steward_core::id::{ProblemId, ServiceId};
use steward_core::lifecycle::Lifecycle;
use steward_core::link::Endpoint;
use steward_core::problem::Problem;
use steward_core::record::{Record, RecordKind};
use steward_core::user::Role;
use steward_store::{ListQuery, Sort};

use super::form::{FormErrors, date, named, reference, required, required_date, text, written_or_redisplay};
use super::session::Posted;
use super::ticket::{Choice, Names, next_states};
use super::{Chrome, UiResult, Viewer, record_href, render, see_other, when};
use crate::api::{create, list_all, modify, read_one};
use crate::auth::Ctx;
use crate::error::ApiError;

/// Articles on one page of the staff list.
const PAGE: u32 = 50;
/// Articles suggested for a ticket being raised.
const SUGGESTED: u32 = 5;
/// Votes shown on an article's editor.
const VOTES_SHOWN: u32 = 20;

/// The article form as typed, so a refused form comes back as it was.
#[derive(Deserialize, Default)]
pub struct ArticleForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    keywords: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    next_review: String,
}

impl ArticleForm {
    fn of(a: &Article) -> ArticleForm {
        ArticleForm {
            title: a.title.clone(),
            body: a.body.clone(),
            keywords: a.keywords.clone().unwrap_or_default(),
            audience: a.audience.to_string(),
            service: a.service.map(|s| s.to_string()).unwrap_or_default(),
            next_review: a.next_review.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    /// The audience, service and next review typed, or their field errors.
    fn read(&self, e: &mut FormErrors) -> (Option<Audience>, Option<ServiceId>, Option<chrono::NaiveDate>) {
        (
            named(e, "audience", &self.audience),
            reference(e, "service", &self.service, RecordKind::Service),
            date(e, "next_review", &self.next_review),
        )
    }
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    cursor: Option<String>,
}

/// An article in a list.
pub struct Row {
    pub href: String,
    pub reference: String,
    pub title: String,
    pub audience: String,
    pub status: String,
    pub owner: String,
    pub service: String,
    pub next_review: String,
    pub review_due: bool,
    pub helpful: String,
}

#[derive(Template)]
#[template(path = "knowledge/index.html")]
struct KnowledgePage {
    chrome: Chrome,
    q: String,
    status: String,
    audience: String,
    statuses: Vec<Choice>,
    audiences: Vec<Choice>,
    services: Vec<Choice>,
    rows: Vec<Row>,
    /// The address of the next page of the list, when there is one.
    next: Option<String>,
    searched: bool,
    may_write: bool,
    form: ArticleForm,
    errors: FormErrors,
}

/// Who an article is written for, in words.
fn written_for(a: Audience) -> &'static str {
    match a {
        Audience::Agents => "staff only",
        Audience::Customers => "customers too",
    }
}

fn audiences() -> Vec<Choice> {
    Audience::ALL
        .iter()
        .map(|a| Choice::new(a.as_str(), written_for(*a)))
        .collect()
}

/// The services an article may be about, oldest first.
async fn services(ctx: &Ctx) -> Result<Vec<Choice>, ApiError> {
    let q = ListQuery {
        sort: Sort {
            column: "created_at",
            descending: false,
        },
        limit: steward_store::MAX_LIMIT,
        ..ListQuery::default()
    };
    let axum::Json(page) = list_all::<steward_core::service::Service>(ctx, q).await?;
    Ok(page
        .items
        .into_iter()
        .map(|s| Choice::new(s.id.to_string(), s.name))
        .collect())
}

/// The rows of a list of articles, with the names of their owners and services (one read each).
async fn rows(ctx: &Ctx, articles: &[Article]) -> Result<Vec<Row>, ApiError> {
    let owners: Vec<i64> = articles.iter().map(|a| a.owner.0).collect();
    let services: Vec<i64> = articles.iter().filter_map(|a| a.service.map(|s| s.0)).collect();
    let names = Names::load(ctx, &owners, &[], &services).await?;
    let today = ctx.now.date_naive();
    Ok(articles
        .iter()
        .map(|a| Row {
            href: record_href(RecordKind::Article, a.id.0),
            reference: a.id.to_string(),
            title: a.title.clone(),
            audience: written_for(a.audience).to_string(),
            status: a.status.to_string(),
            owner: names.user(Some(a.owner)),
            service: a.service.map(|s| names.service(Some(s))).unwrap_or_else(|| "—".into()),
            next_review: a.next_review.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            review_due: a.review_due(today),
            helpful: helpful(a),
        })
        .collect())
}

/// "3 of 4 (75 %)", or "no votes".
fn helpful(a: &Article) -> String {
    match a.helpful_percent() {
        None => "no votes".into(),
        Some(p) => format!("{} of {} ({p} %)", a.helpful_votes, a.helpful_votes + a.unhelpful_votes),
    }
}

/// Staff: the list, searched or filtered, and the form to write an article.
pub async fn knowledge_page(viewer: Viewer, Query(p): Query<ListParams>) -> UiResult<Response> {
    if viewer.ctx.actor.role == Role::Requester {
        return Ok(see_other("/portal/articles"));
    }
    show(
        &viewer,
        p,
        ArticleForm {
            audience: Audience::Agents.to_string(),
            ..ArticleForm::default()
        },
        FormErrors::default(),
    )
    .await
}

async fn show(viewer: &Viewer, p: ListParams, form: ArticleForm, mut errors: FormErrors) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Article, Operation::Read)?;
    let status: Option<ArticleStatus> = named(&mut errors, "status", p.status.trim());
    let audience: Option<Audience> = named(&mut errors, "audience_filter", p.audience.trim());
    let q = p.q.trim().to_string();
    let (articles, next) = if q.is_empty() {
        let mut filters = Vec::new();
        if let Some(s) = status {
            filters.push(("status", s.as_str().into()));
        }
        if let Some(a) = audience {
            filters.push(("audience", a.as_str().into()));
        }
        let query = ListQuery {
            filters,
            sort: Sort::default(),
            cursor: p.cursor.clone().filter(|c| !c.is_empty()),
            limit: PAGE,
            ..ListQuery::default()
        };
        let axum::Json(page) = list_all::<Article>(ctx, query).await?;
        let next = page.next_cursor.map(|c| {
            format!(
                "/knowledge?status={}&audience={}&cursor={}",
                super::urlencode(p.status.trim()),
                super::urlencode(p.audience.trim()),
                super::urlencode(&c)
            )
        });
        (page.items, next)
    } else {
        match crate::api::search::find(ctx, &q, Some("article"), PAGE).await {
            Ok(hits) => (
                crate::api::search::articles_of(ctx, &hits, |a| {
                    status.is_none_or(|s| a.status == s) && audience.is_none_or(|au| a.audience == au)
                })
                .await?,
                None,
            ),
            Err(ApiError::Domain(Error::Invalid(fields))) => {
                errors.0.extend(fields);
                (Vec::new(), None)
            }
            Err(other) => return Err(other.into()),
        }
    };
    let page = KnowledgePage {
        chrome: viewer.chrome("knowledge"),
        searched: !q.is_empty(),
        q,
        status: p.status.trim().to_string(),
        audience: p.audience.trim().to_string(),
        statuses: ArticleStatus::FIELD_VALUES
            .iter()
            .map(|s| Choice::new(s.as_str(), s.as_str()))
            .collect(),
        audiences: audiences(),
        services: services(ctx).await?,
        rows: rows(ctx, &articles).await?,
        next,
        may_write: authorize(&ctx.actor, RecordKind::Article, Operation::Create).is_ok(),
        form,
        errors,
    };
    Ok((page.errors.status(), render(&page)).into_response())
}

/// Writes a draft owned by whoever writes it, then opens it in the editor to publish it.
pub async fn write_article(posted: Posted<ArticleForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Article, Operation::Create)?;
    let mut e = FormErrors::default();
    let (audience, service, next_review) = form.read(&mut e);
    let written = async {
        if e.any() {
            return Err(Error::Invalid(e.0).into());
        }
        let article = Article::create(
            NewArticle {
                title: form.title.clone(),
                body: form.body.clone(),
                keywords: text(&form.keywords),
                audience,
                service,
                owner: None,
                next_review,
            },
            ctx.actor.user,
            ctx.now,
        )?;
        let (_, axum::Json(saved)) = create(ctx, article).await?;
        Ok(format!("{}/edit", record_href(RecordKind::Article, saved.id.0)))
    }
    .await;
    written_or_redisplay(written, |errors| show(&viewer, ListParams::default(), form, errors)).await
}

/// A vote as the editor lists it.
pub struct VoteLine {
    pub voter: String,
    pub helpful: bool,
    pub comment: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "knowledge/edit.html")]
struct EditPage {
    chrome: Chrome,
    reference: String,
    base: String,
    status: String,
    moves: Vec<Choice>,
    reviewed_on: String,
    review_due: bool,
    helpful: String,
    audiences: Vec<Choice>,
    services: Vec<Choice>,
    votes: Vec<VoteLine>,
    /// The problems and known errors the article explains: reference, page, title.
    problems: Vec<(String, String, String)>,
    form: ArticleForm,
    review_next: String,
    problem: String,
    errors: FormErrors,
}

/// What the editor's forms brought back when one was refused.
#[derive(Default)]
struct Typed {
    form: Option<ArticleForm>,
    review_next: String,
    problem: String,
}

/// The editor of one article, with what is typed in `form` (the article as it stands when
/// none was posted).
async fn editor(viewer: &Viewer, reference: &str, typed: Typed, errors: FormErrors) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Article, Operation::Update)?;
    let article: Article = read_one(ctx, reference).await?;
    let votes = ctx.state.store.votes(article.id, None, VOTES_SHOWN).await?.items;
    let voters: Vec<i64> = votes.iter().map(|v| v.voter.0).collect();
    let names = Names::load(ctx, &voters, &[], &[]).await?;
    let me = Endpoint {
        kind: RecordKind::Article,
        id: article.id.0,
    };
    let mine = me.reference();
    let linked: Vec<i64> = ctx
        .state
        .store
        .links_of(me)
        .await?
        .into_iter()
        .filter_map(|l| RecordKind::parse_reference(if l.from == mine { &l.to } else { &l.from }))
        .filter(|(k, _)| *k == RecordKind::Problem)
        .map(|(_, id)| id)
        .collect();
    let problems = ctx
        .state
        .store
        .get_many::<Problem>(&linked)
        .await?
        .into_iter()
        .map(|p| {
            let title = if p.known_error {
                format!("{} (known error)", p.title)
            } else {
                p.title
            };
            (p.id.to_string(), record_href(RecordKind::Problem, p.id.0), title)
        })
        .collect();
    let page = EditPage {
        chrome: viewer.chrome("knowledge"),
        reference: article.id.to_string(),
        base: record_href(RecordKind::Article, article.id.0),
        status: article.status.to_string(),
        moves: next_states(article.status),
        reviewed_on: article
            .confirmed_on()
            .map(|d| d.to_string())
            .unwrap_or_else(|| "never".into()),
        review_due: article.review_due(ctx.now.date_naive()),
        helpful: helpful(&article),
        audiences: audiences(),
        services: services(ctx).await?,
        votes: votes
            .into_iter()
            .map(|v| VoteLine {
                voter: names.user(Some(v.voter)),
                helpful: v.helpful,
                comment: v.comment.unwrap_or_default(),
                at: when(v.voted_at),
            })
            .collect(),
        problems,
        form: typed.form.unwrap_or_else(|| ArticleForm::of(&article)),
        review_next: typed.review_next,
        problem: typed.problem,
        errors,
    };
    Ok((page.errors.status(), render(&page)).into_response())
}

/// The editor's page at the address a form wrote, or the editor again with what was typed and
/// each message beside its field.
async fn written_or_editor(
    viewer: &Viewer,
    reference: &str,
    typed: Typed,
    written: Result<String, ApiError>,
) -> UiResult<Response> {
    written_or_redisplay(written, |errors| editor(viewer, reference, typed, errors)).await
}

pub async fn edit_article_page(viewer: Viewer, Path(reference): Path<String>) -> UiResult<Response> {
    editor(&viewer, &reference, Typed::default(), FormErrors::default()).await
}

/// The article a form on its editor posts to.
fn posted_article(uri: &Uri) -> UiResult<String> {
    super::posted_to(uri.path(), &[RecordKind::Article]).map(|(_, r)| r)
}

/// Rewrites the article, then shows its page.
pub async fn update_article(uri: Uri, posted: Posted<ArticleForm>) -> UiResult<Response> {
    let reference = posted_article(&uri)?;
    let Posted { viewer, form } = posted;
    let mut e = FormErrors::default();
    let (audience, service, next_review) = form.read(&mut e);
    let written = async {
        if e.any() {
            return Err(Error::Invalid(e.0).into());
        }
        let patch = ArticlePatch {
            title: Some(form.title.clone()),
            body: Some(form.body.clone()),
            keywords: Some(text(&form.keywords)),
            audience,
            service: Some(service),
            owner: None,
            next_review: Some(next_review),
        };
        let saved = modify(&viewer.ctx, &reference, HistoryAction::Update, |a: &mut Article| {
            a.apply_patch(patch)
        })
        .await?;
        Ok(record_href(RecordKind::Article, saved.0.id.0))
    }
    .await;
    let typed = Typed {
        form: Some(form),
        ..Typed::default()
    };
    written_or_editor(&viewer, &reference, typed, written).await
}

#[derive(Deserialize, Default)]
pub struct MoveForm {
    #[serde(default)]
    to: String,
}

/// Publishes, withdraws or retires the article, then shows its editor again.
pub async fn move_article(uri: Uri, posted: Posted<MoveForm>) -> UiResult<Response> {
    let reference = posted_article(&uri)?;
    let Posted { viewer, form } = posted;
    let now = viewer.ctx.now;
    let written = modify(&viewer.ctx, &reference, HistoryAction::Transition, |a: &mut Article| {
        a.transition(ArticleTransition { to: form.to.clone() }, now)
    })
    .await
    .map(|saved| format!("{}/edit", record_href(RecordKind::Article, saved.0.id.0)));
    written_or_editor(&viewer, &reference, Typed::default(), written).await
}

#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    next_review: String,
}

/// Records a review held today, then shows the editor again.
pub async fn review_article(uri: Uri, posted: Posted<ReviewForm>) -> UiResult<Response> {
    let reference = posted_article(&uri)?;
    let Posted { viewer, form } = posted;
    let mut e = FormErrors::default();
    let next = required_date(
        &mut e,
        "review_next",
        &form.next_review,
        "say by when it is checked again",
    );
    let written = async {
        let (Some(next_review), false) = (next, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let saved = crate::api::article::review(
            &viewer.ctx,
            &reference,
            ArticleReview {
                held_on: None,
                next_review,
            },
        )
        .await?;
        Ok(format!("{}/edit", record_href(RecordKind::Article, saved.0.id.0)))
    }
    .await;
    // The review's own field is said beside its form, not beside the article's next review.
    let written = super::form::beside(written, "review", &["next_review", "status"], "next");
    let typed = Typed {
        review_next: form.next_review,
        ..Typed::default()
    };
    written_or_editor(&viewer, &reference, typed, written).await
}

#[derive(Deserialize, Default)]
pub struct ProblemForm {
    #[serde(default)]
    problem: String,
}

/// Links the article to the problem or known error it explains, then shows the editor again.
pub async fn explain_problem(uri: Uri, posted: Posted<ProblemForm>) -> UiResult<Response> {
    let reference = posted_article(&uri)?;
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let mut e = FormErrors::default();
    let problem: Option<ProblemId> = required(
        &mut e,
        "problem",
        &form.problem,
        RecordKind::Problem,
        "name the problem or known error it explains, such as PRB-4",
    );
    let written = async {
        let (Some(problem), false) = (problem, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        authorize(&ctx.actor, RecordKind::Article, Operation::Update)?;
        let article: Article = read_one(ctx, &reference).await?;
        crate::api::link::link_as(
            ctx,
            (
                Endpoint {
                    kind: RecordKind::Article,
                    id: article.id.0,
                },
                "article",
            ),
            (
                Endpoint {
                    kind: RecordKind::Problem,
                    id: problem.0,
                },
                "problem",
            ),
        )
        .await
        .map_err(|err| match err {
            ApiError::Domain(Error::Conflict(_)) => {
                Error::invalid("problem", format!("{} already explains {problem}", article.id)).into()
            }
            other => other,
        })?;
        Ok(format!("{}/edit", record_href(RecordKind::Article, article.id.0)))
    }
    .await;
    let typed = Typed {
        problem: form.problem,
        ..Typed::default()
    };
    written_or_editor(&viewer, &reference, typed, written).await
}

/// A suggested article.
pub struct Suggestion {
    pub href: String,
    pub title: String,
    pub for_staff: bool,
}

#[derive(Template)]
#[template(path = "knowledge/suggestions.html")]
struct SuggestionList {
    suggestions: Vec<Suggestion>,
}

#[derive(Deserialize, Default)]
pub struct SuggestParams {
    #[serde(default)]
    title: String,
}

/// The published articles that may answer a ticket with this title, as the new-ticket form
/// shows them: customers are sent to the portal's reading page, staff to the article's page.
pub async fn suggestions_for(ctx: &Ctx, title: &str) -> Result<Vec<Suggestion>, ApiError> {
    let requester = ctx.actor.role == Role::Requester;
    Ok(crate::api::search::suggest(ctx, title, SUGGESTED)
        .await?
        .into_iter()
        .map(|a| Suggestion {
            href: if requester {
                format!("/portal/articles/{}", a.id)
            } else {
                record_href(RecordKind::Article, a.id.0)
            },
            for_staff: a.audience == Audience::Agents,
            title: a.title,
        })
        .collect())
}

/// The fragment of suggested articles, for the title being typed.
pub async fn suggestions(viewer: Viewer, Query(p): Query<SuggestParams>) -> UiResult<Response> {
    if p.title.chars().count() > steward_core::validate::TITLE_MAX {
        return Err(ApiError::Domain(Error::invalid("title", "is too long to suggest articles for")).into());
    }
    let list = SuggestionList {
        suggestions: suggestions_for(&viewer.ctx, &p.title).await?,
    };
    Ok(render(&list))
}

#[derive(Deserialize, Default)]
pub struct AnswerParams {
    #[serde(default)]
    q: String,
}

/// An article as a customer's list shows it.
pub struct Answer {
    pub href: String,
    pub title: String,
    pub extract: String,
}

#[derive(Template)]
#[template(path = "knowledge/answers.html")]
struct AnswersPage {
    chrome: Chrome,
    q: String,
    answers: Vec<Answer>,
    errors: FormErrors,
}

/// The first words of an article's text, for a list.
fn extract(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 160 {
        return flat;
    }
    let cut: String = flat.chars().take(160).collect();
    match cut.rfind(' ') {
        Some(i) => format!("{}…", &cut[..i]),
        None => format!("{cut}…"),
    }
}

/// Customers: the articles published for them, the newest first, or those matching `q`.
pub async fn answers_page(viewer: Viewer, Query(p): Query<AnswerParams>) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Article, Operation::Read)?;
    let q = p.q.trim().to_string();
    let mut errors = FormErrors::default();
    // The portal shows what customers see, whoever opens it.
    let articles = if q.is_empty() {
        let query = ListQuery {
            filters: vec![
                ("status", ArticleStatus::Published.as_str().into()),
                ("audience", Audience::Customers.as_str().into()),
            ],
            sort: Sort::default(),
            limit: PAGE,
            ..ListQuery::default()
        };
        list_all::<Article>(ctx, query).await?.0.items
    } else {
        match crate::api::search::find(ctx, &q, Some("article"), PAGE).await {
            Ok(hits) => crate::api::search::articles_of(ctx, &hits, |a| a.published()).await?,
            Err(ApiError::Domain(Error::Invalid(fields))) => {
                errors.0.extend(fields);
                Vec::new()
            }
            Err(other) => return Err(other.into()),
        }
    };
    let page = AnswersPage {
        chrome: viewer.chrome("answers"),
        q,
        answers: articles
            .iter()
            .map(|a| Answer {
                href: format!("/portal/articles/{}", a.id),
                title: a.title.clone(),
                extract: extract(&a.body),
            })
            .collect(),
        errors,
    };
    Ok((page.errors.status(), render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "knowledge/article.html")]
struct ArticlePage {
    chrome: Chrome,
    reference: String,
    title: String,
    paragraphs: Vec<String>,
    service: Option<(String, String)>,
    checked_on: String,
    /// What the reader said before: helped or not.
    voted: Option<bool>,
    may_vote: bool,
    errors: FormErrors,
}

/// The article, if it is published for customers: the portal shows, and takes votes on, only
/// what customers see, whoever opens it; any other answers 404.
async fn for_customers(ctx: &Ctx, reference: &str) -> Result<Article, ApiError> {
    let article: Article = read_one(ctx, reference).await?;
    if !article.published() {
        return Err(ApiError::Domain(Error::NotFound {
            kind: "article published for customers",
            id: reference.to_string(),
        }));
    }
    Ok(article)
}

/// An article published for customers, as the portal shows it.
async fn reading(viewer: &Viewer, reference: &str, errors: FormErrors) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    let article = for_customers(ctx, reference).await?;
    let service = match article.service {
        Some(s) => Names::load(ctx, &[], &[], &[s.0])
            .await?
            .services
            .remove(&s.0)
            .map(|name| (s.to_string(), name)),
        None => None,
    };
    let page = ArticlePage {
        chrome: viewer.chrome("answers"),
        reference: article.id.to_string(),
        paragraphs: article
            .body
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
        service,
        checked_on: article.confirmed_on().map(|d| d.to_string()).unwrap_or_default(),
        voted: ctx.state.store.vote_of(article.id, ctx.actor.user).await?,
        may_vote: steward_core::access::authorize_vote(&ctx.actor, Operation::Create).is_ok(),
        title: article.title,
        errors,
    };
    Ok((page.errors.status(), render(&page)).into_response())
}

pub async fn article_page(viewer: Viewer, Path(reference): Path<String>) -> UiResult<Response> {
    reading(&viewer, &reference, FormErrors::default()).await
}

#[derive(Deserialize, Default)]
pub struct VoteForm {
    #[serde(default)]
    helpful: String,
    #[serde(default)]
    comment: String,
}

/// Records whether the article helped, then shows it again with the vote.
pub async fn vote(Path(reference): Path<String>, posted: Posted<VoteForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let helpful = match form.helpful.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let written = async {
        let Some(helpful) = helpful else {
            return Err(Error::invalid("helpful", "say whether the article helped").into());
        };
        let vote = NewVote {
            helpful,
            comment: text(&form.comment),
        };
        for_customers(&viewer.ctx, &reference).await?;
        let saved = crate::api::article::vote(&viewer.ctx, &reference, vote).await?;
        Ok(format!("/portal/articles/{}#vote", saved.id))
    }
    .await;
    written_or_redisplay(written, |errors| reading(&viewer, &reference, errors)).await
}
