//! A config file may describe several runs: the experiment at its top level, repeated for every
//! seed in `seeds = [1, 2, 3]` and for every `[[variant]]` table (keys overriding the top level,
//! plus an optional `label`). Each run gets a label — its row in `prunelab report` — and, when
//! there is more than one, its own folder `<label-slug>-<hash>/seed-<n>`, where the hash names
//! the experiment (OpenLTH-style, see [`config_hash`]): identical experiments share a folder (a
//! second run resumes or skips it), different ones never do.

use crate::state::{
    ActReg, Ap, ApTiming, Experiment, LiteLambda, Method, Native, Retrain, Schedule, Scope,
    StateError, Taylor,
};

/// Keys of a config file that are not experiment keys.
const PLAN_KEYS: &[&str] = &["seeds", "variant", "label"];

/// One run of a plan.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedRun {
    pub label: String,
    /// Folder under the output folder (`None`: the output folder itself, for a single run of
    /// `prunelab run`; [`PlannedRun::folder`] is the folder it gets inside a sweep).
    pub dir: Option<String>,
    pub experiment: Experiment,
}

/// Every run a config file asks for, in order (variants, then seeds within a variant).
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub runs: Vec<PlannedRun>,
    pub native: Native,
}

fn invalid(msg: String) -> StateError {
    StateError::Invalid(msg)
}

impl Plan {
    /// Parse and validate a config file (strict, like [`Experiment::from_toml`]).
    pub fn from_toml(text: &str) -> Result<Self, StateError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| StateError::Toml(e.message().trim().to_string()))?;
        let (base, native) = Experiment::from_table(&table, PLAN_KEYS)?;
        let seeds = seeds(&table)?;
        let variants = variants(&table, &base)?;
        let nested = seeds.is_some() || variants.len() > 1 || table.contains_key("variant");
        let mut runs = Vec::new();
        for (label, exp) in variants {
            for &seed in seeds.as_deref().unwrap_or(&[exp.seed]) {
                let experiment = Experiment {
                    seed,
                    ..exp.clone()
                };
                experiment
                    .validate()
                    .map_err(|e| invalid(format!("{label}: {e}")))?;
                let dir = nested.then(|| folder(&label, &experiment));
                runs.push(PlannedRun {
                    label: label.clone(),
                    dir,
                    experiment,
                });
            }
        }
        if let Some(dup) = runs
            .iter()
            .enumerate()
            .find(|(i, r)| runs[..*i].iter().any(|o| o.dir == r.dir))
        {
            return Err(invalid(format!(
                "two variants of `{}` are the same experiment: remove one",
                dup.1.label
            )));
        }
        Ok(Self { runs, native })
    }
}

fn seeds(table: &toml::Table) -> Result<Option<Vec<u64>>, StateError> {
    let Some(value) = table.get("seeds") else {
        return Ok(None);
    };
    let bad = || {
        invalid(
            "seeds must be a non-empty list of non-negative integers, e.g. seeds = [1, 2, 3]"
                .into(),
        )
    };
    let list = value.as_array().ok_or_else(bad)?;
    let seeds: Option<Vec<u64>> = list
        .iter()
        .map(|v| v.as_integer().and_then(|i| u64::try_from(i).ok()))
        .collect();
    seeds.filter(|s| !s.is_empty()).map(Some).ok_or_else(bad)
}

/// `(label, experiment)` per `[[variant]]`, or the top level alone.
fn variants(
    table: &toml::Table,
    base: &Experiment,
) -> Result<Vec<(String, Experiment)>, StateError> {
    let top_label = table
        .get("label")
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| invalid("label must be a string".into()))
        })
        .transpose()?;
    let Some(list) = table.get("variant") else {
        return Ok(vec![(
            top_label.unwrap_or_else(|| label(base)),
            base.clone(),
        )]);
    };
    let list = list
        .as_array()
        .ok_or_else(|| invalid("variant must be an array of tables: [[variant]]".into()))?;
    list.iter()
        .enumerate()
        .map(|(i, v)| {
            let at = |e: StateError| invalid(format!("variant {}: {e}", i + 1));
            let t = v
                .as_table()
                .ok_or_else(|| at(invalid("must be a table".into())))?;
            if let Some(key) = [
                "recipe",
                "seeds",
                "variant",
                "backend",
                "device",
                "precision",
            ]
            .iter()
            .find(|k| t.contains_key(**k))
            {
                return Err(at(invalid(format!(
                    "`{key}` belongs at the top of the config"
                ))));
            }
            let mut exp = base.clone();
            for (key, value) in t.iter().filter(|(k, _)| *k != "label") {
                let (one, _) = Experiment::from_table(
                    &toml::Table::from_iter([(key.clone(), value.clone())]),
                    &[],
                )
                .map_err(at)?;
                exp.set(key, &one.get(key).unwrap_or_default())
                    .map_err(at)?;
            }
            let name = match t.get("label") {
                Some(l) => l
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| at(invalid("label must be a string".into())))?,
                None => label(&exp),
            };
            Ok((name, exp))
        })
        .collect()
}

