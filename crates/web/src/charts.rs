//! Tiny server-rendered SVG charts for the dashboards (issue 7): horizontal (stacked) bars,
//! grouped columns, a line for trends, a histogram with a threshold marker, and a funnel.
//!
//! Each chart is one self-contained `<svg>` with a fixed `viewBox` (it scales with the
//! page), an accessible `<title>` and `<desc>`, Chinese labels escaped as XML text, no
//! script and no external font. Colours are SVG presentation attributes (`fill="#…"`),
//! which the CSP allows (it forbids `style` attributes); the `class` names let
//! `/static/app.css` restyle them.

use std::fmt::Write as _;

/// Width of every chart's `viewBox`.
pub const WIDTH: f64 = 720.0;
const FONT: f64 = 12.0;
/// Series colours (blue, orange, green, red, purple, brown).
pub const COLOURS: [&str; 6] = [
    "#2f6fb0", "#e0883a", "#3a9a5b", "#c44e52", "#8172b2", "#937860",
];
const MARKER: &str = "#b71c1c";
const AXIS: &str = "#9aa5b1";
const INK: &str = "#1f2933";

/// XML-escapes text for element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A number for a label: whole numbers without decimals, others with at most two.
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    if (v - v.round()).abs() < 1e-9 {
        return format!("{}", v.round() as i64);
    }
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Approximate width of a label: CJK and full-width characters are one em, others about
/// 0.6 em.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x2E80 {
                size
            } else {
                size * 0.6
            }
        })
        .sum()
}

/// Cuts a label to `max` px, with "…".
fn fit(s: &str, max: f64) -> String {
    if text_width(s, FONT) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = FONT;
    for c in s.chars() {
        let cw = if (c as u32) >= 0x2E80 {
            FONT
        } else {
            FONT * 0.6
        };
        if w + cw > max {
            break;
        }
        w += cw;
        out.push(c);
    }
    out.push('…');
    out
}

fn px(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    fmt_num(r)
}

/// A vertical reference line (a threshold or a target).
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub value: f64,
    pub label: String,
}

/// One row of a horizontal bar chart: one value per series (stacked).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    pub values: Vec<f64>,
}

fn open(out: &mut String, id: &str, height: f64, title: &str, desc: &str) {
    let id = esc(id);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {} {}\" \
         role=\"img\" aria-labelledby=\"{id}-t {id}-d\" font-family=\"sans-serif\" font-size=\"{}\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        px(WIDTH),
        px(height),
        px(FONT),
        esc(title),
        esc(desc)
    );
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, class: &str, s: &str) {
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" class=\"{class}\" fill=\"{INK}\">{}</text>",
        px(x),
        px(y),
        esc(s)
    );
}

/// A rectangle at `[x, y, width, height]` with a tooltip.
fn rect(out: &mut String, b: [f64; 4], colour: &str, class: &str, tip: &str) {
    let [x, y, w, h] = b;
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{colour}\" class=\"{class}\"><title>{}</title></rect>",
        px(x),
        px(y),
        px(w.max(0.0)),
        px(h.max(0.0)),
        esc(tip)
    );
}

fn line_el(out: &mut String, x1: f64, y1: f64, x2: f64, y2: f64, colour: &str, class: &str) {
    let dash = if class == "marker" {
        " stroke-dasharray=\"5 3\" stroke-width=\"2\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" class=\"{class}\"{dash}/>",
        px(x1),
        px(y1),
        px(x2),
        px(y2)
    );
}

fn empty(id: &str, title: &str) -> String {
    let mut out = String::new();
    open(&mut out, id, 60.0, title, "暂无数据");
    text(&mut out, WIDTH / 2.0, 34.0, "middle", "empty", "暂无数据");
    out.push_str("</svg>");
    out
}

fn legend(out: &mut String, series: &[&str], x0: f64, y: f64) {
    let mut x = x0;
    for (i, name) in series.iter().enumerate() {
        rect(
            out,
            [x, y - 10.0, 12.0, 12.0],
            COLOURS[i % COLOURS.len()],
            &format!("s{}", i % COLOURS.len()),
            name,
        );
        text(out, x + 16.0, y, "start", "legend", name);
        x += 16.0 + text_width(name, FONT) + 18.0;
    }
}

