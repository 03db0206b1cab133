//! Knowledge (7.6): articles that hold what the organisation knows about running its services —
//! how to fix, work around or do something — each with an owner, an audience (the service desk
//! only, or customers too) and a date by which it is checked again. An article is linked to the
//! problems and known errors it explains and to the incidents it helped resolve, and the people
//! who read it say whether it helped.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{ArticleId, ServiceId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX, blank_to_none};
use crate::{lifecycle, named_enum, record};

lifecycle! {
    /// draft -> published -> retired; a published article goes back to draft while it is
    /// rewritten, and a retired one can be taken up again as a draft.
    ArticleStatus {
        Draft = "draft" => [Published, Retired],
        Published = "published" => [Draft, Retired],
        Retired = "retired" => [Draft],
    }
}

named_enum! {
    /// Who an article is written for.
    Audience {
        /// The service desk and the other staff only.
        Agents = "agents",
        /// Customers as well: found in the portal's search and suggested when they raise a ticket.
        Customers = "customers",
    }
}

/// The longest an article may go unchecked: a published article is reviewed within two years.
pub const REVIEW_WITHIN_DAYS: i64 = 731;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Article {
    pub id: ArticleId,
    pub title: String,
    /// The article itself, as plain text with blank lines between paragraphs.
    pub body: String,
    /// Words a reader might search with that the text does not use ("VPN" for "remote access").
    pub keywords: Option<String>,
    pub audience: Audience,
    /// The service it is about; none for an article about no one service.
    pub service: Option<ServiceId>,
    /// Who keeps it correct.
    pub owner: UserId,
    pub status: ArticleStatus,
    /// When it was last published.
    pub published_at: Option<DateTime<Utc>>,
    /// The day its content was last confirmed correct, and the day by which it is checked again.
    pub reviewed_on: Option<NaiveDate>,
    pub next_review: Option<NaiveDate>,
    /// Readers who said it helped, and who said it did not (one vote each, which they may change).
    pub helpful_votes: u32,
    pub unhelpful_votes: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(
    Article,
    RecordKind::Article,
    ArticleId,
    published | a | a.status == ArticleStatus::Published && a.audience == Audience::Customers
);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewArticle {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub keywords: Option<String>,
    /// `agents` by default.
    #[serde(default)]
    pub audience: Option<Audience>,
    #[serde(default)]
    pub service: Option<ServiceId>,
    /// Defaults to the person writing it.
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub next_review: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticlePatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub keywords: Option<Option<String>>,
    #[serde(default)]
    pub audience: Option<Audience>,
    #[serde(default, deserialize_with = "nullable")]
    pub service: Option<Option<ServiceId>>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default, deserialize_with = "nullable")]
    pub next_review: Option<Option<NaiveDate>>,
}

/// The body of `POST /api/v1/articles/{ref}/transition`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleTransition {
    /// `published` (its next review must be set), `draft` or `retired`.
    pub to: String,
}

/// The body of `POST /api/v1/articles/{ref}/review`: its owner or another editor confirms the
/// content is still correct and sets when it is checked next.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleReview {
    /// The day it was checked; today if absent, never in the future.
    #[serde(default)]
    pub held_on: Option<NaiveDate>,
    pub next_review: NaiveDate,
}

/// The body of `POST /api/v1/articles/{ref}/votes`: whether the article helped the reader.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVote {
    pub helpful: bool,
    /// What was missing or wrong, for the article's owner.
    #[serde(default)]
    pub comment: Option<String>,
}

/// One reader's vote on an article.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Vote {
    /// e.g. `KB-4`.
    pub article: String,
    pub voter: UserId,
    pub helpful: bool,
    pub comment: Option<String>,
    pub voted_at: DateTime<Utc>,
}

impl NewVote {
    /// The comment, trimmed and checked.
    pub fn checked_comment(&self) -> Result<Option<String>> {
        let comment = blank_to_none(self.comment.clone()).map(|c| c.trim().to_string());
        let mut c = Checker::new();
        c.opt_text("comment", comment.as_deref(), 2_000);
        c.finish()?;
        Ok(comment)
    }
}

