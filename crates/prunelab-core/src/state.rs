//! The experiment state: one serialisable object that *is* the page's URL hash
//! (`#model=lenet300&data=mnist&method=gm&ap=pro&p=20&q=2&cycles=3&epochs=1&seed=1`) and, with the
//! same keys plus `backend`, the CLI's TOML config — so a URL and a file describe the same run.
//!
//! The URL is forgiving (unknown or malformed keys are ignored with a notice, the page must never
//! crash on a hand-edited hash); the TOML file is strict (any such key is an error).

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

macro_rules! names {
    ($(#[$doc:meta])* $ty:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $ty { $($variant),+ }

        impl $ty {
            pub const ALL: &[$ty] = &[$($ty::$variant),+];
            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
            fn parse(key: &str, value: &str) -> Result<Self, StateError> {
                Self::ALL.iter().copied().find(|v| v.name() == value).ok_or_else(|| StateError::Unknown {
                    key: key.to_string(),
                    value: value.to_string(),
                    expected: Self::ALL.iter().map(|v| v.name()).collect::<Vec<_>>().join(", "),
                })
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.name()) }
        }
    };
}

names!(
    /// Network architecture.
    Model { Lenet300 = "lenet300", Cnn = "cnn", Resnet20 = "resnet20" }
);
names!(
    /// Dataset.
    Data { Mnist = "mnist", Cifar10 = "cifar10" }
);
names!(
    /// Base pruning method X of Algorithm 2.
    Method { Gm = "gm" }
);
names!(
    /// Whether and how Activate-while-Pruning joins the base method.
    Ap { None = "none", Lite = "lite", Pro = "pro" }
);

/// Everything that defines an experiment. Field names are the URL / TOML keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Experiment {
    pub model: Model,
    pub data: Data,
    pub method: Method,
    pub ap: Ap,
    /// Percent of surviving weights pruned per cycle, in (0, 100).
    pub p: f64,
    /// Percent of surviving weights pruned by AP per cycle, in [0, p]; ignored when `ap = none`.
    pub q: f64,
    /// Pruning cycles; the run trains `cycles + 1` times (dense first).
    pub cycles: u32,
    /// Training epochs per cycle.
    pub epochs: u32,
    pub seed: u64,
    pub lr: f64,
    pub batch: usize,
    pub momentum: f64,
    pub weight_decay: f64,
    /// Training images used (0 = the whole training split).
    pub train_size: usize,
    /// Test images used (0 = the whole test split).
    pub test_size: usize,
}

impl Default for Experiment {
    fn default() -> Self {
        Self {
            model: Model::Lenet300,
            data: Data::Mnist,
            method: Method::Gm,
            ap: Ap::Pro,
            p: 20.0,
            q: 2.0,
            cycles: 3,
            epochs: 1,
            seed: 1,
            lr: 0.05,
            batch: 64,
            momentum: 0.9,
            weight_decay: 1e-4,
            train_size: 0,
            test_size: 0,
        }
    }
}

/// Why a key, a value or a whole experiment was rejected. Messages are one line.
#[derive(Debug, Error, PartialEq)]
pub enum StateError {
    #[error("unknown key `{0}`")]
    UnknownKey(String),
    #[error("unknown {key} `{value}` (expected one of: {expected})")]
    Unknown { key: String, value: String, expected: String },
    #[error("{key} must be a number, got `{value}`")]
    NotNumber { key: String, value: String },
    #[error("{0}")]
    Invalid(String),
    #[error("config is not valid TOML: {0}")]
    Toml(String),
}

/// Keys of the state, in URL order.
pub const KEYS: &[&str] = &[
    "model", "data", "method", "ap", "p", "q", "cycles", "epochs", "seed", "lr", "batch", "momentum",
    "weight_decay", "train_size", "test_size",
];

fn number<T: std::str::FromStr>(key: &str, value: &str) -> Result<T, StateError> {
    value.trim().parse().map_err(|_| StateError::NotNumber { key: key.into(), value: value.into() })
}