/// Horizontal bars, one row per label; with several series the values are stacked. A
/// marker (e.g. the national target) draws a dashed line. Bar lengths are proportional to
/// the values (the scale is the largest row total or the marker).
pub fn hbar(
    id: &str,
    title: &str,
    unit: &str,
    series: &[&str],
    rows: &[Row],
    marker: Option<&Marker>,
) -> String {
    if rows.is_empty() {
        return empty(id, title);
    }
    let row_h = 24.0;
    let top = if series.len() > 1 || marker.is_some() {
        34.0
    } else {
        10.0
    };
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.label, FONT))
        .fold(0.0_f64, f64::max)
        .min(200.0)
        + 12.0;
    let plot_w = WIDTH - label_w - 90.0;
    let totals: Vec<f64> = rows
        .iter()
        .map(|r| r.values.iter().copied().filter(|v| *v > 0.0).sum())
        .collect();
    let max = totals
        .iter()
        .copied()
        .chain(marker.map(|m| m.value))
        .fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { plot_w / max } else { 0.0 };
    let height = top + row_h * rows.len() as f64 + 10.0;
    let desc = rows
        .iter()
        .zip(&totals)
        .map(|(r, t)| format!("{} {}{unit}", r.label, fmt_num(*t)))
        .collect::<Vec<_>>()
        .join("；");
    let mut out = String::new();
    open(&mut out, id, height, title, &desc);
    if series.len() > 1 {
        legend(&mut out, series, label_w, 16.0);
    }
    line_el(
        &mut out,
        label_w,
        top - 4.0,
        label_w,
        height - 8.0,
        AXIS,
        "axis",
    );
    for (i, (r, total)) in rows.iter().zip(&totals).enumerate() {
        let y = top + row_h * i as f64;
        text(
            &mut out,
            label_w - 6.0,
            y + 15.0,
            "end",
            "label",
            &fit(&r.label, label_w - 12.0),
        );
        let mut x = label_w;
        for (s, v) in r.values.iter().enumerate() {
            if *v <= 0.0 {
                continue;
            }
            let w = v * scale;
            let name = series.get(s).copied().unwrap_or("");
            let tip = if name.is_empty() {
                format!("{}：{}{unit}", r.label, fmt_num(*v))
            } else {
                format!("{} · {name}：{}{unit}", r.label, fmt_num(*v))
            };
            rect(
                &mut out,
                [x, y + 4.0, w, 16.0],
                COLOURS[s % COLOURS.len()],
                &format!("bar s{}", s % COLOURS.len()),
                &tip,
            );
            x += w;
        }
        text(
            &mut out,
            x + 6.0,
            y + 16.0,
            "start",
            "value",
            &format!("{}{unit}", fmt_num(*total)),
        );
    }
    if let Some(m) = marker {
        let x = label_w + m.value * scale;
        line_el(&mut out, x, top - 6.0, x, height - 8.0, MARKER, "marker");
        text(&mut out, x, top - 10.0, "middle", "marker-label", &m.label);
    }
    out.push_str("</svg>");
    out
}

/// Vertical columns: one group per category, one column per series side by side.
/// `values[c][s]` is category `c`, series `s`.
pub fn columns(
    id: &str,
    title: &str,
    unit: &str,
    series: &[&str],
    categories: &[String],
    values: &[Vec<f64>],
) -> String {
    if categories.is_empty() {
        return empty(id, title);
    }
    let height = 280.0;
    let (left, right, top, bottom) = (50.0, 20.0, 40.0, 40.0);
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let max = values.iter().flatten().copied().fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { plot_h / max } else { 0.0 };
    let group_w = plot_w / categories.len() as f64;
    let n = series.len().max(1) as f64;
    let col_w = (group_w * 0.8 / n).min(60.0);
    let desc = categories
        .iter()
        .zip(values)
        .map(|(c, vs)| {
            let parts: Vec<String> = series
                .iter()
                .zip(vs)
                .map(|(s, v)| format!("{s} {}{unit}", fmt_num(*v)))
                .collect();
            format!("{c}：{}", parts.join("，"))
        })
        .collect::<Vec<_>>()
        .join("；");
    let mut out = String::new();
    open(&mut out, id, height, title, &desc);
    legend(&mut out, series, left, 16.0);
    let base = top + plot_h;
    line_el(&mut out, left, base, WIDTH - right, base, AXIS, "axis");
    text(
        &mut out,
        left - 6.0,
        top + 4.0,
        "end",
        "tick",
        &fmt_num(max),
    );
    text(&mut out, left - 6.0, base, "end", "tick", "0");
    for (c, cat) in categories.iter().enumerate() {
        let gx = left + group_w * c as f64;
        let start = gx + (group_w - col_w * n) / 2.0;
        for (s, name) in series.iter().enumerate() {
            let v = values
                .get(c)
                .and_then(|vs| vs.get(s))
                .copied()
                .unwrap_or(0.0);
            let h = v.max(0.0) * scale;
            let x = start + col_w * s as f64;
            rect(
                &mut out,
                [x, base - h, col_w - 2.0, h],
                COLOURS[s % COLOURS.len()],
                &format!("bar s{}", s % COLOURS.len()),
                &format!("{cat} · {name}：{}{unit}", fmt_num(v)),
            );
            text(
                &mut out,
                x + (col_w - 2.0) / 2.0,
                base - h - 4.0,
                "middle",
                "value",
                &fmt_num(v),
            );
        }
        text(
            &mut out,
            gx + group_w / 2.0,
            base + 18.0,
            "middle",
            "label",
            &fit(cat, group_w - 4.0),
        );
    }
    out.push_str("</svg>");
    out
}

