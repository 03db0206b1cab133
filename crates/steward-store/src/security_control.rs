//! How security controls are stored, and the information security report read over them, the
//! security incidents and the security risks.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use steward_core::id::*;
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;
use steward_core::security_control::{
    ControlKind, ControlStanding, Effectiveness, SecurityControl, SecurityControlStatus, SecurityMonth, SecurityReport,
    SecurityRiskLine, months_between,
};
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::record::{Table, select_sql};
use crate::{args, from_micros, micros, opt_stored_date, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct SecurityControlRow {
    id: i64,
    title: String,
    description: String,
    catalogue_reference: Option<String>,
    kind: String,
    service_id: Option<i64>,
    owner_id: i64,
    status: String,
    effectiveness: Option<String>,
    reviewed_on: Option<String>,
    review_findings: String,
    next_review: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl Table for SecurityControl {
    type Row = SecurityControlRow;
    const TABLE: &'static str = "security_controls";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "description",
        "catalogue_reference",
        "kind",
        "service_id",
        "owner_id",
        "status",
        "effectiveness",
        "reviewed_on",
        "review_findings",
        "next_review",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: SecurityControlRow) -> Result<Self> {
        Ok(SecurityControl {
            id: SecurityControlId(r.id),
            title: r.title,
            description: r.description,
            catalogue_reference: r.catalogue_reference,
            kind: parse_stored("kind", &r.kind, ControlKind::parse)?,
            service: r.service_id.map(ServiceId),
            owner: UserId(r.owner_id),
            status: parse_stored("status", &r.status, SecurityControlStatus::parse)?,
            effectiveness: r
                .effectiveness
                .map(|e| parse_stored("effectiveness", &e, Effectiveness::parse))
                .transpose()?,
            reviewed_on: opt_stored_date("reviewed_on", r.reviewed_on)?,
            review_findings: r.review_findings,
            next_review: opt_stored_date("next_review", r.next_review)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            &self.description,
            self.catalogue_reference.clone(),
            self.kind.as_str(),
            self.service.map(|v| v.0),
            self.owner.0,
            self.status.as_str(),
            self.effectiveness.map(|e| e.as_str()),
            self.reviewed_on.map(|d| d.to_string()),
            &self.review_findings,
            self.next_review.map(|d| d.to_string()),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("owner", RecordKind::User, self.owner.0)];
        refer(&mut r, "service", RecordKind::Service, self.service.map(|v| v.0));
        r
    }
}

/// Controls in force read at most by one report; more is refused rather than cut.
const CONTROLS_MAX: i64 = 5_000;
/// The longest period one report covers, in months.
const MONTHS_MAX: i64 = 120;
/// Security incidents raised in one report's period read at most; more is refused.
const INCIDENTS_MAX: i64 = 200_000;

impl crate::Store {
    /// Information security over `[from, to)`, as it stands on `today`:
    /// the security incidents raised month by month, the security risks not closed with their
    /// treatment, every control not retired with the risks it treats, and the policy in force —
    /// six reads however many records.
    pub async fn security_report(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<SecurityReport> {
        let (start, end) = (micros(from), micros(to));
        if to - from > chrono::Duration::days(366 * MONTHS_MAX / 12) {
            return Err(Error::invalid(
                "to",
                format!("the report covers at most {MONTHS_MAX} months; choose a shorter period"),
            ));
        }
        let mut c = self.read().await?;
        let raised: Vec<(i64, i64, Option<i64>, Option<String>)> = c
            .fetch_all(
                "SELECT created_at, priority, resolved_at, category FROM incidents \
                 WHERE security = TRUE AND created_at >= $1 AND created_at < $2 ORDER BY created_at LIMIT $3",
                args![start, end, INCIDENTS_MAX + 1],
            )
            .await?;
        if raised.len() as i64 > INCIDENTS_MAX {
            return Err(Error::invalid(
                "from",
                format!("more than {INCIDENTS_MAX} security incidents in the period; choose a shorter one"),
            ));
        }
        let (open,): (i64,) = c
            .fetch_one(
                "SELECT COUNT(*) FROM incidents WHERE security = TRUE AND status IN ('new', 'in_progress', 'pending')",
                args![],
            )
            .await?;
        let risk_rows: Vec<(i64, String, i64, String, Option<String>)> = c
            .fetch_all(
                "SELECT id, title, rating, status, treatment FROM risks WHERE security = TRUE AND status <> 'closed' \
                 ORDER BY rating DESC, id LIMIT $1",
                args![CONTROLS_MAX + 1],
            )
            .await?;
        let control_rows: Vec<SecurityControlRow> = c
            .fetch_all(
                &format!(
                    "{} WHERE status <> 'retired' ORDER BY id LIMIT $1",
                    select_sql::<SecurityControl>()
                ),
                args![CONTROLS_MAX + 1],
            )
            .await?;
        if control_rows.len() as i64 > CONTROLS_MAX || risk_rows.len() as i64 > CONTROLS_MAX {
            return Err(Error::Conflict(format!(
                "more than {CONTROLS_MAX} security controls or risks in force; the report reads at most that many"
            )));
        }
        let links: Vec<(i64, i64, String)> = c
            .fetch_all(
                "SELECT l.from_id, l.to_id, s.status FROM links l JOIN security_controls s ON s.id = l.from_id \
                 WHERE l.from_kind = 'security_control' AND l.to_kind = 'risk' ORDER BY l.from_id, l.to_id",
                args![],
            )
            .await?;
        let policy: Option<(i64,)> = c
            .fetch_optional(
                "SELECT id FROM documents WHERE mandatory = 'information_security_policy' AND status = 'approved' \
                 ORDER BY updated_at DESC, id DESC LIMIT 1",
                args![],
            )
            .await?;

        // Month by month: raised, urgent (P1, P2), resolved, and the mean time to resolve.
        let mut by_month: BTreeMap<String, (u64, u64, u64, i64)> =
            months_between(from.date_naive(), (to - chrono::Duration::microseconds(1)).date_naive())
                .into_iter()
                .map(|m| (m, (0, 0, 0, 0)))
                .collect();
        let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
        for (created, priority, resolved, category) in &raised {
            let month = from_micros(*created)?.format("%Y-%m").to_string();
            let entry = by_month.entry(month).or_default();
            entry.0 += 1;
            // Priority is stored as 1 (P1) to 5.
            if *priority <= 2 {
                entry.1 += 1;
            }
            if let Some(r) = resolved {
                entry.2 += 1;
                entry.3 += r - created;
            }
            *by_category
                .entry(category.clone().unwrap_or_else(|| "uncategorised".into()))
                .or_default() += 1;
        }
        let months = by_month
            .into_iter()
            .map(|(month, (raised, urgent, resolved, micros))| SecurityMonth {
                month,
                raised,
                urgent,
                resolved,
                mean_hours_to_resolve: (resolved > 0)
                    .then(|| (micros as f64 / resolved as f64 / 3_600_000_000.0 * 10.0).round() / 10.0),
            })
            .collect();
        let mut in_operation: HashMap<i64, u64> = HashMap::new();
        let mut treats: HashMap<i64, Vec<String>> = HashMap::new();
        for (control, risk, status) in &links {
            if status == SecurityControlStatus::Implemented.as_str() {
                *in_operation.entry(*risk).or_default() += 1;
            }
            treats
                .entry(*control)
                .or_default()
                .push(format!("{}-{risk}", RecordKind::Risk.prefix()));
        }
        let risks = risk_rows
            .into_iter()
            .map(|(id, title, rating, status, treatment)| SecurityRiskLine {
                risk: format!("{}-{id}", RecordKind::Risk.prefix()),
                title,
                rating: u8::try_from(rating).unwrap_or(u8::MAX),
                status,
                treatment,
                controls_in_operation: in_operation.get(&id).copied().unwrap_or(0),
            })
            .collect();
        let controls = control_rows
            .into_iter()
            .map(|r| {
                let control = SecurityControl::from_row(r)?;
                Ok(ControlStanding {
                    review_due: control.review_due(today),
                    risks: treats.remove(&control.id.0).unwrap_or_default(),
                    control,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SecurityReport {
            from,
            to,
            months,
            open_incidents: u64::try_from(open).unwrap_or(0),
            by_category: by_category.into_iter().collect(),
            risks,
            controls,
            policy: policy.map(|(id,)| format!("{}-{id}", RecordKind::Document.prefix())),
        })
    }
}
