//! The plots, drawn like the AP paper's Fig. 1: λ (% of weights remaining) on a log axis that
//! decreases left to right — dense net on the left, most pruned on the right, one tick per cycle —
//! as in the iterative-pruning literature the paper follows.
//!
//! - [`Figure::Accuracy`]: mean test accuracy per label over its seeds, with a ±1 std band;
//! - [`Figure::Dnr`]: mean static (dashed) and dynamic (solid) DNR, one colour per label.
//!
//! Both render to SVG text ([`svg`]) or PNG bytes ([`png`]) with the embedded font.

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use prunelab_core::report::{CycleEntry, RunResult};

use crate::axis::{LambdaAxis, MAX_TICKS};
use crate::error::ReportError;
use crate::font::{self, FAMILY};
use crate::options::Options;
use crate::stats::Stats;
use crate::table::group_by_label;

/// Width × height of both formats, in pixels.
pub(crate) const SIZE: (u32, u32) = (1000, 620);
/// Colours per label (the Tableau 10 palette, as in matplotlib figures).
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Which plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// Test accuracy (the kind in [`Options::accuracy`]) vs λ, mean ± std band per label.
    Accuracy,
    /// Static (dashed) and dynamic (solid) DNR vs λ per label (AP paper, Fig. 1).
    Dnr,
}

impl Figure {
    fn name(self) -> &'static str {
        match self {
            Self::Accuracy => "accuracy",
            Self::Dnr => "dnr",
        }
    }

    /// `accuracy.svg` / `dnr.svg`.
    pub fn svg_name(self) -> &'static str {
        match self {
            Self::Accuracy => "accuracy.svg",
            Self::Dnr => "dnr.svg",
        }
    }

    /// `accuracy.png` / `dnr.png`.
    pub fn png_name(self) -> &'static str {
        match self {
            Self::Accuracy => "accuracy.png",
            Self::Dnr => "dnr.png",
        }
    }
}

/// The figure as an SVG document (text in the `sans-serif` family).
pub fn svg(figure: Figure, runs: &[RunResult], options: &Options) -> Result<String, ReportError> {
    let plot_err = |message| ReportError::Plot {
        figure: figure.name(),
        message,
    };
    font::register().map_err(plot_err)?;
    let series = series(figure, runs, options);
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
        draw(&root, figure, &series, options)
            .and_then(|()| root.present())
            .map_err(|e| plot_err(e.to_string()))?;
    }
    Ok(text)
}

/// The figure as PNG bytes (8-bit RGB), text drawn with the embedded DejaVu Sans.
pub fn png(figure: Figure, runs: &[RunResult], options: &Options) -> Result<Vec<u8>, ReportError> {
    let plot_err = |message| ReportError::Plot {
        figure: figure.name(),
        message,
    };
    font::register().map_err(plot_err)?;
    let series = series(figure, runs, options);
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        draw(&root, figure, &series, options)
            .and_then(|()| root.present())
            .map_err(|e| plot_err(e.to_string()))?;
    }
    encode_png(&rgb, SIZE).map_err(|e| plot_err(format!("PNG encoding: {e}")))
}

pub(crate) fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(bytes)
}

/// One line of a plot: a mean per cycle (over the seeds that ran it) at that cycle's mean λ.
struct Series {
    name: String,
    colour: RGBColor,
    dashed: bool,
    /// Shade mean ± std.
    band: bool,
    /// (λ %, stats), in cycle order; non-finite values are left out.
    points: Vec<(f64, Stats)>,
}

fn series(figure: Figure, runs: &[RunResult], options: &Options) -> Vec<Series> {
    let mut out = Vec::new();
    for (i, (label, runs)) in group_by_label(runs).into_iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let line = |name: String, dashed, band, value: &dyn Fn(&CycleEntry) -> f64| Series {
            name,
            colour,
            dashed,
            band,
            points: points(&runs, value),
        };
        match figure {
            Figure::Accuracy => out.push(line(label.to_string(), false, true, &|e| {
                options.accuracy.of(e)
            })),
            Figure::Dnr => {
                out.push(line(format!("{label}, dynamic"), false, false, &|e| {
                    e.reported_dnr().dynamic
                }));
                out.push(line(format!("{label}, static"), true, false, &|e| {
                    e.reported_dnr().static_
                }));
            }
        }
    }
    out
}

