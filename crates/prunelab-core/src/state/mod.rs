//! The experiment state: one serialisable object that *is* the page's URL hash
//! (`#model=lenet300&data=mnist&method=gm&ap=pro&p=20&q=2&cycles=3&epochs=1&seed=1`) and, with the
//! same keys plus `backend`, `device` and `precision` ([`Native`]), the CLI's TOML config — so a URL and a file describe the same run.
//!
//! The URL is forgiving (unknown or malformed keys are ignored with a notice, the page must never
//! crash on a hand-edited hash); the TOML file is strict (any such key is an error).

mod names;
mod recipe;
mod table;
mod validate;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use table::keys;
pub use table::{Key, Kind};

/// The keys of a config file that a URL hash has not: where and how the native binary runs it
/// (`backend`: flex, wgpu, cuda or tch; `device`: cpu, cuda or cuda:N; `precision`: f32, bf16 or
/// f16, tch only). Kept as text: the engine and the kernels know the values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Native {
    pub backend: Option<String>,
    pub device: Option<String>,
    pub precision: Option<String>,
}

pub use names::{
    ActReg, Ap, ApTiming, Data, DensityInit, DnrSplit, DnrUnit, LiteLambda, Method, Model,
    PruneClassifier, Recipe, Retrain, Schedule, Scope, Taylor,
};

/// How a run's AP step is placed (AP paper, Algorithm 2): its variant, when it runs, and
/// AP-Lite's λ rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApPlan {
    pub ap: Ap,
    pub timing: ApTiming,
    pub lite: LiteLambda,
}

impl ApPlan {
    /// Whether the AP step runs only in the last pruning (AP-Lite, `ap_timing = lite`).
    pub fn at_end_only(self) -> bool {
        match self.ap {
            Ap::None | Ap::Pro => false,
            Ap::Lite => true,
            _ => self.timing == ApTiming::Lite,
        }
    }
}

