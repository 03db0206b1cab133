//! Storage written once for every record type: insert, get, update under a row lock, list —
//! each write with its history entries in the same transaction.

use chrono::{DateTime, Utc};
use steward_core::history::{EntryContent, HistoryAction, diff};
use steward_core::id::UserId;
use steward_core::record::{Record, RecordKind};
use steward_core::{Error, FieldError, Result};

use crate::exec::{Arg, Row, Tx};
use crate::page::{ListQuery, Page, encode_cursor, where_order_limit};
use crate::{Store, history, micros};

/// How a record type is stored.
pub trait Table: Record + Sized {
    /// The row as selected: `id` plus every column in [`Table::COLUMNS`].
    type Row: Row;
    const TABLE: &'static str;
    /// Every column but `id`, in the order [`Table::to_args`] binds them.
    const COLUMNS: &'static [&'static str];
    /// The column holding the record's customer organisation, if it has one.
    const ORGANISATION_COLUMN: Option<&'static str> = None;
    fn from_row(row: Self::Row) -> Result<Self>;
    fn to_args(&self) -> Vec<Arg>;
    /// The records this one refers to, as (field, kind, id), checked to exist before a write.
    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        Vec::new()
    }
    /// Work that must happen in the same transaction as every write of this record (such as
    /// keeping a ticket's service level clocks up to date), at the instant of the write.
    fn after_write<'a>(
        &'a self,
        _tx: &'a mut Tx,
        _at: i64,
    ) -> impl std::future::Future<Output = Result<()>> + Send + 'a {
        std::future::ready(Ok(()))
    }

    /// The value of a sort column, for the next-page cursor. Every table sorts by `created_at`
    /// and `updated_at`; tables with more sort columns override this.
    fn sort_value(&self, column: &str) -> i64 {
        match column {
            "created_at" => micros(self.created_at()),
            _ => micros(self.updated_at()),
        }
    }
}

pub(crate) fn table_of(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Service => "services",
        RecordKind::CatalogueItem => "catalogue_items",
        RecordKind::Calendar => "calendars",
        RecordKind::Agreement => "agreements",
        RecordKind::Organisation => "organisations",
        RecordKind::Team => "teams",
        RecordKind::User => "users",
        RecordKind::Incident => "incidents",
        RecordKind::Request => "requests",
        RecordKind::Problem => "problems",
        RecordKind::Change => "changes",
        RecordKind::ChangeBlackout => "change_blackouts",
        RecordKind::ChangeTemplate => "change_templates",
        RecordKind::Release => "releases",
        RecordKind::Asset => "assets",
        RecordKind::Licence => "licences",
        RecordKind::ConfigurationItem => "configuration_items",
        RecordKind::SmsScope => "sms_scopes",
        RecordKind::Assessment => "assessments",
        RecordKind::Document => "documents",
        RecordKind::Evidence => "evidence",
        RecordKind::Audit => "audits",
        RecordKind::Finding => "findings",
        RecordKind::Nonconformity => "nonconformities",
        RecordKind::Action => "actions",
        RecordKind::ManagementReview => "management_reviews",
        RecordKind::Improvement => "improvements",
        RecordKind::Risk => "risks",
        RecordKind::Objective => "objectives",
        RecordKind::Programme => "programmes",
        RecordKind::Certificate => "certificates",
    }
}

/// The column holding a kind's customer organisation, if it has one.
fn organisation_column(kind: RecordKind) -> Option<&'static str> {
    match kind {
        RecordKind::Incident | RecordKind::Request | RecordKind::User => Some("organisation_id"),
        RecordKind::Organisation => Some("id"),
        RecordKind::Service
        | RecordKind::CatalogueItem
        | RecordKind::Calendar
        | RecordKind::Agreement
        | RecordKind::Team
        | RecordKind::Problem
        | RecordKind::Change
        | RecordKind::ChangeBlackout
        | RecordKind::ChangeTemplate
        | RecordKind::Release
        | RecordKind::Asset
        | RecordKind::Licence
        | RecordKind::ConfigurationItem
        | RecordKind::SmsScope
        | RecordKind::Assessment
        | RecordKind::Document
        | RecordKind::Evidence
        | RecordKind::Audit
        | RecordKind::Finding
        | RecordKind::Nonconformity
        | RecordKind::Action
        | RecordKind::ManagementReview
        | RecordKind::Improvement
        | RecordKind::Risk
        | RecordKind::Objective
        | RecordKind::Programme
        | RecordKind::Certificate => None,
    }
}

fn select_sql<T: Table>() -> String {
    format!("SELECT id, {} FROM {}", T::COLUMNS.join(", "), T::TABLE)
}