/// The row name of an experiment in the AP paper's tables: base method, AP variant, baselines,
/// and the schedule / retraining mode when they are not the defaults (e.g. `GM + AP-Pro`).
pub fn label(exp: &Experiment) -> String {
    if exp.method == Method::Density {
        return density_label(exp);
    }
    let base = match exp.method {
        Method::Gm => "GM",
        Method::Taylor => "GT",
        Method::Lamp => "LAMP",
        Method::Lap if exp.lap_scope == Scope::Layer => "LAP (layer-wise)",
        Method::Lap => "LAP",
        Method::Imp if exp.imp_scope == Scope::Global => "IMP (global)",
        Method::Imp => "IMP",
        Method::Random => "Random",
        Method::Snip => "SNIP",
        Method::L1Channel => "L1-channel",
        Method::L2Channel => "L2-channel",
        Method::Density => unreachable!("labelled by density_label"),
    };
    let timing = match exp.ap_timing {
        ApTiming::Pro => "Pro",
        ApTiming::Lite => "Lite",
    };
    let q = exp.q_percent();
    let mut out = match exp.ap {
        Ap::None => base.to_string(),
        Ap::Lite => format!("{base} + AP-Lite"),
        Ap::Pro => format!("{base} + AP-Pro"),
        Ap::Solo => format!("AP-{timing}-SOLO"),
        Ap::NoWr => format!("{base} + AP-{timing}-NO-WR"),
        Ap::Output => format!("{base} + AP-output"),
        Ap::Bias => format!("{base} + AP-bias-{}", exp.ap_bias_k.unwrap_or(0.0)),
    };
    if exp.ap != Ap::None && q != 2.0 {
        out += &format!(" (q={q})");
    }
    if exp.method == Method::Taylor && exp.taylor != Taylor::Sum {
        out += &format!(" [taylor={}]", exp.taylor);
    }
    if exp.ap_at_end_only() && exp.lite_lambda == LiteLambda::Baseline {
        out += " [baseline λ]";
    }
    out += match exp.act_reg {
        ActReg::None => "",
        ActReg::Hoyer => " + Boosted Hoyer",
        ActReg::L1 => " + L1 regularisation",
    };
    out += match exp.schedule {
        Schedule::Iterative => "",
        Schedule::OneShot => " (one-shot)",
        Schedule::Gradual => " (gradual)",
    };
    out += match exp.retrain {
        Retrain::WeightRewind if exp.rewind_iteration > 0 => " [rewind to k]",
        Retrain::WeightRewind => "",
        Retrain::LrRewind => " [LR rewinding]",
        Retrain::FineTune => " [fine-tuning]",
        Retrain::Reinit => " [reinit]",
    };
    out
}

/// A density run's row: `AE density`, with its criteria when they are not the paper's.
fn density_label(exp: &Experiment) -> String {
    let defaults = exp.recipe.defaults();
    let mut out = "AE density".to_string();
    for key in [
        "rho_threshold",
        "rho_epochs",
        "delta_window",
        "delta_slope",
        "density_init",
    ] {
        if exp.get(key) != defaults.get(key) {
            out += &format!(" ({key}={})", exp.get(key).unwrap_or_default());
        }
    }
    out += match exp.act_reg {
        ActReg::None => "",
        ActReg::Hoyer => " + Boosted Hoyer",
        ActReg::L1 => " + L1 regularisation",
    };
    out
}

impl PlannedRun {
    /// The run's folder inside a sweep: its own `dir`, or the one a plan would give it.
    pub fn folder(&self) -> String {
        self.dir
            .clone()
            .unwrap_or_else(|| folder(&self.label, &self.experiment))
    }
}

