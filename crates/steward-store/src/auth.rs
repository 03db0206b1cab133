//! Credentials: password hashes and API token hashes. Neither the password nor the token itself
//! is ever stored.

use chrono::{DateTime, Utc};
use steward_core::Result;
use steward_core::history::{EntryContent, HistoryAction};
use steward_core::id::{TokenId, UserId};
use steward_core::record::RecordKind;
use steward_core::token::ApiToken;
use steward_core::user::User;

use crate::record::{Table, insert};
use crate::{Store, args, from_micros, history, micros, opt_from_micros};

/// A user with the password hash to check a sign-in against.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: Option<String>,
}

/// What is kept about a token besides its hash.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

const TOKEN_SELECT: &str = "SELECT id, user_id, name, created_at, expires_at, revoked_at FROM api_tokens";

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    user_id: i64,
    name: String,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TokenRow {
    fn token(self, now: DateTime<Utc>) -> Result<ApiToken> {
        let expires_at = opt_from_micros(self.expires_at)?;
        let revoked_at = opt_from_micros(self.revoked_at)?;
        Ok(ApiToken {
            id: TokenId(self.id),
            user: UserId(self.user_id),
            name: self.name,
            created_at: from_micros(self.created_at)?,
            state: ApiToken::state_at(expires_at, revoked_at, now),
            expires_at,
            revoked_at,
        })
    }
}

fn user_columns(prefix: &str) -> String {
    std::iter::once("id")
        .chain(User::COLUMNS.iter().copied())
        .map(|c| format!("{prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Creates a user and, if given, their password hash, in one transaction.
    pub async fn create_user(&self, user: User, password_hash: Option<String>, actor: Option<UserId>) -> Result<User> {
        let mut tx = self.begin().await?;
        let user = insert(&mut tx, user, actor).await?;
        if let Some(h) = password_hash {
            tx.execute("UPDATE users SET password_hash = $1 WHERE id = $2", args![h, user.id.0])
                .await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    /// Replaces a user's password hash; history records that it changed, not the hash.
    pub async fn set_password_hash(
        &self,
        user: UserId,
        hash: &str,
        actor: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute("UPDATE users SET password_hash = $1 WHERE id = $2", args![hash, user.0])
            .await?;
        if n == 0 {
            return Err(steward_core::Error::not_found("user", user));
        }
        history::append(
            &mut tx,
            vec![EntryContent {
                record_kind: RecordKind::User,
                record_id: user.0,
                actor,
                at_micros: micros(at),
                action: HistoryAction::Update,
                field: Some("password".into()),
                old_value: None,
                new_value: Some("\"changed\"".into()),
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn credentials_by_email(&self, email: &str) -> Result<Option<Credentials>> {
        #[derive(sqlx::FromRow)]
        struct Hash {
            password_hash: Option<String>,
        }
        let Some(user) = self.user_by_email(email).await? else {
            return Ok(None);
        };
        let mut c = self.read().await?;
        let h: Option<Hash> = c
            .fetch_optional("SELECT password_hash FROM users WHERE id = $1", args![user.id.0])
            .await?;
        Ok(Some(Credentials {
            user,
            password_hash: h.and_then(|h| h.password_hash),
        }))
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {} FROM users WHERE email = $1", user_columns(""));
        let mut c = self.read().await?;
        c.fetch_optional::<<User as Table>::Row>(&sql, args![email.trim().to_lowercase()])
            .await?
            .map(User::from_row)
            .transpose()
    }

    /// Keeps a new token's hash with its name and expiry, and records it in the user's history.
    pub async fn insert_token(&self, user: UserId, token_hash: &str, info: &TokenInfo) -> Result<TokenId> {
        let mut tx = self.begin().await?;
        let (id,): (i64,) = tx
            .fetch_one(
                "INSERT INTO api_tokens (user_id, token_hash, name, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                args![
                    user.0,
                    token_hash,
                    &info.name,
                    micros(info.created_at),
                    info.expires_at.map(micros)
                ],
            )
            .await?;
        history::append(
            &mut tx,
            vec![EntryContent {
                record_kind: RecordKind::User,
                record_id: user.0,
                actor: Some(user),
                at_micros: micros(info.created_at),
                action: HistoryAction::Update,
                field: Some("api_token".into()),
                old_value: None,
                new_value: Some(serde_json::Value::String(info.name.clone()).to_string()),
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(TokenId(id))
    }

    /// A user's tokens, newest first (at most 500: tokens are few, and revoked ones are kept).
    pub async fn list_tokens(&self, user: UserId, now: DateTime<Utc>) -> Result<Vec<ApiToken>> {
        let sql = format!("{TOKEN_SELECT} WHERE user_id = $1 ORDER BY id DESC LIMIT 500");
        let mut c = self.read().await?;
        let rows: Vec<TokenRow> = c.fetch_all(&sql, args![user.0]).await?;
        rows.into_iter().map(|r| r.token(now)).collect()
    }

    pub async fn get_token(&self, id: TokenId, now: DateTime<Utc>) -> Result<Option<ApiToken>> {
        let sql = format!("{TOKEN_SELECT} WHERE id = $1");
        let mut c = self.read().await?;
        let row: Option<TokenRow> = c.fetch_optional(&sql, args![id.0]).await?;
        row.map(|r| r.token(now)).transpose()
    }

    /// Revokes one token (a token already revoked keeps its first revocation) and records it in
    /// its owner's history, by `actor` (none for the command line); none if there is no such token.
    pub async fn revoke_token(
        &self,
        id: TokenId,
        actor: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<Option<ApiToken>> {
        let mut tx = self.begin().await?;
        let sql = format!("{TOKEN_SELECT} WHERE id = $1");
        let Some(row): Option<TokenRow> = tx.fetch_optional(&sql, args![id.0]).await? else {
            return Ok(None);
        };
        if row.revoked_at.is_none() {
            tx.execute(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                args![micros(at), id.0],
            )
            .await?;
            history::append(
                &mut tx,
                vec![EntryContent {
                    record_kind: RecordKind::User,
                    record_id: row.user_id,
                    actor,
                    at_micros: micros(at),
                    action: HistoryAction::Update,
                    field: Some("api_token".into()),
                    old_value: Some(serde_json::Value::String(row.name.clone()).to_string()),
                    new_value: Some(serde_json::Value::String(format!("{} revoked", TokenId(id.0))).to_string()),
                }],
            )
            .await?;
        }
        tx.commit().await?;
        let revoked_at = row.revoked_at.unwrap_or(micros(at));
        TokenRow {
            revoked_at: Some(revoked_at),
            ..row
        }
        .token(at)
        .map(Some)
    }

    /// The user a token belongs to, if the token is known, not revoked and not expired.
    pub async fn user_by_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)",
            user_columns("u.")
        );
        let mut c = self.read().await?;
        c.fetch_optional::<<User as Table>::Row>(&sql, args![token_hash, micros(now)])
            .await?
            .map(User::from_row)
            .transpose()
    }

    /// Revokes every token of a user.
    pub async fn revoke_tokens(&self, user: UserId, at: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                args![micros(at), user.0],
            )
            .await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn count_users(&self) -> Result<i64> {
        let mut c = self.read().await?;
        let (n,): (i64,) = c.fetch_one("SELECT COUNT(*) FROM users", vec![]).await?;
        Ok(n)
    }
}
