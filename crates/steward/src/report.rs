//! Printing reports as a table, CSV or JSON, and impact analyses as text.

use steward_core::configuration_item::ConfigurationItem;
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
    Ok(match format {
        "json" => serde_json::to_string_pretty(rows)? + "\n",
        "csv" => {
            let mut out = HEADER.join(",") + "\n";
            for r in rows {
                out.push_str(&cells(r).iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
                out.push('\n');
            }
            out
        }
        _ => {
            let body: Vec<Vec<String>> = rows.iter().map(cells).collect();
            let widths: Vec<usize> = (0..HEADER.len())
                .map(|i| {
                    body.iter()
                        .map(|r| r[i].chars().count())
                        .chain([HEADER[i].len()])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let line = |cols: &[String]| {
                cols.iter()
                    .enumerate()
                    .map(|(i, c)| {
                        if i < 2 {
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
            let mut out = line(&HEADER.map(String::from)) + "\n";
            for r in &body {
                out.push_str(&line(r));
                out.push('\n');
            }
            if rows.is_empty() {
                out.push_str("(no clocks stopped or breached in this period)\n");
            }
            out
        }
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
