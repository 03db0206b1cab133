//! Moving a database from the embedded SQLite store to PostgreSQL (`steward migrate-store`).
//! Both are first brought to this version's schema by their own migrations, so their tables and
//! columns are the same; every table is then copied row for row, in one snapshot of the source
//! and one transaction on the target, parents before children, and each count is checked before
//! the transaction commits. The target's search index is rebuilt by its own triggers as rows
//! arrive, and its identity sequences are moved past the copied ids.

use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Postgres, Row as _, Sqlite};
use steward_core::{Error, Result};

use crate::{Db, DbError, Store};

/// Tables the copy leaves alone: each backend's own migration ledger, and the search index, which
/// each backend keeps in its own form from the records themselves.
const NOT_COPIED: &[&str] = &["_sqlx_migrations", "search_documents"];

/// PostgreSQL allows 65,535 parameters in one statement; a thousand rows a statement is plenty.
const MAX_PARAMETERS: usize = 65_535;
const MAX_ROWS: usize = 1_000;
const MAX_BYTE_ROWS: usize = 8;

/// How many rows of one table were copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: String,
    pub rows: u64,
}

/// What a copy moved.
#[derive(Debug, Clone)]
pub struct CopyReport {
    pub tables: Vec<TableCopy>,
    /// Records the target's search index holds after the copy (the same as the source's).
    pub search_documents: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    BigInt,
    Boolean,
    Text,
    Bytes,
}

struct Table {
    name: String,
    columns: Vec<(String, ColumnType)>,
    identity: Option<String>,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Store {
    /// Copies every record of this SQLite store into `target`, a PostgreSQL store whose tables
    /// hold nothing but what its migrations wrote. Both must be migrated to this version first.
    pub async fn copy_into(&self, target: &Store) -> Result<CopyReport> {
        let (Db::Sqlite { read, .. }, Db::Postgres(pg)) = (&self.db, &target.db) else {
            return Err(Error::invalid(
                "to",
                "records are moved from the embedded SQLite store to PostgreSQL",
            ));
        };
        // One read transaction: every table is read from the same snapshot of the source.
        let mut src = read.begin().await.map_err(DbError)?;
        let mut dst = pg.begin().await.map_err(DbError)?;

        let ledger = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
        let from: Vec<(i64,)> = sqlx::query_as(ledger).fetch_all(&mut *src).await.map_err(DbError)?;
        let to: Vec<(i64,)> = sqlx::query_as(ledger).fetch_all(&mut *dst).await.map_err(DbError)?;
        if from != to {
            return Err(Error::invalid(
                "to",
                format!(
                    "the two databases are at different schema versions ({} and {} migrations); migrate both first",
                    from.len(),
                    to.len()
                ),
            ));
        }

        let tables = tables_in_order(&mut dst).await?;
        for t in &tables {
            let present: Vec<(String,)> = sqlx::query_as("SELECT name FROM pragma_table_info(?)")
                .bind(&t.name)
                .fetch_all(&mut *src)
                .await
                .map_err(DbError)?;
            if present.is_empty() {
                return Err(Error::invalid(
                    "from",
                    format!("the SQLite database has no table {}", t.name),
                ));
            }
            if let Some((missing, _)) = t.columns.iter().find(|(c, _)| !present.iter().any(|(p,)| p == c)) {
                return Err(Error::invalid(
                    "from",
                    format!("the SQLite table {} has no column {missing}", t.name),
                ));
            }
        }

        // The target's migrations seed a few rows (the starting configuration item types, the
        // history chain's head); the source holds its own, perhaps changed, so they give way.
        for t in tables.iter().rev() {
            let sql = format!("DELETE FROM {}", quoted(&t.name));
            sqlx::query::<Postgres>(AssertSqlSafe(sql))
                .execute(&mut *dst)
                .await
                .map_err(DbError)?;
        }

        let mut copied = Vec::with_capacity(tables.len());
        for t in &tables {
            let rows = copy_table(&mut src, &mut dst, t).await?;
            let count = format!("SELECT COUNT(*) FROM {}", quoted(&t.name));
            let (in_source,): (i64,) = sqlx::query_as::<Sqlite, _>(AssertSqlSafe(count.clone()))
                .fetch_one(&mut *src)
                .await
                .map_err(DbError)?;
            let (in_target,): (i64,) = sqlx::query_as::<Postgres, _>(AssertSqlSafe(count))
                .fetch_one(&mut *dst)
                .await
                .map_err(DbError)?;
            if in_source as u64 != rows || in_target as u64 != rows {
                return Err(Error::unexpected(format!(
                    "{}: {in_source} rows in the source, {rows} copied, {in_target} in the target",
                    t.name
                )));
            }
            if let Some(id) = &t.identity {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({col}), 1), MAX({col}) IS NOT NULL) FROM {table}",
                    col = quoted(id),
                    table = quoted(&t.name)
                );
                sqlx::query::<Postgres>(AssertSqlSafe(sql))
                    .bind(quoted(&t.name))
                    .bind(id)
                    .execute(&mut *dst)
                    .await
                    .map_err(DbError)?;
            }
            copied.push(TableCopy {
                table: t.name.clone(),
                rows,
            });
        }

        let (indexed_source,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM search_documents")
            .fetch_one(&mut *src)
            .await
            .map_err(DbError)?;
        let (indexed_target,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM search_documents")
            .fetch_one(&mut *dst)
            .await
            .map_err(DbError)?;
        if indexed_source != indexed_target {
            return Err(Error::unexpected(format!(
                "the search index holds {indexed_source} records in the source and {indexed_target} in the target"
            )));
        }
        dst.commit().await.map_err(DbError)?;
        src.rollback().await.map_err(DbError)?;
        Ok(CopyReport {
            tables: copied,
            search_documents: indexed_target as u64,
        })
    }
}