/// Per cycle number: mean λ and stats of `value`, both in percent.
fn points(runs: &[&RunResult], value: &dyn Fn(&CycleEntry) -> f64) -> Vec<(f64, Stats)> {
    let mut by_cycle: BTreeMap<u32, Vec<&CycleEntry>> = BTreeMap::new();
    for entry in runs.iter().flat_map(|r| &r.cycles) {
        by_cycle.entry(entry.cycle).or_default().push(entry);
    }
    by_cycle
        .values()
        .filter_map(|entries| {
            let entries: Vec<&&CycleEntry> = entries
                .iter()
                .filter(|e| e.remaining.is_finite() && e.remaining > 0.0 && value(e).is_finite())
                .collect();
            let lambda = Stats::of(
                &entries
                    .iter()
                    .map(|e| 100.0 * e.remaining)
                    .collect::<Vec<_>>(),
            )?
            .mean;
            Some((
                lambda,
                Stats::of(&entries.iter().map(|e| 100.0 * value(e)).collect::<Vec<_>>())?,
            ))
        })
        .collect()
}

/// Range of `values` padded by 5 % (at least `min_pad`) on each side.
fn padded(values: impl Iterator<Item = f64>, min_pad: f64) -> Option<(f64, f64)> {
    let (lo, hi) = values.fold(None, |acc: Option<(f64, f64)>, v| {
        Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
    })?;
    let pad = ((hi - lo) * 0.05).max(min_pad);
    Some((lo - pad, hi + pad))
}

pub(crate) type DrawResult<DB> =
    Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: Figure,
    series: &[Series],
    options: &Options,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let x_axis = LambdaAxis::new(series.iter().flat_map(|s| s.points.iter().map(|(l, _)| *l)));
    let ys = series.iter().flat_map(|s| {
        s.points.iter().flat_map(move |(_, st)| {
            if s.band {
                [st.mean - st.std, st.mean + st.std]
            } else {
                [st.mean, st.mean]
            }
        })
    });
    let (title, y_desc, (y0, y1), legend_at) = match figure {
        Figure::Accuracy => {
            let (lo, hi) = padded(ys, 0.5).unwrap_or((0.0, 100.0));
            let title = format!(
                "Top-1 test accuracy ({}) vs. λ, mean ± std over seeds",
                options.accuracy.short()
            );
            // keep the padding inside 0–100 %, unless the data itself is out there
            let clamped = (lo.max(0.0), hi.min(100.0));
            let range = if clamped.0 < clamped.1 {
                clamped
            } else {
                (lo, hi)
            };
            (
                title,
                "Top-1 test accuracy (%)",
                range,
                SeriesLabelPosition::LowerLeft,
            )
        }
        Figure::Dnr => {
            let hi = padded(ys, 0.5).map_or(1.0, |(_, hi)| hi.max(1.0));
            let title =
                "Dead Neuron Rate vs. λ (AP paper, Fig. 1): solid = dynamic, dashed = static"
                    .to_string();
            (
                title,
                "DNR (% of ReLU units)",
                (0.0, hi),
                SeriesLabelPosition::UpperLeft,
            )
        }
    };
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FAMILY, 24))
        .margin(18)
        .x_label_area_size(60)
        .y_label_area_size(72)
        .build_cartesian_2d(x_axis, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc("λ: weights remaining (%), log scale")
        .y_desc(y_desc)
        .x_labels(MAX_TICKS)
        .y_label_formatter(&|y| format!("{y:.1}"))
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 18))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .draw()?;
    for s in series {
        let xy: Vec<(f64, f64)> = s.points.iter().map(|(l, st)| (*l, st.mean)).collect();
        if s.band && s.points.iter().any(|(_, st)| st.std > 0.0) {
            let upper = s.points.iter().map(|(l, st)| (*l, st.mean + st.std));
            let lower = s.points.iter().rev().map(|(l, st)| (*l, st.mean - st.std));
            chart.draw_series(std::iter::once(Polygon::new(
                upper.chain(lower).collect::<Vec<_>>(),
                s.colour.mix(0.18).filled(),
            )))?;
        }
        let style = s.colour.stroke_width(2);
        if s.dashed {
            chart
                .draw_series(DashedLineSeries::new(xy.clone(), 9, 6, style))?
                .label(s.name.as_str())
                .legend(move |(x, y)| {
                    DashedPathElement::new(vec![(x, y), (x + 28, y)], 7, 4, style)
                });
        } else {
            chart
                .draw_series(LineSeries::new(xy.clone(), style))?
                .label(s.name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 28, y)], style));
        }
        chart.draw_series(xy.iter().map(|&p| Circle::new(p, 3, s.colour.filled())))?;
    }
    legend(&mut chart, legend_at)
}

