//! How knowledge articles and the votes on them are stored. A vote is a reader's own opinion, not
//! an edit of the article: it is kept in `article_votes` (one per reader, which they may change)
//! and the article's two counts are rewritten from it in the same transaction, without touching
//! the article's history or `updated_at`.

use chrono::{DateTime, Utc};
use steward_core::article::{Article, ArticleStatus, Audience, Vote};
use steward_core::id::*;
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::page::{Page, decode_cursor, encode_cursor};
use crate::record::Table;
use crate::{args, from_micros, micros, opt_from_micros, opt_stored_date, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct ArticleRow {
    id: i64,
    title: String,
    body: String,
    keywords: Option<String>,
    audience: String,
    service_id: Option<i64>,
    owner_id: i64,
    status: String,
    published_at: Option<i64>,
    reviewed_on: Option<String>,
    next_review: Option<String>,
    helpful_votes: i64,
    unhelpful_votes: i64,
    created_at: i64,
    updated_at: i64,
}

impl Table for Article {
    type Row = ArticleRow;
    const TABLE: &'static str = "articles";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "body",
        "keywords",
        "audience",
        "service_id",
        "owner_id",
        "status",
        "published_at",
        "reviewed_on",
        "next_review",
        "helpful_votes",
        "unhelpful_votes",
        "created_at",
        "updated_at",
    ];
    const PUBLISHED: &'static [(&'static str, &'static str)] = &[("status", "published"), ("audience", "customers")];

    fn from_row(r: ArticleRow) -> Result<Self> {
        let count = |column: &str, v: i64| {
            u32::try_from(v).map_err(|_| Error::unexpected(format!("stored {column} {v} is not a count")))
        };
        Ok(Article {
            id: ArticleId(r.id),
            title: r.title,
            body: r.body,
            keywords: r.keywords,
            audience: parse_stored("audience", &r.audience, Audience::parse)?,
            service: r.service_id.map(ServiceId),
            owner: UserId(r.owner_id),
            status: parse_stored("status", &r.status, ArticleStatus::parse)?,
            published_at: opt_from_micros(r.published_at)?,
            reviewed_on: opt_stored_date("reviewed_on", r.reviewed_on)?,
            next_review: opt_stored_date("next_review", r.next_review)?,
            helpful_votes: count("helpful_votes", r.helpful_votes)?,
            unhelpful_votes: count("unhelpful_votes", r.unhelpful_votes)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            &self.body,
            self.keywords.clone(),
            self.audience.as_str(),
            self.service.map(|v| v.0),
            self.owner.0,
            self.status.as_str(),
            self.published_at.map(micros),
            self.reviewed_on.map(|d| d.to_string()),
            self.next_review.map(|d| d.to_string()),
            i64::from(self.helpful_votes),
            i64::from(self.unhelpful_votes),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("owner", RecordKind::User, self.owner.0)];
        refer(&mut r, "service", RecordKind::Service, self.service.map(|v| v.0));
        r
    }
}

#[derive(sqlx::FromRow)]
struct VoteRow {
    voter_id: i64,
    helpful: bool,
    comment: Option<String>,
    voted_at: i64,
}

impl crate::Store {
    /// Records `voter`'s vote on an article (already checked as one they may read), replacing
    /// their earlier vote, and returns the article with its counts as they now stand.
    pub async fn vote(
        &self,
        article: ArticleId,
        voter: UserId,
        helpful: bool,
        comment: Option<String>,
        at: DateTime<Utc>,
    ) -> Result<Article> {
        let mut tx = self.begin().await?;
        // Articles are never deleted, so one found here is still there when the vote is written.
        let found: Option<(i64,)> = tx
            .fetch_optional("SELECT id FROM articles WHERE id = $1", args![article.0])
            .await?;
        if found.is_none() {
            return Err(Error::not_found("article", article));
        }
        tx.execute(
            "INSERT INTO article_votes (article_id, voter_id, helpful, comment, voted_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (article_id, voter_id) DO UPDATE SET helpful = excluded.helpful, comment = excluded.comment, \
             voted_at = excluded.voted_at",
            args![article.0, voter.0, helpful, comment, micros(at)],
        )
        .await?;
        tx.execute(
                "UPDATE articles SET \
                 helpful_votes = (SELECT COUNT(*) FROM article_votes v WHERE v.article_id = $1 AND v.helpful = TRUE), \
                 unhelpful_votes = (SELECT COUNT(*) FROM article_votes v WHERE v.article_id = $1 AND v.helpful = FALSE) \
                 WHERE id = $1",
                args![article.0],
            )
            .await?;
        let sql = format!("{} WHERE id = $1", crate::record::select_sql::<Article>());
        let row: ArticleRow = tx.fetch_one(&sql, args![article.0]).await?;
        tx.commit().await?;
        Article::from_row(row)
    }

    /// The votes on an article, newest first, a page at a time.
    pub async fn votes(&self, article: ArticleId, cursor: Option<&str>, limit: u32) -> Result<Page<Vote>> {
        let mut args = args![article.0];
        let mut after = String::new();
        if let Some(c) = cursor {
            let (at, voter) = decode_cursor(c)?;
            args.push(Arg::from(at));
            args.push(Arg::from(voter));
            after = " AND (voted_at < $2 OR (voted_at = $2 AND voter_id < $3))".into();
        }
        args.push(Arg::from(i64::from(limit) + 1));
        let sql = format!(
            "SELECT voter_id, helpful, comment, voted_at FROM article_votes WHERE article_id = $1{after} \
             ORDER BY voted_at DESC, voter_id DESC LIMIT ${}",
            args.len()
        );
        let mut c = self.read().await?;
        let mut rows: Vec<VoteRow> = c.fetch_all(&sql, args).await?;
        let next_cursor = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|r| encode_cursor(r.voted_at, r.voter_id))
        } else {
            None
        };
        let items = rows
            .into_iter()
            .map(|r| {
                Ok(Vote {
                    article: article.to_string(),
                    voter: UserId(r.voter_id),
                    helpful: r.helpful,
                    comment: r.comment,
                    voted_at: from_micros(r.voted_at)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page { items, next_cursor })
    }

    /// The vote `voter` cast on an article, if any.
    pub async fn vote_of(&self, article: ArticleId, voter: UserId) -> Result<Option<bool>> {
        let mut c = self.read().await?;
        let row: Option<(bool,)> = c
            .fetch_optional(
                "SELECT helpful FROM article_votes WHERE article_id = $1 AND voter_id = $2",
                args![article.0, voter.0],
            )
            .await?;
        Ok(row.map(|(h,)| h))
    }
}