impl Experiment {
    /// Set one key from its textual value.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), StateError> {
        match key {
            "model" => self.model = Model::parse(key, value)?,
            "data" => self.data = Data::parse(key, value)?,
            "method" => self.method = Method::parse(key, value)?,
            "ap" => self.ap = Ap::parse(key, value)?,
            "p" => self.p = number(key, value)?,
            "q" => self.q = number(key, value)?,
            "cycles" => self.cycles = number(key, value)?,
            "epochs" => self.epochs = number(key, value)?,
            "seed" => self.seed = number(key, value)?,
            "lr" => self.lr = number(key, value)?,
            "batch" => self.batch = number(key, value)?,
            "momentum" => self.momentum = number(key, value)?,
            "weight_decay" => self.weight_decay = number(key, value)?,
            "train_size" => self.train_size = number(key, value)?,
            "test_size" => self.test_size = number(key, value)?,
            _ => return Err(StateError::UnknownKey(key.into())),
        }
        Ok(())
    }

    /// The textual value of one key (the inverse of [`Experiment::set`]).
    pub fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "model" => self.model.to_string(),
            "data" => self.data.to_string(),
            "method" => self.method.to_string(),
            "ap" => self.ap.to_string(),
            "p" => self.p.to_string(),
            "q" => self.q.to_string(),
            "cycles" => self.cycles.to_string(),
            "epochs" => self.epochs.to_string(),
            "seed" => self.seed.to_string(),
            "lr" => self.lr.to_string(),
            "batch" => self.batch.to_string(),
            "momentum" => self.momentum.to_string(),
            "weight_decay" => self.weight_decay.to_string(),
            "train_size" => self.train_size.to_string(),
            "test_size" => self.test_size.to_string(),
            _ => return None,
        })
    }

    /// Parse a URL hash (with or without `#`). Never fails: unknown keys, malformed values and
    /// page flags listed in `flags` (e.g. `autorun`) are skipped; every skipped key except a
    /// flag yields a notice. Later duplicates win.
    pub fn from_hash(hash: &str, flags: &[&str]) -> (Self, Vec<String>) {
        let mut exp = Self::default();
        let mut notices = Vec::new();
        for pair in hash.trim_start_matches('#').split('&').filter(|s| !s.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (key, value) = (decode(key), decode(value));
            if flags.contains(&key.as_str()) {
                continue;
            }
            if let Err(e) = exp.set(&key, &value) {
                notices.push(format!("ignored {}: {e}", if key.is_empty() { "an empty key" } else { "a URL setting" }));
            }
        }
        (exp, notices)
    }

    /// The URL hash for this state (without `#`), every key in [`KEYS`] order.
    pub fn to_hash(&self) -> String {
        KEYS.iter().filter_map(|k| self.get(k).map(|v| format!("{k}={v}"))).collect::<Vec<_>>().join("&")
    }

    /// Parse a TOML config: the URL keys plus `backend` (returned separately). Strict: unknown
    /// keys and bad values are errors. The result is validated.
    pub fn from_toml(text: &str) -> Result<(Self, Option<String>), StateError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| StateError::Toml(e.message().to_string()))?;
        let mut exp = Self::default();
        let mut backend = None;
        for (key, value) in &table {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                other => return Err(StateError::Invalid(format!("{key} must be a string or a number, got {}", other.type_str()))),
            };
            if key == "backend" {
                backend = Some(text);
            } else {
                exp.set(key, &text)?;
            }
        }
        exp.validate()?;
        Ok((exp, backend))
    }

    /// The config file for this state (the inverse of [`Experiment::from_toml`]).
    pub fn to_toml(&self, backend: Option<&str>) -> String {
        let mut out = String::new();
        for key in KEYS {
            if let Some(value) = self.get(key) {
                let quoted = matches!(*key, "model" | "data" | "method" | "ap");
                out += &if quoted { format!("{key} = \"{value}\"\n") } else { format!("{key} = {value}\n") };
            }
        }
        if let Some(b) = backend {
            out += &format!("backend = \"{b}\"\n");
        }
        out
    }

    /// Reject impossible settings with a one-line reason.
    pub fn validate(&self) -> Result<(), StateError> {
        let bad = |msg: String| Err(StateError::Invalid(msg));
        if !(self.p > 0.0 && self.p < 100.0) {
            return bad(format!("p ({}) must be in (0, 100): the percent of surviving weights pruned per cycle", self.p));
        }
        if self.ap != Ap::None && !(self.q >= 0.0 && self.q <= self.p) {
            return bad(format!("q ({}) must be between 0 and p ({})", self.q, self.p));
        }
        if self.cycles == 0 || self.cycles > 1000 {
            return bad(format!("cycles ({}) must be between 1 and 1000", self.cycles));
        }
        if self.epochs == 0 {
            return bad("epochs must be at least 1".into());
        }
        if self.batch == 0 {
            return bad("batch must be at least 1".into());
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return bad(format!("lr ({}) must be positive", self.lr));
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return bad(format!("momentum ({}) must be in [0, 1)", self.momentum));
        }
        if !(self.weight_decay >= 0.0 && self.weight_decay.is_finite()) {
            return bad(format!("weight_decay ({}) must be non-negative", self.weight_decay));
        }
        Ok(())
    }
}

