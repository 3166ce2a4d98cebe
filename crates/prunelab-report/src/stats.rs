//! Mean and sample standard deviation over seeds.

/// Mean and sample standard deviation (n − 1; 0 for a single value) of `n` values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    pub mean: f64,
    pub std: f64,
    pub n: usize,
}

impl Stats {
    /// `None` when there are no values.
    pub fn of(values: &[f64]) -> Option<Self> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let std = if n == 1 {
            0.0
        } else {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        };
        Some(Self { mean, std, n })
    }

    /// `mean ± std` with one decimal, e.g. `90.3 ± 0.4`.
    pub(crate) fn pm(&self) -> String {
        format!("{:.1} ± {:.1}", self.mean, self.std)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_std() {
        let s = Stats::of(&[90.0, 91.0, 92.0]).expect("values");
        assert_eq!((s.mean, s.std, s.n), (91.0, 1.0, 3));
        assert_eq!(s.pm(), "91.0 ± 1.0");
        let one = Stats::of(&[88.3]).expect("value");
        assert_eq!((one.std, one.pm().as_str()), (0.0, "88.3 ± 0.0"));
        assert_eq!(Stats::of(&[]), None);
    }
}
