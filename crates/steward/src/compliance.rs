//! `steward compliance report`: the readiness report as JSON, CSV (one row per requirement) or a
//! self-contained HTML page to print as an audit pack — which also lists the audit programme, the
//! nonconformities still open and the certificates with the audits they require.

use steward_core::audit::Audit;
use steward_core::certification::Certificate;
use steward_core::lifecycle::Lifecycle;
use steward_core::nonconformity::Nonconformity;
use steward_core::readiness::{ReadinessReport, RequirementReadiness};

/// What the audit pack shows besides the readiness report.
#[derive(Default)]
pub struct Pack {
    pub audits: Vec<Audit>,
    pub open_nonconformities: Vec<Nonconformity>,
    pub certificates: Vec<Certificate>,
}

/// The newest 200 audits, the open nonconformities (up to 500 in each open state) and the
/// certificates.
pub async fn gather_pack(store: &steward_store::Store) -> anyhow::Result<Pack> {
    let newest = |limit| steward_store::ListQuery {
        limit,
        sort: steward_store::Sort {
            column: "created_at",
            descending: true,
        },
        ..Default::default()
    };
    let mut audits = store.list::<Audit>(&newest(200)).await?.items;
    audits.sort_by_key(|a| a.planned_start);
    let mut open_nonconformities = Vec::new();
    for status in ["open", "action_planned", "verification"] {
        let mut q = newest(500);
        q.filters = vec![("status", status.into())];
        open_nonconformities.extend(store.list::<Nonconformity>(&q).await?.items);
    }
    open_nonconformities.sort_by_key(|n| n.id);
    let certificates = store.list::<Certificate>(&newest(50)).await?.items;
    Ok(Pack {
        audits,
        open_nonconformities,
        certificates,
    })
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

use steward_server::ui::escape as esc;

fn documents(r: &RequirementReadiness) -> String {
    r.documents
        .iter()
        .map(|d| format!("{} {} ({})", d.document, d.identifier, serde_plain(&d.review)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn indicators(r: &RequirementReadiness) -> String {
    r.indicators
        .iter()
        .map(|i| {
            format!(
                "{} {}{}",
                i.id,
                i.value_percent
                    .map_or_else(|| "no records".to_string(), |v| format!("{v}%")),
                if i.fresh { "" } else { " stale" }
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn evidence(r: &RequirementReadiness) -> String {
    r.evidence
        .iter()
        .map(|e| {
            format!(
                "{} {}{}",
                e.evidence,
                e.effective_date,
                if e.fresh { "" } else { " stale" }
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn nonconformities(r: &RequirementReadiness) -> String {
    r.open_nonconformities
        .iter()
        .map(|n| format!("{} {}", n.reference, if n.major { "major" } else { "minor" }))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A unit enum's serialised name.
fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

pub fn render(report: &ReadinessReport, pack: &Pack, format: &str) -> anyhow::Result<String> {
    Ok(match format {
        "json" => serde_json::to_string_pretty(report)? + "\n",
        "csv" => csv(report),
        "html" => html(report, pack),
        other => anyhow::bail!("unknown format '{other}': use json, csv or html"),
    })
}

const CSV_HEADER: &str = "clause,title,readiness %,score,assessment,documents,evidence,nonconformities,linked documents,indicators,registered evidence,open nonconformities,reasons";

fn csv(report: &ReadinessReport) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for r in &report.requirements {
        let cells = [
            r.clause.clone(),
            r.title.clone(),
            format!("{:.2}", r.readiness_percent),
            r.score.map(|s| s.to_string()).unwrap_or_default(),
            format!("{:.2}", r.parts.assessment),
            format!("{:.2}", r.parts.documents),
            format!("{:.2}", r.parts.evidence),
            format!("{:.2}", r.parts.nonconformities),
            documents(r),
            indicators(r),
            evidence(r),
            nonconformities(r),
            r.reasons.join("; "),
        ];
        out.push_str(&cells.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

fn html(report: &ReadinessReport, pack: &Pack) -> String {
    let from = report.period.from.format("%Y-%m-%d %H:%M UTC").to_string();
    let to = report.period.to.format("%Y-%m-%d %H:%M UTC").to_string();
    let mut h = String::new();
    h.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str(&format!(
        "<title>Readiness for {} — {}</title>",
        esc(&report.edition),
        report.generated_at.format("%Y-%m-%d")
    ));
    h.push_str(
        "<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#111}h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #999}\
         table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}\
         th{background:#eee}td.n{text-align:right;white-space:nowrap}.low{background:#fdd}.mid{background:#ffd}.high{background:#dfd}\
         .small{font-size:12px;color:#333}@media print{h2{page-break-after:avoid}tr{page-break-inside:avoid}}</style></head><body><main>\n",
    );
    h.push_str(&format!(
        "<h1>Certification readiness: {}%</h1>\n<p>{} · generated {} · live evidence from {} to {} · self-assessment {}</p>\n",
        report.overall_percent,
        esc(&report.edition),
        report.generated_at.format("%Y-%m-%d %H:%M UTC"),
        from,
        to,
        report.assessment.map_or_else(|| "none recorded".to_string(), |a| a.to_string())
    ));
    h.push_str("<h2>How the figures are made</h2>\n<ul>");
    for m in &report.method {
        h.push_str(&format!("<li>{}</li>", esc(m)));
    }
    h.push_str("</ul>\n");
    if !report.scope_warnings.is_empty() {
        h.push_str("<h2>Scope</h2>\n<ul>");
        for w in &report.scope_warnings {
            h.push_str(&format!("<li>{}: {}</li>", esc(&w.clause), esc(&w.message)));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("<h2>By clause</h2>\n<table><thead><tr><th scope=\"col\">Clause</th><th scope=\"col\">Title</th><th scope=\"col\">Requirements</th><th scope=\"col\">Readiness %</th></tr></thead><tbody>\n");
    for c in &report.clauses {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n {}\">{}</td></tr>\n",
            esc(&c.clause),
            esc(&c.title),
            c.requirements,
            band(c.readiness_percent),
            c.readiness_percent
        ));
    }
    h.push_str("</tbody></table>\n");
    h.push_str("<h2>Mandatory documented information (7.5.4)</h2>\n<table><thead><tr><th scope=\"col\">Item</th><th scope=\"col\">Clause</th><th scope=\"col\">State</th><th scope=\"col\">Held as</th></tr></thead><tbody>\n");
    for m in &report.mandatory_documents {
        let held = match (&m.held_as, m.held_count) {
            (Some(h), Some(n)) => format!("{} ({n})", serde_plain(h)),
            _ => m.documents.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "),
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(m.description),
            esc(m.requirement),
            serde_plain(&m.state),
            esc(&held)
        ));
    }
    h.push_str("</tbody></table>\n");
    h.push_str("<h2>By requirement</h2>\n<p class=\"small\">Each indicator's records can be listed at <code>/api/v1/compliance/indicators/{id}/records</code> with the same period; each document and evidence reference opens its record and history.</p>\n");
    h.push_str("<table><thead><tr><th scope=\"col\">Clause</th><th scope=\"col\">Requirement</th><th scope=\"col\">Readiness %</th><th scope=\"col\">Score</th><th scope=\"col\">Documents</th><th scope=\"col\">Indicators</th><th scope=\"col\">Evidence</th><th scope=\"col\">Open NCs</th><th scope=\"col\">Reasons</th></tr></thead><tbody>\n");
    for r in &report.requirements {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"n {}\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"small\">{}</td></tr>\n",
            esc(&r.clause),
            esc(&r.title),
            band(r.readiness_percent),
            r.readiness_percent,
            r.score.map(|s| s.to_string()).unwrap_or_else(|| "–".into()),
            esc(&documents(r)),
            esc(&indicators(r)),
            esc(&evidence(r)),
            esc(&nonconformities(r)),
            esc(&r.reasons.join("; "))
        ));
    }
    h.push_str("</tbody></table>\n");
    pack_sections(&mut h, pack);
    h.push_str("</main></body></html>\n");
    h
}

fn pack_sections(h: &mut String, pack: &Pack) {
    h.push_str("<h2>Audit programme</h2>\n");
    if pack.audits.is_empty() {
        h.push_str("<p>No audit is recorded.</p>\n");
    } else {
        h.push_str("<table><thead><tr><th scope=\"col\">Audit</th><th scope=\"col\">Type</th><th scope=\"col\">Planned</th><th scope=\"col\">Status</th><th scope=\"col\">Auditor</th><th scope=\"col\">Conclusion</th></tr></thead><tbody>\n");
        for a in &pack.audits {
            let auditor = a
                .external_auditor
                .clone()
                .or_else(|| a.lead_auditor.map(|u| u.to_string()))
                .unwrap_or_default();
            h.push_str(&format!(
                "<tr><td>{} {}</td><td>{}</td><td>{} to {}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                a.id,
                esc(&a.title),
                a.audit_type.as_str(),
                a.planned_start,
                a.planned_end,
                a.status.as_str(),
                esc(&auditor),
                esc(&a.summary)
            ));
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("<h2>Open nonconformities</h2>\n");
    if pack.open_nonconformities.is_empty() {
        h.push_str("<p>None is open.</p>\n");
    } else {
        h.push_str("<table><thead><tr><th scope=\"col\">Nonconformity</th><th scope=\"col\">Clause</th><th scope=\"col\">Severity</th><th scope=\"col\">Status</th><th scope=\"col\">Raised</th><th scope=\"col\">Root cause</th></tr></thead><tbody>\n");
        for n in &pack.open_nonconformities {
            h.push_str(&format!(
                "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                n.id,
                esc(&n.title),
                esc(&n.requirement),
                n.severity.as_str(),
                n.status.as_str(),
                n.raised_on,
                esc(n.root_cause.as_deref().unwrap_or("not yet found"))
            ));
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("<h2>Certification</h2>\n");
    if pack.certificates.is_empty() {
        h.push_str("<p>No certificate is recorded.</p>\n");
    }
    for c in &pack.certificates {
        h.push_str(&format!(
            "<p>{} — certificate {} from {}, issued {}, expires {}, {}.</p>\n<ul>",
            c.id,
            esc(&c.number),
            esc(&c.certification_body),
            c.issued_on,
            c.expires_on,
            c.status.as_str()
        ));
        for due in c.schedule() {
            h.push_str(&format!("<li>{}: due {}</li>", esc(due.step.describe()), due.due));
        }
        h.push_str("</ul>\n");
    }
}

fn band(p: f64) -> &'static str {
    if p >= 80.0 {
        "high"
    } else if p >= 50.0 {
        "mid"
    } else {
        "low"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_quoted() {
        assert_eq!(esc("<a href='x'>&</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
        assert_eq!(csv_field("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