/// The figures' legend box: the series labels at `at`, on a translucent white background.
pub(crate) fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    at: SeriesLabelPosition,
) -> DrawResult<DB> {
    chart
        .configure_series_labels()
        .position(at)
        .margin(12)
        .legend_area_size(36)
        .label_font((FAMILY, 15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    fn decode(bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .expect("png header");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("png frame");
        buf.truncate(info.buffer_size());
        (info, buf)
    }

    /// Dark pixels (text, axes) in rows `rows` of an RGB image `width` wide.
    fn dark_pixels(rgb: &[u8], width: usize, rows: std::ops::Range<usize>) -> usize {
        rgb[rows.start * width * 3..rows.end * width * 3]
            .chunks(3)
            .filter(|p| p.iter().all(|&c| c < 100))
            .count()
    }

    /// Whether `svg` has a text element reading exactly `text` (plotters puts it on its own line).
    fn has_text(svg: &str, text: &str) -> bool {
        svg.lines().any(|line| line == text)
    }

    #[test]
    fn svg_has_titles_axes_and_labels() {
        let runs = fixture::runs();
        let acc = svg(Figure::Accuracy, &runs, &Options::default()).expect("svg");
        assert!(acc.starts_with("<svg") && acc.trim_end().ends_with("</svg>"));
        for text in [
            "Top-1 test accuracy (early stop) vs. λ, mean ± std over seeds",
            "Top-1 test accuracy (%)",
            "λ: weights remaining (%), log scale",
            "GM",
            "GM + AP",
            "100",
            "51.2",
            "26.2",
        ] {
            assert!(has_text(&acc, text), "{text} missing");
        }
        let dnr = svg(Figure::Dnr, &runs, &Options::default()).expect("svg");
        for text in [
            "GM, dynamic",
            "GM, static",
            "GM + AP, dynamic",
            "GM + AP, static",
            "DNR (% of ReLU units)",
        ] {
            assert!(has_text(&dnr, text), "{text} missing");
        }
        assert!(
            dnr.lines()
                .any(|l| l.starts_with("Dead Neuron Rate vs. λ (AP paper, Fig. 1)"))
        );
    }

    #[test]
    fn png_decodes_and_has_text() {
        for figure in [Figure::Accuracy, Figure::Dnr] {
            let bytes = png(figure, &fixture::runs(), &Options::default()).expect("png");
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
            let (info, rgb) = decode(&bytes);
            assert_eq!((info.width, info.height), SIZE);
            let w = SIZE.0 as usize;
            // the title band (top 50 rows) holds only the caption, so dark pixels there are glyphs
            assert!(
                dark_pixels(&rgb, w, 0..50) > 500,
                "{figure:?}: no title text"
            );
            let coloured = rgb
                .chunks(3)
                .filter(|p| p[0] != p[1] || p[1] != p[2])
                .count();
            assert!(coloured > 1000, "{figure:?}: no coloured series");
        }
    }

    #[test]
    fn odd_data_does_not_panic() {
        let mut runs = fixture::runs();
        runs[0].cycles[2].early_stop_accuracy = f64::NAN;
        runs[1].cycles[3].remaining = f64::INFINITY;
        runs[4].cycles.clear();
        for figure in [Figure::Accuracy, Figure::Dnr] {
            assert!(png(figure, &runs, &Options::default()).is_ok());
            assert!(svg(figure, &[], &Options::default()).is_ok());
        }
        let mut single = vec![fixture::run("solo", 0, 1)];
        assert!(png(Figure::Accuracy, &single, &Options::default()).is_ok());
        single[0].cycles[0].early_stop_accuracy = 1.5; // 150 %: out of range, still drawn
        assert!(png(Figure::Accuracy, &single, &Options::default()).is_ok());
    }
}
