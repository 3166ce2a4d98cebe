//! The λ axis of the plots: % of weights remaining on a log scale, decreasing left to right (dense
//! net on the left, as in the AP paper's Fig. 1 and the iterative-pruning plots it follows), with
//! a tick at each cycle's λ.

use std::ops::Range;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};

/// At most about this many λ ticks; denser cycles get every other (third, …) tick.
pub(crate) const MAX_TICKS: usize = 14;

pub(crate) struct LambdaAxis {
    /// log10 of the λ at the left and right edges (left > right).
    left: f64,
    right: f64,
    /// Tick λs, largest first.
    ticks: Vec<f64>,
}

impl LambdaAxis {
    /// An axis over `lambdas` (non-finite and non-positive ones ignored) with 3 % room either
    /// side; 100 % to 10 % when none is left.
    pub(crate) fn new(lambdas: impl Iterator<Item = f64>) -> Self {
        let mut logs: Vec<f64> = lambdas
            .filter(|l| l.is_finite() && *l > 0.0)
            .map(f64::log10)
            .collect();
        logs.sort_by(|a, b| b.total_cmp(a));
        let (hi, lo) = match (logs.first(), logs.last()) {
            (Some(&hi), Some(&lo)) => (hi, lo),
            _ => (2.0, 1.0),
        };
        let min_gap = ((hi - lo) / MAX_TICKS as f64).max(1e-6);
        let mut ticks: Vec<f64> = Vec::new();
        for log in logs {
            if ticks.last().is_none_or(|last| last - log >= min_gap) {
                ticks.push(log);
            }
        }
        let pad = ((hi - lo) * 0.03).max(0.01);
        Self {
            left: hi + pad,
            right: lo - pad,
            ticks: ticks.into_iter().map(|l| 10f64.powf(l)).collect(),
        }
    }
}

impl Ranged for LambdaAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = (self.left - value.log10()) / (self.left - self.right);
        limit.0 + (t * f64::from(limit.1 - limit.0)).round() as i32
    }

    /// The cycle λs as bold lines and labels, thinned to the hint's maximum; no light lines.
    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            return Vec::new();
        }
        let step = self
            .ticks
            .len()
            .div_ceil(hint.max_num_points().max(1))
            .max(1);
        self.ticks.iter().copied().step_by(step).collect()
    }

    fn range(&self) -> Range<f64> {
        10f64.powf(self.left)..10f64.powf(self.right)
    }
}

impl ValueFormatter<f64> for LambdaAxis {
    fn format(value: &f64) -> String {
        fmt_lambda(*value)
    }
}

/// λ with three significant figures, like the AP paper's columns: 100, 51.2, 5.72, 0.687.
pub(crate) fn fmt_lambda(lambda: f64) -> String {
    match lambda {
        l if l >= 99.95 => format!("{l:.0}"),
        l if l >= 9.995 => format!("{l:.1}"),
        l if l >= 0.9995 => format!("{l:.2}"),
        l => format!("{l:.3}"),
    }
}

#[cfg(test)]
mod tests {
    use plotters::coord::ranged1d::BoldPoints;

    use super::*;

    #[test]
    fn labels_have_three_figures() {
        assert_eq!(fmt_lambda(100.0), "100");
        assert_eq!(fmt_lambda(51.2), "51.2");
        assert_eq!(fmt_lambda(40.96), "41.0");
        assert_eq!(fmt_lambda(5.72), "5.72");
        assert_eq!(fmt_lambda(0.6872), "0.687");
    }

    #[test]
    fn log_scale_decreasing_left_to_right() {
        let axis = LambdaAxis::new([100.0, 10.0, 1.0].into_iter());
        let (l, m, r) = (
            axis.map(&100.0, (0, 1000)),
            axis.map(&10.0, (0, 1000)),
            axis.map(&1.0, (0, 1000)),
        );
        assert!(l < m && m < r, "{l} {m} {r}");
        assert!((m - 500).abs() <= 1 && l > 0 && r < 1000, "{l} {m} {r}");
    }

    #[test]
    fn ticks_at_cycles_thinned() {
        let cycles = |n: i32| (0..n).map(|c| 100.0 * 0.8f64.powi(c));
        let axis = LambdaAxis::new(cycles(7).chain(cycles(5)));
        assert_eq!(axis.key_points(BoldPoints(20)).len(), 7);
        assert_eq!(axis.key_points(BoldPoints(3)).len(), 3);
        assert!(axis.key_points(10usize).is_empty());
        let many = LambdaAxis::new(cycles(40));
        let n = many.key_points(BoldPoints(100)).len();
        assert!((10..=MAX_TICKS + 1).contains(&n), "{n}");
        let none = LambdaAxis::new([f64::NAN, -1.0].into_iter());
        assert_eq!(none.range(), 10f64.powf(2.03)..10f64.powf(0.97));
    }
}
