//! Printing reports as a table, CSV or JSON, and impact analyses as text.

use steward_core::capacity::format_figure as figure;
use steward_core::configuration_item::ConfigurationItem;
use steward_core::outage::hours_and_minutes;
use steward_core::relationship::Impact;
use steward_core::report::ReportRow;

fn cells(r: &ReportRow) -> Vec<String> {
    vec![
        r.group.clone(),
        r.metric.to_string(),
        r.total.to_string(),
        r.met.to_string(),
        r.breached.to_string(),
        r.attainment_percent.map(|p| format!("{p:.2}")).unwrap_or_default(),
        r.mean_time.clone().unwrap_or_default(),
        r.p90_time.clone().unwrap_or_default(),
    ]
}

const HEADER: [&str; 8] = [
    "group",
    "metric",
    "total",
    "met",
    "breached",
    "attainment %",
    "mean",
    "p90",
];

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn render(rows: &[ReportRow], format: &str) -> anyhow::Result<String> {
    let body: Vec<Vec<String>> = rows.iter().map(cells).collect();
    Ok(match format {
        "json" => serde_json::to_string_pretty(rows)? + "\n",
        "csv" => csv(&HEADER, &body),
        _ => table(&HEADER, &body, 2, "(no clocks stopped or breached in this period)"),
    })
}

/// Rows as CSV under a header line.
fn csv(header: &[&str], body: &[Vec<String>]) -> String {
    let mut out = header.join(",") + "\n";
    for r in body {
        out.push_str(&r.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

/// Rows as a table in columns: the first `left` aligned left, the figures right; `empty` when
/// there are none.
fn table(header: &[&str], body: &[Vec<String>], left: usize, empty: &str) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            body.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cols: &[String]| {
        cols.iter()
            .enumerate()
            .map(|(i, c)| {
                if i < left {
                    format!("{c:<w$}", w = widths[i])
                } else {
                    format!("{c:>w$}", w = widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>()) + "\n";
    for r in body {
        out.push_str(&line(r));
        out.push('\n');
    }
    if body.is_empty() {
        out.push_str(empty);
        out.push('\n');
    }
    out
}

const AVAILABILITY_HEADER: [&str; 9] = [
    "service",
    "target %",
    "availability %",
    "met",
    "downtime",
    "planned",
    "failures",
    "MTBF",
    "MTRS",
];

/// The availability report as a table, CSV or JSON.
pub fn render_availability(rows: &[steward_core::outage::Availability], format: &str) -> anyhow::Result<String> {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|a| {
            vec![
                a.service_name.clone(),
                a.target_percent.map(|t| format!("{t:.3}")).unwrap_or_default(),
                format!("{:.3}", a.availability_percent),
                match a.met {
                    Some(true) => "yes".into(),
                    Some(false) => "no".into(),
                    None => String::new(),
                },
                hours_and_minutes(a.downtime_seconds),
                hours_and_minutes(a.planned_seconds),
                a.failures.to_string(),
                a.mtbf_seconds.map(hours_and_minutes).unwrap_or_default(),
                a.mtrs_seconds.map(hours_and_minutes).unwrap_or_default(),
            ]
        })
        .collect();
    Ok(match format {
        "json" => serde_json::to_string_pretty(rows)? + "\n",
        "csv" => csv(&AVAILABILITY_HEADER, &body),
        _ => table(
            &AVAILABILITY_HEADER,
            &body,
            1,
            "(no service has a target or an outage in this period)",
        ),
    })
}

const SUPPLIER_HEADER: [&str; 9] = [
    "supplier",
    "kind",
    "open tickets",
    "met",
    "breached",
    "attainment %",
    "contracts",
    "due review",
    "open disputes",
];

/// The supplier report as a table, CSV or JSON.
pub fn render_suppliers(rows: &[steward_core::supplier::SupplierPerformance], format: &str) -> anyhow::Result<String> {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|p| {
            vec![
                format!("{} {}", p.supplier, p.supplier_name),
                p.kind.to_string(),
                p.open_tickets.to_string(),
                p.met.to_string(),
                p.breached.to_string(),
                p.attainment_percent.map(|a| format!("{a:.1}")).unwrap_or_default(),
                p.active_contracts.to_string(),
                p.contracts_due_review.to_string(),
                p.open_disputes.to_string(),
            ]
        })
        .collect();
    Ok(match format {
        "json" => serde_json::to_string_pretty(rows)? + "\n",
        "csv" => csv(&SUPPLIER_HEADER, &body),
        _ => table(&SUPPLIER_HEADER, &body, 2, "(no active supplier)"),
    })
}

const RELATIONSHIP_HEADER: [&str; 11] = [
    "organisation",
    "kind",
    "owner",
    "last review",
    "next review",
    "reviews held",
    "complaints",
    "open",
    "past target",
    "resolved",
    "on time",
];

/// The relationship report as a table, CSV or JSON.
pub fn render_relationships(rows: &[steward_core::organisation::Relationship], format: &str) -> anyhow::Result<String> {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                format!("{} {}", r.organisation, r.organisation_name),
                r.kind.to_string(),
                r.relationship_owner.map(|u| u.to_string()).unwrap_or_default(),
                day(r.last_review_on),
                day(r.next_review_on),
                r.reviews_held.to_string(),
                r.complaints_received.to_string(),
                r.complaints_open.to_string(),
                r.complaints_overdue.to_string(),
                r.complaints_resolved.to_string(),
                r.complaints_resolved_on_time.to_string(),
            ]
        })
        .collect();
    Ok(match format {
        "json" => serde_json::to_string_pretty(rows)? + "\n",
        "csv" => csv(&RELATIONSHIP_HEADER, &body),
        _ => table(&RELATIONSHIP_HEADER, &body, 3, "(no active organisation)"),
    })
}

const SATISFACTION_HEADER: [&str; 7] = [
    "service",
    "sent",
    "answered",
    "response %",
    "mean score",
    "satisfied",
    "dissatisfied",
];

/// The satisfaction report as a table, CSV or JSON.
pub fn render_satisfaction(rows: &[steward_core::survey::Satisfaction], format: &str) -> anyhow::Result<String> {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                match r.service {
                    Some(s) => format!("{s} {}", r.service_name),
                    None => r.service_name.clone(),
                },
                r.sent.to_string(),
                r.answered.to_string(),
                r.response_percent.map(|v| format!("{v:.1}")).unwrap_or_default(),
                r.mean_score.map(|v| format!("{v:.2}")).unwrap_or_default(),
                r.satisfied.to_string(),
                r.dissatisfied.to_string(),
            ]
        })
        .collect();
    Ok(match format {
        "json" => serde_json::to_string_pretty(rows)? + "\n",
        "csv" => csv(&SATISFACTION_HEADER, &body),
        _ => table(&SATISFACTION_HEADER, &body, 1, "(no surveys sent in the period)"),
    })
}