/// The target's tables with their columns, each after every table it refers to.
async fn tables_in_order(dst: &mut sqlx::PgConnection) -> Result<Vec<Table>> {
    let columns: Vec<(String, String, String, bool)> = sqlx::query_as(
        "SELECT c.table_name, c.column_name, c.data_type, c.is_identity = 'YES'
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut *dst)
    .await
    .map_err(DbError)?;
    let mut tables: Vec<Table> = Vec::new();
    for (table, column, data_type, identity) in columns {
        if NOT_COPIED.contains(&table.as_str()) {
            continue;
        }
        let ty = match data_type.as_str() {
            "bigint" | "integer" | "smallint" => ColumnType::BigInt,
            "boolean" => ColumnType::Boolean,
            "text" | "character varying" => ColumnType::Text,
            "bytea" => ColumnType::Bytes,
            other => {
                return Err(Error::unexpected(format!(
                    "{table}.{column} is of type {other}, which migrate-store does not copy"
                )));
            }
        };
        let t = match tables.last_mut() {
            Some(t) if t.name == table => t,
            _ => {
                tables.push(Table {
                    name: table.clone(),
                    columns: Vec::new(),
                    identity: None,
                });
                let last = tables.len() - 1;
                &mut tables[last]
            }
        };
        if identity {
            t.identity = Some(column.clone());
        }
        t.columns.push((column, ty));
    }
    let references: Vec<(String, String)> = sqlx::query_as(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
         WHERE contype = 'f' AND conrelid <> confrelid",
    )
    .fetch_all(&mut *dst)
    .await
    .map_err(DbError)?;
    // Kahn's order: a table is placed once every table it refers to is.
    let mut ordered: Vec<Table> = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let ready = tables.iter().position(|t| {
            references
                .iter()
                .filter(|(child, _)| *child == t.name)
                .all(|(_, parent)| {
                    ordered.iter().any(|o| &o.name == parent) || !tables.iter().any(|x| &x.name == parent)
                })
        });
        match ready {
            Some(i) => ordered.push(tables.remove(i)),
            None => {
                return Err(Error::unexpected(format!(
                    "the tables {} refer to each other in a cycle",
                    tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
                )));
            }
        }
    }
    Ok(ordered)
}

/// Copies one table in keyset pages of the source's row order; returns the rows copied.
async fn copy_table(src: &mut sqlx::SqliteConnection, dst: &mut sqlx::PgConnection, t: &Table) -> Result<u64> {
    let names: Vec<String> = t.columns.iter().map(|(c, _)| quoted(c)).collect();
    // Rows of file bytes (up to 1 MiB each) go a few at a time, so the copy's memory stays small.
    let rows_cap = if t.columns.iter().any(|(_, ty)| *ty == ColumnType::Bytes) {
        MAX_BYTE_ROWS
    } else {
        MAX_ROWS
    };
    let per_statement = (MAX_PARAMETERS / t.columns.len().max(1)).clamp(1, rows_cap);
    let select = format!(
        "SELECT rowid, {} FROM {} WHERE rowid > ? ORDER BY rowid LIMIT {per_statement}",
        names.join(", "),
        quoted(&t.name)
    );
    let mut after = i64::MIN;
    let mut copied = 0u64;
    loop {
        let rows: Vec<SqliteRow> = sqlx::query::<Sqlite>(AssertSqlSafe(select.clone()))
            .bind(after)
            .fetch_all(&mut *src)
            .await
            .map_err(DbError)?;
        let Some(last) = rows.last() else { break };
        after = last.try_get(0).map_err(DbError)?;
        let mut insert = format!("INSERT INTO {} ({}) VALUES ", quoted(&t.name), names.join(", "));
        let mut n = 0usize;
        for (r, _) in rows.iter().enumerate() {
            insert.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..t.columns.len() {
                n += 1;
                if c > 0 {
                    insert.push_str(", ");
                }
                insert.push('$');
                insert.push_str(&n.to_string());
            }
            insert.push(')');
        }
        let mut q = sqlx::query::<Postgres>(AssertSqlSafe(insert));
        for row in &rows {
            for (i, (column, ty)) in t.columns.iter().enumerate() {
                let unreadable = |e: sqlx::Error| {
                    Error::unexpected(format!("{}.{column} holds a value that cannot be read: {e}", t.name))
                };
                q = match ty {
                    ColumnType::BigInt => q.bind(row.try_get::<Option<i64>, _>(i + 1).map_err(unreadable)?),
                    ColumnType::Boolean => q.bind(row.try_get::<Option<bool>, _>(i + 1).map_err(unreadable)?),
                    ColumnType::Text => q.bind(row.try_get::<Option<String>, _>(i + 1).map_err(unreadable)?),
                    ColumnType::Bytes => q.bind(row.try_get::<Option<Vec<u8>>, _>(i + 1).map_err(unreadable)?),
                };
            }
        }
        q.execute(&mut *dst).await.map_err(DbError)?;
        copied += rows.len() as u64;
    }
    Ok(copied)
}