/// A line through the points (x labels evenly spaced), for trends over the years.
pub fn line(id: &str, title: &str, unit: &str, points: &[(String, f64)]) -> String {
    if points.is_empty() {
        return empty(id, title);
    }
    let height = 240.0;
    let (left, right, top, bottom) = (60.0, 40.0, 24.0, 36.0);
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let max = points.iter().map(|p| p.1).fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { plot_h / max } else { 0.0 };
    let step = if points.len() > 1 {
        plot_w / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| {
        if points.len() > 1 {
            left + step * i as f64
        } else {
            left + plot_w / 2.0
        }
    };
    let base = top + plot_h;
    let desc = points
        .iter()
        .map(|(x, v)| format!("{x} {}{unit}", fmt_num(*v)))
        .collect::<Vec<_>>()
        .join("；");
    let mut out = String::new();
    open(&mut out, id, height, title, &desc);
    line_el(&mut out, left, base, WIDTH - right, base, AXIS, "axis");
    line_el(&mut out, left, top, left, base, AXIS, "axis");
    text(
        &mut out,
        left - 6.0,
        top + 4.0,
        "end",
        "tick",
        &fmt_num(max),
    );
    text(&mut out, left - 6.0, base, "end", "tick", "0");
    let coords: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{},{}", px(x_of(i)), px(base - v.max(0.0) * scale)))
        .collect();
    let _ = write!(
        out,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" class=\"trend\"/>",
        coords.join(" "),
        COLOURS[0]
    );
    for (i, (label, v)) in points.iter().enumerate() {
        let (x, y) = (x_of(i), base - v.max(0.0) * scale);
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\" class=\"point\"><title>{}：{}{}</title></circle>",
            px(x),
            px(y),
            COLOURS[0],
            esc(label),
            fmt_num(*v),
            esc(unit)
        );
        text(&mut out, x, y - 8.0, "middle", "value", &fmt_num(*v));
        text(&mut out, x, base + 18.0, "middle", "label", label);
    }
    out.push_str("</svg>");
    out
}

/// The bins of a histogram: `bins` equal intervals over the values and the threshold.
/// Returns (lower edge, upper edge, count) per bin; the last bin includes its upper edge.
pub fn bin(values: &[f64], bins: usize, threshold: Option<f64>) -> Vec<(f64, f64, usize)> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() || bins == 0 {
        return Vec::new();
    }
    let mut lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if let Some(t) = threshold.filter(|t| t.is_finite()) {
        lo = lo.min(t);
        hi = hi.max(t);
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in finite {
        let i = (((v - lo) / width).floor() as usize).min(bins - 1);
        counts[i] += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, n)| (lo + width * i as f64, lo + width * (i + 1) as f64, n))
        .collect()
}

