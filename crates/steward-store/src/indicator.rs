//! The SQL behind each live indicator: a population of rows over a period, a test each row
//! passes or not, the instant that put it in the period, and a key unique within the
//! population (for keyset paging of the sample). Counting runs one aggregate per indicator; the
//! sample reads only the page asked for.
//!
//! Each body uses `:from` and `:to` (microseconds, the period's bounds) and may use `:from_day`
//! and `:day` (the period's first and last instants as ISO dates, for columns holding dates)
//! and `:year_ago_day` (the day a year before the period's end); they become numbered
//! parameters at run time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use steward_core::indicator::{Counts, INDICATORS, IndicatorDef, IndicatorRecord, Period};
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::page::{decode_cursor, encode_cursor};
use crate::{Page, Store, micros};

/// How one indicator is computed.
struct Query {
    kind: &'static str,
    key: &'static str,
    from_where: &'static str,
    passes: &'static str,
    at: &'static str,
}

const CHANGES_CLOSED: &str =
    "FROM changes t WHERE t.closed_at >= :from AND t.closed_at < :to AND t.outcome IS NOT NULL";

fn query(id: &str) -> Option<Query> {
    let q = match id {
        "incidents_resolved_within_target" => Query {
            kind: "'incident'",
            key: "c.record_id",
            from_where: "FROM sla_clocks c WHERE c.record_kind = 'incident' AND c.scope = 'sla' AND c.metric = 'resolution' \
                 AND c.stopped_at >= :from AND c.stopped_at < :to AND c.outcome IN ('met', 'breached')",
            passes: "c.outcome = 'met'",
            at: "c.stopped_at",
        },
        "requests_fulfilled_within_target" => Query {
            kind: "'request'",
            key: "c.record_id",
            from_where: "FROM sla_clocks c WHERE c.record_kind = 'request' AND c.scope = 'sla' AND c.metric = 'resolution' \
                 AND c.stopped_at >= :from AND c.stopped_at < :to AND c.outcome IN ('met', 'breached')",
            passes: "c.outcome = 'met'",
            at: "c.stopped_at",
        },
        "sla_attainment" => Query {
            kind: "c.record_kind",
            key: "c.record_id * 4 + CASE WHEN c.record_kind = 'request' THEN 2 ELSE 0 END + CASE WHEN c.metric = 'resolution' THEN 1 ELSE 0 END",
            // Both kinds named, so the clocks are read by kind and stop instant from one index.
            from_where: "FROM sla_clocks c WHERE c.record_kind IN ('incident', 'request') AND c.scope = 'sla' \
                 AND c.stopped_at >= :from AND c.stopped_at < :to AND c.outcome IN ('met', 'breached')",
            passes: "c.outcome = 'met'",
            at: "c.stopped_at",
        },
        "major_incidents_reviewed" => Query {
            kind: "'incident'",
            key: "t.id",
            from_where: "FROM incidents t WHERE t.major AND t.resolved_at >= :from AND t.resolved_at < :to",
            passes: "EXISTS (SELECT 1 FROM links l WHERE l.from_kind = 'incident' AND l.from_id = t.id AND l.to_kind = 'problem') \
                 OR EXISTS (SELECT 1 FROM links l WHERE l.to_kind = 'incident' AND l.to_id = t.id AND l.from_kind = 'problem')",
            at: "t.resolved_at",
        },
        "problems_with_root_cause" => Query {
            kind: "'problem'",
            key: "t.id",
            from_where: "FROM problems t WHERE t.resolved_at >= :from AND t.resolved_at < :to",
            passes: "t.root_cause IS NOT NULL AND t.root_cause <> ''",
            at: "t.resolved_at",
        },
        "known_errors_with_workaround" => Query {
            kind: "'problem'",
            key: "t.id",
            from_where: "FROM problems t WHERE t.known_error AND t.updated_at >= :from AND t.updated_at < :to",
            passes: "t.workaround IS NOT NULL AND t.workaround <> ''",
            at: "t.updated_at",
        },
        "changes_approved" => Query {
            kind: "'change'",
            key: "t.id",
            from_where: CHANGES_CLOSED,
            passes: "t.change_type = 'standard' OR EXISTS (SELECT 1 FROM change_approvals a WHERE a.change_id = t.id AND a.decision = 'approved')",
            at: "t.closed_at",
        },
        "changes_with_backout_plan" => Query {
            kind: "'change'",
            key: "t.id",
            from_where: CHANGES_CLOSED,
            passes: "t.backout_plan IS NOT NULL AND t.backout_plan <> ''",
            at: "t.closed_at",
        },
        "changes_reviewed" => Query {
            kind: "'change'",
            key: "t.id",
            from_where: CHANGES_CLOSED,
            passes: "t.review_notes IS NOT NULL AND t.review_notes <> ''",
            at: "t.closed_at",
        },
        "change_success_rate" => Query {
            kind: "'change'",
            key: "t.id",
            from_where: CHANGES_CLOSED,
            passes: "t.outcome IN ('successful', 'successful_with_issues')",
            at: "t.closed_at",
        },
        "releases_without_rollback" => Query {
            kind: "'release'",
            key: "t.id",
            from_where: "FROM releases t WHERE t.deployed_at >= :from AND t.deployed_at < :to",
            passes: "NOT t.rolled_back",
            at: "t.deployed_at",
        },
        "configuration_items_verified" => Query {
            kind: "'configuration_item'",
            key: "t.id",
            from_where: "FROM configuration_items t JOIN configuration_item_types y ON y.name = t.ci_type \
                 WHERE y.verification_interval_days IS NOT NULL AND t.status <> 'retired' AND t.created_at < :to AND :from <= :to",
            passes: "t.last_verified_at IS NOT NULL AND t.last_verified_at < :to \
                 AND t.last_verified_at >= :to - y.verification_interval_days * 86400000000",
            at: "t.last_verified_at",
        },
        "services_with_owner_and_agreement" => Query {
            kind: "'service'",
            key: "t.id",
            from_where: "FROM services t WHERE t.status = 'live' AND t.created_at < :to AND :from <= :to",
            passes: "t.owner_id IS NOT NULL AND EXISTS (SELECT 1 FROM agreements a WHERE a.kind = 'sla' AND a.active \
                 AND (a.targets LIKE '%\"service\":null%' OR a.targets LIKE '%\"service\":\"SVC-' || CAST(t.id AS TEXT) || '\"%'))",
            at: "t.updated_at",
        },
        "services_budgeted" => Query {
            kind: "'service'",
            key: "t.id",
            from_where: "FROM services t WHERE t.status = 'live' AND t.created_at < :to AND :from <= :to",
            passes: "EXISTS (SELECT 1 FROM budgets b WHERE b.service_id = t.id AND b.status IN ('approved', 'closed') \
                 AND b.starts_on <= :day AND b.ends_on >= :from_day)",
            at: "t.updated_at",
        },
        "budgets_within_amount" => Query {
            kind: "'budget'",
            key: "t.id",
            from_where: "FROM budgets t WHERE t.status IN ('approved', 'closed') AND t.starts_on <= :day \
                 AND t.ends_on >= :from_day AND :from <= :to",
            passes: "(SELECT COALESCE(SUM(k.amount), 0) FROM costs k WHERE k.service_id = t.service_id \
                 AND k.incurred_on >= t.starts_on AND k.incurred_on <= t.ends_on) <= t.amount",
            at: "t.updated_at",
        },
        "major_incidents_costed" => Query {
            kind: "'incident'",
            key: "t.id",
            from_where: "FROM incidents t WHERE t.major AND t.resolved_at >= :from AND t.resolved_at < :to",
            passes: "EXISTS (SELECT 1 FROM costs k WHERE k.incident_id = t.id)",
            at: "t.resolved_at",
        },
        "services_with_demand_forecast" => Query {
            kind: "'service'",
            key: "t.id",
            from_where: "FROM services t WHERE t.status = 'live' AND t.created_at < :to AND :from <= :to",
            passes: "EXISTS (SELECT 1 FROM demand_forecasts d WHERE d.service_id = t.id \
                 AND d.starts_at < :to AND d.ends_at > :from)",
            at: "t.updated_at",
        },
        // The actual is the tickets counted for the forecast's measure, or the one recorded for
        // any other; both in thousandths, like the forecast.
        "forecasts_within_tolerance" => Query {
            kind: "'demand_forecast'",
            key: "t.id",
            from_where: "FROM demand_forecasts t WHERE t.ends_at > :from AND t.ends_at <= :to \
                 AND (t.measure <> 'other' OR t.actual IS NOT NULL)",
            passes: "ABS(CASE WHEN t.measure = 'other' THEN t.actual ELSE 1000 * ( \
                 (SELECT COUNT(*) FROM incidents i WHERE t.measure IN ('tickets', 'incidents') \
                  AND i.service_id = t.service_id AND i.created_at >= t.starts_at AND i.created_at < t.ends_at) + \
                 (SELECT COUNT(*) FROM requests q WHERE t.measure IN ('tickets', 'requests') \
                  AND q.service_id = t.service_id AND q.created_at >= t.starts_at AND q.created_at < t.ends_at)) END \
                 - t.forecast) * 100 <= 20 * t.forecast",
            at: "t.ends_at",
        },
        "capacity_requirements_measured" => Query {
            kind: "'capacity_requirement'",
            key: "t.id",
            from_where: "FROM capacity_requirements t WHERE t.active AND t.created_at < :to AND :from <= :to",
            passes: "EXISTS (SELECT 1 FROM capacity_readings r WHERE r.requirement_id = t.id \
                 AND r.measured_at >= :from AND r.measured_at < :to)",
            at: "t.updated_at",
        },
        // Figures and thresholds are thousandths: value / capacity * 100 < warning / 1000, in
        // floating point so that no product overflows.
        "capacity_below_warning" => Query {
            kind: "'capacity_requirement'",
            key: "t.id",
            from_where: "FROM capacity_requirements t WHERE t.active AND EXISTS (SELECT 1 FROM capacity_readings r \
                 WHERE r.requirement_id = t.id AND r.measured_at >= :from AND r.measured_at < :to)",
            passes: "(SELECT r.value FROM capacity_readings r WHERE r.requirement_id = t.id \
                 AND r.measured_at >= :from AND r.measured_at < :to ORDER BY r.measured_at DESC LIMIT 1) * 100000.0 \
                 < t.warning_percent * 1.0 * t.capacity",
            at: "t.updated_at",
        },
        "capacity_plan_current" => Query {
            kind: "'document'",
            key: "t.id",
            from_where: "FROM documents t WHERE t.status = 'approved' AND t.document_type = 'plan' \
                 AND t.requirements LIKE '%\"8.4.3\"%' AND t.created_at < :to AND :from <= :to",
            passes: "t.next_review IS NOT NULL AND t.next_review >= :day",
            at: "t.updated_at",
        },
        "services_with_continuity_plan" => Query {
            kind: "'service'",
            key: "t.id",
            from_where: "FROM services t WHERE t.status = 'live' AND t.created_at < :to AND :from <= :to",
            passes: "EXISTS (SELECT 1 FROM continuity_plans p WHERE p.service_id = t.id AND p.status = 'approved')",
            at: "t.updated_at",
        },
        "continuity_plans_tested" => Query {
            kind: "'continuity_plan'",
            key: "t.id",
            from_where: "FROM continuity_plans t WHERE t.status = 'approved' AND t.created_at < :to AND :from <= :to",
            passes: "EXISTS (SELECT 1 FROM continuity_tests k WHERE k.plan_id = t.id AND k.status = 'completed' \
                 AND k.held_on > :year_ago_day AND k.held_on <= :day)",
            at: "t.updated_at",
        },
        "continuity_tests_met_objectives" => Query {
            kind: "'continuity_test'",
            key: "t.id",
            from_where: "FROM continuity_tests t WHERE t.status = 'completed' AND t.held_on >= :from_day \
                 AND t.held_on <= :day AND :from <= :to",
            passes: "t.met_objectives",
            at: "t.updated_at",
        },
        // Reviewed on the day the change closed or later: the review's midnight plus a day is
        // after the change's closing instant.
        "continuity_plans_reviewed_after_change" => Query {
            kind: "'continuity_plan'",
            key: "t.id",
            from_where: "FROM continuity_plans t WHERE t.status = 'approved' AND EXISTS (SELECT 1 FROM changes c \
                 WHERE c.service_id = t.service_id AND c.risk = 'high' AND c.closed_at >= :from AND c.closed_at < :to)",
            passes: "t.reviewed_at IS NOT NULL AND t.reviewed_at + 86400000000 > (SELECT MAX(c.closed_at) FROM changes c \
                 WHERE c.service_id = t.service_id AND c.risk = 'high' AND c.closed_at >= :from AND c.closed_at < :to)",
            at: "t.updated_at",
        },
        "security_controls_reviewed_on_time" => Query {
            kind: "'security_control'",
            key: "t.id",
            from_where: "FROM security_controls t WHERE t.status = 'implemented' AND t.created_at < :to AND :from <= :to",
            passes: "t.next_review IS NOT NULL AND t.next_review >= :day",
            at: "t.updated_at",
        },
        "security_controls_effective" => Query {
            kind: "'security_control'",
            key: "t.id",
            from_where: "FROM security_controls t WHERE t.status = 'implemented' AND t.reviewed_on >= :from_day \
                 AND t.reviewed_on <= :day AND :from <= :to",
            passes: "t.effectiveness = 'effective'",
            at: "t.updated_at",
        },
        "security_risks_treated" => Query {
            kind: "'risk'",
            key: "t.id",
            from_where: "FROM risks t WHERE t.security = TRUE AND t.status <> 'closed' AND t.created_at < :to AND :from <= :to",
            passes: "t.treatment IS NOT NULL AND EXISTS (SELECT 1 FROM links l JOIN security_controls s ON s.id = l.from_id \
                 WHERE l.from_kind = 'security_control' AND l.to_kind = 'risk' AND l.to_id = t.id AND s.status = 'implemented')",
            at: "t.updated_at",
        },
        "security_incidents_resolved_within_target" => Query {
            kind: "'incident'",
            key: "c.record_id",
            from_where: "FROM sla_clocks c JOIN incidents i ON i.id = c.record_id WHERE c.record_kind = 'incident' \
                 AND c.scope = 'sla' AND c.metric = 'resolution' AND c.stopped_at >= :from AND c.stopped_at < :to \
                 AND c.outcome IN ('met', 'breached') AND i.security = TRUE",
            passes: "c.outcome = 'met'",
            at: "c.stopped_at",
        },
        "articles_reviewed_on_time" => Query {
            kind: "'article'",
            key: "t.id",
            from_where: "FROM articles t WHERE t.status = 'published' AND t.created_at < :to AND :from <= :to",
            passes: "t.next_review IS NOT NULL AND t.next_review >= :day",
            at: "t.updated_at",
        },
        "known_errors_with_article" => Query {
            kind: "'problem'",
            key: "t.id",
            from_where: "FROM problems t WHERE t.known_error AND t.status NOT IN ('closed', 'cancelled') \
                 AND t.created_at < :to AND :from <= :to",
            passes: "EXISTS (SELECT 1 FROM links l JOIN articles a ON a.id = l.from_id WHERE l.from_kind = 'article' \
                 AND l.to_kind = 'problem' AND l.to_id = t.id AND a.status = 'published')",
            at: "t.updated_at",
        },
        "articles_found_helpful" => Query {
            kind: "'article'",
            key: "t.id",
            from_where: "FROM articles t WHERE EXISTS (SELECT 1 FROM article_votes v WHERE v.article_id = t.id \
                 AND v.voted_at >= :from AND v.voted_at < :to)",
            passes: "2 * (SELECT COUNT(*) FROM article_votes v WHERE v.article_id = t.id AND v.helpful = TRUE \
                 AND v.voted_at >= :from AND v.voted_at < :to) >= (SELECT COUNT(*) FROM article_votes v \
                 WHERE v.article_id = t.id AND v.voted_at >= :from AND v.voted_at < :to)",
            at: "t.updated_at",
        },
        "services_with_availability_target" => Query {
            kind: "'service'",
            key: "t.id",
            from_where: "FROM services t WHERE t.status = 'live' AND t.created_at < :to AND :from <= :to",
            passes: "t.availability_target IS NOT NULL",
            at: "t.updated_at",
        },
        "unplanned_outages_investigated" => Query {
            kind: "'outage'",
            key: "t.id",
            from_where: "FROM outages t WHERE NOT t.planned AND t.ended_at >= :from AND t.ended_at < :to",
            passes: "t.status = 'reviewed'",
            at: "t.ended_at",
        },
        "supplier_contracts_reviewed" => Query {
            kind: "'contract'",
            key: "t.id",
            from_where: "FROM contracts t WHERE t.status = 'active' AND t.created_at < :to AND :from <= :to",
            passes: "t.review_date IS NOT NULL AND t.review_date >= :day",
            at: "t.updated_at",
        },
        "internal_suppliers_with_agreement" => Query {
            kind: "'supplier'",
            key: "t.id",
            from_where: "FROM suppliers t WHERE t.active AND t.kind IN ('internal', 'customer') AND t.created_at < :to AND :from <= :to",
            passes: "EXISTS (SELECT 1 FROM contracts k WHERE k.supplier_id = t.id AND k.status = 'active' AND k.agreement_id IS NOT NULL)",
            at: "t.updated_at",
        },
        "parties_under_control" => Query {
            kind: "'supplier'",
            key: "t.id",
            from_where: "FROM suppliers t WHERE t.active AND t.created_at < :to AND :from <= :to",
            passes: "t.owner_id IS NOT NULL AND EXISTS (SELECT 1 FROM contracts k WHERE k.supplier_id = t.id AND k.status = 'active')",
            at: "t.updated_at",
        },
        "relationships_owned" => Query {
            kind: "'organisation'",
            key: "t.id",
            from_where: "FROM organisations t WHERE t.active AND t.created_at < :to AND :from <= :to",
            passes: "t.relationship_owner_id IS NOT NULL",
            at: "t.updated_at",
        },
        "customers_reviewed" => Query {
            kind: "'organisation'",
            key: "t.id",
            from_where: "FROM organisations t WHERE t.active AND t.kind = 'customer' AND t.created_at < :to AND :from <= :to",
            passes: "EXISTS (SELECT 1 FROM service_reviews r WHERE r.organisation_id = t.id AND r.status = 'held' \
                 AND r.held_on >= :from_day AND r.held_on <= :day)",
            at: "t.updated_at",
        },
        "complaints_resolved_within_target" => Query {
            kind: "'complaint'",
            key: "t.id",
            from_where: "FROM complaints t WHERE t.resolved_at >= :from AND t.resolved_at < :to",
            passes: "t.resolved_at <= t.resolve_by",
            at: "t.resolved_at",
        },
        "customer_satisfaction" => Query {
            kind: "'survey'",
            key: "t.id",
            from_where: "FROM surveys t WHERE t.answered_at >= :from AND t.answered_at < :to",
            passes: "t.score >= 4",
            at: "t.answered_at",
        },
        "risks_reviewed" => Query {
            kind: "'risk'",
            key: "t.id",
            from_where: "FROM risks t WHERE t.status <> 'closed' AND t.created_at < :to AND :from <= :to",
            passes: "t.review_date IS NOT NULL AND t.review_date >= :day",
            at: "t.updated_at",
        },
        "internal_audits_completed" => Query {
            kind: "'audit'",
            key: "t.id",
            from_where: "FROM audits t WHERE t.audit_type = 'internal' AND t.status <> 'cancelled' \
                 AND t.planned_start >= :from_day AND t.planned_start <= :day AND :from <= :to",
            passes: "t.status = 'completed'",
            at: "t.updated_at",
        },
        "management_reviews_held" => Query {
            kind: "'management_review'",
            key: "t.id",
            from_where: "FROM management_reviews t WHERE t.status <> 'cancelled' \
                 AND t.held_on >= :from_day AND t.held_on <= :day AND :from <= :to",
            passes: "t.status IN ('held', 'closed')",
            at: "t.updated_at",
        },
        "nonconformities_under_control" => Query {
            kind: "'nonconformity'",
            key: "t.id",
            from_where: "FROM nonconformities t WHERE t.raised_on >= :from_day AND t.raised_on <= :day AND :from <= :to",
            passes: "t.status <> 'open'",
            at: "t.updated_at",
        },
        "corrective_actions_on_time" => Query {
            kind: "'action'",
            key: "t.id",
            from_where: "FROM actions t WHERE t.source_kind = 'nonconformity' AND t.status = 'done' \
                 AND t.completed_on >= :from_day AND t.completed_on <= :day AND :from <= :to",
            passes: "t.completed_on <= t.due_date",
            at: "t.updated_at",
        },
        "improvements_decided" => Query {
            kind: "'improvement'",
            key: "t.id",
            from_where: "FROM improvements t WHERE t.created_at >= :from AND t.created_at < :to",
            passes: "t.status <> 'proposed'",
            at: "t.created_at",
        },
        "scope_approved" => Query {
            kind: "'sms_scope'",
            key: "t.id",
            from_where: "FROM sms_scopes t WHERE t.created_at < :to AND :from <= :to",
            passes: "t.approved_by IS NOT NULL",
            at: "t.updated_at",
        },
        "documents_current" => Query {
            kind: "'document'",
            key: "t.id",
            from_where: "FROM documents t WHERE t.status = 'approved' AND t.created_at < :to AND :from <= :to",
            passes: "t.next_review IS NOT NULL AND t.next_review >= :day",
            at: "t.updated_at",
        },
        _ => return None,
    };
    Some(q)
}