impl Article {
    pub fn create(input: NewArticle, author: UserId, at: DateTime<Utc>) -> Result<Article> {
        let article = Article {
            id: ArticleId(0),
            title: input.title.trim().to_string(),
            body: input.body.trim().to_string(),
            keywords: blank_to_none(input.keywords).map(|k| k.trim().to_string()),
            audience: input.audience.unwrap_or(Audience::Agents),
            service: input.service,
            owner: input.owner.unwrap_or(author),
            status: ArticleStatus::Draft,
            published_at: None,
            reviewed_on: None,
            next_review: input.next_review,
            helpful_votes: 0,
            unhelpful_votes: 0,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        article.check(&mut c);
        c.finish()?;
        Ok(article)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        if self.body.is_empty() {
            c.fail("body", "must say something: an article with no text helps no one");
        }
        c.text("body", &self.body, TEXT_MAX);
        c.opt_line("keywords", self.keywords.as_deref(), NAME_MAX);
        if self.status == ArticleStatus::Published && self.next_review.is_none() {
            c.fail(
                "next_review",
                "a published article has the day by which it is checked again",
            );
        }
    }

    /// The day the content was last confirmed: its latest review, or else its publication.
    pub fn confirmed_on(&self) -> Option<NaiveDate> {
        self.reviewed_on.max(self.published_at.map(|p| p.date_naive()))
    }

    /// Edits the article. The next review of a published article may be moved at most two years
    /// past the day its content was last confirmed; a later day needs a review.
    pub fn apply_patch(&mut self, p: ArticlePatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.body, p.body.map(|b| b.trim().to_string()));
        set(
            &mut next.keywords,
            p.keywords.map(|k| blank_to_none(k).map(|k| k.trim().to_string())),
        );
        set(&mut next.audience, p.audience);
        set(&mut next.service, p.service);
        set(&mut next.owner, p.owner);
        set(&mut next.next_review, p.next_review);
        let mut c = Checker::new();
        next.check(&mut c);
        if next.status == ArticleStatus::Published
            && next.next_review != self.next_review
            && let (Some(n), Some(confirmed)) = (next.next_review, next.confirmed_on())
            && (n - confirmed).num_days() > REVIEW_WITHIN_DAYS
        {
            c.fail(
                "next_review",
                "must be within two years of the article's last review: review it to check it later",
            );
        }
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Moves the article; publishing it needs a next review that is not past and at most two
    /// years ahead.
    pub fn transition(&mut self, t: ArticleTransition, at: DateTime<Utc>) -> Result<()> {
        let mut next = self.clone();
        next.status = self.status.check_move(&t.to)?;
        let today = at.date_naive();
        let mut c = Checker::new();
        if next.status == ArticleStatus::Published {
            next.published_at = Some(at);
            match next.next_review {
                Some(n) if n < today => c.fail(
                    "next_review",
                    "is already past: set a later day before publishing the article",
                ),
                Some(n) if (n - today).num_days() > REVIEW_WITHIN_DAYS => {
                    c.fail("next_review", "must be within two years: knowledge goes stale")
                }
                _ => {}
            }
        }
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Records that the content was checked on `held_on` (today if absent) and sets the next check.
    pub fn review(&mut self, r: ArticleReview, today: NaiveDate) -> Result<()> {
        let held = r.held_on.unwrap_or(today);
        let mut c = Checker::new();
        if self.status == ArticleStatus::Retired {
            c.fail(
                "status",
                "a retired article is no longer reviewed; take it up again as a draft first",
            );
        }
        c.review_dates(held, self.reviewed_on, Some(r.next_review), today);
        if (r.next_review - held).num_days() > REVIEW_WITHIN_DAYS {
            c.fail("next_review", "must be within two years of the review");
        }
        c.finish()?;
        self.reviewed_on = Some(held);
        self.next_review = Some(r.next_review);
        Ok(())
    }

    /// Whether its review is overdue on `day`.
    pub fn review_due(&self, day: NaiveDate) -> bool {
        self.status == ArticleStatus::Published && self.next_review.is_none_or(|n| n < day)
    }

    /// The share of votes saying it helped, in percent; none before anyone voted.
    pub fn helpful_percent(&self) -> Option<u32> {
        let all = self.helpful_votes + self.unhelpful_votes;
        (all > 0).then(|| ((f64::from(self.helpful_votes) * 100.0) / f64::from(all)).round() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn draft() -> Article {
        Article::create(
            NewArticle {
                title: "  Reset a forgotten password ".into(),
                body: "Open the sign-in page and choose 'Forgot password'.".into(),
                keywords: Some("  ".into()),
                audience: Some(Audience::Customers),
                service: None,
                owner: None,
                next_review: None,
            },
            UserId(4),
            at(),
        )
        .unwrap()
    }

    fn field(e: Error) -> String {
        match e {
            Error::Invalid(f) => f.into_iter().map(|f| f.field).collect::<Vec<_>>().join(","),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn an_article_starts_as_a_draft_owned_by_its_author() {
        let a = draft();
        assert_eq!(a.title, "Reset a forgotten password");
        assert_eq!(a.keywords, None);
        assert_eq!(a.owner, UserId(4));
        assert_eq!(a.status, ArticleStatus::Draft);
        use crate::record::Record;
        assert!(!a.published(), "a draft is not for customers");
        let empty = Article::create(
            NewArticle {
                title: "x".into(),
                body: "  ".into(),
                keywords: None,
                audience: None,
                service: None,
                owner: None,
                next_review: None,
            },
            UserId(1),
            at(),
        )
        .unwrap_err();
        assert_eq!(field(empty), "body");
    }

    #[test]
    fn publishing_needs_a_review_date_within_two_years() {
        use crate::record::Record;
        let mut a = draft();
        let e = a
            .transition(ArticleTransition { to: "published".into() }, at())
            .unwrap_err();
        assert_eq!(field(e), "next_review");
        a.next_review = Some(day("2029-01-01"));
        let e = a
            .transition(ArticleTransition { to: "published".into() }, at())
            .unwrap_err();
        assert_eq!(field(e), "next_review");
        a.next_review = Some(day("2026-01-01"));
        let e = a
            .transition(ArticleTransition { to: "published".into() }, at())
            .unwrap_err();
        assert_eq!(field(e), "next_review", "a past review day is refused");
        a.next_review = Some(day("2026-09-10"));
        a.transition(ArticleTransition { to: "published".into() }, at())
            .unwrap();
        assert_eq!(a.published_at, Some(at()));
        assert!(a.published());
        a.audience = Audience::Agents;
        assert!(!a.published(), "an article for agents is never shown to customers");
        assert!(!a.review_due(day("2026-09-10")));
        assert!(a.review_due(day("2026-09-11")));
        let e = a.apply_patch(ArticlePatch {
            next_review: Some(None),
            ..ArticlePatch::default()
        });
        assert_eq!(field(e.unwrap_err()), "next_review");
        let e = a.apply_patch(ArticlePatch {
            next_review: Some(Some(day("2028-06-01"))),
            ..ArticlePatch::default()
        });
        assert_eq!(field(e.unwrap_err()), "next_review", "past two years from publication");
        a.apply_patch(ArticlePatch {
            next_review: Some(Some(day("2027-06-01"))),
            ..ArticlePatch::default()
        })
        .unwrap();
    }

    #[test]
    fn a_review_moves_the_next_one_forward() {
        let mut a = draft();
        a.review(
            ArticleReview {
                held_on: None,
                next_review: day("2026-12-01"),
            },
            at().date_naive(),
        )
        .unwrap();
        assert_eq!(a.reviewed_on, Some(at().date_naive()));
        assert_eq!(a.next_review, Some(day("2026-12-01")));
        let e = a
            .review(
                ArticleReview {
                    held_on: Some(day("2026-03-01")),
                    next_review: day("2026-12-01"),
                },
                at().date_naive(),
            )
            .unwrap_err();
        assert_eq!(field(e), "held_on", "before the last review");
        let e = a
            .review(
                ArticleReview {
                    held_on: None,
                    next_review: day("2026-03-10"),
                },
                at().date_naive(),
            )
            .unwrap_err();
        assert_eq!(field(e), "next_review");
        a.status = ArticleStatus::Retired;
        let e = a
            .review(
                ArticleReview {
                    held_on: None,
                    next_review: day("2026-12-01"),
                },
                at().date_naive(),
            )
            .unwrap_err();
        assert_eq!(field(e), "status");
    }

    #[test]
    fn helpfulness_is_a_share_of_the_votes() {
        let mut a = draft();
        assert_eq!(a.helpful_percent(), None);
        a.helpful_votes = 2;
        a.unhelpful_votes = 1;
        assert_eq!(a.helpful_percent(), Some(67));
        let long = NewVote {
            helpful: false,
            comment: Some("x".repeat(2_001)),
        };
        assert_eq!(field(long.checked_comment().unwrap_err()), "comment");
        let blank = NewVote {
            helpful: true,
            comment: Some(" ".into()),
        };
        assert_eq!(blank.checked_comment().unwrap(), None);
    }
}
