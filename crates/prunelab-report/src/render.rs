//! Rendering a [`Table`] as GitHub Markdown (the AP paper's layout) or as CSV (every number).

use std::fmt::Write;

use crate::table::{Cell, Row, Table};

/// An unreached cell.
const DASH: &str = "—";
/// An unreached cell of a label some of whose runs diverged.
const DIVERGED: &str = "diverged";

impl Table {
    /// A caption, the dense accuracy ("Original top-1 test accuracy: 91.7 ± 0.2 % (λ = 100 %)",
    /// once if every label agrees, else per label), the table with a `| λ | 32.8% | … |` header
    /// row as in the AP paper, cells like `90.3 ± 0.4` or, with a DNR kind, `90.6 ± 0.4 (6.2%)`
    /// (Tables 10–11), `—` where no run reaches the λ (`diverged` when a run of the label
    /// diverged), footnotes for cells whose cycles sit more than 10 % off the target λ or that
    /// lack some of the label's seeds, and a line per diverged run saying where.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let dnr = self.dnr.map_or(String::new(), |k| {
            format!(", with the mean {} DNR in parentheses", k.name())
        });
        let _ = writeln!(
            out,
            "Top-1 test accuracy (%) {}, mean ± sample std over {}{dnr}; λ = % of prunable weights remaining \
             (layout of the AP paper's Tables 1–15).\n",
            self.accuracy.describe(),
            self.seed_counts(),
        );
        self.dense_line(&mut out);
        let header: Vec<String> = self.targets.iter().map(|t| format!("{t}%")).collect();
        let _ = writeln!(out, "| λ | {} |", header.join(" | "));
        let _ = writeln!(out, "| --- |{}", " --- |".repeat(self.targets.len()));
        let mut notes = Vec::new();
        for row in &self.rows {
            let cells: Vec<String> = row
                .cells
                .iter()
                .zip(&self.targets)
                .map(|(cell, &target)| match cell {
                    None if !row.diverged.is_empty() => DIVERGED.to_string(),
                    None => DASH.to_string(),
                    Some(cell) => {
                        let mut text = cell.accuracy.pm();
                        if let Some(dnr) = cell.dnr {
                            let _ = write!(text, " ({dnr:.1}%)");
                        }
                        for note in cell_notes(row, cell, target) {
                            notes.push(note);
                            let _ = write!(text, " [^{}]", notes.len());
                        }
                        text
                    }
                })
                .collect();
            let _ = writeln!(out, "| {} | {} |", escape(&row.label), cells.join(" | "));
        }
        if !notes.is_empty() {
            out.push('\n');
        }
        for (i, note) in notes.iter().enumerate() {
            let _ = writeln!(out, "[^{}]: {note}", i + 1);
        }
        for row in &self.rows {
            for (seed, at) in &row.diverged {
                let _ = writeln!(
                    out,
                    "\n{}, seed {seed}: training diverged at {at} (a loss or a weight no longer finite); its later cycles are missing.",
                    escape(&row.label)
                );
            }
        }
        out
    }

    /// One line per cell, `label,lambda_target,lambda_actual,mean,std,n,dnr_mean`, numbers in full
    /// precision: λ and accuracies in percent, `dnr_mean` in percent (empty without a DNR kind);
    /// an unreached cell has `n` = 0 and the other numbers empty.
    pub fn csv(&self) -> String {
        let mut out = String::from("label,lambda_target,lambda_actual,mean,std,n,dnr_mean\n");
        for row in &self.rows {
            for (cell, target) in row.cells.iter().zip(&self.targets) {
                let label = csv_field(&row.label);
                let _ = match cell {
                    None => writeln!(out, "{label},{target},,,,0,"),
                    Some(c) => {
                        let dnr = c.dnr.map_or(String::new(), |d| d.to_string());
                        writeln!(
                            out,
                            "{label},{target},{},{},{},{},{dnr}",
                            c.lambda, c.accuracy.mean, c.accuracy.std, c.accuracy.n
                        )
                    }
                };
            }
        }
        out
    }

    /// "3 seeds", or per label when the labels differ: "seeds (GM: 3, GM + AP: 2)".
    fn seed_counts(&self) -> String {
        let first = self.rows.first().map_or(0, |r| r.seeds);
        if self.rows.iter().all(|r| r.seeds == first) {
            return format!("{first} seed{}", if first == 1 { "" } else { "s" });
        }
        let each: Vec<String> = self
            .rows
            .iter()
            .map(|r| format!("{}: {}", r.label, r.seeds))
            .collect();
        format!("seeds ({})", each.join(", "))
    }

    fn dense_line(&self, out: &mut String) {
        let texts: Vec<Option<String>> = self
            .rows
            .iter()
            .map(|r| r.dense.map(|s| format!("{} %", s.pm())))
            .collect();
        match texts.first() {
            Some(Some(first)) if texts.iter().all(|t| t.as_ref() == Some(first)) => {
                let _ = writeln!(out, "Original top-1 test accuracy: {first} (λ = 100 %)\n");
            }
            _ if texts.iter().all(Option::is_none) => {
                out.push_str(
                    "Original top-1 test accuracy: not recorded (no cycle at λ = 100 %)\n\n",
                );
            }
            _ => {
                out.push_str("Original top-1 test accuracy (λ = 100 %):\n\n");
                for (row, text) in self.rows.iter().zip(&texts) {
                    let _ = writeln!(
                        out,
                        "- {}: {}",
                        escape(&row.label),
                        text.as_deref().unwrap_or("not recorded")
                    );
                }
                out.push('\n');
            }
        }
    }
}

