//! Full-text search with each database's own engine: SQLite FTS5 (bm25, Porter stemming) and
//! PostgreSQL `tsvector` with a GIN index (`ts_rank_cd`, English stemming). The index is kept by
//! triggers (migrations 0016 and 0034). Visibility is part of the query: a requester's search
//! covers only their organisation's incidents and requests and the articles published for
//! customers.

use std::collections::HashMap;

use steward_core::Result;
use steward_core::id::{OrganisationId, UserId};
use steward_core::record::RecordKind;
use steward_core::search::SearchHit;

use crate::exec::Arg;
use crate::{Backend, Store};

/// What to search and within what.
pub struct SearchQuery<'a> {
    pub terms: &'a [String],
    pub kinds: &'a [RecordKind],
    /// Only this organisation's incidents and requests (a requester's search).
    pub organisation: Option<OrganisationId>,
    /// Of articles, only those published for customers (a requester's search).
    pub published_only: bool,
    /// A searcher not cleared for security incidents: of those, only the ones naming this
    /// person as caller or assignee are found.
    pub uncleared_viewer: Option<UserId>,
    /// Any one of the terms is enough, the records matching most of them ranked first (the
    /// articles suggested for a ticket being raised); otherwise every term must match.
    pub match_any: bool,
    pub limit: u32,
}

#[derive(sqlx::FromRow)]
struct HitRow {
    record_kind: String,
    record_id: i64,
    title: String,
    snippet: String,
    score: f64,
}

impl Store {
    pub async fn search(&self, q: &SearchQuery<'_>) -> Result<Vec<SearchHit>> {
        if self.backend() == Backend::Sqlite {
            return self.search_sqlite(q).await;
        }
        let last = q.terms.len().saturating_sub(1);
        let mut args: Vec<Arg> = Vec::new();
        let expr: Vec<String> = q
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| if i == last { format!("{t}:*") } else { t.clone() })
            .collect();
        args.push(Arg::from(expr.join(if q.match_any { " | " } else { " & " })));
        let filter = filters(q, "doc_id", &mut args);
        args.push(Arg::from(i64::from(q.limit)));
        let sql = format!(
            "SELECT h.record_kind, h.record_id, h.title, \
             ts_headline('english', h.title || '. ' || h.body, to_tsquery('english', $1), 'StartSel=[, StopSel=], MaxWords=14, MinWords=5, MaxFragments=1') AS snippet, \
             h.score FROM (SELECT record_kind, record_id, title, body, \
             CAST(ts_rank_cd(document, to_tsquery('english', $1)) AS DOUBLE PRECISION) AS score \
             FROM search_documents WHERE document @@ to_tsquery('english', $1){filter} \
             ORDER BY score DESC, doc_id LIMIT ${}) h ORDER BY h.score DESC",
            args.len()
        );
        let mut c = self.read().await?;
        let rows: Vec<HitRow> = c.fetch_all(&sql, args).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let kind = RecordKind::parse(&r.record_kind)?;
                Some(SearchHit {
                    reference: format!("{}-{}", kind.prefix(), r.record_id),
                    kind,
                    title: r.title,
                    snippet: r.snippet,
                    score: (r.score * 1000.0).round() / 1000.0,
                })
            })
            .collect())
    }
}

impl Store {
    /// SQLite: rank the matches by rowid and score alone (the rank is bm25 with the title weighted
    /// 10 to 1, set in the migration), then read the few returned by rowid and cut their snippets
    /// here. Asking FTS5 for snippets would re-run the whole match for each row returned.
    async fn search_sqlite(&self, q: &SearchQuery<'_>) -> Result<Vec<SearchHit>> {
        let last = q.terms.len().saturating_sub(1);
        // Words are letters and digits only, so quoting each is safe; the last is a prefix.
        let expr: Vec<String> = q
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if i == last {
                    format!("\"{t}\"*")
                } else {
                    format!("\"{t}\"")
                }
            })
            .collect();
        let mut args = vec![Arg::from(expr.join(if q.match_any { " OR " } else { " " }))];
        let filter = filters(q, "rowid", &mut args);
        args.push(Arg::from(i64::from(q.limit)));
        let sql = format!(
            "SELECT rowid, -rank FROM search_documents WHERE search_documents MATCH $1{filter} ORDER BY rank LIMIT ${}",
            args.len()
        );
        let mut c = self.read().await?;
        let ranked: Vec<(i64, f64)> = c.fetch_all(&sql, args).await?;
        if ranked.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT rowid, record_kind, CAST(record_id AS BIGINT), title, body FROM search_documents WHERE rowid IN ({})",
            crate::placeholders(1, ranked.len())
        );
        let rows: Vec<(i64, String, i64, String, String)> = c
            .fetch_all(&sql, ranked.iter().map(|(r, _)| Arg::from(*r)).collect())
            .await?;
        let rows: HashMap<i64, (String, i64, String, String)> =
            rows.into_iter().map(|(r, k, id, t, b)| (r, (k, id, t, b))).collect();
        Ok(ranked
            .into_iter()
            .filter_map(|(rowid, score)| {
                let (kind, id, title, body) = rows.get(&rowid)?;
                let kind = RecordKind::parse(kind)?;
                Some(SearchHit {
                    reference: format!("{}-{id}", kind.prefix()),
                    kind,
                    snippet: steward_core::search::snippet(title, body, q.terms),
                    title: title.clone(),
                    score: (score * 1000.0).round() / 1000.0,
                })
            })
            .collect())
    }

    /// The title of one searchable record, for a search by reference.
    pub async fn search_title(&self, kind: RecordKind, id: i64) -> Result<Option<String>> {
        let column = if kind == RecordKind::ConfigurationItem {
            "name"
        } else {
            "title"
        };
        let sql = format!("SELECT {column} FROM {} WHERE id = $1", crate::record::table_of(kind));
        let mut c = self.read().await?;
        let row: Option<(String,)> = c.fetch_optional(&sql, crate::args![id]).await?;
        Ok(row.map(|(t,)| t))
    }
}

