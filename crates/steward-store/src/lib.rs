//! Steward's storage. One body of SQL runs on SQLite (the embedded default, WAL mode) and
//! PostgreSQL 15 (production); see `exec` for how. Every write and its history entries share one
//! transaction.

pub mod exec;

mod action;
mod agreement;
mod approval;
mod article;
mod assessment;
mod asset;
mod attachment;
mod audit;
mod auth;
mod batch;
mod business_relationship;
mod calendar;
mod capacity;
mod catalogue_item;
mod certification;
mod change;
mod change_blackout;
mod change_template;
mod clock;
mod comment;
mod configuration_item;
mod configuration_item_type;
mod continuity;
mod dashboard;
mod document;
mod error;
mod evidence;
mod finance;
mod history;
mod import;
mod improvement;
mod inbound;
mod incident;
mod indicator;
mod job;
mod link;
mod mail;
mod management_review;
mod nonconformity;
mod notification;
mod objective;
mod organisation;
mod outage;
mod page;
mod problem;
mod readiness;
mod record;
mod relationship;
mod release;
mod report;
mod request;
mod risk;
mod search;
mod security_control;
mod service;
mod settings;
mod sms_scope;
mod supplier;
mod survey;
mod team;
mod transfer;
mod user;
mod watcher;
mod web_session;

#[cfg(feature = "testing")]
pub mod testing;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use steward_core::{Error, Result};

pub use attachment::NewAttachment;
pub use auth::{Credentials, TokenInfo};
pub use capacity::READINGS_PAGE_MAX;
pub use change_blackout::ScheduleConflict;
pub use error::DbError;
pub use history::VerifyReport;
pub use import::{Story, Ticket};
pub use inbound::{MailFile, MailReply, NewInboundMail};
pub use job::JobState;
pub use mail::{ClaimedMail, SendOutcome};
pub use notification::Told;
pub use page::{ListQuery, MAX_LIMIT, Page, Sort, decode_cursor, encode_cursor};
pub use record::{Located, NeedToKnowColumns, Table};
pub use search::SearchQuery;
pub use transfer::{CopyReport, TableCopy};
pub use web_session::{SavedView, SignInFrom, WebSession};

use exec::{Conn, Tx};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone)]
enum Db {
    /// Writes go through a pool of one connection so they queue in-process instead of contending
    /// for SQLite's lock; reads use their own pool.
    Sqlite {
        write: SqlitePool,
        read: SqlitePool,
    },
    Postgres(PgPool),
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Db,
    /// Inserts waiting to share a transaction (see `batch`).
    queues: std::sync::Arc<batch::Queues>,
}

/// Which backend a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

