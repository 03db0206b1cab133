//! Credentials: password hashes and API token hashes. Neither the password nor the token itself
//! is ever stored.

use chrono::{DateTime, Utc};
use steward_core::Result;
use steward_core::history::{EntryContent, HistoryAction};
use steward_core::id::UserId;
use steward_core::record::RecordKind;
use steward_core::user::User;

use crate::record::{Table, insert};
use crate::{Store, args, history, micros};

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

    pub async fn insert_token(&self, user: UserId, token_hash: &str, info: &TokenInfo) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO api_tokens (user_id, token_hash, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
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
        Ok(())
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
