//! The web interface's sign-in state: sessions (only the token's SHA-256 is stored, beside the
//! CSRF token its forms carry), failed sign-ins per email address and per network address for
//! the lock-out delays, and
//! each person's saved queue views. All of it is in the database, so any number of Steward
//! processes serving one database agree on it.

use chrono::{DateTime, Utc};
use steward_core::Result;
use steward_core::id::UserId;
use steward_core::user::User;

use crate::record::Table;
use crate::{Store, args, micros};

/// A signed-in session: who, and the token its forms must carry.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// What failed sign-ins are counted against: the account (its email address), or the network
/// address they came from, so one address guessing across many accounts is slowed too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFrom<'a> {
    Account(&'a str),
    Address(&'a str),
}

impl SignInFrom<'_> {
    /// The table and key column of its counts, and the key.
    fn table(&self) -> (&'static str, &'static str, &str) {
        match self {
            SignInFrom::Account(email) => ("sign_in_failures", "email", email),
            SignInFrom::Address(address) => ("sign_in_address_failures", "address", address),
        }
    }
}

/// A named queue view: the query string of the queue page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    pub query: String,
}

impl Store {
    pub async fn insert_web_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf_token: &str,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        // Sessions past their end are removed as new ones begin, so the table stays small.
        tx.execute(
            "DELETE FROM web_sessions WHERE expires_at <= $1",
            args![micros(created_at)],
        )
        .await?;
        tx.execute(
            "INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
            args![token_hash, user.0, csrf_token, micros(created_at), micros(expires_at)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session a token opens, if it exists and has not ended.
    pub async fn web_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<WebSession>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: crate::user::UserRow,
            csrf_token: String,
            expires_at: i64,
        }
        let user_columns: Vec<String> = std::iter::once("id")
            .chain(User::COLUMNS.iter().copied())
            .map(|c| format!("u.{c}"))
            .collect();
        let sql = format!(
            "SELECT {}, s.csrf_token, s.expires_at FROM web_sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
            user_columns.join(", ")
        );
        let mut c = self.read().await?;
        let row: Option<Row> = c.fetch_optional(&sql, args![token_hash, micros(now)]).await?;
        row.map(|r| {
            Ok(WebSession {
                user: User::from_row(r.user)?,
                csrf_token: r.csrf_token,
                expires_at: r.expires_at,
            })
        })
        .transpose()
    }

    pub async fn delete_web_session(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.execute("DELETE FROM web_sessions WHERE token_hash = $1", args![token_hash])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Until when sign-ins from `from` are refused (microseconds), if they are.
    pub async fn sign_in_locked_until(&self, from: SignInFrom<'_>, now: DateTime<Utc>) -> Result<Option<i64>> {
        let (table, column, key) = from.table();
        let mut c = self.read().await?;
        let row: Option<(i64,)> = c
            .fetch_optional(
                &format!("SELECT locked_until FROM {table} WHERE {column} = $1 AND locked_until > $2"),
                args![key, micros(now)],
            )
            .await?;
        Ok(row.map(|r| r.0))
    }

    /// Counts a failed sign-in against `from` (failures more than `window` apart start a new
    /// count) and sets the lock-out `delay` gives for the count; returns the count and the lock's
    /// end.
    pub async fn record_sign_in_failure(
        &self,
        from: SignInFrom<'_>,
        now: DateTime<Utc>,
        window: chrono::Duration,
        delay: impl Fn(i64) -> chrono::Duration,
    ) -> Result<(i64, i64)> {
        let (table, column, key) = from.table();
        let now_us = micros(now);
        let mut tx = self.begin().await?;
        let (failures,): (i64,) = tx
            .fetch_one(
                &format!(
                    "INSERT INTO {table} ({column}, failures, last_failure_at, locked_until) VALUES ($1, 1, $2, 0) \
                     ON CONFLICT ({column}) DO UPDATE SET \
                       failures = CASE WHEN {table}.last_failure_at < $3 THEN 1 ELSE {table}.failures + 1 END, \
                       last_failure_at = $2 \
                     RETURNING failures"
                ),
                args![key, now_us, micros(now - window)],
            )
            .await?;
        let locked_until = now_us + delay(failures).num_microseconds().unwrap_or(i64::MAX / 2);
        tx.execute(
            &format!("UPDATE {table} SET locked_until = $1 WHERE {column} = $2"),
            args![locked_until, key],
        )
        .await?;
        tx.commit().await?;
        Ok((failures, locked_until))
    }

    /// Forgets the failed sign-ins counted against `from`.
    pub async fn clear_sign_in_failures(&self, from: SignInFrom<'_>) -> Result<()> {
        let (table, column, key) = from.table();
        let mut tx = self.begin().await?;
        tx.execute(&format!("DELETE FROM {table} WHERE {column} = $1"), args![key])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn saved_views(&self, user: UserId) -> Result<Vec<SavedView>> {
        let mut c = self.read().await?;
        Ok(c.fetch_all(
            "SELECT id, name, query FROM saved_views WHERE user_id = $1 ORDER BY name, id",
            args![user.0],
        )
        .await?)
    }

    /// Saves a view under a name, replacing the person's view of that name.
    pub async fn save_view(&self, user: UserId, name: &str, query: &str, at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO saved_views (user_id, name, query, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, name) DO UPDATE SET query = $3, created_at = $4",
            args![user.0, name, query, micros(at)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes one of the person's views; false if they have none with that id.
    pub async fn delete_saved_view(&self, user: UserId, id: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "DELETE FROM saved_views WHERE id = $1 AND user_id = $2",
                args![id, user.0],
            )
            .await?;
        tx.commit().await?;
        Ok(n > 0)
    }
}
