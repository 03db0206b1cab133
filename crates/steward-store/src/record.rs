//! Storage written once for every record type: insert, get, update under a row lock, list —
//! each write with its history entries in the same transaction.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use steward_core::access::NeedToKnow;
use steward_core::history::{EntryContent, HistoryAction, diff};
use steward_core::id::{OrganisationId, UserId};
use steward_core::record::{Record, RecordKind};
use steward_core::{Error, FieldError, Result};

use crate::exec::{Arg, Row, Tx};
use crate::page::{ListQuery, Page, encode_cursor, merged_ranges, where_order_limit};
use crate::{Store, history, micros};

/// The columns of a table whose rows may be kept on a need-to-know basis: a flag saying a row
/// is, and the two people (user ids: who reported it, who works it) who, besides those cleared,
/// may see such a row.
#[derive(Debug, Clone, Copy)]
pub struct NeedToKnowColumns {
    pub flag: &'static str,
    pub people: [&'static str; 2],
}

impl NeedToKnowColumns {
    /// The condition "visible to this uncleared viewer", whose id is the argument `$n`.
    pub(crate) fn visible_to(&self, n: usize) -> String {
        let people: Vec<String> = self.people.iter().map(|p| format!("{p} = ${n}")).collect();
        format!("(NOT {} OR {})", self.flag, people.join(" OR "))
    }
}

/// Where a record is within reach: its customer organisation, and the people it is kept to if
/// it is kept on a need-to-know basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub organisation: Option<OrganisationId>,
    pub need_to_know: Option<NeedToKnow>,
}

/// How a record type is stored.
pub trait Table: Record + Sized {
    /// The row as selected: `id` plus every column in [`Table::COLUMNS`].
    type Row: Row;
    const TABLE: &'static str;
    /// Every column but `id`, in the order [`Table::to_args`] binds them.
    const COLUMNS: &'static [&'static str];
    /// The column holding the record's customer organisation, if it has one.
    const ORGANISATION_COLUMN: Option<&'static str> = None;
    /// For records that may be kept on a need-to-know basis, the columns saying so.
    const NEED_TO_KNOW: Option<NeedToKnowColumns> = None;
    /// For records that may be published to customers, the column values that make one so; a
    /// list asked for `published_only` keeps to them.
    const PUBLISHED: &'static [(&'static str, &'static str)] = &[];
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

    /// [`Table::after_write`] for records just inserted together, each at its creation instant.
    /// Types whose work can be done for many records in fewer statements override it.
    fn after_write_many<'a>(
        tx: &'a mut Tx,
        recs: &'a [Self],
    ) -> impl std::future::Future<Output = Result<()>> + Send + 'a {
        async move {
            for rec in recs {
                rec.after_write(tx, micros(rec.created_at())).await?;
            }
            Ok(())
        }
    }

    /// Sort columns kept in the table but not in the record (such as a ticket's `sla_due_at`,
    /// which follows its clocks): the next-page cursor reads their value from the row.
    const STORED_SORTS: &'static [&'static str] = &[];

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
        RecordKind::Outage => "outages",
        RecordKind::Supplier => "suppliers",
        RecordKind::Contract => "contracts",
        RecordKind::Dispute => "disputes",
        RecordKind::ServiceReview => "service_reviews",
        RecordKind::Complaint => "complaints",
        RecordKind::Survey => "surveys",
        RecordKind::Budget => "budgets",
        RecordKind::Cost => "costs",
        RecordKind::CapacityRequirement => "capacity_requirements",
        RecordKind::DemandForecast => "demand_forecasts",
        RecordKind::ContinuityPlan => "continuity_plans",
        RecordKind::ContinuityTest => "continuity_tests",
        RecordKind::SecurityControl => "security_controls",
        RecordKind::Article => "articles",
    }
}

/// The column holding a kind's customer organisation, if it has one.
/// The need-to-know columns of the table holding records of `kind`, if it has them.
pub(crate) fn need_to_know_columns(kind: RecordKind) -> Option<NeedToKnowColumns> {
    match kind {
        RecordKind::Incident => <steward_core::incident::Incident as Table>::NEED_TO_KNOW,
        _ => None,
    }
}