/// Replaces `:from`, `:to`, `:day`, `:from_day` and `:year_ago_day` (the day a year before the
/// period's end) with `$n` (numbered from `first`), returning the args in order.
fn bind(sql: &str, period: Period, first: usize) -> (String, Vec<Arg>) {
    let day = (period.to - chrono::Duration::microseconds(1)).date_naive().to_string();
    let from_day = period.from.date_naive().to_string();
    let year_ago_day = (period.to - chrono::Duration::days(366)).date_naive().to_string();
    let mut out = sql.to_string();
    let mut args = Vec::new();
    // `:from_day` before `:from`, which is a prefix of it.
    for (name, value) in [
        (":from_day", Arg::from(from_day)),
        (":year_ago_day", Arg::from(year_ago_day)),
        (":from", Arg::from(micros(period.from))),
        (":to", Arg::from(micros(period.to))),
        (":day", Arg::from(day)),
    ] {
        if out.contains(name) {
            args.push(value);
            out = out.replace(name, &format!("${}", first + args.len() - 1));
        }
    }
    (out, args)
}

fn def(id: &str) -> Result<(&'static IndicatorDef, Query)> {
    let d = steward_core::indicator::find(id)
        .ok_or_else(|| Error::not_found("indicator", id.chars().take(60).collect::<String>()))?;
    let q = query(d.id).ok_or_else(|| Error::unexpected(format!("indicator {} has no query", d.id)))?;
    Ok((d, q))
}