/// A histogram of `values` in `bins` equal intervals, with the threshold marked.
pub fn histogram(
    id: &str,
    title: &str,
    unit: &str,
    values: &[f64],
    bins: usize,
    threshold: Option<&Marker>,
) -> String {
    let b = bin(values, bins, threshold.map(|m| m.value));
    let (Some(first), Some(last)) = (b.first(), b.last()) else {
        return empty(id, title);
    };
    let (lo, hi) = (first.0, last.1);
    let height = 250.0;
    let (left, right, top, bottom) = (40.0, 30.0, 44.0, 44.0);
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let max = b.iter().map(|x| x.2).max().unwrap_or(0) as f64;
    let scale = if max > 0.0 { plot_h / max } else { 0.0 };
    let bw = plot_w / b.len() as f64;
    let x_of = |v: f64| left + (v - lo) / (hi - lo) * plot_w;
    let base = top + plot_h;
    let mut desc = b
        .iter()
        .filter(|x| x.2 > 0)
        .map(|(a, z, n)| format!("{}–{}{unit}：{n} 个", fmt_num(*a), fmt_num(*z)))
        .collect::<Vec<_>>()
        .join("；");
    if let Some(m) = threshold {
        desc.push_str(&format!("；{}", m.label));
    }
    let mut out = String::new();
    open(&mut out, id, height, title, &desc);
    line_el(&mut out, left, base, WIDTH - right, base, AXIS, "axis");
    for (i, (a, z, n)) in b.iter().enumerate() {
        let h = *n as f64 * scale;
        let x = left + bw * i as f64;
        rect(
            &mut out,
            [x + 1.0, base - h, bw - 2.0, h],
            COLOURS[0],
            "bar s0",
            &format!("{}–{}{unit}：{n} 个集群", fmt_num(*a), fmt_num(*z)),
        );
        if *n > 0 {
            text(
                &mut out,
                x + bw / 2.0,
                base - h - 4.0,
                "middle",
                "value",
                &n.to_string(),
            );
        }
    }
    // Edges: the first, the middle and the last.
    let mid = b.len() / 2;
    for (i, v) in [
        (0, lo),
        (mid, b.get(mid).map_or(hi, |x| x.0)),
        (b.len(), hi),
    ] {
        let x = left + bw * i as f64;
        text(&mut out, x, base + 16.0, "middle", "tick", &fmt_num(v));
    }
    text(
        &mut out,
        WIDTH - right,
        base + 34.0,
        "end",
        "unit",
        &format!("单位：{unit}"),
    );
    if let Some(m) = threshold {
        let x = x_of(m.value);
        line_el(&mut out, x, 20.0, x, base, MARKER, "marker");
        let anchor = if x > WIDTH - 160.0 { "end" } else { "start" };
        text(
            &mut out,
            if anchor == "end" { x - 4.0 } else { x + 4.0 },
            14.0,
            anchor,
            "marker-label",
            &m.label,
        );
    }
    out.push_str("</svg>");
    out
}