keys! {
    /// A named set of defaults for the training protocol; explicit keys override it.
    recipe: Recipe = name,
    /// Network architecture.
    model: Model = name,
    /// Dataset.
    data: Data = name,
    /// Base pruning method X of Algorithm 2, or `density` (structured resizing in training).
    method: Method = name,
    /// Whether the classifier is pruned and counted in λ (`false`: kept dense, as OpenLTH and
    /// ShrinkBench do).
    prune_classifier: PruneClassifier = name,
    /// Layer-wise or global ranking for `method = imp`.
    imp_scope: Scope = name,
    /// Layer-wise or global ranking of the lookahead scores for `method = lap`.
    lap_scope: Scope = name,
    /// Training batches whose gradients Global Taylor scores by; `epoch` = one epoch.
    taylor_batches: Option<u32> = optional("epoch"),
    /// Global Taylor's score from the per-batch gradients: `sum` |θ·Σg|, `batch-abs` mean |θ·g|,
    /// `batch-sq` mean (θ·g)².
    taylor: Taylor = name,
    /// Batches whose gradients SNIP sums at the rewind point.
    snip_batches: u32 = number,
    /// The Activate-while-Pruning variant joining the base method.
    ap: Ap = name,
    /// When the AP step of `solo`, `no-wr`, `output` and `bias` runs.
    ap_timing: ApTiming = name,
    /// AP-Lite's λ: `literal` (Algorithm 2 as written: p − q % per cycle before the last) or
    /// `baseline` (the base method's (1 − p)^k, as the paper's tables report it).
    lite_lambda: LiteLambda = name,
    /// The constant k added to located dead neurons' biases by `ap = bias` (AP-bias-k).
    ap_bias_k: Option<f64> = unset("none"),
    /// Percent of surviving weights pruned per cycle, in (0, 100).
    p: f64 = number,
    /// Percent of surviving weights pruned by AP per cycle, in [0, p]; `auto` = 0.1·p (AP paper
    /// §5). Ignored when `ap = none`.
    q: Option<f64> = optional("auto"),
    /// How sparsity grows: iterative, one-shot or gradual.
    schedule: Schedule = name,
    /// Pruning cycles (iterative); the run trains `cycles + 1` times (dense first).
    cycles: u32 = number,
    /// Percent of weights remaining to stop at (iterative), prune to (one-shot, gradual); `none` =
    /// no target.
    target: Option<f64> = unset("none"),
    /// Gradual schedule: the epoch pruning starts (Zhu & Gupta 2017).
    gradual_start: u32 = number,
    /// Gradual schedule: the epoch pruning ends (default ¾ of `epochs`).
    gradual_end: Option<u32> = optional("auto"),
    /// Gradual schedule: the number of pruning steps between start and end.
    gradual_steps: u32 = number,
    /// What survivors restart from after a pruning step.
    retrain: Retrain = name,
    /// Optimiser step whose weights `weight-rewind` restores (0 = θ0).
    rewind_iteration: u64 = number,
    /// Constant LR of `fine-tune`; `auto` = the schedule's last LR.
    finetune_lr: Option<f64> = optional("auto"),
    /// Activation-sparsity baseline added to the loss (AP paper Tables 14–15).
    act_reg: ActReg = name,
    /// The weight of `act_reg`'s term in the loss.
    act_reg_weight: f64 = number,
    /// Training epochs per cycle.
    epochs: u32 = number,
    /// Seed of initialisation, data order and random pruning.
    seed: u64 = number,
    /// Peak learning rate (reached after `warmup_epochs` of linear warm-up).
    lr: f64 = number,
    /// Epochs of linear LR warm-up.
    warmup_epochs: u32 = number,
    /// Epochs after which the LR is multiplied by `lr_gamma`.
    lr_milestones: Vec<u32> = list,
    /// The LR factor at each of `lr_milestones`.
    lr_gamma: f64 = number,
    /// Mini-batch size.
    batch: usize = number,
    /// SGD momentum (PyTorch semantics, no dampening).
    momentum: f64 = number,
    /// L2 weight decay on weights and biases (not on BatchNorm).
    weight_decay: f64 = number,
    /// Training images held out as the validation split (0 = none; early stopping needs one).
    val_size: usize = number,
    /// Training images used, validation included (0 = the whole training split).
    train_size: usize = number,
    /// Test images used (0 = the whole test split).
    test_size: usize = number,
    /// The images a cycle's DNR averages over: `train` (eq. 1; inference mode, no augmentation)
    /// or `test`.
    dnr_split: DnrSplit = name,
    /// What tables and plots count as one DNR unit: a conv channel at one `position`, or a whole
    /// `channel` (dead when its map is 0); `results.json` records both.
    dnr_unit: DnrUnit = name,
    /// `method = density`, ρ: the total-AE change per epoch below which training has saturated.
    rho_threshold: f64 = number,
    /// ρ: how many consecutive epoch-to-epoch changes must stay below `rho_threshold`.
    rho_epochs: u32 = number,
    /// δ: epochs at the end of a net's AE curve over which its least-squares slope is taken
    /// (0 = the whole curve).
    delta_window: u32 = number,
    /// δ: pruning stops once that slope (AE per epoch) exceeds this.
    delta_slope: f64 = number,
    /// The most networks a density run trains, net0 included.
    density_nets: u32 = number,
    /// How net[i+1] is initialised: fresh, or inheriting a random subset of net[i]'s filters.
    density_init: DensityInit = name,
}

impl Default for Experiment {
    fn default() -> Self {
        Recipe::Custom.defaults()
    }
}

/// Why a key, a value or a whole experiment was rejected. Messages are one line.
#[derive(Debug, Error, PartialEq)]
pub enum StateError {
    #[error("unknown key `{0}`")]
    UnknownKey(String),
    #[error("unknown {key} `{value}` (expected one of: {expected})")]
    Unknown {
        key: String,
        value: String,
        expected: String,
    },
    #[error("{key} must be a number, got `{value}`")]
    NotNumber { key: String, value: String },
    #[error("{0}")]
    Invalid(String),
    #[error("config is not valid TOML: {0}")]
    Toml(String),
}

/// Keys a URL always carries, so a link reads as the experiment it is.
const SHOWN: &[&str] = &[
    "model", "data", "method", "ap", "p", "q", "cycles", "epochs", "seed",
];

/// Keys of the AP cycles, which `method = density` does not read.
const AP_ONLY: &[&str] = &["ap", "p", "q", "cycles"];

/// A number; `inf`, `NaN` and values beyond f64's range (`1e999`) are not numbers here.
fn number<T: std::str::FromStr>(key: &str, value: &str) -> Result<T, StateError> {
    let v = value.trim();
    let finite = v.parse::<f64>().is_ok_and(f64::is_finite);
    v.parse()
        .ok()
        .filter(|_| finite)
        .ok_or_else(|| StateError::NotNumber {
            key: key.into(),
            value: shortened(value),
        })
}