/// An amount in minor units for a report: grouped for a person (`1,234.50`), plain for a
/// spreadsheet (`1234.50`).
fn money(minor: i64, format: &str) -> String {
    let grouped = steward_core::cost::format_amount(minor);
    if format == "csv" {
        grouped.replace(',', "")
    } else {
        grouped
    }
}

const BUDGET_HEADER: [&str; 10] = [
    "budget",
    "service",
    "starts",
    "ends",
    "status",
    "amount",
    "actual",
    "remaining",
    "used %",
    "period passed %",
];

/// The budget report (actual against budget) as a table, CSV or JSON; amounts in `currency`.
pub fn render_budget(
    rows: &[steward_core::budget::BudgetLine],
    currency: &str,
    format: &str,
) -> anyhow::Result<String> {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|b| {
            vec![
                format!("{} {}", b.budget, b.title),
                format!("{} {}", b.service, b.service_name),
                b.starts_on.to_string(),
                b.ends_on.to_string(),
                b.status.to_string(),
                money(b.amount, format),
                money(b.actual, format),
                money(b.remaining, format),
                b.used_percent.map(|p| format!("{p:.1}")).unwrap_or_default(),
                format!("{:.1}", b.elapsed_percent),
            ]
        })
        .collect();
    Ok(match format {
        "json" => serde_json::to_string_pretty(&serde_json::json!({"currency": currency, "budgets": rows}))? + "\n",
        "csv" => csv(&BUDGET_HEADER, &body),
        _ => format!("Amounts in {currency}\n") + &table(&BUDGET_HEADER, &body, 5, "(no budget meets the period)"),
    })
}

const COST_HEADER: [&str; 12] = [
    "service",
    "total",
    "staff",
    "supplier",
    "asset",
    "licence",
    "facilities",
    "other",
    "time",
    "incidents",
    "incident cost",
    "per incident",
];

/// The cost report (what each service cost, by category, and its incidents) as a table, CSV
/// or JSON; amounts in `currency`.
pub fn render_costs(rows: &[steward_core::cost::ServiceCost], currency: &str, format: &str) -> anyhow::Result<String> {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|c| {
            vec![
                format!("{} {}", c.service, c.service_name),
                money(c.total, format),
                money(c.staff, format),
                money(c.supplier, format),
                money(c.asset, format),
                money(c.licence, format),
                money(c.facilities, format),
                money(c.other, format),
                hours_and_minutes(c.minutes * 60),
                c.incidents.to_string(),
                money(c.incident_cost, format),
                c.cost_per_incident.map(|v| money(v, format)).unwrap_or_default(),
            ]
        })
        .collect();
    Ok(match format {
        "json" => serde_json::to_string_pretty(&serde_json::json!({"currency": currency, "services": rows}))? + "\n",
        "csv" => csv(&COST_HEADER, &body),
        _ => format!("Amounts in {currency}\n") + &table(&COST_HEADER, &body, 1, "(no costs dated in the period)"),
    })
}

