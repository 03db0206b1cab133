//! The forward schedule of change as iCalendar (RFC 5545), which ordinary calendar clients read.

use chrono::{DateTime, Utc};
use steward_core::change::Change;

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value: backslash, semicolon, comma and newlines.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line to at most 75 octets per line, never splitting a character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

pub fn schedule(changes: &[Change], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Steward//Forward schedule of change//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Forward schedule of change",
    ] {
        fold(line, &mut out);
    }
    for c in changes {
        let (Some(start), Some(end)) = (c.planned_start, c.planned_end) else {
            continue;
        };
        let status = match c.status.to_string().as_str() {
            "approved" => "TENTATIVE",
            _ => "CONFIRMED",
        };
        let description = format!(
            "{} change, {} risk, {}{}",
            c.change_type,
            c.risk,
            c.status,
            c.service.map(|s| format!(", service {s}")).unwrap_or_default()
        );
        for line in [
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}@steward", c.id),
            format!("DTSTAMP:{}", stamp(now)),
            format!("DTSTART:{}", stamp(start)),
            format!("DTEND:{}", stamp(end)),
            format!("SUMMARY:{}", text(&format!("{} {}", c.id, c.title))),
            format!("DESCRIPTION:{}", text(&description)),
            format!("STATUS:{status}"),
            format!("LAST-MODIFIED:{}", stamp(c.updated_at)),
            "END:VEVENT".to_string(),
        ] {
            fold(&line, &mut out);
        }
    }
    fold("END:VCALENDAR", &mut out);
    out
}
