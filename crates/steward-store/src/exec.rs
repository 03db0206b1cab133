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
    Bytes(Option<Vec<u8>>),
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

impl From<Vec<u8>> for Arg {
    fn from(v: Vec<u8>) -> Self {
        Arg::Bytes(Some(v))
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
                Arg::Bytes(v) => q.bind(v),
            };
        }
        q
    }};
}

/// The SQL and arguments as SQLite is given them: each `$N` placeholder becomes an anonymous `?`
/// with the N-th argument in its place (repeated where the placeholder is). SQLite takes `$N`,
/// but finds a named placeholder's number by walking every name before it, both when it parses
/// and when the driver binds, which makes a statement of thousands of placeholders (a multi-row
/// insert) take seconds; anonymous ones are numbered in order.
fn sqlite_sql(sql: &str, args: Vec<Arg>) -> (AssertSqlSafe<String>, Vec<Arg>) {
    let mut out = String::with_capacity(sql.len());
    let mut order: Vec<usize> = Vec::new();
    let mut quoted = false;
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '\'' => quoted = !quoted,
            '$' if !quoted && chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) => {
                let mut n: usize = 0;
                while let Some((_, d)) = chars.peek().copied().filter(|(_, d)| d.is_ascii_digit()) {
                    n = n.saturating_mul(10).saturating_add(d as usize - '0' as usize);
                    chars.next();
                }
                out.push('?');
                order.push(n);
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    if order.iter().enumerate().all(|(i, n)| *n == i + 1) && order.len() == args.len() {
        return (AssertSqlSafe(out), args);
    }
    // A placeholder past the arguments binds NULL, as SQLite does for an unbound one.
    let args = order
        .iter()
        .map(|n| {
            n.checked_sub(1)
                .and_then(|i| args.get(i))
                .cloned()
                .unwrap_or(Arg::Text(None))
        })
        .collect();
    (AssertSqlSafe(out), args)
}

/// Implements the query methods for an enum with `Sqlite` and `Pg` variants that deref to a
/// connection.
macro_rules! query_methods {
    () => {
        pub async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<u64> {
            Ok(match self {
                Self::Sqlite(c) => {
                    let (sql, args) = sqlite_sql(sql, args);
                    bind_args!(sqlx::query::<Sqlite>(sql), args)
                        .execute(&mut **c)
                        .await?
                        .rows_affected()
                }
                Self::Pg(c) => bind_args!(sqlx::query::<Postgres>(AssertSqlSafe(sql.to_string())), args)
                    .execute(&mut **c)
                    .await?
                    .rows_affected(),
            })
        }

        pub async fn fetch_optional<T: Row>(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Option<T>> {
            Ok(match self {
                Self::Sqlite(c) => {
                    let (sql, args) = sqlite_sql(sql, args);
                    bind_args!(sqlx::query_as::<Sqlite, T>(sql), args)
                        .fetch_optional(&mut **c)
                        .await?
                }
                Self::Pg(c) => {
                    bind_args!(
                        sqlx::query_as::<Postgres, T>(AssertSqlSafe(sql.to_string())),
                        args
                    )
                    .fetch_optional(&mut **c)
                    .await?
                }
            })
        }

        pub async fn fetch_one<T: Row>(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<T> {
            Ok(match self {
                Self::Sqlite(c) => {
                    let (sql, args) = sqlite_sql(sql, args);
                    bind_args!(sqlx::query_as::<Sqlite, T>(sql), args)
                        .fetch_one(&mut **c)
                        .await?
                }
                Self::Pg(c) => {
                    bind_args!(
                        sqlx::query_as::<Postgres, T>(AssertSqlSafe(sql.to_string())),
                        args
                    )
                    .fetch_one(&mut **c)
                    .await?
                }
            })
        }

        pub async fn fetch_all<T: Row>(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<T>> {
            Ok(match self {
                Self::Sqlite(c) => {
                    let (sql, args) = sqlite_sql(sql, args);
                    bind_args!(sqlx::query_as::<Sqlite, T>(sql), args)
                        .fetch_all(&mut **c)
                        .await?
                }
                Self::Pg(c) => {
                    bind_args!(
                        sqlx::query_as::<Postgres, T>(AssertSqlSafe(sql.to_string())),
                        args
                    )
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

#[cfg(test)]
mod tests {
    use super::{Arg, sqlite_sql};

    #[test]
    fn sqlite_placeholders_become_anonymous_in_order_outside_string_literals() {
        let (sql, args) = sqlite_sql(
            "SELECT '$1', $2 FROM t WHERE a = $1 AND b = 'x''$2' AND c = $2 AND d = $",
            crate::args![10, "twenty"],
        );
        assert_eq!(
            sql.0,
            "SELECT '$1', ? FROM t WHERE a = ? AND b = 'x''$2' AND c = ? AND d = $"
        );
        assert_eq!(args, crate::args!["twenty", 10, "twenty"]);
        let (_, args) = sqlite_sql("SELECT $1, $3", crate::args![1]);
        assert_eq!(
            args,
            vec![Arg::from(1), Arg::Text(None)],
            "a missing argument binds NULL"
        );
    }
}