fn unexpected(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Unexpected(Box::new(e))
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path`.
    pub async fn open_sqlite(path: &Path) -> Result<Store> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged write survives power loss, not only a process crash.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        // Page caches: 32 MiB for the writer, 8 MiB for each of 8 readers. The operating
        // system caches the file too; these bound what the process itself holds. Temporary
        // b-trees (a large GROUP BY or sort) spill to temporary files past the page cache rather
        // than growing the process.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone().pragma("cache_size", "-32768"))
            .await
            .map_err(|e| Error::unexpected(format!("cannot open SQLite database {}: {e}", path.display())))?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts.read_only(true).pragma("cache_size", "-8192"))
            .await
            .map_err(unexpected)?;
        Ok(Store {
            db: Db::Sqlite { write, read },
            queues: Default::default(),
        })
    }

    /// Connects to PostgreSQL at `url` (`postgres://user:password@host:port/database`).
    pub async fn open_postgres(url: &str) -> Result<Store> {
        let opts = PgConnectOptions::from_str(url)
            .map_err(|e| Error::invalid("database_url", format!("not a PostgreSQL URL: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(|e| Error::unexpected(format!("cannot connect to PostgreSQL: {e}")))?;
        Ok(Store {
            db: Db::Postgres(pool),
            queues: Default::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations. The read pool of SQLite is opened read-only, so migrations go
    /// through the writer.
    pub async fn migrate(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
        .map_err(|e| Error::unexpected(format!("migration failed: {e}")))
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        let mut c = self.read().await?;
        let _: (i64,) = c.fetch_one("SELECT CAST(1 AS BIGINT)", vec![]).await?;
        Ok(())
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }

    pub(crate) async fn begin(&self) -> Result<Tx> {
        Ok(match &self.db {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await.map_err(DbError)?),
            Db::Postgres(p) => Tx::Pg(p.begin().await.map_err(DbError)?),
        })
    }

    /// A transaction for several consistent reads.
    pub(crate) async fn begin_read(&self) -> Result<Tx> {
        Ok(match &self.db {
            Db::Sqlite { read, .. } => Tx::Sqlite(read.begin().await.map_err(DbError)?),
            Db::Postgres(p) => Tx::Pg(p.begin().await.map_err(DbError)?),
        })
    }

    pub(crate) async fn read(&self) -> Result<Conn> {
        Ok(match &self.db {
            Db::Sqlite { read, .. } => Conn::Sqlite(read.acquire().await.map_err(DbError)?),
            Db::Postgres(p) => Conn::Pg(p.acquire().await.map_err(DbError)?),
        })
    }

    /// Writes a consistent copy of the SQLite database to `path` while writers go on: SQLite's
    /// `VACUUM INTO` reads one snapshot and writes it as a new, compact database file.
    /// PostgreSQL is backed up with its own tools (`pg_dump`), which the command line runs.
    pub async fn backup_sqlite(&self, path: &Path) -> Result<()> {
        match &self.db {
            Db::Sqlite { read, .. } => {
                let target = path
                    .to_str()
                    .ok_or_else(|| Error::invalid("to", "the path must be valid text"))?;
                sqlx::query("VACUUM INTO ?")
                    .bind(target.to_string())
                    .execute(read)
                    .await
                    .map_err(DbError)?;
                Ok(())
            }
            Db::Postgres(_) => Err(Error::invalid("to", "a PostgreSQL database is backed up with pg_dump")),
        }
    }

    /// How many tables the database holds (none in a database that Steward has never used).
    pub async fn table_count(&self) -> Result<i64> {
        let sql = match self.backend() {
            Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
            Backend::Postgres => "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
        };
        let mut c = self.read().await?;
        let (n,): (i64,) = c.fetch_one(sql, vec![]).await?;
        Ok(n)
    }

    /// Whether the database has never held Steward's records: it has no tables, or only the
    /// schema its migrations wrote, with no user and no history entry.
    pub async fn is_unused(&self) -> Result<bool> {
        if self.table_count().await? == 0 {
            return Ok(true);
        }
        let mut c = self.read().await?;
        let held: std::result::Result<(i64,), _> = c
            .fetch_one(
                "SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM history)",
                vec![],
            )
            .await;
        // Tables that are not Steward's are someone else's database.
        Ok(matches!(held, Ok((0,))))
    }

    /// The raw pools, for tests and tools that must reach past the store (for example to tamper
    /// with history in a test of `audit verify`).
    pub async fn execute_raw(&self, sql: &str) -> Result<u64> {
        let mut tx = self.begin().await?;
        let n = tx.execute(sql, vec![]).await?;
        tx.commit().await?;
        Ok(n)
    }
}

/// Microseconds since the Unix epoch, the form every timestamp is stored in.
pub(crate) fn micros(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_micros()
}

/// UTC midnight at the start of `day`, in microseconds: a day-dated column's instant, to set
/// against timestamps.
pub(crate) fn midnight_micros(day: chrono::NaiveDate) -> i64 {
    micros(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

pub(crate) fn from_micros(v: i64) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp_micros(v)
        .ok_or_else(|| Error::unexpected(format!("stored timestamp {v} is out of range")))
}

pub(crate) fn opt_from_micros(v: Option<i64>) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    v.map(from_micros).transpose()
}

/// Parses a stored enum value, failing loudly (not silently) on a value the code does not know.
pub(crate) fn parse_stored<T>(column: &str, v: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(v).ok_or_else(|| Error::unexpected(format!("stored {column} '{v}' is not a known value")))
}

/// Priorities are stored as 1 (P1) to 5 (P5) so they sort and page as integers.
pub(crate) fn priority_to_stored(p: steward_core::priority::Priority) -> i64 {
    p as i64 + 1
}

pub(crate) fn priority_from_stored(v: i64) -> Result<steward_core::priority::Priority> {
    usize::try_from(v - 1)
        .ok()
        .and_then(|i| steward_core::priority::Priority::ALL.get(i).copied())
        .ok_or_else(|| Error::unexpected(format!("stored priority {v} is not 1-5")))
}

/// Adds a reference to check when it is set.
pub(crate) fn refer(
    out: &mut Vec<(&'static str, steward_core::record::RecordKind, i64)>,
    field: &'static str,
    kind: steward_core::record::RecordKind,
    id: Option<i64>,
) {
    if let Some(id) = id {
        out.push((field, kind, id));
    }
}

/// A short fingerprint of both migration sets, so a cached test template is rebuilt whenever the
/// schema changes.
pub fn schema_fingerprint() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for m in SQLITE_MIGRATIONS.iter().chain(POSTGRES_MIGRATIONS.iter()) {
        h.update(m.version.to_be_bytes());
        h.update(&m.checksum[..]);
    }
    hex::encode(&h.finalize()[..6])
}

/// A date stored as ISO 8601 text.
pub(crate) fn stored_date(column: &str, v: &str) -> Result<chrono::NaiveDate> {
    v.parse()
        .map_err(|_| Error::unexpected(format!("stored {column} '{v}' is not a date")))
}

pub(crate) fn opt_stored_date(column: &str, v: Option<String>) -> Result<Option<chrono::NaiveDate>> {
    v.map(|d| stored_date(column, &d)).transpose()
}

/// A JSON text column read back into its structure.
pub(crate) fn stored_json<T: serde::de::DeserializeOwned>(column: &str, v: &str) -> Result<T> {
    serde_json::from_str(v).map_err(|e| Error::unexpected(format!("stored {column} is not valid: {e}")))
}

/// A plain data structure as JSON text, for columns holding a document.
pub(crate) fn json_text<T: serde::Serialize>(v: &T) -> String {
    // Serialising plain data structs (no maps with non-text keys) cannot fail.
    serde_json::to_string(v).unwrap_or_default()
}

/// `$first, $first+1, ...` for `n` values, for `IN (...)` lists.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
