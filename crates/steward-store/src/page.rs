//! Listing: filters, sort and keyset (cursor) pagination. A cursor is the sort value and id of
//! the last row returned, so the next page starts with an index seek, never an OFFSET scan.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::record::NeedToKnowColumns;

pub const MAX_LIMIT: u32 = 500;

/// A sort column (all stored as integers) and its direction; ties are broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: &'static str,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            column: "updated_at",
            descending: true,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Equality filters: a column named by the record's table and the value it must have.
    pub filters: Vec<(&'static str, Arg)>,
    /// A column that must hold one of several values (`IN`), e.g. the open states of a queue.
    pub any_of: Vec<(&'static str, Vec<Arg>)>,
    /// Columns that must be empty (`IS NULL`), e.g. the assignee of an unassigned queue.
    pub absent: Vec<&'static str>,
    /// A column that must be below a value, e.g. `sla_due_at` for "breaching soon".
    pub below: Option<(&'static str, i64)>,
    /// Only records updated at or after this instant (microseconds).
    pub updated_since: Option<i64>,
    /// Only records of this organisation (a requester's reach).
    pub organisation: Option<i64>,
    /// A viewer not cleared for records kept on a need-to-know basis: of those, only the ones
    /// naming this person (as a security incident's caller or assignee) are listed.
    pub uncleared_viewer: Option<i64>,
    /// Only records published to customers (a requester's list of articles).
    pub published_only: bool,
    pub sort: Sort,
    pub cursor: Option<String>,
    pub limit: u32,
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back as `cursor` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// The `next_cursor` of a page whose last row has this sort value and id.
pub fn encode_cursor(value: i64, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{value}.{id}"))
}

/// Reads a `next_cursor` back; anything this list did not write is a field error on `cursor`.
pub fn decode_cursor(s: &str) -> Result<(i64, i64)> {
    let bad = || Error::invalid("cursor", "is not a cursor returned by this list");
    let bytes = URL_SAFE_NO_PAD.decode(s.as_bytes()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (v, id) = text.split_once('.').ok_or_else(bad)?;
    Ok((v.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
}

/// Builds `WHERE ... ORDER BY ... LIMIT` for a list, returning the SQL tail and its arguments,
/// numbered from `$1`.
pub(crate) fn where_order_limit(
    q: &ListQuery,
    org_column: Option<&str>,
    need: Option<NeedToKnowColumns>,
) -> Result<(String, Vec<Arg>)> {
    let mut args = Vec::new();
    let sql = where_order_limit_into(q, org_column, need, &mut args)?;
    Ok((sql, args))
}

/// As [`where_order_limit`], appending its arguments to `args` and numbering after them.
pub(crate) fn where_order_limit_into(
    q: &ListQuery,
    org_column: Option<&str>,
    need: Option<NeedToKnowColumns>,
    args: &mut Vec<Arg>,
) -> Result<String> {
    let mut conds: Vec<String> = Vec::new();
    for (col, value) in &q.filters {
        args.push(value.clone());
        conds.push(format!("{col} = ${}", args.len()));
    }
    for (col, values) in &q.any_of {
        let first = args.len() + 1;
        args.extend(values.iter().cloned());
        conds.push(if values.is_empty() {
            "1 = 0".to_string()
        } else {
            format!("{col} IN ({})", crate::placeholders(first, values.len()))
        });
    }
    for col in &q.absent {
        conds.push(format!("{col} IS NULL"));
    }
    if let Some((col, value)) = q.below {
        args.push(Arg::from(value));
        conds.push(format!("{col} < ${}", args.len()));
    }
    if let Some(since) = q.updated_since {
        args.push(Arg::from(since));
        conds.push(format!("updated_at >= ${}", args.len()));
    }
    if let Some(org) = q.organisation {
        let col = org_column.ok_or_else(|| Error::unexpected("organisation scope on a table without one"))?;
        args.push(Arg::from(org));
        conds.push(format!("{col} = ${}", args.len()));
    }
    if let (Some(viewer), Some(need)) = (q.uncleared_viewer, need) {
        args.push(Arg::from(viewer));
        conds.push(need.visible_to(args.len()));
    }
    let col = q.sort.column;
    let (cmp, dir) = if q.sort.descending { ("<", "DESC") } else { (">", "ASC") };
    if let Some(c) = &q.cursor {
        let (v, id) = decode_cursor(c)?;
        args.push(Arg::from(v));
        let vi = args.len();
        args.push(Arg::from(id));
        conds.push(format!("({col}, id) {cmp} (${vi}, ${})", args.len()));
    }
    let limit = q.limit.clamp(1, MAX_LIMIT) as i64;
    args.push(Arg::from(limit + 1));
    let mut sql = String::new();
    if !conds.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conds.join(" AND "));
    }
    sql.push_str(&format!(" ORDER BY {col} {dir}, id {dir} LIMIT ${}", args.len()));
    Ok(sql)
}

/// A list whose only multi-valued condition is one column among a few values (a queue's open
/// states) is read as one ordered, limited range per value, merged: each range is an index seek
/// in sort order, where `col IN (...)` would read every matching row and sort them. Returns the
/// whole statement (with the sort value as `sort_key`) and its arguments, or `None` when the list
/// has no such condition.
pub(crate) fn merged_ranges(
    q: &ListQuery,
    columns: &str,
    table: &str,
    org_column: Option<&str>,
    need: Option<NeedToKnowColumns>,
) -> Result<Option<(String, Vec<Arg>)>> {
    let [(column, values)] = q.any_of.as_slice() else {
        return Ok(None);
    };
    if !(2..=8).contains(&values.len()) {
        return Ok(None);
    }
    let mut args = Vec::new();
    let mut parts = Vec::with_capacity(values.len());
    for v in values {
        let mut one = q.clone();
        one.any_of.clear();
        one.filters.push((column, v.clone()));
        let tail = where_order_limit_into(&one, org_column, need, &mut args)?;
        parts.push(format!(
            "SELECT * FROM (SELECT {columns}, {} AS sort_key FROM {table}{tail}) r{}",
            q.sort.column,
            parts.len()
        ));
    }
    let dir = if q.sort.descending { "DESC" } else { "ASC" };
    let limit = q.limit.clamp(1, MAX_LIMIT) as i64;
    args.push(Arg::from(limit + 1));
    Ok(Some((
        format!(
            "SELECT * FROM ({}) u ORDER BY sort_key {dir}, id {dir} LIMIT ${}",
            parts.join(" UNION ALL "),
            args.len()
        ),
        args,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_a_field_error() {
        let c = encode_cursor(1_700_000_000_000_000, 42);
        assert_eq!(decode_cursor(&c).unwrap(), (1_700_000_000_000_000, 42));
        for bad in ["", "!!", "bm9wZQ", "MS4y.x"] {
            assert!(matches!(decode_cursor(bad), Err(Error::Invalid(_))), "{bad}");
        }
    }
}