const CAPACITY_HEADER: [&str; 12] = [
    "requirement",
    "service",
    "kind",
    "unit",
    "capacity",
    "readings",
    "latest",
    "latest %",
    "peak %",
    "mean",
    "state",
    "incidents",
];

/// The capacity report as a table, CSV or JSON.
pub fn render_capacity(rows: &[steward_core::capacity::CapacityUse], format: &str) -> anyhow::Result<String> {
    let opt = |v: Option<f64>| v.map(figure).unwrap_or_default();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|u| {
            vec![
                format!("{} {}", u.requirement, u.title),
                format!("{} {}", u.service, u.service_name),
                u.kind.to_string(),
                u.unit.clone(),
                figure(u.capacity),
                u.readings.to_string(),
                opt(u.latest_value),
                u.latest_percent.map(|p| format!("{p:.1}")).unwrap_or_default(),
                u.peak_percent.map(|p| format!("{p:.1}")).unwrap_or_default(),
                opt(u.mean_value),
                u.state.to_string(),
                u.incidents.to_string(),
            ]
        })
        .collect();
    Ok(match format {
        "json" => serde_json::to_string_pretty(rows)? + "\n",
        "csv" => csv(&CAPACITY_HEADER, &body),
        _ => table(&CAPACITY_HEADER, &body, 4, "(no active capacity requirement)"),
    })
}

const DEMAND_HEADER: [&str; 9] = [
    "forecast",
    "service",
    "measure",
    "starts",
    "ends",
    "forecast",
    "actual",
    "variance %",
    "verdict",
];

/// The demand report as a table, CSV or JSON.
pub fn render_demand(rows: &[steward_core::demand::DemandLine], format: &str) -> anyhow::Result<String> {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|l| {
            vec![
                format!("{} {}", l.forecast_id, l.title),
                format!("{} {}", l.service, l.service_name),
                l.measure.to_string(),
                l.starts_on.to_string(),
                l.ends_on.to_string(),
                format!("{} {}", figure(l.forecast), l.unit),
                l.actual.map(figure).unwrap_or_default(),
                l.variance_percent.map(|v| format!("{v:+.1}")).unwrap_or_default(),
                l.verdict().to_string(),
            ]
        })
        .collect();
    Ok(match format {
        "json" => serde_json::to_string_pretty(rows)? + "\n",
        "csv" => csv(&DEMAND_HEADER, &body),
        _ => table(&DEMAND_HEADER, &body, 5, "(no forecast meets the period)"),
    })
}

const CONTINUITY_HEADER: [&str; 11] = [
    "plan",
    "service",
    "status",
    "rto minutes",
    "rpo minutes",
    "reviewed",
    "next review",
    "last test",
    "last test met",
    "next test",
    "changed since review",
];

