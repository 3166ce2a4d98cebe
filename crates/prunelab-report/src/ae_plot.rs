//! The activation-density paper's Fig. 1: total activation energy per epoch of every net_i of the
//! density runs, each net from its own epoch 1, with a dotted vertical line where it met ρ.
//! Rendered to SVG text ([`ae_svg`]) or PNG bytes ([`ae_png`]) with the embedded font.

use plotters::coord::Shift;
use plotters::prelude::*;
use prunelab_core::report::RunResult;

use crate::density::density_runs;
use crate::error::ReportError;
use crate::font::{self, FAMILY};
use crate::plot::{DrawResult, PALETTE, SIZE, encode_png, legend};

/// One net's curve: its name, total AE (%) per epoch (1-based), and the epoch of ρ.
struct Curve {
    name: String,
    points: Vec<(f64, f64)>,
    rho: Option<u32>,
}

fn curves(runs: &[RunResult]) -> Vec<Curve> {
    let runs = density_runs(runs);
    let several = runs.len() > 1;
    runs.iter()
        .flat_map(|run| {
            run.nets.iter().map(move |net| Curve {
                name: if several {
                    format!("{} (seed {}), net{}", run.label, run.seed, net.net)
                } else {
                    format!("net{}", net.net)
                },
                points: net
                    .ae
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.is_finite())
                    .map(|(e, a)| ((e + 1) as f64, 100.0 * a))
                    .collect(),
                rho: net.epochs_to_rho,
            })
        })
        .collect()
}

fn plot_err(message: String) -> ReportError {
    ReportError::Plot {
        figure: "activation energy",
        message,
    }
}

/// Fig. 1 as an SVG document.
pub fn ae_svg(runs: &[RunResult]) -> Result<String, ReportError> {
    font::register().map_err(plot_err)?;
    let curves = curves(runs);
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
        draw(&root, &curves)
            .and_then(|()| root.present())
            .map_err(|e| plot_err(e.to_string()))?;
    }
    Ok(text)
}

/// Fig. 1 as PNG bytes.
pub fn ae_png(runs: &[RunResult]) -> Result<Vec<u8>, ReportError> {
    font::register().map_err(plot_err)?;
    let curves = curves(runs);
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        draw(&root, &curves)
            .and_then(|()| root.present())
            .map_err(|e| plot_err(e.to_string()))?;
    }
    encode_png(&rgb, SIZE).map_err(|e| plot_err(format!("PNG encoding: {e}")))
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, curves: &[Curve]) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let last = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.0))
        .fold(1.0, f64::max);
    let (lo, hi) = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.1))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 100.0) };
    let pad = ((hi - lo) * 0.08).max(0.5);
    let mut chart = ChartBuilder::on(root)
        .caption("Total activation energy per epoch of each net_i (activation-density paper, Fig. 1); dotted: ρ", (FAMILY, 22))
        .margin(18)
        .x_label_area_size(60)
        .y_label_area_size(72)
        .build_cartesian_2d(0.5..last + 0.5, (lo - pad).max(0.0)..(hi + pad).min(100.0))?;
    chart
        .configure_mesh()
        .x_desc("epoch of the net's training")
        .y_desc("total AE (% of activations nonzero)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.1}"))
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 18))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .draw()?;
    for (i, c) in curves.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let style = colour.stroke_width(2);
        chart
            .draw_series(LineSeries::new(c.points.clone(), style))?
            .label(c.name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 28, y)], style));
        chart.draw_series(c.points.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
        if let Some(rho) = c.rho {
            let x = f64::from(rho);
            let line = vec![(x, (lo - pad).max(0.0)), (x, (hi + pad).min(100.0))];
            chart.draw_series(DashedLineSeries::new(
                line,
                3,
                5,
                colour.mix(0.7).stroke_width(1),
            ))?;
        }
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    #[test]
    fn one_curve_per_net_with_its_epochs() {
        let run = fixture::density_run();
        let c = curves(std::slice::from_ref(&run));
        assert_eq!(
            c.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["net0", "net1", "net2"]
        );
        assert_eq!(c[0].points, [(1.0, 50.0), (2.0, 45.0)]);
        assert_eq!((c[0].rho, c[2].rho), (Some(5), None));
        let svg = ae_svg(std::slice::from_ref(&run)).expect("svg");
        assert!(
            svg.lines().any(|l| l == "net2")
                && svg
                    .lines()
                    .any(|l| l == "total AE (% of activations nonzero)"),
            "{svg}"
        );
        assert!(
            ae_png(&[run])
                .expect("png")
                .starts_with(b"\x89PNG\r\n\x1a\n")
        );
        assert!(
            ae_svg(&[]).is_ok(),
            "no density run: an empty plot, no panic"
        );
    }
}
