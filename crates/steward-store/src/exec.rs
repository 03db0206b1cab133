//! The dialect-neutral executor: one body of SQL (with `$1`-style placeholders, which both
//! drivers accept) run on SQLite or PostgreSQL. Values cross as [`Arg`]; rows come back through
//! `FromRow` types that decode on both backends.

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, FromRow, Postgres, Sqlite};

use crate::error::StoreResult;

/// A value bound to a placeholder. `None` binds a typed NULL.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    I64(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::I64(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::I64(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(Some(v))
    }
}
impl From<Option<bool>> for Arg {
    fn from(v: Option<bool>) -> Self {
        Arg::Bool(v)
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_string))
    }
}

/// Builds a `Vec<Arg>` from values that convert into [`Arg`].
#[macro_export]
macro_rules! args {
    ($($v:expr),* $(,)?) => { vec![$($crate::exec::Arg::from($v)),*] };
}

/// A row type that decodes from both backends.
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::I64(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Implements the query methods for an enum with `Sqlite` and `Pg` variants that deref to a
/// connection.
macro_rules! query_methods {
    () => {
        pub async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<u64> {
            let sql = AssertSqlSafe(sql.to_string());
            Ok(match self {
                Self::Sqlite(c) => bind_args!(sqlx::query::<Sqlite>(sql), args)
                    .execute(&mut **c)
                    .await?
                    .rows_affected(),
                Self::Pg(c) => bind_args!(sqlx::query::<Postgres>(sql), args)
                    .execute(&mut **c)
                    .await?
                    .rows_affected(),
            })
        }

        pub async fn fetch_optional<T: Row>(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Option<T>> {
            let sql = AssertSqlSafe(sql.to_string());
            Ok(match self {
                Self::Sqlite(c) => {
                    bind_args!(sqlx::query_as::<Sqlite, T>(sql), args)
                        .fetch_optional(&mut **c)
                        .await?
                }
                Self::Pg(c) => {
                    bind_args!(sqlx::query_as::<Postgres, T>(sql), args)
                        .fetch_optional(&mut **c)
                        .await?
                }
            })
        }

        pub async fn fetch_one<T: Row>(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<T> {
            let sql = AssertSqlSafe(sql.to_string());
            Ok(match self {
                Self::Sqlite(c) => {
                    bind_args!(sqlx::query_as::<Sqlite, T>(sql), args)
                        .fetch_one(&mut **c)
                        .await?
                }
                Self::Pg(c) => {
                    bind_args!(sqlx::query_as::<Postgres, T>(sql), args)
                        .fetch_one(&mut **c)
                        .await?
                }
            })
        }

        pub async fn fetch_all<T: Row>(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<T>> {
            let sql = AssertSqlSafe(sql.to_string());
            Ok(match self {
                Self::Sqlite(c) => {
                    bind_args!(sqlx::query_as::<Sqlite, T>(sql), args)
                        .fetch_all(&mut **c)
                        .await?
                }
                Self::Pg(c) => {
                    bind_args!(sqlx::query_as::<Postgres, T>(sql), args)
                        .fetch_all(&mut **c)
                        .await?
                }
            })
        }

        /// `FOR UPDATE SKIP LOCKED` where the backend has row locks, so concurrent workers in
        /// other processes take different rows; SQLite's write transactions are exclusive.
        pub fn lock_rows_skip_locked(&self) -> &'static str {
            match self {
                Self::Sqlite(_) => "",
                Self::Pg(_) => " FOR UPDATE SKIP LOCKED",
            }
        }

        /// `FOR UPDATE` where the backend has row locks; SQLite's write transactions are already
        /// exclusive (`BEGIN IMMEDIATE`).
        pub fn lock_rows(&self) -> &'static str {
            match self {
                Self::Sqlite(_) => "",
                Self::Pg(_) => " FOR UPDATE",
            }
        }
    };
}

/// A write transaction.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Pg(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    query_methods!();

    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// A pooled connection for reads.
pub enum Conn {
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Pg(sqlx::pool::PoolConnection<Postgres>),
}

impl Conn {
    query_methods!();
}
