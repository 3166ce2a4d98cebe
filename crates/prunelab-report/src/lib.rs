//! Turn prunelab run results into the AP paper's kind of table and plots.
//!
//! A sweep writes one `results.json` ([`RunResult`]) per run, nested as
//! `OUT/<label-slug>/seed-<n>/results.json`. This crate
//!
//! - [`load_runs`]: finds and parses them (sorted paths, one-line errors naming the file);
//! - [`Table`]: builds the AP paper's Tables 1–15 layout — one row per label, one column per target
//!   λ (% of prunable weights remaining), cells `mean ± std` over seeds, and with a DNR kind set
//!   the mean DNR in parentheses as in Tables 10–11 — rendered as GitHub Markdown or CSV;
//! - [`svg()`] / [`png()`]: the two [`Figure`]s, accuracy vs λ and static / dynamic DNR vs λ (Fig. 1);
//! - [`density_markdown`] / [`density_csv`]: the activation-density paper's Table I for
//!   `method = "density"` runs (configurations, reductions, epochs to ρ, measured speed-up,
//!   training complexity), and [`ae_svg`] / [`ae_png`]: its Fig. 1, total AE per epoch of each net;
//! - [`write_report`]: all of the above into one folder, each file written atomically.
//!
//! PNG text is drawn with DejaVu Sans embedded in the crate (`fonts/`, with its licence), so plots
//! render on machines without any system fonts.

mod ae_plot;
mod axis;
mod density;
mod error;
mod font;
mod load;
mod options;
mod plot;
mod render;
mod stats;
mod table;
mod write;

#[cfg(test)]
mod fixture;

pub use ae_plot::{ae_png, ae_svg};
pub use density::{csv as density_csv, density_runs, grouped, markdown as density_markdown};
pub use error::ReportError;
pub use load::{RESULTS_FILE, load_runs};
pub use options::{Accuracy, DnrKind, Options, PAPER_LAMBDAS};
pub use plot::{Figure, png, svg};
pub use prunelab_core::report::{CycleEntry, RunResult};
pub use stats::Stats;
pub use table::{Cell, Row, Table};
pub use write::write_report;