/// A run's folder: `<label-slug>[-to-<target>]-<hash>/seed-<n>`. The slug makes it readable (runs
/// of one row that stop at different λ, such as AP-Lite per column, share a label); the hash of
/// the experiment without its seed makes it unique.
fn folder(label: &str, exp: &Experiment) -> String {
    let name = match exp.target {
        Some(t) => format!("{}-to-{t}", slug(label)),
        None => slug(label),
    };
    format!("{name}-{}/seed-{}", config_hash(exp), exp.seed)
}

/// The identity of an experiment apart from its seed (OpenLTH names run folders this way): the
/// 64-bit FNV-1a hash of its canonical TOML — every key, in a fixed order, defaults included —
/// as 10 hex digits. Seeds of one experiment share it; any other change of a key changes it.
///
/// Keys added after folders were first named (the density keys) are left out while they hold
/// their defaults, so every experiment keeps the folder it had before they existed.
pub fn config_hash(exp: &Experiment) -> String {
    let defaults = exp.recipe.defaults();
    let later = [
        "rho_threshold",
        "rho_epochs",
        "delta_window",
        "delta_slope",
        "density_nets",
        "density_init",
    ];
    let at_default = |line: &&str| {
        later
            .iter()
            .any(|k| line.starts_with(&format!("{k} = ")) && exp.get(k) == defaults.get(k))
    };
    let text = Experiment {
        seed: 0,
        ..exp.clone()
    }
    .to_toml(&Native::default());
    let canonical: String = text
        .lines()
        .filter(|l| !at_default(l))
        .map(|l| format!("{l}\n"))
        .collect();
    let hash = canonical.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{:010x}", hash >> 24)
}