/// The continuity report as a table, CSV or JSON.
pub fn render_continuity(
    rows: &[steward_core::continuity::ContinuityStanding],
    format: &str,
) -> anyhow::Result<String> {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|s| {
            vec![
                format!("{} {}", s.plan, s.title),
                format!("{} {}", s.service, s.service_name),
                s.status.to_string(),
                s.recovery_time_minutes.to_string(),
                s.recovery_point_minutes.to_string(),
                day(s.reviewed_on),
                if s.review_due {
                    format!("{} (due)", day(s.next_review))
                } else {
                    day(s.next_review)
                },
                day(s.last_test_on),
                s.last_test_met
                    .map(|m| if m { "yes" } else { "no" }.to_string())
                    .unwrap_or_default(),
                day(s.next_test_on),
                s.changed_since_review
                    .map(|c| c.date_naive().to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    Ok(match format {
        "json" => serde_json::to_string_pretty(rows)? + "\n",
        "csv" => csv(&CONTINUITY_HEADER, &body),
        _ => table(&CONTINUITY_HEADER, &body, 3, "(no continuity plan written)"),
    })
}

const KNOWLEDGE_HEADER: [&str; 9] = [
    "article",
    "title",
    "audience",
    "status",
    "owner",
    "next review",
    "helpful",
    "not helpful",
    "helpful %",
];

/// The knowledge base: one row per article, the review marked `(due)` when past on `today`.
pub fn render_knowledge(
    rows: &[steward_core::article::Article],
    today: chrono::NaiveDate,
    format: &str,
) -> anyhow::Result<String> {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|a| {
            let next = a.next_review.map(|d| d.to_string()).unwrap_or_default();
            vec![
                a.id.to_string(),
                a.title.clone(),
                a.audience.to_string(),
                a.status.to_string(),
                a.owner.to_string(),
                if a.review_due(today) {
                    format!("{next} (due)")
                } else {
                    next
                },
                a.helpful_votes.to_string(),
                a.unhelpful_votes.to_string(),
                a.helpful_percent().map(|p| p.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    Ok(match format {
        "json" => serde_json::to_string_pretty(rows)? + "\n",
        "csv" => csv(&KNOWLEDGE_HEADER, &body),
        _ => table(&KNOWLEDGE_HEADER, &body, 6, "(no article written)"),
    })
}

/// An impact analysis as a person reads it.
pub fn impact_text(item: &ConfigurationItem, impact: &Impact) -> String {
    let mut out = format!("{} {} ({})\n", item.id, item.name, item.ci_type);
    out.push_str("\nIf it fails, these items are affected:\n");
    if impact.affected_items.is_empty() {
        out.push_str("  none\n");
    }
    for r in &impact.affected_items {
        out.push_str(&format!(
            "  {:>2} step{} away  {} {}\n",
            r.depth,
            if r.depth == 1 { "" } else { "s" },
            r.item,
            r.name
        ));
    }
    out.push_str("\nand these services:\n");
    if impact.affected_services.is_empty() {
        out.push_str("  none\n");
    }
    for s in &impact.affected_services {
        out.push_str(&format!("  {} {} (through {})\n", s.service, s.name, s.through));
    }
    out.push_str("\nIt depends on:\n");
    if impact.depends_on.is_empty() {
        out.push_str("  nothing recorded\n");
    }
    for r in &impact.depends_on {
        out.push_str(&format!(
            "  {:>2} step{} away  {} {}\n",
            r.depth,
            if r.depth == 1 { "" } else { "s" },
            r.item,
            r.name
        ));
    }
    if impact.truncated {
        out.push_str("\n(the walk stopped at its limit; there is more)\n");
    }
    out
}

const SECURITY_MONTH_HEADER: [&str; 5] = ["month", "raised", "P1 or P2", "resolved", "mean hours to resolve"];
const SECURITY_RISK_HEADER: [&str; 5] = ["risk", "rating", "status", "treatment", "controls in operation"];
const SECURITY_CONTROL_HEADER: [&str; 7] = [
    "control",
    "kind",
    "status",
    "effectiveness",
    "reviewed",
    "next review",
    "risks",
];

/// The information security report: JSON in full; CSV the month-by-month trend of security
/// incidents; a table the trend, then the security risks and the controls, with the open count
/// and the policy in force.
pub fn render_security(r: &steward_core::security_control::SecurityReport, format: &str) -> anyhow::Result<String> {
    let months: Vec<Vec<String>> = r
        .months
        .iter()
        .map(|m| {
            vec![
                m.month.clone(),
                m.raised.to_string(),
                m.urgent.to_string(),
                m.resolved.to_string(),
                m.mean_hours_to_resolve.map(|h| format!("{h:.1}")).unwrap_or_default(),
            ]
        })
        .collect();
    if format == "json" {
        return Ok(serde_json::to_string_pretty(r)? + "\n");
    }
    if format == "csv" {
        return Ok(csv(&SECURITY_MONTH_HEADER, &months));
    }
    let risks: Vec<Vec<String>> = r
        .risks
        .iter()
        .map(|k| {
            vec![
                format!("{} {}", k.risk, k.title),
                k.rating.to_string(),
                k.status.clone(),
                k.treatment.clone().unwrap_or_default(),
                k.controls_in_operation.to_string(),
            ]
        })
        .collect();
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let controls: Vec<Vec<String>> = r
        .controls
        .iter()
        .map(|s| {
            let c = &s.control;
            vec![
                format!("{} {}", c.id, c.title),
                c.kind.to_string(),
                c.status.to_string(),
                c.effectiveness.map(|e| e.to_string()).unwrap_or_default(),
                day(c.reviewed_on),
                format!("{}{}", day(c.next_review), if s.review_due { " (due)" } else { "" }),
                s.risks.join(" "),
            ]
        })
        .collect();
    Ok(format!(
        "Security incidents raised, by month\n{}\nSecurity incidents open now: {}\nInformation security policy in force: {}\n\nSecurity risks\n{}\nSecurity controls\n{}",
        table(&SECURITY_MONTH_HEADER, &months, 1, "(no month in the period)"),
        r.open_incidents,
        r.policy.as_deref().unwrap_or("none approved"),
        table(&SECURITY_RISK_HEADER, &risks, 1, "(no security risk open)"),
        table(&SECURITY_CONTROL_HEADER, &controls, 4, "(no security control)"),
    ))
}
