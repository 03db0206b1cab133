//! Printing reports as a table, CSV or JSON.

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
