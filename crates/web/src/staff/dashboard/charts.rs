//! Server-rendered SVG charts for the dashboard: the geometry as pure functions (bars scale to
//! the largest value; no data is an empty chart with a message) and the markup, with every
//! label escaped. Colours come from presentation attributes and classes (console.css), never
//! `style=` attributes, which the Content-Security-Policy (`style-src 'self'`) refuses.

use std::fmt::Write;

/// One bar: what it is called and how much it counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: u32,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: u32) -> Bar {
        Bar {
            label: label.into(),
            value,
        }
    }
}

/// A rectangle in the chart's coordinates (origin top left, y downwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// `value`'s share of `extent`, the largest value taking all of it; 0 when there is nothing.
pub fn scale(value: u32, max: u32, extent: f64) -> f64 {
    if max == 0 {
        0.0
    } else {
        f64::from(value) / f64::from(max) * extent
    }
}

/// Whether there is anything to draw.
pub fn has_data(bars: &[Bar]) -> bool {
    bars.iter().any(|b| b.value > 0)
}

/// Vertical columns side by side in a plot area of `width` × `height` whose bottom is the
/// axis: each column gets an equal slot with a gap of a fifth of it.
pub fn columns(values: &[u32], width: f64, height: f64) -> Vec<Rect> {
    let max = values.iter().copied().max().unwrap_or(0);
    let slot = width / values.len().max(1) as f64;
    let gap = slot / 5.0;
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let h = scale(v, max, height);
            Rect {
                x: i as f64 * slot + gap / 2.0,
                y: height - h,
                width: slot - gap,
                height: h,
            }
        })
        .collect()
}

/// Horizontal bars from the left edge, one per row of `row_height` (a quarter of it a gap),
/// the largest value as long as `width`.
pub fn rows(values: &[u32], width: f64, row_height: f64) -> Vec<Rect> {
    let max = values.iter().copied().max().unwrap_or(0);
    let gap = row_height / 4.0;
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| Rect {
            x: 0.0,
            y: i as f64 * row_height + gap / 2.0,
            width: scale(v, max, width),
            height: row_height - gap,
        })
        .collect()
}

/// Escapes text for SVG (XML) content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What every chart says about itself, for screen readers (`<title>`, `<desc>`) and for the
/// ids that tie them to the `<svg>`.
pub struct Caption<'a> {
    /// Unique on the page; ASCII letters, digits and `-` only.
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
}

/// Shown inside an empty chart.
pub const NO_DATA: &str = "暂无数据";
/// The height of an empty chart.
const EMPTY_HEIGHT: f64 = 60.0;

const COLUMN_CHART_WIDTH: f64 = 720.0;
const COLUMN_PLOT_HEIGHT: f64 = 180.0;
const COLUMN_TOP: f64 = 20.0;
const COLUMN_LEFT: f64 = 10.0;

fn open_svg(out: &mut String, caption: &Caption<'_>, width: f64, height: f64) {
    let id = escape(caption.id);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" \
         viewBox=\"0 0 {width} {height}\" width=\"100%\" \
         aria-labelledby=\"{id}-title {id}-desc\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(caption.title),
        escape(caption.desc)
    );
}

fn empty_message(out: &mut String, width: f64, height: f64) {
    let _ = write!(
        out,
        "<text class=\"chart-empty\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#6b7280\">{NO_DATA}</text>",
        width / 2.0,
        height / 2.0 + 5.0
    );
}

/// Columns (one per day, say), every `label_every`-th labelled below the axis, each non-zero
/// column with its value above it.
pub fn column_chart(caption: &Caption<'_>, bars: &[Bar], label_every: usize) -> String {
    let mut out = String::new();
    if !has_data(bars) {
        // No axis to draw: a short box with the message, not a tall blank one.
        open_svg(&mut out, caption, COLUMN_CHART_WIDTH, EMPTY_HEIGHT);
        empty_message(&mut out, COLUMN_CHART_WIDTH, EMPTY_HEIGHT);
        out.push_str("</svg>");
        return out;
    }
    let height = COLUMN_TOP + COLUMN_PLOT_HEIGHT + 30.0;
    let plot_width = COLUMN_CHART_WIDTH - 2.0 * COLUMN_LEFT;
    open_svg(&mut out, caption, COLUMN_CHART_WIDTH, height);
    let axis_y = COLUMN_TOP + COLUMN_PLOT_HEIGHT;
    let _ = write!(
        out,
        "<line class=\"chart-axis\" x1=\"{COLUMN_LEFT}\" y1=\"{axis_y}\" x2=\"{}\" y2=\"{axis_y}\" stroke=\"#9ca3af\"/>",
        COLUMN_LEFT + plot_width
    );
    let values: Vec<u32> = bars.iter().map(|b| b.value).collect();
    let every = label_every.max(1);
    for (i, (bar, r)) in bars
        .iter()
        .zip(columns(&values, plot_width, COLUMN_PLOT_HEIGHT))
        .enumerate()
    {
        let x = COLUMN_LEFT + r.x;
        let centre = x + r.width / 2.0;
        let label = escape(&bar.label);
        if bar.value > 0 {
            let _ = write!(
                out,
                "<rect class=\"chart-bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#2563eb\"><title>{label}：{}</title></rect>\
                 <text class=\"chart-value\" x=\"{centre:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
                COLUMN_TOP + r.y,
                r.width,
                r.height,
                bar.value,
                COLUMN_TOP + r.y - 3.0,
                bar.value
            );
        }
        if i % every == 0 || i + 1 == bars.len() {
            let _ = write!(
                out,
                "<text class=\"chart-label\" x=\"{centre:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{label}</text>",
                axis_y + 14.0
            );
        }
    }
    out.push_str("</svg>");
    out
}