/// Percent-decoding for URL hash components (`+` is a literal plus, as in a hash).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |j: usize| bytes.get(j).and_then(|&b| (b as char).to_digit(16));
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_round_trip() {
        let (exp, notices) = Experiment::from_hash("#model=cnn&data=cifar10&ap=lite&p=30&q=3.5&cycles=5&seed=7", &[]);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!((exp.model, exp.data, exp.ap, exp.p, exp.q, exp.cycles, exp.seed), (Model::Cnn, Data::Cifar10, Ap::Lite, 30.0, 3.5, 5, 7));
        let (again, _) = Experiment::from_hash(&exp.to_hash(), &[]);
        assert_eq!(again, exp);
    }

    #[test]
    fn junk_in_the_url_is_ignored_with_notices() {
        let (exp, notices) = Experiment::from_hash("model=vgg&p=abc&zzz=1&&=&autorun=1&q=%33", &["autorun"]);
        assert_eq!(exp.model, Model::Lenet300);
        assert_eq!(exp.p, 20.0);
        assert_eq!(exp.q, 3.0);
        assert_eq!(notices.len(), 4, "{notices:?}");
        assert!(notices[0].contains("vgg") && notices[1].contains("abc") && notices[2].contains("zzz"));
    }

    #[test]
    fn toml_uses_the_same_keys_plus_backend() {
        let (exp, backend) = Experiment::from_toml("model = \"lenet300\"\nap = \"pro\"\np = 20\nq = 2.5\nbackend = \"flex\"\n").expect("valid");
        assert_eq!((exp.p, exp.q, backend.as_deref()), (20.0, 2.5, Some("flex")));
        let (back, b2) = Experiment::from_toml(&exp.to_toml(Some("flex"))).expect("round trip");
        assert_eq!((back, b2), (exp, backend));
    }

    #[test]
    fn bad_configs_have_one_line_reasons() {
        let err = |t: &str| Experiment::from_toml(t).expect_err(t).to_string();
        assert!(err("model = \"vgg\"").contains("unknown model `vgg`"));
        assert!(err("p = 2\nq = 5").contains("q (5) must be between 0 and p (2)"));
        assert!(err("p = 0").contains("p (0) must be in (0, 100)"));
        assert!(err("p = -3").contains("p (-3)"));
        assert!(err("colour = \"red\"").contains("unknown key `colour`"));
        assert!(err("p = [1]").contains("p must be a string or a number"));
        assert!(err("p = ").contains("not valid TOML"));
        for e in [err("p = 2\nq = 5"), err("model = 1")] {
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn q_is_free_without_ap() {
        let (exp, _) = Experiment::from_toml("ap = \"none\"\np = 10\nq = 50").expect("q ignored");
        assert_eq!(exp.ap, Ap::None);
    }
}