/// The code of a kind in a search document's key, `(code << 40) | record id`, as the
/// migrations' triggers write it.
fn document_code(kind: RecordKind) -> Option<i64> {
    Some(match kind {
        RecordKind::Incident => 1,
        RecordKind::Request => 2,
        RecordKind::Problem => 3,
        RecordKind::Change => 4,
        RecordKind::ConfigurationItem => 5,
        RecordKind::Article => 6,
        _ => return None,
    })
}

/// The kind and visibility conditions, appended to `args`; `key` is the document key's column.
fn filters(q: &SearchQuery<'_>, key: &str, args: &mut Vec<Arg>) -> String {
    let mut out = String::new();
    if q.kinds.is_empty() {
        return " AND 1 = 0".into();
    }
    // One kind: its documents are one range of keys, which both engines read alone (FTS5 limits
    // the match to the range; PostgreSQL can combine the key's index with the text's), so a
    // search of the few articles does not rank every ticket that shares a word with it.
    if let [kind] = q.kinds
        && let Some(code) = document_code(*kind)
    {
        args.push(Arg::from(code << 40));
        args.push(Arg::from((code + 1) << 40));
        out.push_str(&format!(
            " AND {key} >= ${} AND {key} < ${}",
            args.len() - 1,
            args.len()
        ));
    }
    if let Some(viewer) = q.uncleared_viewer
        && q.kinds.contains(&RecordKind::Incident)
    {
        // Security incidents are few, so the ones hidden are read from their own index.
        args.push(Arg::from(viewer.0));
        let n = args.len();
        out.push_str(&format!(
            " AND NOT (record_kind = 'incident' AND record_id IN (SELECT id FROM incidents WHERE security = TRUE \
             AND NOT (COALESCE(caller_id, 0) = ${n} OR COALESCE(assignee_id, 0) = ${n})))"
        ));
    }
    if q.organisation.is_none() && !q.published_only {
        // Every kind: no condition, so no match needs its stored columns read to be ranked.
        if steward_core::search::SEARCHABLE.iter().all(|k| q.kinds.contains(k)) {
            return out;
        }
        let first = args.len() + 1;
        args.extend(q.kinds.iter().map(|k| Arg::from(k.as_str())));
        out.push_str(&format!(
            " AND record_kind IN ({})",
            crate::placeholders(first, q.kinds.len())
        ));
        return out;
    }
    // A requester: their organisation's incidents and requests, and the articles published for
    // customers (few, read from their own index), and nothing else.
    let mut reach = Vec::new();
    let tickets: Vec<&RecordKind> = q
        .kinds
        .iter()
        .filter(|k| matches!(k, RecordKind::Incident | RecordKind::Request))
        .collect();
    if let Some(o) = q.organisation
        && !tickets.is_empty()
    {
        let first = args.len() + 1;
        args.extend(tickets.iter().map(|k| Arg::from(k.as_str())));
        args.push(Arg::from(o.0));
        reach.push(format!(
            "(record_kind IN ({}) AND organisation_id = ${})",
            crate::placeholders(first, tickets.len()),
            args.len()
        ));
    }
    if q.published_only && q.kinds.contains(&RecordKind::Article) {
        reach.push(
            "(record_kind = 'article' AND record_id IN (SELECT id FROM articles WHERE audience = 'customers' \
             AND status = 'published'))"
                .to_string(),
        );
    }
    if reach.is_empty() {
        return " AND 1 = 0".into();
    }
    out.push_str(&format!(" AND ({})", reach.join(" OR ")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_searchable_kind_has_its_own_range_of_document_keys() {
        let mut codes: Vec<i64> = steward_core::search::SEARCHABLE
            .iter()
            .map(|k| document_code(*k).unwrap_or_else(|| panic!("{k:?} has no document code")))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), steward_core::search::SEARCHABLE.len());
    }
}