pub(crate) fn organisation_column(kind: RecordKind) -> Option<&'static str> {
    match kind {
        RecordKind::Incident | RecordKind::Request | RecordKind::User | RecordKind::Complaint | RecordKind::Survey => {
            Some("organisation_id")
        }
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
        | RecordKind::Certificate
        | RecordKind::Outage
        | RecordKind::Supplier
        | RecordKind::Contract
        | RecordKind::Dispute
        | RecordKind::ServiceReview
        | RecordKind::Budget
        | RecordKind::Cost
        | RecordKind::CapacityRequirement
        | RecordKind::DemandForecast
        | RecordKind::ContinuityPlan
        | RecordKind::ContinuityTest
        | RecordKind::SecurityControl
        | RecordKind::Article => None,
    }
}

/// `SELECT id, <every column> FROM <table>`, for a query to add its own conditions to.
pub(crate) fn select_sql<T: Table>() -> String {
    format!("SELECT id, {} FROM {}", T::COLUMNS.join(", "), T::TABLE)
}

/// The positions in `refs` of the referenced records that do not exist: one statement asks each
/// referenced table which of the ids it holds (more only past the placeholder limit).
async fn missing_references(tx: &mut Tx, refs: &[(&'static str, RecordKind, i64)]) -> Result<Vec<usize>> {
    let mut wanted: BTreeMap<&'static str, BTreeSet<i64>> = BTreeMap::new();
    for (_, kind, id) in refs {
        wanted.entry(table_of(*kind)).or_default().insert(*id);
    }
    let tables: Vec<&'static str> = wanted.keys().copied().collect();
    let mut found: HashSet<(&'static str, i64)> = HashSet::new();
    let mut parts: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    for (t, (table, ids)) in wanted.iter().enumerate() {
        let ids: Vec<i64> = ids.iter().copied().collect();
        for chunk in ids.chunks(MAX_PARAMETERS) {
            if args.len() + chunk.len() > MAX_PARAMETERS {
                found_in(tx, &tables, &mut parts, &mut args, &mut found).await?;
            }
            parts.push(format!(
                "SELECT CAST({t} AS BIGINT) AS t, id FROM {table} WHERE id IN ({})",
                crate::placeholders(args.len() + 1, chunk.len())
            ));
            args.extend(chunk.iter().map(|i| Arg::from(*i)));
        }
    }
    found_in(tx, &tables, &mut parts, &mut args, &mut found).await?;
    Ok(refs
        .iter()
        .enumerate()
        .filter(|(_, (_, kind, id))| !found.contains(&(table_of(*kind), *id)))
        .map(|(position, _)| position)
        .collect())
}

/// Runs the gathered existence queries of [`missing_references`] and empties them.
async fn found_in(
    tx: &mut Tx,
    tables: &[&'static str],
    parts: &mut Vec<String>,
    args: &mut Vec<Arg>,
    found: &mut HashSet<(&'static str, i64)>,
) -> Result<()> {
    if parts.is_empty() {
        return Ok(());
    }
    let rows: Vec<(i64, i64)> = tx.fetch_all(&parts.join(" UNION ALL "), std::mem::take(args)).await?;
    parts.clear();
    for (t, id) in rows {
        if let Some(table) = usize::try_from(t).ok().and_then(|t| tables.get(t)) {
            found.insert((table, id));
        }
    }
    Ok(())
}

fn reference_error(refs: &[(&'static str, RecordKind, i64)], missing: &[usize]) -> Error {
    Error::Invalid(
        missing
            .iter()
            .filter_map(|position| {
                let (name, kind, id) = refs.get(*position)?;
                Some(FieldError::new(*name, format!("{}-{id} does not exist", kind.prefix())))
            })
            .collect(),
    )
}

/// Fails with the fields whose referenced records do not exist, checked in one statement.
pub(crate) async fn check_references(tx: &mut Tx, refs: &[(&'static str, RecordKind, i64)]) -> Result<()> {
    if refs.is_empty() {
        return Ok(());
    }
    let missing = missing_references(tx, refs).await?;
    if missing.is_empty() {
        return Ok(());
    }
    Err(reference_error(refs, &missing))
}

/// Placeholders one statement may carry: SQLite allows 32,766, PostgreSQL 65,535.
pub(crate) const MAX_PARAMETERS: usize = 30_000;

pub(crate) async fn insert<T: Table>(tx: &mut Tx, rec: T, actor: Option<UserId>) -> Result<T> {
    insert_many(tx, vec![(rec, actor)])
        .await?
        .pop()
        .unwrap_or_else(|| Err(Error::unexpected("an insert returned no record")))
}

/// Inserts records of one type with their creation entries in history, in a handful of
/// statements whatever their number: one for every record's references, one multi-row insert
/// per few hundred records, one history append, and the type's [`Table::after_write_many`].
/// A record whose references do not exist gets its own error and is not written; the others
/// are. The outer error means the transaction must be abandoned.
pub(crate) async fn insert_many<T: Table>(tx: &mut Tx, items: Vec<(T, Option<UserId>)>) -> Result<Vec<Result<T>>> {
    let refs: Vec<_> = items.iter().map(|(rec, _)| rec.references()).collect();
    let refused = refused_by_references(tx, &refs).await?;
    let mut out: Vec<Option<Result<T>>> = Vec::with_capacity(items.len());
    let mut recs: Vec<T> = Vec::with_capacity(items.len());
    let mut actors: Vec<Option<UserId>> = Vec::with_capacity(items.len());
    for ((rec, actor), refused) in items.into_iter().zip(refused) {
        match refused {
            Some(e) => out.push(Some(Err(e))),
            None => {
                out.push(None);
                recs.push(rec);
                actors.push(actor);
            }
        }
    }
    insert_rows(tx, &mut recs).await?;
    let mut entries = Vec::with_capacity(recs.len());
    for (rec, actor) in recs.iter().zip(actors) {
        entries.push(EntryContent {
            record_kind: T::KIND,
            record_id: rec.id(),
            actor,
            at_micros: micros(rec.updated_at()),
            action: HistoryAction::Create,
            field: None,
            old_value: None,
            new_value: Some(serde_json::to_string(rec).map_err(|e| Error::Unexpected(Box::new(e)))?),
        });
    }
    history::append(tx, entries).await?;
    T::after_write_many(tx, &recs).await?;
    Ok(outcomes(out, recs))
}

/// Each record's outcome, in the order given: its refusal where `slots` holds one, otherwise the
/// next of the records written (which are in the same order).
pub(crate) fn outcomes<T>(slots: Vec<Option<Result<T>>>, written: Vec<T>) -> Vec<Result<T>> {
    let mut written = written.into_iter();
    slots
        .into_iter()
        .map(|r| match r {
            Some(r) => r,
            None => written
                .next()
                .ok_or_else(|| Error::unexpected("a record of a batch was not written")),
        })
        .collect()
}

/// For each record's references, the error that refuses it (some referenced record does not
/// exist) or `None`; all checked in one statement.
pub(crate) async fn refused_by_references(
    tx: &mut Tx,
    refs: &[Vec<(&'static str, RecordKind, i64)>],
) -> Result<Vec<Option<Error>>> {
    let flat: Vec<(&'static str, RecordKind, i64)> = refs.iter().flatten().copied().collect();
    let mut refused: Vec<Option<Error>> = refs.iter().map(|_| None).collect();
    if flat.is_empty() {
        return Ok(refused);
    }
    let missing = missing_references(tx, &flat).await?;
    if missing.is_empty() {
        return Ok(refused);
    }
    let mut start = 0;
    for (i, r) in refs.iter().enumerate() {
        let end = start + r.len();
        let mine: Vec<usize> = missing
            .iter()
            .filter(|p| (start..end).contains(*p))
            .map(|p| p - start)
            .collect();
        if !mine.is_empty() {
            refused[i] = Some(reference_error(r, &mine));
        }
        start = end;
    }
    Ok(refused)
}

/// Inserts the rows of `recs` in multi-row statements and gives each its new id.
pub(crate) async fn insert_rows<T: Table>(tx: &mut Tx, recs: &mut [T]) -> Result<()> {
    let per_statement = (MAX_PARAMETERS / T::COLUMNS.len().max(1)).max(1);
    for chunk in recs.chunks_mut(per_statement) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| format!("({})", crate::placeholders(r * T::COLUMNS.len() + 1, T::COLUMNS.len())))
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {} RETURNING id",
            T::TABLE,
            T::COLUMNS.join(", "),
            values.join(", ")
        );
        let args: Vec<Arg> = chunk.iter().flat_map(|rec| rec.to_args()).collect();
        let mut ids: Vec<(i64,)> = tx.fetch_all(&sql, args).await?;
        if ids.len() != chunk.len() {
            return Err(Error::unexpected(format!(
                "inserting {} records into {} returned {} ids",
                chunk.len(),
                T::TABLE,
                ids.len()
            )));
        }
        // Both backends number the rows of one statement in increasing order; RETURNING itself
        // promises no order.
        ids.sort_unstable();
        for (rec, (id,)) in chunk.iter_mut().zip(ids) {
            rec.set_id(id);
        }
    }
    Ok(())
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
    pub async fn get<T: Table>(&self, id: i64) -> Result<Option<T>> {
        let sql = format!("{} WHERE id = $1", select_sql::<T>());
        let mut c = self.read().await?;
        c.fetch_optional::<T::Row>(&sql, crate::args![id])
            .await?
            .map(T::from_row)
            .transpose()
    }

    /// The records with these ids that exist, in no particular order: one statement however
    /// many (for the names shown beside the references of a page of records).
    pub async fn get_many<T: Table>(&self, ids: &[i64]) -> Result<Vec<T>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::with_capacity(ids.len());
        let mut c = self.read().await?;
        for chunk in ids.chunks(crate::record::MAX_PARAMETERS) {
            let sql = format!(
                "{} WHERE id IN ({})",
                select_sql::<T>(),
                crate::placeholders(1, chunk.len())
            );
            let args = chunk.iter().map(|id| crate::exec::Arg::from(*id)).collect();
            let rows: Vec<T::Row> = c.fetch_all(&sql, args).await?;
            for r in rows {
                out.push(T::from_row(r)?);
            }
        }
        Ok(out)
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
    pub async fn locate(&self, kind: RecordKind, id: i64) -> Result<Option<Located>> {
        let column = organisation_column(kind).unwrap_or("CAST(NULL AS BIGINT)");
        let mut c = self.read().await?;
        if let Some(need) = need_to_know_columns(kind) {
            let [first, second] = need.people;
            let sql = format!(
                "SELECT {column}, {}, {first}, {second} FROM {} WHERE id = $1",
                need.flag,
                table_of(kind)
            );
            // The organisation, the flag, and the two people the record is kept to.
            type Reach = (Option<i64>, bool, Option<i64>, Option<i64>);
            let row: Option<Reach> = c.fetch_optional(&sql, crate::args![id]).await?;
            return Ok(row.map(|(o, restricted, a, b)| Located {
                organisation: o.map(OrganisationId),
                need_to_know: restricted.then(|| NeedToKnow(a.into_iter().chain(b).map(UserId).collect())),
            }));
        }
        let sql = format!("SELECT {column} FROM {} WHERE id = $1", table_of(kind));
        let row: Option<(Option<i64>,)> = c.fetch_optional(&sql, crate::args![id]).await?;
        Ok(row.map(|(o,)| Located {
            organisation: o.map(OrganisationId),
            need_to_know: None,
        }))
    }

    pub async fn list<T: Table>(&self, q: &ListQuery) -> Result<Page<T>> {
        let published;
        let q = if q.published_only {
            if T::PUBLISHED.is_empty() {
                return Err(Error::unexpected(format!(
                    "{} records are never published",
                    T::KIND.as_str()
                )));
            }
            let mut p = q.clone();
            p.filters.extend(T::PUBLISHED.iter().map(|(c, v)| (*c, Arg::from(*v))));
            published = p;
            &published
        } else {
            q
        };
        let columns = format!("id, {}", T::COLUMNS.join(", "));
        let (sql, args) = match merged_ranges(q, &columns, T::TABLE, T::ORGANISATION_COLUMN, T::NEED_TO_KNOW)? {
            Some(merged) => merged,
            None => {
                let (tail, args) = where_order_limit(q, T::ORGANISATION_COLUMN, T::NEED_TO_KNOW)?;
                (format!("{}{}", select_sql::<T>(), tail), args)
            }
        };
        let mut c = self.read().await?;
        let rows: Vec<T::Row> = c.fetch_all(&sql, args).await?;
        let limit = q.limit.clamp(1, crate::page::MAX_LIMIT) as usize;
        let mut items = rows.into_iter().map(T::from_row).collect::<Result<Vec<T>>>()?;
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            match items.last() {
                Some(last) if T::STORED_SORTS.contains(&q.sort.column) => {
                    let sql = format!("SELECT {} FROM {} WHERE id = $1", q.sort.column, T::TABLE);
                    let (value,): (i64,) = c.fetch_one(&sql, crate::args![last.id()]).await?;
                    Some(encode_cursor(value, last.id()))
                }
                Some(last) => Some(encode_cursor(last.sort_value(q.sort.column), last.id())),
                None => None,
            }
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }
}
