//! Charts drawn on the server as inline SVG from Steward's own figures: no chart library, no
//! script, nothing fetched. Each chart is an image with a title and a description for screen
//! readers, and the page puts its figures in a table beside it.

use std::fmt::Write;

pub use super::escape as xml;

/// Colours with at least 3:1 contrast against white, told apart by lightness too.
pub const PALETTE: [&str; 6] = ["#14507a", "#b54d00", "#1e6b34", "#a4262c", "#6b4c9a", "#4a5560"];

const W: f64 = 560.0;
const H: f64 = 220.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 36.0;
const TOP: f64 = 12.0;
const RIGHT: f64 = 12.0;

/// A round upper bound for an axis: 1, 2 or 5 times a power of ten.
pub fn nice_max(v: f64) -> f64 {
    if v.is_nan() || v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|m| *m >= v)
        .unwrap_or(10.0 * p)
}

fn open(id: &str, title: &str, desc: &str) -> String {
    format!(
        r#"<svg viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        xml(title),
        xml(desc)
    )
}

fn axis(svg: &mut String, max: f64, unit: &str) {
    let plot_h = H - TOP - BOTTOM;
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let y = TOP + plot_h - plot_h * f64::from(i) / 4.0;
        let _ = write!(
            svg,
            r#"<line class="gridline" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text x="{}" y="{:.1}" text-anchor="end">{}{}</text>"#,
            W - RIGHT,
            LEFT - 4.0,
            y + 4.0,
            trim(v),
            xml(unit)
        );
    }
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{LEFT}" x2="{}" y1="{}" y2="{}"/>"#,
        W - RIGHT,
        H - BOTTOM,
        H - BOTTOM
    );
}

fn trim(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// Stacked vertical bars: one bar per category, one segment per series.
pub fn stacked_bars(id: &str, title: &str, categories: &[String], series: &[(String, Vec<f64>)], unit: &str) -> String {
    let totals: Vec<f64> = (0..categories.len())
        .map(|i| series.iter().map(|(_, v)| v.get(i).copied().unwrap_or(0.0)).sum())
        .collect();
    let max = nice_max(totals.iter().copied().fold(0.0, f64::max));
    let desc = categories
        .iter()
        .zip(&totals)
        .map(|(c, t)| format!("{c}: {}", trim(*t)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut svg = open(id, title, &desc);
    axis(&mut svg, max, unit);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let slot = plot_w / categories.len().max(1) as f64;
    let bar = (slot * 0.6).min(60.0);
    for (i, c) in categories.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = H - BOTTOM;
        for (s, (name, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0.0);
            if v <= 0.0 {
                continue;
            }
            let h = plot_h * v / max;
            y -= h;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="{}"><title>{}: {}</title></rect>"#,
                PALETTE[s % PALETTE.len()],
                xml(&format!("{c}, {name}")),
                trim(v)
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x + bar / 2.0,
            H - BOTTOM + 14.0,
            xml(c)
        );
    }
    if series.len() > 1 {
        let mut lx = LEFT;
        for (s, (name, _)) in series.iter().enumerate() {
            let _ = write!(
                svg,
                r#"<rect x="{lx:.1}" y="{:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
                H - 12.0,
                PALETTE[s % PALETTE.len()],
                lx + 13.0,
                H - 3.0,
                xml(name)
            );
            lx += 16.0 + 6.5 * name.chars().count() as f64 + 12.0;
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A line over time; gaps where there is no value.
pub fn line(id: &str, title: &str, labels: &[String], values: &[Option<f64>], max: Option<f64>, unit: &str) -> String {
    let top = max.unwrap_or_else(|| nice_max(values.iter().flatten().copied().fold(0.0, f64::max)));
    let desc = labels
        .iter()
        .zip(values)
        .map(|(l, v)| {
            format!(
                "{l}: {}",
                v.map(|v| format!("{}{unit}", trim((v * 10.0).round() / 10.0)))
                    .unwrap_or_else(|| "none".into())
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut svg = open(id, title, &desc);
    axis(&mut svg, top, unit);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let step = plot_w / labels.len().max(1) as f64;
    let mut path = String::new();
    let mut pen_down = false;
    for (i, v) in values.iter().enumerate() {
        let x = LEFT + step * (i as f64 + 0.5);
        match v {
            Some(v) => {
                let y = TOP + plot_h - plot_h * (v / top).min(1.0);
                let _ = write!(path, "{}{x:.1},{y:.1} ", if pen_down { "L" } else { "M" });
                pen_down = true;
                let _ = write!(
                    svg,
                    r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{}"><title>{}: {}{}</title></circle>"#,
                    PALETTE[0],
                    xml(&labels[i]),
                    trim((v * 10.0).round() / 10.0),
                    xml(unit)
                );
            }
            None => pen_down = false,
        }
        if i % 2 == 0 || labels.len() <= 8 {
            let _ = write!(
                svg,
                r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                H - BOTTOM + 14.0,
                xml(&labels[i])
            );
        }
    }
    let _ = write!(
        svg,
        r#"<path d="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
        path.trim(),
        PALETTE[0]
    );
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars, one per labelled value, largest first as given.
pub fn hbars(id: &str, title: &str, bars: &[(String, f64)], max: Option<f64>, unit: &str) -> String {
    let row = 22.0;
    let height = (bars.len().max(1) as f64) * row + 10.0;
    let top = max.unwrap_or_else(|| nice_max(bars.iter().map(|(_, v)| *v).fold(0.0, f64::max)));
    let desc = bars
        .iter()
        .map(|(l, v)| format!("{l}: {}{unit}", trim((v * 10.0).round() / 10.0)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut svg = format!(
        r#"<svg viewBox="0 0 {W} {height}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        xml(title),
        xml(&desc)
    );
    let label_w = 190.0;
    let plot_w = W - label_w - 60.0;
    for (i, (label, v)) in bars.iter().enumerate() {
        let y = 5.0 + row * i as f64;
        let w = (plot_w * v / top).max(0.0);
        let short: String = label.chars().take(30).collect();
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{label_w}" y="{y:.1}" width="{w:.1}" height="{:.1}" fill="{}"/><text x="{:.1}" y="{:.1}">{}{}</text>"#,
            label_w - 6.0,
            y + 14.0,
            xml(&short),
            row - 6.0,
            PALETTE[0],
            label_w + w + 4.0,
            y + 14.0,
            trim((v * 10.0).round() / 10.0),
            xml(unit)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_round_and_text_is_escaped() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(13.0), 20.0);
        assert_eq!(nice_max(420.0), 500.0);
        assert_eq!(nice_max(100.0), 100.0);
        let svg = hbars("x", "a <b> & 'c'", &[("<script>".into(), 3.0)], None, "");
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"), "{svg}");
        assert!(
            svg.contains(r#"role="img""#) && svg.contains("<title id=\"x-t\">a &lt;b&gt; &amp; &#39;c&#39;</title>")
        );
    }

    #[test]
    fn a_line_breaks_where_a_week_has_no_value() {
        let labels: Vec<String> = (1..=4).map(|i| format!("w{i}")).collect();
        let svg = line(
            "l",
            "t",
            &labels,
            &[Some(50.0), None, Some(75.0), Some(100.0)],
            Some(100.0),
            "%",
        );
        let d = svg.split("<path d=\"").nth(1).unwrap().split('"').next().unwrap();
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(d.matches('L').count(), 1, "{d}");
    }
}
