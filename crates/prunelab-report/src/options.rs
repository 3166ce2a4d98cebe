//! What a report shows: which λ columns, which accuracy, and optionally which DNR.

use std::str::FromStr;

use prunelab_core::dnr::Dnr;
use prunelab_core::report::CycleEntry;

use crate::error::ReportError;

/// The λ columns of the AP paper's tables (% of prunable weights remaining).
pub const PAPER_LAMBDAS: [f64; 4] = [32.8, 26.2, 13.4, 5.72];

/// Report options; [`Default`] gives the AP paper's columns, early-stop accuracy and no DNR.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Target λ in percent, one column each, in the given order; each in (0, 100].
    pub lambdas: Vec<f64>,
    pub accuracy: Accuracy,
    /// With a kind set, each cell also shows that kind's mean DNR, as in the AP paper's Tables 10–11.
    pub dnr: Option<DnrKind>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            lambdas: PAPER_LAMBDAS.to_vec(),
            accuracy: Accuracy::default(),
            dnr: None,
        }
    }
}

impl Options {
    pub(crate) fn validate(&self) -> Result<(), ReportError> {
        if self.lambdas.is_empty() {
            return Err(ReportError::Options("no λ targets given".into()));
        }
        match self
            .lambdas
            .iter()
            .find(|l| !(l.is_finite() && **l > 0.0 && **l <= 100.0))
        {
            Some(bad) => Err(ReportError::Options(format!(
                "λ target {bad} is not a percentage in (0, 100]"
            ))),
            None => Ok(()),
        }
    }
}

/// Which test accuracy of a cycle to report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Accuracy {
    /// Test accuracy at the epoch of best validation accuracy (`early_stop_accuracy`).
    #[default]
    EarlyStop,
    /// Test accuracy after the last epoch (`test_accuracy`).
    Final,
}

impl Accuracy {
    pub(crate) fn of(self, entry: &CycleEntry) -> f64 {
        match self {
            Self::EarlyStop => entry.early_stop_accuracy,
            Self::Final => entry.test_accuracy,
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::EarlyStop => "at the epoch of best validation accuracy (early stop)",
            Self::Final => "after the last epoch",
        }
    }

    pub(crate) fn short(self) -> &'static str {
        match self {
            Self::EarlyStop => "early stop",
            Self::Final => "final epoch",
        }
    }
}

impl FromStr for Accuracy {
    type Err = ReportError;

    /// `early-stop` or `final`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "early-stop" => Ok(Self::EarlyStop),
            "final" => Ok(Self::Final),
            _ => Err(ReportError::Options(format!(
                "accuracy `{s}`: expected `early-stop` or `final`"
            ))),
        }
    }
}

/// Static or dynamic Dead Neuron Rate (AP paper, eq. 1–2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DnrKind {
    Static,
    Dynamic,
}

impl DnrKind {
    pub(crate) fn of(self, dnr: &Dnr) -> f64 {
        match self {
            Self::Static => dnr.static_,
            Self::Dynamic => dnr.dynamic,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Static => "static",
            Self::Dynamic => "dynamic",
        }
    }
}

impl FromStr for DnrKind {
    type Err = ReportError;

    /// `static` or `dynamic`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "static" => Ok(Self::Static),
            "dynamic" => Ok(Self::Dynamic),
            _ => Err(ReportError::Options(format!(
                "DNR `{s}`: expected `static` or `dynamic`"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_papers_columns() {
        let o = Options::default();
        assert_eq!(o.lambdas, [32.8, 26.2, 13.4, 5.72]);
        assert_eq!(o.accuracy, Accuracy::EarlyStop);
        assert_eq!(o.dnr, None);
        assert!(o.validate().is_ok());
    }

    #[test]
    fn bad_lambdas_are_rejected() {
        for lambdas in [vec![], vec![0.0], vec![101.0], vec![f64::NAN], vec![-5.0]] {
            let o = Options {
                lambdas,
                ..Options::default()
            };
            assert!(
                matches!(o.validate(), Err(ReportError::Options(_))),
                "{o:?}"
            );
        }
    }

    #[test]
    fn parse_from_strings() {
        assert_eq!("final".parse::<Accuracy>().ok(), Some(Accuracy::Final));
        assert_eq!(
            "early-stop".parse::<Accuracy>().ok(),
            Some(Accuracy::EarlyStop)
        );
        assert_eq!("static".parse::<DnrKind>().ok(), Some(DnrKind::Static));
        assert_eq!("dynamic".parse::<DnrKind>().ok(), Some(DnrKind::Dynamic));
        assert!("best".parse::<Accuracy>().is_err());
        assert!("dead".parse::<DnrKind>().is_err());
    }
}
