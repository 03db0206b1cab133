//! `steward backup` and `steward restore`. SQLite is copied with its own online snapshot
//! (`VACUUM INTO`, taken while the server writes); PostgreSQL with its own tools (`pg_dump` to a
//! custom-format archive, `pg_restore` from one), which are found on the PATH or in Debian's
//! `/usr/lib/postgresql/<version>/bin`. A restore goes only into an empty data directory or an
//! empty database, so it can never overwrite records, and its history chain is verified after.
//! `steward migrate-store` moves a SQLite database into an empty PostgreSQL one, table by table
//! (`Store::copy_into`), with the same checks.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use steward_store::Store;

/// The SQLite file header, which every database file starts with.
const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

pub async fn backup(database_url: &Option<String>, data_dir: &Path, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        bail!("{} already exists; a backup never overwrites a file", to.display());
    }
    match database_url {
        Some(url) => {
            let out = Command::new(pg_tool("pg_dump")?)
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(to)
                .arg(url)
                .output()
                .context("cannot run pg_dump")?;
            if !out.status.success() {
                bail!("pg_dump failed: {}", String::from_utf8_lossy(&out.stderr).trim());
            }
        }
        None => {
            let db = data_dir.join("steward.db");
            if !db.exists() {
                bail!("there is no database at {}", db.display());
            }
            let store = Store::open_sqlite(&db).await?;
            let taken = store.backup_sqlite(to).await;
            store.close().await;
            taken?;
        }
    }
    let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    eprintln!("backed up to {} ({size} bytes)", to.display());
    Ok(())
}

pub async fn restore(database_url: &Option<String>, data_dir: &Path, from: &Path) -> anyhow::Result<()> {
    let mut head = [0u8; 16];
    let read = std::fs::File::open(from)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .with_context(|| format!("cannot read {}", from.display()))?;
    let store = match database_url {
        Some(url) => {
            if head.starts_with(b"PGDMP") {
                let store = Store::open_postgres(url).await?;
                if store.table_count().await? > 0 {
                    store.close().await;
                    bail!("the database already holds tables; restore into an empty database");
                }
                let out = Command::new(pg_tool("pg_restore")?)
                    .args(["--no-owner", "--exit-on-error", "--dbname"])
                    .arg(url)
                    .arg(from)
                    .output()
                    .context("cannot run pg_restore")?;
                if !out.status.success() {
                    bail!("pg_restore failed: {}", String::from_utf8_lossy(&out.stderr).trim());
                }
                store
            } else {
                bail!(
                    "{} is not a PostgreSQL backup written by steward backup",
                    from.display()
                );
            }
        }
        None => {
            if read < SQLITE_HEADER.len() || head != SQLITE_HEADER {
                bail!("{} is not a SQLite backup written by steward backup", from.display());
            }
            let db = data_dir.join("steward.db");
            if db.exists() {
                bail!(
                    "{} already holds a database; restore into an empty data directory",
                    data_dir.display()
                );
            }
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
            std::fs::copy(from, &db).with_context(|| format!("cannot copy {} to {}", from.display(), db.display()))?;
            Store::open_sqlite(&db).await?
        }
    };
    // A backup taken before an upgrade is brought up to this version's schema.
    store.migrate().await?;
    let report = store.verify_history().await?;
    store.close().await;
    if !report.faults.is_empty() {
        bail!(
            "the restored history chain has {} faults; run steward audit verify",
            report.faults.len()
        );
    }
    eprintln!("restored from {}; the history chain verifies", from.display());
    Ok(())
}

/// Moves the SQLite database of `data_dir` into the empty PostgreSQL database at `to`: both are
/// migrated to this version, every table is copied in one snapshot and one transaction with its
/// counts checked, and the target's history chain is verified before the command says it is done.
pub async fn migrate_store(database_url: &Option<String>, data_dir: &Path, to: &str) -> anyhow::Result<()> {
    if database_url.is_some() {
        bail!(
            "migrate-store moves the embedded SQLite database of --data-dir to PostgreSQL; leave out --database-url (or STEWARD_DATABASE_URL)"
        );
    }
    let db = data_dir.join("steward.db");
    if !db.exists() {
        bail!("there is no database at {}", db.display());
    }
    let target = Store::open_postgres(to).await?;
    if !target.is_unused().await? {
        target.close().await;
        bail!(
            "the PostgreSQL database already holds tables or records; migrate-store moves records only into an empty database"
        );
    }
    let source = Store::open_sqlite(&db).await?;
    let copied = async {
        source.migrate().await?;
        target.migrate().await?;
        source.copy_into(&target).await
    }
    .await;
    source.close().await;
    let report = match copied {
        Ok(report) => report,
        Err(e) => {
            target.close().await;
            bail!("nothing was moved: {e}");
        }
    };
    let chain = target.verify_history().await;
    target.close().await;
    let chain = chain?;
    if !chain.faults.is_empty() {
        bail!(
            "the moved history chain has {} faults; run steward audit verify against the PostgreSQL database",
            chain.faults.len()
        );
    }
    let rows: u64 = report.tables.iter().map(|t| t.rows).sum();
    for t in report.tables.iter().filter(|t| t.rows > 0) {
        eprintln!("{:>10}  {}", t.rows, t.table);
    }
    eprintln!(
        "moved {rows} rows in {} tables from {} to PostgreSQL; {} records indexed for search; the history chain verifies",
        report.tables.len(),
        db.display(),
        report.search_documents
    );
    Ok(())
}

/// A PostgreSQL client tool: on the PATH, or the newest in Debian's versioned directories.
fn pg_tool(name: &str) -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin").join(name))
                .collect()
        })
        .unwrap_or_default();
    versions.retain(|p| p.is_file());
    versions.sort();
    versions
        .pop()
        .with_context(|| format!("{name} was not found; install Debian's postgresql-client"))
}