const ROW_CHART_WIDTH: f64 = 720.0;
const ROW_LABEL_WIDTH: f64 = 150.0;
const ROW_VALUE_WIDTH: f64 = 50.0;
const ROW_HEIGHT: f64 = 24.0;

/// Horizontal bars, one per row, the label on the left and the value at the bar's end.
pub fn row_chart(caption: &Caption<'_>, bars: &[Bar]) -> String {
    let mut out = String::new();
    if !has_data(bars) {
        open_svg(&mut out, caption, ROW_CHART_WIDTH, EMPTY_HEIGHT);
        empty_message(&mut out, ROW_CHART_WIDTH, EMPTY_HEIGHT);
        out.push_str("</svg>");
        return out;
    }
    let height = (bars.len() as f64) * ROW_HEIGHT + 8.0;
    open_svg(&mut out, caption, ROW_CHART_WIDTH, height);
    let plot_width = ROW_CHART_WIDTH - ROW_LABEL_WIDTH - ROW_VALUE_WIDTH;
    let values: Vec<u32> = bars.iter().map(|b| b.value).collect();
    for (bar, r) in bars.iter().zip(rows(&values, plot_width, ROW_HEIGHT)) {
        let label = escape(&bar.label);
        let middle = 4.0 + r.y + r.height / 2.0 + 4.0;
        let _ = write!(
            out,
            "<text class=\"chart-label\" x=\"{:.1}\" y=\"{middle:.1}\" text-anchor=\"end\" font-size=\"12\">{label}</text>",
            ROW_LABEL_WIDTH - 8.0
        );
        if bar.value > 0 {
            let _ = write!(
                out,
                "<rect class=\"chart-bar\" x=\"{ROW_LABEL_WIDTH}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#2563eb\"><title>{label}：{}</title></rect>",
                4.0 + r.y,
                r.width,
                r.height,
                bar.value
            );
        }
        let _ = write!(
            out,
            "<text class=\"chart-value\" x=\"{:.1}\" y=\"{middle:.1}\" font-size=\"12\">{}</text>",
            ROW_LABEL_WIDTH + r.width + 4.0,
            bar.value
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caption() -> Caption<'static> {
        Caption {
            id: "c",
            title: "标题",
            desc: "说明",
        }
    }

    #[test]
    fn column_heights_scale_to_the_largest_value() {
        let r = columns(&[0, 5, 10], 300.0, 100.0);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].height, 0.0);
        assert!((r[1].height - 50.0).abs() < 1e-9);
        assert!((r[2].height - 100.0).abs() < 1e-9);
        // Bars stand on the axis (the bottom of the plot area).
        for rect in &r {
            assert!((rect.y + rect.height - 100.0).abs() < 1e-9);
        }
        // Equal slots left to right, never overlapping.
        assert!(r[0].x + r[0].width < r[1].x);
        assert!(r[2].x + r[2].width <= 300.0);
    }

    #[test]
    fn row_lengths_scale_to_the_largest_value() {
        let r = rows(&[3, 12, 6], 400.0, 20.0);
        assert!((r[1].width - 400.0).abs() < 1e-9);
        assert!((r[0].width - 100.0).abs() < 1e-9);
        assert!((r[2].width - 200.0).abs() < 1e-9);
        assert!(r[0].y + r[0].height < r[1].y);
    }

    #[test]
    fn nothing_to_count_draws_no_bar_and_says_so() {
        assert!(
            columns(&[0, 0], 100.0, 100.0)
                .iter()
                .all(|r| r.height == 0.0)
        );
        assert_eq!(scale(0, 0, 100.0), 0.0);
        for svg in [
            column_chart(&caption(), &[Bar::new("a", 0), Bar::new("b", 0)], 1),
            column_chart(&caption(), &[], 1),
            row_chart(&caption(), &[Bar::new("a", 0)]),
            row_chart(&caption(), &[]),
        ] {
            assert!(svg.contains(NO_DATA), "{svg}");
            assert!(!svg.contains("<rect"), "{svg}");
            assert!(svg.contains("<title id=\"c-title\">标题</title>"), "{svg}");
            assert!(svg.ends_with("</svg>"));
        }
    }

    #[test]
    fn every_bar_with_a_value_is_drawn_with_its_number() {
        let svg = row_chart(
            &caption(),
            &[
                Bar::new("审核中", 4),
                Bar::new("已撤回", 0),
                Bar::new("待缴费", 2),
            ],
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(">审核中</text>"));
        assert!(svg.contains(">4</text>"));
        assert!(svg.contains(">0</text>"));
        assert!(!svg.contains("style="));
    }

    #[test]
    fn labels_and_captions_are_escaped() {
        let evil = "<script>alert(\"x\")</script>&";
        let svg = row_chart(
            &Caption {
                id: "c",
                title: evil,
                desc: evil,
            },
            &[Bar::new(evil, 1)],
        );
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"));
        let svg = column_chart(&caption(), &[Bar::new(evil, 2)], 1);
        assert!(!svg.contains("<script>"), "{svg}");
    }

    #[test]
    fn only_every_nth_column_is_labelled_and_the_last() {
        let bars: Vec<Bar> = (0..10).map(|i| Bar::new(format!("d{i}"), 1)).collect();
        let svg = column_chart(&caption(), &bars, 4);
        for shown in ["d0", "d4", "d8", "d9"] {
            assert!(svg.contains(&format!(">{shown}</text>")), "{shown}");
        }
        assert!(!svg.contains(">d5</text>"));
    }
}