/// A value as quoted in a message: at most 40 characters.
fn shortened(value: &str) -> String {
    match value.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.into(),
    }
}

/// An optional number: `word` (e.g. `auto`) or an empty value means `None`.
fn optional<T: std::str::FromStr>(
    key: &str,
    value: &str,
    word: &str,
) -> Result<Option<T>, StateError> {
    let v = value.trim();
    if v.is_empty() || v == word {
        Ok(None)
    } else {
        number(key, v).map(Some)
    }
}

fn list(key: &str, value: &str) -> Result<Vec<u32>, StateError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| number(key, s))
        .collect()
}

fn show<T: ToString>(value: &Option<T>, word: &str) -> String {
    value
        .as_ref()
        .map_or_else(|| word.to_string(), T::to_string)
}

impl Experiment {
    /// Parse a URL hash (with or without `#`). Never fails: unknown keys, malformed values and
    /// page flags listed in `flags` (e.g. `autorun`) are skipped; every skipped key except a
    /// flag yields a notice. `recipe` is applied first (its defaults), then the other keys;
    /// later duplicates win.
    pub fn from_hash(hash: &str, flags: &[&str]) -> (Self, Vec<String>) {
        let pairs: Vec<(String, String)> = hash
            .trim_start_matches('#')
            .split('&')
            .filter(|s| !s.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(key), decode(value))
            })
            .filter(|(key, _)| !flags.contains(&key.as_str()))
            .collect();
        let mut notices = Vec::new();
        let mut exp = Self::default();
        let mut note = |key: &str, e: StateError| {
            notices.push(format!(
                "ignored {}: {e}",
                if key.is_empty() {
                    "an empty key"
                } else {
                    "a URL setting"
                }
            ));
        };
        for (key, value) in pairs.iter().filter(|(k, _)| k == "recipe") {
            match Recipe::parse(key, value) {
                Ok(recipe) => exp = recipe.defaults(),
                Err(e) => note(key, e),
            }
        }
        for (key, value) in pairs.iter().filter(|(k, _)| k != "recipe") {
            if let Err(e) = exp.set(key, value) {
                note(key, e);
            }
        }
        (exp, notices)
    }

    /// The URL hash for this state (without `#`): the recipe, the always-shown keys, and every
    /// other key that differs from the recipe's defaults, in [`KEYS`] order.
    pub fn to_hash(&self) -> String {
        let defaults = self.recipe.defaults();
        // a density run does not read the AP keys: they are shown only when set
        let shown = |k: &str| {
            SHOWN.contains(&k) && !(self.method == Method::Density && AP_ONLY.contains(&k))
        };
        KEYS.iter()
            .filter(|k| {
                let differs = self.get(k) != defaults.get(k);
                shown(k)
                    || (**k == "recipe" && self.recipe != Recipe::Custom)
                    || (**k != "recipe" && differs)
            })
            .map(|k| format!("{k}={}", self.get(k).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Parse a TOML config: the URL keys plus [`Native`]'s (returned separately). Strict: unknown
    /// keys and bad values are errors. The result is validated. Sweeps (`seeds`, `[[variant]]`)
    /// are read by [`crate::plan::Plan`], which calls [`Experiment::from_table`].
    pub fn from_toml(text: &str) -> Result<(Self, Native), StateError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| StateError::Toml(e.message().trim().to_string()))?;
        let (exp, native) = Self::from_table(&table, &[])?;
        exp.validate()?;
        Ok((exp, native))
    }

    /// The experiment in a parsed TOML table (keys in `skip` are left to the caller), not yet
    /// validated, and its [`Native`] keys.
    pub fn from_table(table: &toml::Table, skip: &[&str]) -> Result<(Self, Native), StateError> {
        let mut exp = match table.get("recipe") {
            Some(v) => Recipe::parse("recipe", &toml_text("recipe", v)?)?.defaults(),
            None => Self::default(),
        };
        let mut native = Native::default();
        for (key, value) in table
            .iter()
            .filter(|(k, _)| !skip.contains(&k.as_str()) && *k != "recipe")
        {
            let text = toml_text(key, value)?;
            match key.as_str() {
                "backend" => native.backend = Some(text),
                "device" => native.device = Some(text),
                "precision" => native.precision = Some(text),
                _ => exp.set(key, &text)?,
            }
        }
        Ok((exp, native))
    }

    /// The config file for this state, every key explicit (the inverse of [`Experiment::from_toml`]).
    pub fn to_toml(&self, native: &Native) -> String {
        let mut out = String::new();
        for key in TABLE {
            let Some(value) = self.get(key.name) else {
                continue;
            };
            let word = value.parse::<f64>().is_err();
            let name = key.name;
            out += &match key.kind {
                Kind::List => format!("{name} = [{}]\n", value.replace(',', ", ")),
                Kind::Name(_) if value == "true" || value == "false" => {
                    format!("{name} = {value}\n")
                }
                Kind::Name(_) => format!("{name} = \"{value}\"\n"),
                _ if word => format!("{name} = \"{value}\"\n"),
                _ => format!("{name} = {value}\n"),
            };
        }
        for (key, value) in [
            ("backend", &native.backend),
            ("device", &native.device),
            ("precision", &native.precision),
        ] {
            if let Some(v) = value {
                out += &format!("{key} = \"{v}\"\n");
            }
        }
        out
    }

    /// Whether the AP step runs only in the last pruning (AP-Lite and its `ap_timing = lite`
    /// ablations): only such a run's final cycle is an AP-Lite result; its earlier cycles are
    /// plain base-method pruning (see [`ApPlan::at_end_only`]).
    pub fn ap_at_end_only(&self) -> bool {
        self.ap_plan().at_end_only()
    }

    /// How this experiment places its AP step.
    pub fn ap_plan(&self) -> ApPlan {
        ApPlan {
            ap: self.ap,
            timing: self.ap_timing,
            lite: self.lite_lambda,
        }
    }

    /// q in percent, `auto` resolved to 0.1·p (AP paper §5: q = 0.1 p).
    pub fn q_percent(&self) -> f64 {
        self.q.unwrap_or(0.1 * self.p)
    }
}