/// Fails with the fields whose referenced records do not exist, checked in one statement.
pub(crate) async fn check_references(tx: &mut Tx, refs: &[(&'static str, RecordKind, i64)]) -> Result<()> {
    if refs.is_empty() {
        return Ok(());
    }
    let mut parts = Vec::with_capacity(refs.len());
    let mut args = Vec::with_capacity(refs.len() * 2);
    for (i, (_, kind, id)) in refs.iter().enumerate() {
        args.push(Arg::from(i as i64));
        let f = args.len();
        args.push(Arg::from(*id));
        parts.push(format!(
            "SELECT ${f} AS position WHERE NOT EXISTS (SELECT 1 FROM {} WHERE id = ${})",
            table_of(*kind),
            args.len()
        ));
    }
    let missing: Vec<(i64,)> = tx.fetch_all(&parts.join(" UNION ALL "), args).await?;
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::Invalid(
        missing
            .into_iter()
            .filter_map(|(position,)| {
                let (name, kind, id) = refs.get(usize::try_from(position).ok()?)?;
                Some(FieldError::new(*name, format!("{}-{id} does not exist", kind.prefix())))
            })
            .collect(),
    ))
}

pub(crate) async fn insert<T: Table>(tx: &mut Tx, mut rec: T, actor: Option<UserId>) -> Result<T> {
    check_references(tx, &rec.references()).await?;
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) RETURNING id",
        T::TABLE,
        T::COLUMNS.join(", "),
        crate::placeholders(1, T::COLUMNS.len())
    );
    let (id,): (i64,) = tx.fetch_one(&sql, rec.to_args()).await?;
    rec.set_id(id);
    let snapshot = serde_json::to_string(&rec).map_err(|e| Error::Unexpected(Box::new(e)))?;
    history::append(
        tx,
        vec![EntryContent {
            record_kind: T::KIND,
            record_id: id,
            actor,
            at_micros: micros(rec.updated_at()),
            action: HistoryAction::Create,
            field: None,
            old_value: None,
            new_value: Some(snapshot),
        }],
    )
    .await?;
    rec.after_write(tx, micros(rec.created_at())).await?;
    Ok(rec)
}

pub(crate) async fn get_in<T: Table>(tx: &mut Tx, id: i64) -> Result<Option<T>> {
    let sql = format!("{} WHERE id = $1{}", select_sql::<T>(), tx.lock_rows());
    tx.fetch_optional::<T::Row>(&sql, crate::args![id])
        .await?
        .map(T::from_row)
        .transpose()
}

/// Writes `new` over `old` and one history entry per changed field; nothing when nothing changed.
pub(crate) async fn save<T: Table>(
    tx: &mut Tx,
    old: &T,
    mut new: T,
    actor: Option<UserId>,
    at: DateTime<Utc>,
    action: HistoryAction,
) -> Result<T> {
    let changes = diff(old, &new);
    if changes.is_empty() {
        return Ok(new);
    }
    check_references(tx, &new.references()).await?;
    new.touch(at);
    let sets: Vec<String> = T::COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    let mut args = new.to_args();
    args.push(Arg::from(new.id()));
    let sql = format!("UPDATE {} SET {} WHERE id = ${}", T::TABLE, sets.join(", "), args.len());
    tx.execute(&sql, args).await?;
    let entries = changes
        .into_iter()
        .map(|(field, old_value, new_value)| EntryContent {
            record_kind: T::KIND,
            record_id: new.id(),
            actor,
            at_micros: micros(at),
            action,
            field: Some(field),
            old_value: Some(old_value),
            new_value: Some(new_value),
        })
        .collect();
    history::append(tx, entries).await?;
    new.after_write(tx, micros(at)).await?;
    Ok(new)
}

impl Store {
    /// Inserts a new record (its id is assigned here) with its creation entry in history.
    pub async fn insert<T: Table>(&self, rec: T, actor: Option<UserId>) -> Result<T> {
        let mut tx = self.begin().await?;
        let rec = insert(&mut tx, rec, actor).await?;
        tx.commit().await?;
        Ok(rec)
    }

    pub async fn get<T: Table>(&self, id: i64) -> Result<Option<T>> {
        let sql = format!("{} WHERE id = $1", select_sql::<T>());
        let mut c = self.read().await?;
        c.fetch_optional::<T::Row>(&sql, crate::args![id])
            .await?
            .map(T::from_row)
            .transpose()
    }

    /// Loads a record under a write lock, lets `change` modify it (the domain's rules live
    /// there), and saves the result with history. `visible` decides whether the caller may see
    /// the record at all; if not, it is reported as not found.
    pub async fn update<T: Table>(
        &self,
        id: i64,
        actor: Option<UserId>,
        at: DateTime<Utc>,
        action: HistoryAction,
        visible: impl FnOnce(&T) -> bool,
        change: impl FnOnce(&mut T) -> Result<()>,
    ) -> Result<T> {
        let mut tx = self.begin().await?;
        let old: T = get_in(&mut tx, id)
            .await?
            .filter(visible)
            .ok_or_else(|| Error::not_found(T::KIND.as_str(), format!("{}-{id}", T::KIND.prefix())))?;
        let mut new = old.clone();
        change(&mut new)?;
        let saved = save(&mut tx, &old, new, actor, at, action).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Whether a record of any kind exists and, if so, the organisation it belongs to: `None` for
    /// no such record, `Some(None)` for a record of no organisation.
    pub async fn locate(&self, kind: RecordKind, id: i64) -> Result<Option<Option<i64>>> {
        let column = organisation_column(kind).unwrap_or("CAST(NULL AS BIGINT)");
        let sql = format!("SELECT {column} FROM {} WHERE id = $1", table_of(kind));
        let mut c = self.read().await?;
        let row: Option<(Option<i64>,)> = c.fetch_optional(&sql, crate::args![id]).await?;
        Ok(row.map(|(o,)| o))
    }

    pub async fn list<T: Table>(&self, q: &ListQuery) -> Result<Page<T>> {
        let (tail, args) = where_order_limit(q, T::ORGANISATION_COLUMN)?;
        let sql = format!("{}{}", select_sql::<T>(), tail);
        let mut c = self.read().await?;
        let rows: Vec<T::Row> = c.fetch_all(&sql, args).await?;
        let limit = q.limit.clamp(1, crate::page::MAX_LIMIT) as usize;
        let mut items = rows.into_iter().map(T::from_row).collect::<Result<Vec<T>>>()?;
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|r| encode_cursor(r.sort_value(q.sort.column), r.id()))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }
}