impl Store {
    /// Counts every indicator over `period`, one aggregate statement each, on one connection.
    pub async fn indicator_counts(&self, period: Period) -> Result<HashMap<&'static str, Counts>> {
        let mut c = self.read().await?;
        let mut out = HashMap::new();
        for d in INDICATORS {
            let (_, q) = def(d.id)?;
            let (sql, args) = bind(
                &format!(
                    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0), MAX({}) {}",
                    q.passes, q.at, q.from_where
                ),
                period,
                1,
            );
            let (population, passing, latest): (i64, i64, Option<i64>) = c.fetch_one(&sql, args).await?;
            out.insert(
                d.id,
                Counts {
                    population: u64::try_from(population).unwrap_or(0),
                    passing: u64::try_from(passing).unwrap_or(0),
                    latest_micros: latest,
                },
            );
        }
        Ok(out)
    }

    /// The records behind one indicator, newest first, optionally only those that pass or fail.
    pub async fn indicator_records(
        &self,
        id: &str,
        period: Period,
        passes: Option<bool>,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<IndicatorRecord>> {
        let (_, q) = def(id)?;
        let at = format!("COALESCE({}, 0)", q.at);
        let mut sql = format!(
            "SELECT {kind}, CAST({key} AS BIGINT), CAST(CASE WHEN {passes} THEN 1 ELSE 0 END AS BIGINT), {at} {fw}",
            kind = q.kind,
            key = q.key,
            passes = q.passes,
            fw = q.from_where,
        );
        if let Some(p) = passes {
            sql.push_str(&format!(" AND {}({})", if p { "" } else { "NOT " }, q.passes));
        }
        let (mut sql, mut args) = bind(&sql, period, 1);
        if let Some(cur) = cursor {
            let (at_v, key_v) = decode_cursor(cur)?;
            args.push(Arg::from(at_v));
            let a = args.len();
            args.push(Arg::from(key_v));
            sql.push_str(&format!(
                " AND ({at} < ${a} OR ({at} = ${a} AND {} < ${}))",
                q.key,
                a + 1
            ));
        }
        let limit = limit.clamp(1, crate::MAX_LIMIT);
        args.push(Arg::from(i64::from(limit) + 1));
        sql.push_str(&format!(" ORDER BY {at} DESC, {} DESC LIMIT ${}", q.key, args.len()));
        let mut c = self.read().await?;
        let rows: Vec<(String, i64, i64, i64)> = c.fetch_all(&sql, args).await?;
        let more = rows.len() > limit as usize;
        let mut items = Vec::with_capacity(rows.len());
        let mut last = None;
        for (kind, key, pass, at_v) in rows.into_iter().take(limit as usize) {
            let prefix = steward_core::record::RecordKind::parse(&kind)
                .map(|k| k.prefix())
                .ok_or_else(|| Error::unexpected(format!("indicator {} sampled an unknown kind {kind}", q.kind)))?;
            // sla_attainment's key packs kind and metric beside the id.
            let record = if q.key.starts_with("c.record_id *") {
                key / 4
            } else {
                key
            };
            items.push(IndicatorRecord {
                reference: format!("{prefix}-{record}"),
                passes: pass == 1,
                at: (at_v != 0)
                    .then(|| DateTime::<Utc>::from_timestamp_micros(at_v))
                    .flatten(),
            });
            last = Some((at_v, key));
        }
        let next_cursor = if more {
            last.map(|(a, k)| encode_cursor(a, k))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }
}