/// The kind of a key of [`TABLE`].
fn kind(key: &str) -> Option<Kind> {
    TABLE.iter().find(|k| k.name == key).map(|k| k.kind)
}

/// A TOML value as the text [`Experiment::set`] takes; arrays of numbers become `a,b,c`.
fn toml_text(key: &str, value: &toml::Value) -> Result<String, StateError> {
    let scalar = |v: &toml::Value| match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        _ => None,
    };
    match value {
        toml::Value::Array(items) if kind(key) == Some(Kind::List) => {
            let parts: Option<Vec<String>> = items.iter().map(scalar).collect();
            parts
                .map(|p| p.join(","))
                .ok_or_else(|| StateError::Invalid(format!("{key} must be a list of numbers")))
        }
        v => scalar(v).ok_or_else(|| {
            StateError::Invalid(format!(
                "{key} must be a string, a number or a boolean, got {}",
                v.type_str()
            ))
        }),
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

    /// docs/methods.md names every key (or its family, `rho_*`) and every named value; the model
    /// names are in docs/models.md's table.
    #[test]
    fn the_docs_list_every_key_and_value() {
        let methods = include_str!("../../../../docs/methods.md");
        let models = include_str!("../../../../docs/models.md");
        let named = |doc: &str, v: &str| {
            [format!("`{v}`"), format!("`{v} "), format!("\"{v}\"")]
                .iter()
                .any(|form| doc.contains(form.as_str()))
        };
        for key in TABLE {
            let family = key.name.split_once('_').map(|(f, _)| format!("`{f}_*`"));
            assert!(
                named(methods, key.name) || family.is_some_and(|f| methods.contains(&f)),
                "docs/methods.md does not mention the key `{}`",
                key.name
            );
            if let Kind::Name(values) = key.kind {
                let doc = if key.name == "model" { models } else { methods };
                for v in values {
                    assert!(named(doc, v), "the docs do not mention {} `{v}`", key.name);
                }
            }
        }
    }

    #[test]
    fn hash_round_trip() {
        let (exp, notices) = Experiment::from_hash(
            "#model=cnn&data=cifar10&ap=lite&p=30&q=3.5&cycles=5&seed=7",
            &[],
        );
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(
            (
                exp.model, exp.data, exp.ap, exp.p, exp.q, exp.cycles, exp.seed
            ),
            (Model::Cnn, Data::Cifar10, Ap::Lite, 30.0, Some(3.5), 5, 7)
        );
        let (again, _) = Experiment::from_hash(&exp.to_hash(), &[]);
        assert_eq!(again, exp);
    }

    #[test]
    fn every_model_name_parses_and_round_trips() {
        let names: Vec<&str> = Model::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(
            names,
            [
                "lenet300",
                "cnn",
                "resnet20",
                "resnet56",
                "vgg19",
                "densenet40",
                "mobilenetv2",
                "resnet18",
                "resnet50",
                "vit-b16"
            ]
        );
        for &model in Model::ALL {
            let (exp, notices) = Experiment::from_hash(&format!("model={model}"), &[]);
            assert!(notices.is_empty(), "{notices:?}");
            assert_eq!(exp.model, model);
            assert_eq!(
                Experiment::from_toml(&exp.to_toml(&Native::default()))
                    .expect("valid")
                    .0
                    .model,
                model
            );
        }
    }

    #[test]
    fn junk_in_the_url_is_ignored_with_notices() {
        let (exp, notices) =
            Experiment::from_hash("model=vgg&p=abc&zzz=1&&=&autorun=1&q=%33", &["autorun"]);
        assert_eq!(exp.model, Model::Lenet300);
        assert_eq!(exp.p, 20.0);
        assert_eq!(exp.q, Some(3.0));
        assert_eq!(notices.len(), 4, "{notices:?}");
        assert!(
            notices[0].contains("vgg") && notices[1].contains("abc") && notices[2].contains("zzz")
        );
    }

    #[test]
    fn non_finite_and_huge_numbers_are_junk_named_by_key() {
        let long = "9".repeat(200_000);
        for (key, value) in [
            ("p", "inf"),
            ("p", "NaN"),
            ("p", "1e999"),
            ("lr", "1e400"),
            ("momentum", "-1e999"),
            ("lr", long.as_str()),
            ("seed", long.as_str()),
        ] {
            let (exp, notices) = Experiment::from_hash(&format!("{key}={value}"), &[]);
            assert_eq!(exp, Experiment::default(), "{key}={value}");
            assert_eq!(notices.len(), 1, "{notices:?}");
            assert!(notices[0].contains(key), "{notices:?}");
            assert!(notices[0].len() < 120, "{}", notices[0]);
        }
        let err = Experiment::from_toml("lr = inf\n").expect_err("inf is not a rate");
        assert!(err.to_string().contains("lr"), "{err}");
    }

    #[test]
    fn toml_uses_the_same_keys_plus_backend() {
        let (exp, native) = Experiment::from_toml("model = \"lenet300\"\nap = \"pro\"\np = 20\nq = 2.5\nbackend = \"tch\"\ndevice = \"cuda:1\"\n").expect("valid");
        assert_eq!(
            (
                exp.p,
                exp.q,
                native.backend.as_deref(),
                native.device.as_deref()
            ),
            (20.0, Some(2.5), Some("tch"), Some("cuda:1"))
        );
        let (back, b2) = Experiment::from_toml(&exp.to_toml(&native)).expect("round trip");
        assert_eq!((back, b2), (exp, native));
    }

    #[test]
    fn bad_configs_have_one_line_reasons() {
        let err = |t: &str| Experiment::from_toml(t).expect_err(t).to_string();
        assert!(err("model = \"vgg\"").contains("unknown model `vgg`"));
        assert!(err("p = 2\nq = 5").contains("q (5) must be between 0 and p (2)"));
        assert!(err("p = 0").contains("p (0) must be in (0, 100)"));
        assert!(err("p = -3").contains("p (-3)"));
        assert!(err("colour = \"red\"").contains("unknown key `colour`"));
        assert!(err("p = [1]").contains("p must be a string, a number or a boolean"));
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

    #[test]
    fn new_names_and_bad_values_have_one_line_reasons() {
        let err = |t: &str| Experiment::from_toml(t).expect_err(t).to_string();
        assert!(err("method = \"obd\"").contains("unknown method `obd` (expected one of: gm, taylor, lamp, lap, imp, random, snip, l1-channel, l2-channel, density)"));
        assert!(err("ap = \"bias\"").contains("needs ap_bias_k"));
        assert!(
            err("method = \"taylor\"\ntaylor_batches = 0")
                .contains("taylor_batches must be at least 1")
        );
        assert!(err("p = 10\nq = 20").contains("q (20) must be between 0 and p (10)"));
        assert!(err("schedule = \"one-shot\"").contains("needs target"));
        assert!(err("schedule = \"gradual\"\ntarget = 10").contains("cannot take an AP step"));
        assert!(err("lr_milestones = [\"x\"]").contains("lr_milestones must be a number"));
        assert!(
            Experiment::from_toml(
                "method = \"taylor\"\ntaylor_batches = 4\nap = \"bias\"\nap_bias_k = 0.5"
            )
            .is_ok()
        );
    }

    #[test]
    fn q_auto_is_a_tenth_of_p() {
        let (exp, notices) = Experiment::from_hash("p=30&q=auto", &[]);
        assert!(notices.is_empty());
        assert_eq!((exp.q, exp.q_percent()), (None, 3.0));
        assert!(exp.to_hash().contains("q=auto"));
        let (exp, _) = Experiment::from_toml("p = 30\nq = \"auto\"").expect("auto");
        assert_eq!(exp.q_percent(), 3.0);
    }

    #[test]
    fn recipe_sets_defaults_and_keys_override_in_any_order() {
        let (exp, _) = Experiment::from_toml("epochs = 20\nrecipe = \"ap-paper\"").expect("valid");
        assert_eq!(
            (exp.epochs, exp.batch, exp.lr, exp.warmup_epochs),
            (20, 128, 0.03, 5)
        );
        assert_eq!(
            (
                exp.lr_milestones.clone(),
                exp.val_size,
                exp.momentum,
                exp.weight_decay
            ),
            (vec![55, 70], 5000, 0.9, 1e-4)
        );
        let (url, _) = Experiment::from_hash("epochs=20&recipe=ap-paper", &[]);
        assert_eq!(url, exp);
        assert!(
            exp.to_hash().starts_with("recipe=ap-paper&"),
            "{}",
            exp.to_hash()
        );
        assert!(
            !exp.to_hash().contains("batch="),
            "defaults of the recipe stay out of the URL"
        );
        let (back, _) =
            Experiment::from_toml(&exp.to_toml(&Native::default())).expect("round trip");
        assert_eq!(back, exp);
    }

    #[test]
    fn every_key_round_trips_through_url_and_toml() {
        let hashes = [
            "method=imp&imp_scope=global&ap=output&ap_timing=lite&schedule=gradual&target=5&gradual_start=1\
             &gradual_end=3&gradual_steps=4&retrain=lr-rewind&finetune_lr=0.01&act_reg=hoyer&act_reg_weight=0.5\
             &lr_milestones=2,3&warmup_epochs=1&epochs=4&val_size=100&ap_bias_k=1&taylor_batches=7&snip_batches=2\
             &lr_gamma=0.5&ap=none",
            "method=lap&lap_scope=layer&rewind_iteration=9&prune_classifier=false",
            "retrain=reinit",
        ];
        for hash in hashes {
            let (exp, notices) = Experiment::from_hash(hash, &[]);
            assert!(notices.is_empty(), "{hash}: {notices:?}");
            assert_eq!(Experiment::from_hash(&exp.to_hash(), &[]).0, exp);
            let (back, _) = Experiment::from_toml(&exp.to_toml(&Native::default())).expect("valid");
            assert_eq!(back, exp);
        }
    }

    /// A flag key reads a TOML boolean (or its word) and is written back as a boolean.
    #[test]
    fn prune_classifier_is_a_toml_boolean() {
        let (exp, _) = Experiment::from_toml("prune_classifier = false").expect("a boolean");
        assert_eq!(exp.prune_classifier, PruneClassifier::No);
        assert!(
            exp.to_toml(&Native::default())
                .contains("prune_classifier = false\n")
        );
        let (quoted, _) = Experiment::from_toml("prune_classifier = \"false\"").expect("its word");
        assert_eq!(quoted, exp);
        let err = Experiment::from_toml("model = true")
            .expect_err("not a model")
            .to_string();
        assert!(err.contains("model") && err.contains("lenet300"), "{err}");
    }

    /// `rewind_iteration` means a step of the first training to rewind to: only weight rewinding
    /// reads it, so any other regime with it set is an error, not a silently ignored key.
    #[test]
    fn rewind_iteration_needs_weight_rewinding() {
        for retrain in ["lr-rewind", "fine-tune", "reinit"] {
            let toml = format!("retrain = \"{retrain}\"\nrewind_iteration = 3");
            let err = Experiment::from_toml(&toml).expect_err(retrain).to_string();
            assert!(
                err.contains("rewind_iteration (3) applies to retrain = \"weight-rewind\""),
                "{err}"
            );
        }
        assert!(Experiment::from_toml("rewind_iteration = 3").is_ok());
    }

    #[test]
    fn density_keys_parse_from_url_and_toml_alike() {
        let hash = "model=vgg19&data=cifar10&method=density&epochs=30&rho_threshold=0.002&rho_epochs=3&delta_window=5&delta_slope=0.0005&density_nets=3&density_init=inherit";
        let (url, notices) = Experiment::from_hash(hash, &[]);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(
            (
                url.method,
                url.rho_threshold,
                url.rho_epochs,
                url.delta_window,
                url.delta_slope,
                url.density_nets
            ),
            (Method::Density, 0.002, 3, 5, 0.0005, 3)
        );
        assert_eq!(url.density_init, DensityInit::Inherit);
        let toml = "model = \"vgg19\"\ndata = \"cifar10\"\nmethod = \"density\"\nepochs = 30\nrho_threshold = 0.002\nrho_epochs = 3\ndelta_window = 5\ndelta_slope = 0.0005\ndensity_nets = 3\ndensity_init = \"inherit\"";
        let (file, _) = Experiment::from_toml(toml).expect("valid");
        assert_eq!(file, url);
        assert_eq!(Experiment::from_hash(&url.to_hash(), &[]).0, url);
        assert_eq!(
            Experiment::from_toml(&url.to_toml(&Native::default()))
                .expect("round trip")
                .0,
            url
        );
        let defaults = Experiment::default();
        assert_eq!(
            (
                defaults.rho_threshold,
                defaults.rho_epochs,
                defaults.delta_window,
                defaults.delta_slope
            ),
            (0.001, 2, 0, 0.0)
        );
        assert!(
            !defaults.to_hash().contains("rho_"),
            "density defaults stay out of AP URLs"
        );
        assert_eq!(
            url.to_hash(),
            "model=vgg19&data=cifar10&method=density&epochs=30&seed=1&rho_threshold=0.002&rho_epochs=3&delta_window=5&delta_slope=0.0005&density_nets=3&density_init=inherit"
        );
    }

    #[test]
    fn impossible_density_settings_have_one_line_reasons() {
        let err = |t: &str| {
            Experiment::from_toml(&format!(
                "method = \"density\"\nmodel = \"cnn\"\nepochs = 10\n{t}"
            ))
            .expect_err(t)
            .to_string()
        };
        let vit = Experiment::from_toml("method = \"density\"\nmodel = \"vit-b16\"\nepochs = 10")
            .expect_err("vit")
            .to_string();
        assert!(vit.contains("resizes layer widths of lenet300, cnn, resnet20, resnet56, vgg19, resnet18, not model = \"vit-b16\""), "{vit}");
        assert!(err("rho_threshold = 0").contains("rho_threshold (0) must be in (0, 1)"));
        assert!(err("rho_threshold = 1.5").contains("rho_threshold (1.5)"));
        assert!(
            err("rho_epochs = 0")
                .contains("rho_epochs (0) must be at least 1 and less than epochs (10)")
        );
        assert!(err("rho_epochs = 10").contains("rho_epochs (10)"));
        assert!(
            err("delta_window = 1")
                .contains("delta_window (1) must be 0 (the whole curve) or 2 to epochs (10)")
        );
        assert!(err("delta_window = 11").contains("delta_window (11)"));
        assert!(err("delta_slope = \"nan\"").contains("delta_slope"));
        assert!(err("density_nets = 1").contains("density_nets (1) must be between 2 and 100"));
        assert!(err("rho_epochs = -1").contains("rho_epochs must be a number"));
        // the AP keys do not apply to a density run
        assert!(
            Experiment::from_toml(
                "method = \"density\"\nmodel = \"cnn\"\nepochs = 10\np = 0\nq = 50\ncycles = 0"
            )
            .is_ok()
        );
    }

    #[test]
    fn a_state_object_without_the_density_keys_still_loads() {
        let mut json = serde_json::to_value(Experiment::default()).expect("json");
        for key in [
            "rho_threshold",
            "rho_epochs",
            "delta_window",
            "delta_slope",
            "density_nets",
            "density_init",
        ] {
            json.as_object_mut().expect("object").remove(key);
        }
        let exp: Experiment = serde_json::from_value(json).expect("older state");
        assert_eq!(exp, Experiment::default());
    }
}