/// A funnel: one centred bar per stage, width proportional to its count, with the share
/// of the previous stage.
pub fn funnel(id: &str, title: &str, stages: &[(String, f64)]) -> String {
    if stages.is_empty() {
        return empty(id, title);
    }
    let row_h = 34.0;
    let height = 12.0 + row_h * stages.len() as f64;
    let label_w = 110.0;
    let plot_w = WIDTH - label_w - 150.0;
    let max = stages.iter().map(|s| s.1).fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { plot_w / max } else { 0.0 };
    let desc = stages
        .iter()
        .map(|(s, v)| format!("{s} {}", fmt_num(*v)))
        .collect::<Vec<_>>()
        .join(" → ");
    let mut out = String::new();
    open(&mut out, id, height, title, &desc);
    let centre = label_w + plot_w / 2.0;
    let mut prev: Option<f64> = None;
    for (i, (label, v)) in stages.iter().enumerate() {
        let y = 6.0 + row_h * i as f64;
        let w = v.max(0.0) * scale;
        text(&mut out, label_w - 8.0, y + 19.0, "end", "label", label);
        rect(
            &mut out,
            [centre - w / 2.0, y + 2.0, w, row_h - 6.0],
            COLOURS[i % COLOURS.len()],
            &format!("bar s{}", i % COLOURS.len()),
            &format!("{label}：{}", fmt_num(*v)),
        );
        let share = match prev {
            Some(p) if p > 0.0 => {
                format!("{}（上一环节的 {}%）", fmt_num(*v), fmt_num(v / p * 100.0))
            }
            _ => fmt_num(*v),
        };
        text(
            &mut out,
            label_w + plot_w + 8.0,
            y + 19.0,
            "start",
            "value",
            &share,
        );
        prev = Some(*v);
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use quick_xml::Reader;
    use quick_xml::events::Event;

    /// Parses the whole document: well-formed XML with exactly one root `<svg>` and a
    /// `<title>`; returns (element name, attributes) of every element in order.
    fn parse(svg: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut reader = Reader::from_str(svg);
        reader.config_mut().check_end_names = true;
        let mut depth = 0i32;
        let mut roots = 0;
        let mut out = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => {
                    if depth == 0 {
                        roots += 1;
                    }
                    depth += 1;
                    out.push(element(&e));
                }
                Event::Empty(e) => {
                    if depth == 0 {
                        roots += 1;
                    }
                    out.push(element(&e));
                }
                Event::End(_) => depth -= 1,
                Event::GeneralRef(r) => {
                    let name: &str = &r;
                    assert!(
                        matches!(name, "lt" | "gt" | "amp" | "quot" | "apos")
                            || name.starts_with('#'),
                        "unknown entity &{name};"
                    );
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(depth, 0, "unbalanced elements");
        assert_eq!(roots, 1, "one root element");
        assert_eq!(out[0].0, "svg");
        assert!(out.iter().any(|e| e.0 == "title"), "has a <title>");
        assert!(out[0].1.iter().any(|(k, _)| k == "viewBox"));
        assert!(!svg.contains("<script"), "no script");
        assert!(!svg.contains("style="), "no style attributes (CSP)");
        out
    }

    fn element(e: &quick_xml::events::BytesStart<'_>) -> (String, Vec<(String, String)>) {
        let name = e.name().as_ref().to_string();
        let attrs = e
            .attributes()
            .map(|a| {
                let a = a.expect("well-formed attribute");
                (
                    a.key.as_ref().to_string(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect();
        (name, attrs)
    }

    fn attr(e: &(String, Vec<(String, String)>), k: &str) -> f64 {
        e.1.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.parse().unwrap())
            .unwrap()
    }

    fn bars(svg: &str) -> Vec<(String, Vec<(String, String)>)> {
        parse(svg)
            .into_iter()
            .filter(|e| {
                e.0 == "rect"
                    && e.1
                        .iter()
                        .any(|(k, v)| k == "class" && v.starts_with("bar"))
            })
            .collect()
    }

    #[test]
    fn labels_are_escaped() {
        let nasty = "A&B <script>alert('x')</script> \"引号\"";
        let svg = hbar(
            "t1",
            nasty,
            "个",
            &[],
            &[Row {
                label: nasty.into(),
                values: vec![3.0],
            }],
            None,
        );
        parse(&svg);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("A&amp;B &lt;script&gt;"));
        assert_eq!(esc("<&>\"'"), "&lt;&amp;&gt;&quot;&#39;");
        assert_eq!(esc("a\u{1}b"), "a b");
    }

    #[test]
    fn horizontal_bars_are_proportional() {
        let rows = vec![
            Row {
                label: "浙江省".into(),
                values: vec![4.0],
            },
            Row {
                label: "宁波市".into(),
                values: vec![2.0],
            },
            Row {
                label: "江苏省".into(),
                values: vec![1.0],
            },
        ];
        let svg = hbar("t2", "各省集群数", "个", &[], &rows, None);
        let b = bars(&svg);
        assert_eq!(b.len(), 3);
        let w: Vec<f64> = b.iter().map(|e| attr(e, "width")).collect();
        assert!((w[0] / w[1] - 2.0).abs() < 0.01, "{w:?}");
        assert!((w[0] / w[2] - 4.0).abs() < 0.02, "{w:?}");
        assert!(svg.contains("浙江省"));
    }

    #[test]
    fn stacked_bars_and_target_marker() {
        let rows = vec![Row {
            label: "国家级集群".into(),
            values: vec![30.0, 20.0],
        }];
        let m = Marker {
            value: 200.0,
            label: "目标 200 个".into(),
        };
        let svg = hbar("t3", "进度", "个", &["有效", "已撤销"], &rows, Some(&m));
        let els = parse(&svg);
        let b = bars(&svg);
        assert_eq!(b.len(), 2);
        let (w0, w1) = (attr(&b[0], "width"), attr(&b[1], "width"));
        assert!((w0 / w1 - 1.5).abs() < 0.01);
        // The second segment starts where the first ends.
        assert!((attr(&b[0], "x") + w0 - attr(&b[1], "x")).abs() < 0.2);
        // The marker is at 200 on the same scale: 50 / 200 of the way.
        let marker = els
            .iter()
            .find(|e| e.0 == "line" && e.1.iter().any(|(k, v)| k == "class" && v == "marker"))
            .unwrap();
        let x0 = attr(&b[0], "x");
        let ratio = (w0 + w1) / (attr(marker, "x1") - x0);
        assert!((ratio - 0.25).abs() < 0.01, "{ratio}");
        assert!(svg.contains("目标 200 个"));
    }

    #[test]
    fn columns_are_proportional() {
        let cats = vec!["2022年度".to_string(), "2023年度".to_string()];
        let vals = vec![vec![10.0, 5.0], vec![8.0, 8.0]];
        let svg = columns("t4", "名额", "个", &["名额", "已用"], &cats, &vals);
        let b = bars(&svg);
        assert_eq!(b.len(), 4);
        let h: Vec<f64> = b.iter().map(|e| attr(e, "height")).collect();
        assert!((h[0] / h[1] - 2.0).abs() < 0.01, "{h:?}");
        assert!((h[2] - h[3]).abs() < 0.01);
        assert!((h[0] / h[2] - 1.25).abs() < 0.01);
    }

    #[test]
    fn line_and_funnel_are_well_formed() {
        let pts = vec![
            ("2021".to_string(), 100.0),
            ("2022".to_string(), 150.0),
            ("2023".to_string(), 120.5),
        ];
        let svg = line("t5", "产值", "万元", &pts);
        let els = parse(&svg);
        assert_eq!(els.iter().filter(|e| e.0 == "circle").count(), 3);
        assert!(svg.contains("120.5"));
        let svg = funnel(
            "t6",
            "漏斗",
            &[
                ("提交申报".into(), 10.0),
                ("省级推荐".into(), 5.0),
                ("认定".into(), 2.0),
            ],
        );
        let b = bars(&svg);
        let w: Vec<f64> = b.iter().map(|e| attr(e, "width")).collect();
        assert!((w[0] / w[1] - 2.0).abs() < 0.01);
        assert!((w[1] / w[2] - 2.5).abs() < 0.01);
        assert!(svg.contains("上一环节的 50%"));
    }

    #[test]
    fn histogram_counts_and_threshold() {
        let values = [1.0, 2.0, 2.5, 9.0, 10.0];
        let b = bin(&values, 5, Some(0.0));
        // 0..2, 2..4, 4..6, 6..8, 8..10 (last includes 10).
        assert_eq!(
            b.iter().map(|x| x.2).collect::<Vec<_>>(),
            vec![1, 2, 0, 0, 2]
        );
        assert_eq!(b.iter().map(|x| x.2).sum::<usize>(), values.len());
        let m = Marker {
            value: 5.0,
            label: "门槛 ≥ 5".into(),
        };
        // With the threshold inside the range the bins span the values only: 0..10.
        let values = [0.0, 2.0, 2.5, 9.0, 10.0];
        let svg = histogram("t7", "分布", "%", &values, 5, Some(&m));
        let els = parse(&svg);
        let hs: Vec<f64> = bars(&svg).iter().map(|e| attr(e, "height")).collect();
        assert!((hs[1] / hs[0] - 2.0).abs() < 0.01, "{hs:?}");
        assert_eq!(hs[2], 0.0);
        let marker = els
            .iter()
            .find(|e| e.0 == "line" && e.1.iter().any(|(k, v)| k == "class" && v == "marker"))
            .unwrap();
        // Threshold 5 is half-way between 0 and 10.
        let left = attr(&bars(&svg)[0], "x") - 1.0;
        let right = attr(&bars(&svg)[4], "x") + attr(&bars(&svg)[4], "width") + 1.0;
        assert!(((attr(marker, "x1") - left) / (right - left) - 0.5).abs() < 0.01);
        assert!(svg.contains("门槛 ≥ 5"));
    }

    #[test]
    fn empty_data_renders_a_note() {
        for svg in [
            hbar("e1", "空", "个", &[], &[], None),
            columns("e2", "空", "个", &["a"], &[], &[]),
            line("e3", "空", "个", &[]),
            histogram("e4", "空", "个", &[], 10, None),
            funnel("e5", "空", &[]),
        ] {
            parse(&svg);
            assert!(svg.contains("暂无数据"));
        }
    }

    #[test]
    fn numbers_format_plainly() {
        assert_eq!(fmt_num(400000.0), "400000");
        assert_eq!(fmt_num(12.345), "12.35");
        assert_eq!(fmt_num(12.5), "12.5");
        assert_eq!(fmt_num(f64::NAN), "—");
    }
}