/// A folder name for a label: lower-case letters, digits and single dashes.
pub fn slug(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "run".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_times_seeds_with_labels_and_folders() {
        let plan = Plan::from_toml(
            "model = \"lenet300\"\nseeds = [1, 2]\nbackend = \"flex\"\n\
             [[variant]]\nap = \"none\"\n[[variant]]\nap = \"lite\"\n[[variant]]\nap = \"bias\"\nap_bias_k = 0.5\n\
             [[variant]]\nlabel = \"q = 5\"\nq = 5\n",
        )
        .expect("valid plan");
        let got: Vec<(&str, String, u64)> = plan
            .runs
            .iter()
            .map(|r| (r.label.as_str(), unhashed(&r.folder()), r.experiment.seed))
            .collect();
        assert_eq!(
            got,
            vec![
                ("GM", "gm-H/seed-1".into(), 1),
                ("GM", "gm-H/seed-2".into(), 2),
                ("GM + AP-Lite", "gm-ap-lite-H/seed-1".into(), 1),
                ("GM + AP-Lite", "gm-ap-lite-H/seed-2".into(), 2),
                ("GM + AP-bias-0.5", "gm-ap-bias-0.5-H/seed-1".into(), 1),
                ("GM + AP-bias-0.5", "gm-ap-bias-0.5-H/seed-2".into(), 2),
                ("q = 5", "q-5-H/seed-1".into(), 1),
                ("q = 5", "q-5-H/seed-2".into(), 2),
            ]
        );
        // Seeds of one variant share the hash; variants differ.
        let hashes: Vec<String> = plan
            .runs
            .iter()
            .map(|r| r.folder().split('/').next().unwrap_or("").to_string())
            .collect();
        assert_eq!(hashes[0], hashes[1]);
        assert_ne!(hashes[0], hashes[2]);
        assert_eq!(plan.native.backend.as_deref(), Some("flex"));
    }

    /// Folders named before the density keys existed keep their names: the hash of an AP
    /// experiment is FNV-1a of its TOML without those keys.
    #[test]
    fn density_keys_at_their_defaults_leave_folder_names_alone() {
        let exp = Experiment::from_toml("lr = 0.1").expect("valid").0;
        let old: String = exp
            .to_toml(&Native::default())
            .lines()
            .filter(|l| {
                !l.starts_with("rho_") && !l.starts_with("delta_") && !l.starts_with("density_")
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let old = old.replace("seed = 1\n", "seed = 0\n");
        let fnv = old.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        assert_eq!(config_hash(&exp), format!("{:010x}", fnv >> 24));
        let density = Experiment::from_toml("method = \"density\"\nmodel = \"cnn\"\nepochs = 5")
            .expect("valid")
            .0;
        assert_eq!(label(&density), "AE density");
        assert_eq!(
            label(&Experiment {
                rho_epochs: 3,
                ..density
            }),
            "AE density (rho_epochs=3)"
        );
    }

    #[test]
    fn config_hash_names_the_experiment_not_the_seed() {
        let exp = |t: &str| Experiment::from_toml(t).expect("valid").0;
        let h = config_hash(&exp("lr = 0.1"));
        assert_eq!(h.len(), 10);
        assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(h, config_hash(&exp("lr = 0.1\nseed = 9")));
        assert_eq!(h, config_hash(&exp("seed = 3\nlr = 0.1")));
        assert_ne!(h, config_hash(&exp("lr = 0.2")));
        assert_ne!(
            h,
            config_hash(&exp("lr = 0.1\nrho_threshold = 0.01")),
            "a density key off its default names another experiment"
        );
        // Same label, different experiment: different folders, no clash.
        let plan =
            Plan::from_toml("[[variant]]\nlr = 0.1\n[[variant]]\nlr = 0.2").expect("two runs");
        assert_eq!(plan.runs[0].label, plan.runs[1].label);
        assert_ne!(plan.runs[0].dir, plan.runs[1].dir);
    }

    /// A folder with its 10-digit hash replaced by `H`.
    fn unhashed(folder: &str) -> String {
        let (name, seed) = folder.split_once('/').unwrap_or((folder, ""));
        let cut = name.len().saturating_sub(10);
        assert!(
            name[cut..].chars().all(|c| c.is_ascii_hexdigit()),
            "{folder}"
        );
        format!("{}H/{seed}", &name[..cut])
    }

    #[test]
    fn a_plain_config_is_one_run_in_the_output_folder() {
        let plan = Plan::from_toml("ap = \"pro\"\nseed = 4").expect("valid");
        assert_eq!(plan.runs.len(), 1);
        assert_eq!(
            (
                plan.runs[0].label.as_str(),
                plan.runs[0].dir.as_deref(),
                plan.runs[0].experiment.seed
            ),
            ("GM + AP-Pro", None, 4)
        );
    }

    #[test]
    fn bad_plans_name_the_variant() {
        let err = |t: &str| Plan::from_toml(t).expect_err(t).to_string();
        assert!(
            err("[[variant]]\nap = \"bias\"")
                .contains("GM + AP-bias-0: ap = \"bias\" needs ap_bias_k")
        );
        assert!(
            err("[[variant]]\nmethod = \"obd\"").starts_with("variant 1: unknown method `obd`")
        );
        assert!(err("seeds = []").contains("seeds must be a non-empty list"));
        assert!(
            err("[[variant]]\nap = \"lite\"\n[[variant]]\nap = \"lite\"")
                .contains("two variants of `GM + AP-Lite` are the same experiment")
        );
        let per_column = Plan::from_toml(
            "cycles = 50\nap = \"lite\"\n[[variant]]\ntarget = 30\n[[variant]]\ntarget = 10",
        )
        .expect("one row, two runs");
        let dirs: Vec<_> = per_column
            .runs
            .iter()
            .map(|r| (r.label.as_str(), unhashed(&r.folder())))
            .collect();
        assert_eq!(
            dirs,
            vec![
                ("GM + AP-Lite", "gm-ap-lite-to-30-H/seed-1".into()),
                ("GM + AP-Lite", "gm-ap-lite-to-10-H/seed-1".into())
            ]
        );
        assert!(err("[[variant]]\nrecipe = \"ap-paper\"").contains("`recipe` belongs at the top"));
    }

    #[test]
    fn labels_follow_the_paper() {
        let exp = |hash: &str| Experiment::from_hash(hash, &[]).0;
        assert_eq!(
            label(&exp("method=taylor&ap=solo&ap_timing=lite")),
            "AP-Lite-SOLO"
        );
        assert_eq!(label(&exp("method=lap&ap=no-wr")), "LAP + AP-Pro-NO-WR");
        assert_eq!(label(&exp("ap=none&act_reg=hoyer")), "GM + Boosted Hoyer");
        assert_eq!(label(&exp("ap=lite&q=auto&p=30")), "GM + AP-Lite (q=3)");
        assert_eq!(slug("GM + AP-bias-0.5"), "gm-ap-bias-0.5");
    }
}
