//! The demo's knowledge base (7.6): articles for customers on the things they raise most, one
//! article for the service desk per known error (linked to it), a draft, a retired article and
//! one published article past its review, with votes from customers and agents — most finding
//! the articles helpful, one not.

use chrono::{DateTime, Duration, Utc};
use steward_core::article::{Article, ArticlePatch, ArticleReview, ArticleTransition, Audience, NewArticle};
use steward_core::history::HistoryAction;
use steward_core::id::{ServiceId, UserId};
use steward_core::link::Endpoint;
use steward_core::problem::Problem;
use steward_core::record::RecordKind;
use steward_core::service::Service;
use steward_core::user::User;
use steward_store::{ListQuery, Store};

/// Title, text, keywords, and the name of the service it is about.
const FOR_CUSTOMERS: &[(&str, &str, &str, &str)] = &[
    (
        "Reset a forgotten password",
        "Open the sign-in page and choose 'Forgot password'. Enter your work email address; a link \
         valid for one hour arrives within a few minutes. If it does not, look in the junk folder \
         before raising a request.",
        "login sign-in locked account",
        "Identity and Access",
    ),
    (
        "The VPN keeps disconnecting",
        "Update the VPN client to the version offered on the self-service page, then restart the \
         laptop. On a home network, connect by cable or move closer to the router: the client \
         drops the tunnel after thirty seconds without a reply.",
        "remote access tunnel home working",
        "Remote Access VPN",
    ),
    (
        "Set up work email on a phone",
        "Install the mail app from the company portal, sign in with your work address and accept \
         the device policy. Mail, calendar and contacts appear within ten minutes.",
        "mobile smartphone calendar",
        "Email and Calendaring",
    ),
    (
        "A printer shows as offline",
        "Check the printer is switched on and shows no paper or toner message. Remove it from the \
         list of printers and add it again by its name on the label; if it still shows offline, \
         raise an incident naming the printer.",
        "print queue toner",
        "Printing",
    ),
];

pub async fn seed(
    store: &Store,
    now: DateTime<Utc>,
    services: &[Service],
    agents: &[User],
    readers: &[User],
) -> anyhow::Result<()> {
    let Some(author) = agents.first().map(|a| a.id) else {
        return Ok(());
    };
    let day = now.date_naive();
    let service = |name: &str| services.iter().find(|s| s.name == name).map(|s| s.id);
    let mut published = Vec::new();
    for (i, (title, body, keywords, about)) in FOR_CUSTOMERS.iter().enumerate() {
        let written = now - Duration::days(200 - 30 * i as i64);
        let a = new_article(
            title,
            body,
            Some(keywords),
            Audience::Customers,
            service(about),
            author,
            written,
        )?;
        published.push(publish(store, a, author, written).await?);
    }
    // The service desk's articles: one per known error, explaining its workaround.
    let known: Vec<Problem> = store
        .list::<Problem>(&ListQuery {
            filters: vec![("known_error", true.into())],
            limit: 4,
            ..ListQuery::default()
        })
        .await?
        .items;
    for (i, p) in known.iter().enumerate() {
        let written = p.created_at.max(now - Duration::days(90)) + Duration::hours(4);
        let body = format!(
            "Symptom: {}.\n\nWorkaround: {}\n\nThe problem {} holds the investigation; link incidents \
             that match it there.",
            p.title,
            p.workaround
                .as_deref()
                .unwrap_or("restart the affected service and watch it for an hour."),
            p.id
        );
        let a = new_article(
            &format!("Known error: {}", p.title),
            &body,
            None,
            Audience::Agents,
            p.service,
            agents[i % agents.len()].id,
            written,
        )?;
        let a = publish(store, a, author, written).await?;
        store
            .link(
                Endpoint {
                    kind: RecordKind::Article,
                    id: a.id.0,
                },
                Endpoint {
                    kind: RecordKind::Problem,
                    id: p.id.0,
                },
                Some(author),
                written,
            )
            .await?;
    }
    // One draft, one retired, and the oldest article for customers past its review.
    let draft = new_article(
        "Share a calendar with a colleague",
        "Open the calendar, choose Share and enter the colleague's name. Choose whether they may \
         only see when you are busy or the details too.",
        None,
        Audience::Customers,
        service("Email and Calendaring"),
        author,
        now - Duration::days(3),
    )?;
    store.insert(draft, Some(author)).await?;
    let old = new_article(
        "Connect to the old intranet",
        "The old intranet was switched off; its pages moved to the staff portal.",
        None,
        Audience::Customers,
        service("Remote Access VPN"),
        author,
        now - Duration::days(400),
    )?;
    let old = publish(store, old, author, now - Duration::days(400)).await?;
    store
        .update::<Article>(
            old.id.0,
            Some(author),
            now - Duration::days(20),
            HistoryAction::Transition,
            |_| true,
            |a| a.transition(ArticleTransition { to: "retired".into() }, now - Duration::days(20)),
        )
        .await?;
    let overdue = published[0].id;
    store
        .update::<Article>(
            overdue.0,
            Some(author),
            now - Duration::days(10),
            HistoryAction::Update,
            |_| true,
            |a| {
                a.apply_patch(ArticlePatch {
                    next_review: Some(Some(day - Duration::days(5))),
                    ..ArticlePatch::default()
                })
            },
        )
        .await?;
    // The rest were reviewed lately.
    for a in &published[1..] {
        store
            .update::<Article>(
                a.id.0,
                Some(author),
                now - Duration::days(7),
                HistoryAction::Update,
                |_| true,
                |a| {
                    a.review(
                        ArticleReview {
                            held_on: Some(day - Duration::days(7)),
                            next_review: day + Duration::days(180),
                        },
                        day,
                    )
                },
            )
            .await?;
    }
    // Votes: customers and agents say whether the articles helped; the printer article did not.
    for (i, reader) in readers.iter().chain(agents.iter()).enumerate() {
        for (j, a) in published.iter().enumerate() {
            if (i + j) % 3 == 2 {
                continue;
            }
            let helpful = j != 3 || i % 4 == 0;
            let comment = (!helpful).then(|| "It did not say what to do when re-adding fails.".to_string());
            store
                .vote(
                    a.id,
                    reader.id,
                    helpful,
                    comment,
                    now - Duration::days(((i * 7 + j * 5) % 60) as i64 + 1),
                )
                .await?;
        }
    }
    Ok(())
}

fn new_article(
    title: &str,
    body: &str,
    keywords: Option<&str>,
    audience: Audience,
    service: Option<ServiceId>,
    owner: UserId,
    at: DateTime<Utc>,
) -> anyhow::Result<Article> {
    Ok(Article::create(
        NewArticle {
            title: title.into(),
            body: body.into(),
            keywords: keywords.map(str::to_string),
            audience: Some(audience),
            service,
            owner: Some(owner),
            next_review: Some(at.date_naive() + Duration::days(365)),
        },
        owner,
        at,
    )?)
}

async fn publish(store: &Store, a: Article, author: UserId, at: DateTime<Utc>) -> anyhow::Result<Article> {
    let a = store.insert(a, Some(author)).await?;
    Ok(store
        .update::<Article>(
            a.id.0,
            Some(author),
            at,
            HistoryAction::Transition,
            |_| true,
            |a| a.transition(ArticleTransition { to: "published".into() }, at),
        )
        .await?)
}