fn cell_notes(row: &Row, cell: &Cell, target: f64) -> Vec<String> {
    let mut notes = Vec::new();
    if cell.off_target(target) {
        notes.push(format!(
            "{} at {target}%: the nearest cycle has λ = {:.2}%.",
            escape(&row.label),
            cell.lambda
        ));
    }
    if cell.accuracy.n < row.seeds {
        notes.push(format!(
            "{} at {target}%: only {} of {} seeds reach this λ.",
            escape(&row.label),
            cell.accuracy.n,
            row.seeds
        ));
    }
    notes
}

/// A label inside a Markdown table cell: `|` would end the cell, a newline the row.
fn escape(label: &str) -> String {
    label.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use prunelab_core::report::Divergence;

    use crate::fixture;
    use crate::options::{DnrKind, Options};
    use crate::table::Table;

    fn table(lambdas: &[f64], dnr: Option<DnrKind>) -> Table {
        let opts = Options {
            lambdas: lambdas.to_vec(),
            dnr,
            ..Options::default()
        };
        Table::build(&fixture::runs(), &opts).expect("table")
    }

    #[test]
    fn markdown_like_the_paper() {
        let md = Table::build(&fixture::runs(), &Options::default())
            .expect("table")
            .markdown();
        let expected = "\
Top-1 test accuracy (%) at the epoch of best validation accuracy (early stop), mean ± sample std over 3 seeds; \
λ = % of prunable weights remaining (layout of the AP paper's Tables 1–15).

Original top-1 test accuracy: 92.0 ± 0.4 % (λ = 100 %)

| λ | 32.8% | 26.2% | 13.4% | 5.72% |
| --- | --- | --- | --- | --- |
| GM | 87.0 ± 0.4 | 86.0 ± 0.4 | — | — |
| GM + AP | — | — | — | — |
";
        assert_eq!(md, expected);
    }

    #[test]
    fn a_diverged_run_is_shown_as_diverged() {
        let mut runs = fixture::runs();
        // GM seed 2 diverged in cycle 5: it has cycles 0–4 only
        runs[2].cycles.truncate(5);
        runs[2].diverged = Some(Divergence {
            cycle: 5,
            epoch: 3,
            step: 120,
        });
        let md = Table::build(&runs, &Options::default())
            .expect("table")
            .markdown();
        assert!(
            md.contains("| GM | 86.8 ± 0.3 [^1] | 85.8 ± 0.3 [^2] | diverged | diverged |"),
            "{md}"
        );
        assert!(md.contains("| GM + AP | — | — | — | — |"), "{md}");
        assert!(md.contains("only 2 of 3 seeds reach this λ"), "{md}");
        assert!(
            md.contains("\nGM, seed 2: training diverged at cycle 5, epoch 3, step 120"),
            "{md}"
        );
    }

    #[test]
    fn dnr_in_parentheses_and_footnotes() {
        let md = table(&[50.0, 40.96, 29.5], Some(DnrKind::Dynamic)).markdown();
        assert!(
            md.contains("with the mean dynamic DNR in parentheses"),
            "{md}"
        );
        assert!(md.contains("| λ | 50% | 40.96% | 29.5% |"), "{md}");
        assert!(
            md.contains("| GM | 89.0 ± 0.4 (6.1%) | 88.0 ± 0.4 (8.1%) | 87.0 ± 0.4 (10.1%) [^1] |"),
            "{md}"
        );
        assert!(
            md.contains("| GM + AP | 90.5 ± 0.8 (6.1%) | 90.0 ± 0.8 (8.1%) | — |"),
            "{md}"
        );
        assert!(
            md.contains("\n[^1]: GM at 29.5%: the nearest cycle has λ = 32.77%.\n"),
            "{md}"
        );
    }

    #[test]
    fn dense_accuracy_per_label_when_they_differ() {
        let mut runs = fixture::runs();
        runs[0].cycles[0].early_stop_accuracy = 0.5;
        runs[3].cycles.remove(0);
        let md = Table::build(&runs, &Options::default())
            .expect("table")
            .markdown();
        assert!(
            md.contains("Original top-1 test accuracy (λ = 100 %):\n\n- GM: 78.1 ± 24.4 %\n- GM + AP: 92.2 ± 0.3 %\n"),
            "{md}"
        );
    }

    #[test]
    fn missing_seeds_are_footnoted() {
        let mut runs = fixture::runs();
        runs[2].cycles.pop();
        runs[5].label = "GM, | AP \"x\"".into();
        let t = Table::build(
            &runs,
            &Options {
                lambdas: vec![26.2],
                ..Options::default()
            },
        )
        .expect("table");
        let md = t.markdown();
        assert!(md.contains("| GM | 85.8 ± 0.3 [^1] |"), "{md}");
        assert!(
            md.contains("[^1]: GM at 26.2%: only 2 of 3 seeds reach this λ."),
            "{md}"
        );
        assert!(md.contains("| GM, \\| AP \"x\" | — |"), "{md}");
        assert!(
            md.contains("over seeds (GM: 3, GM + AP: 2, GM, | AP \"x\": 1)"),
            "{md}"
        );
        let csv = t.csv();
        assert!(
            csv.ends_with("\n\"GM, | AP \"\"x\"\"\",26.2,,,,0,\n"),
            "{csv}"
        );
    }

    #[test]
    fn csv_rows() {
        let csv = table(&[32.8, 13.4], Some(DnrKind::Static)).csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 1 + 2 * 2);
        assert_eq!(
            lines[0],
            "label,lambda_target,lambda_actual,mean,std,n,dnr_mean"
        );
        let gm: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(gm[..2], ["GM", "32.8"]);
        let num = |i: usize| gm[i].parse::<f64>().expect("number");
        assert!(
            (num(2) - 32.768).abs() < 1e-9
                && (num(3) - 87.0).abs() < 1e-9
                && (num(4) - 0.4).abs() < 1e-9
        );
        assert_eq!(gm[5], "3");
        assert!((num(6) - 5.2).abs() < 1e-9);
        assert_eq!(lines[2], "GM,13.4,,,,0,");
        assert_eq!(lines[3], "GM + AP,32.8,,,,0,");
        let plain = table(&[32.8], None).csv();
        assert!(
            plain.lines().nth(1).is_some_and(|l| l.ends_with(",3,")),
            "{plain}"
        );
    }
}
