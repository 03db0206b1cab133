//! Listing: filters, sort and keyset (cursor) pagination. A cursor is the sort value and id of
//! the last row returned, so the next page starts with an index seek, never an OFFSET scan.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use steward_core::{Error, Result};

use crate::exec::Arg;

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

pub(crate) fn encode_cursor(value: i64, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{value}.{id}"))
}

pub(crate) fn decode_cursor(s: &str) -> Result<(i64, i64)> {
    let bad = || Error::invalid("cursor", "is not a cursor returned by this list");
    let bytes = URL_SAFE_NO_PAD.decode(s.as_bytes()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (v, id) = text.split_once('.').ok_or_else(bad)?;
    Ok((v.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
}

/// Builds `WHERE ... ORDER BY ... LIMIT` for a list, returning the SQL tail and its arguments,
/// numbered from `$1`.
pub(crate) fn where_order_limit(q: &ListQuery, org_column: Option<&str>) -> Result<(String, Vec<Arg>)> {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
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
    Ok((sql, args))
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
