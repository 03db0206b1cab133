//! Test support: a fresh, migrated database per test on every backend under test. SQLite always;
//! PostgreSQL when `TEST_PG_URL` points at a server (each test gets a database cloned from a
//! migrated template). With `CI=true` and no `TEST_PG_URL`, asking for the backends fails rather
//! than silently testing one.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, Executor, PgConnection};

use crate::Store;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Where a test's database lives, so it can be removed afterwards.
pub enum Location {
    Sqlite {
        dir: PathBuf,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

pub struct TestDb {
    pub label: &'static str,
    pub store: Store,
    pub location: Location,
}

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

/// The PostgreSQL server to test against, if any.
pub fn pg_url() -> Option<String> {
    match std::env::var("TEST_PG_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("CI").map(|v| v != "true").unwrap_or(true),
                "CI=true but TEST_PG_URL is not set: the PostgreSQL half of the suite cannot be skipped in CI"
            );
            None
        }
    }
}

/// Replaces the database name in a PostgreSQL URL.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{db}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// An empty SQLite database in a new temporary folder; returns the folder.
pub fn sqlite_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(unique("steward_test"));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// A new, empty (unmigrated) PostgreSQL database; returns its URL and name.
pub async fn pg_empty_database(admin_url: &str) -> (String, String) {
    let name = unique("steward_t");
    let mut admin = PgConnection::connect(admin_url).await.expect("connect to TEST_PG_URL");
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create database");
    admin.close().await.ok();
    (with_database(admin_url, &name), name)
}

/// A migrated PostgreSQL database cloned from a template that is built once per schema.
async fn pg_migrated_database(admin_url: &str) -> (String, String) {
    let template = format!("steward_tpl_{}", crate::schema_fingerprint());
    let name = unique("steward_t");
    let mut admin = PgConnection::connect(admin_url).await.expect("connect to TEST_PG_URL");
    admin.execute("SELECT pg_advisory_lock(727274)").await.expect("lock");
    let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&template)
        .fetch_optional(&mut admin)
        .await
        .expect("look up template");
    if exists.is_none() {
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {template}")))
            .await
            .expect("create template");
        let store = Store::open_postgres(&with_database(admin_url, &template))
            .await
            .expect("open template");
        store.migrate().await.expect("migrate template");
        store.close().await;
    }
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} TEMPLATE {template}"
        )))
        .await
        .expect("clone template");
    admin
        .execute("SELECT pg_advisory_unlock(727274)")
        .await
        .expect("unlock");
    admin.close().await.ok();
    (with_database(admin_url, &name), name)
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = sqlite_dir();
        let store = Store::open_sqlite(&dir.join("steward.db")).await.expect("open sqlite");
        store.migrate().await.expect("migrate sqlite");
        TestDb {
            label: "sqlite",
            store,
            location: Location::Sqlite { dir },
        }
    }

    pub async fn postgres(admin_url: &str) -> TestDb {
        let (url, name) = pg_migrated_database(admin_url).await;
        let store = Store::open_postgres(&url).await.expect("open postgres");
        TestDb {
            label: "postgres",
            store,
            location: Location::Postgres {
                admin_url: admin_url.to_string(),
                name,
                url,
            },
        }
    }

    /// One migrated database per backend under test.
    pub async fn each() -> Vec<TestDb> {
        let mut out = vec![TestDb::sqlite().await];
        if let Some(url) = pg_url() {
            out.push(TestDb::postgres(&url).await);
        }
        out
    }

    /// The command-line options that reach this database (`--data-dir` or `--database-url`).
    pub fn cli_args(&self) -> Vec<String> {
        match &self.location {
            Location::Sqlite { dir } => vec!["--data-dir".into(), dir.display().to_string()],
            Location::Postgres { url, .. } => vec!["--database-url".into(), url.clone()],
        }
    }

    /// Closes the store and removes the database.
    pub async fn finish(self) {
        self.store.close().await;
        match self.location {
            Location::Sqlite { dir } => {
                std::fs::remove_dir_all(dir).ok();
            }
            Location::Postgres { admin_url, name, .. } => drop_database(&admin_url, &name).await,
        }
    }
}

/// Removes a PostgreSQL test database, whoever is still connected to it.
pub async fn drop_database(admin_url: &str, name: &str) {
    if let Ok(mut admin) = PgConnection::connect(admin_url).await {
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .await
            .ok();
        admin.close().await.ok();
    }
}
