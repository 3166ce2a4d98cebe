//! `prunelab run --config FILE.toml --out DIR`: every run of the config's plan (variants ×
//! seeds, see `prunelab_core::plan`), each into its own folder with `config.toml`,
//! `results.json` and `cycle-NN.safetensors`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use prunelab_core::cycle::prunings;
use prunelab_core::plan::{Plan, PlannedRun};
use prunelab_core::report::RunResult;
use prunelab_core::state::Data;
use prunelab_data::Split;
use prunelab_engine::{Backend, EngineError, Event, Observer, native_device, run as run_engine};

use crate::{atomic, data, guard::guarded};

/// Writes each cycle's checkpoint and the results so far, atomically, as cycles finish.
struct Writer {
    out: PathBuf,
    result: RunResult,
    bar: ProgressBar,
}

impl Observer for Writer {
    fn on_event(&mut self, event: Event<'_>) -> Result<(), EngineError> {
        match event {
            Event::Status(s) => self.bar.println(s),
            Event::Epoch { cycle, epoch, loss, train_accuracy, remaining, .. } => {
                self.bar.inc(1);
                self.bar.set_message(format!(
                    "cycle {cycle} epoch {} λ={:.1}% loss {loss:.4} train acc {:.2}%",
                    epoch + 1,
                    remaining * 100.0,
                    train_accuracy * 100.0
                ));
            }
            Event::Cycle { entry, checkpoint } => {
                self.bar.println(format!(
                    "cycle {:>2}: λ {:>6.2}% test acc {:>6.2}% (early-stop {:>6.2}%) DNR static {:.2}% dynamic {:.2}% → pruned {} (base) + {} (AP){}",
                    entry.cycle,
                    entry.remaining * 100.0,
                    entry.test_accuracy * 100.0,
                    entry.early_stop_accuracy * 100.0,
                    entry.dnr.static_ * 100.0,
                    entry.dnr.dynamic * 100.0,
                    entry.pruned.base,
                    entry.pruned.ap,
                    if entry.pruned.boosted > 0 { format!(", {} biases raised", entry.pruned.boosted) } else { String::new() },
                ));
                let fail = |e: anyhow::Error| EngineError::Stopped(format!("{e:#}"));
                let path = self.out.join(format!("cycle-{:02}.safetensors", entry.cycle));
                atomic::write(&path, &checkpoint.to_bytes()?).map_err(fail)?;
                self.result.cycles.push(entry.clone());
                let json = serde_json::to_vec_pretty(&self.result).map_err(|e| EngineError::Stopped(e.to_string()))?;
                atomic::write(&self.out.join("results.json"), &json).map_err(fail)?;
            }
        }
        Ok(())
    }
}

fn run_dir(out: &Path, run: &PlannedRun) -> PathBuf {
    run.dir.as_ref().map_or_else(|| out.to_path_buf(), |d| out.join(d))
}

pub fn run(config: &Path, out: &Path, data_flag: Option<PathBuf>, backend_flag: Option<String>) -> Result<()> {
    let text = std::fs::read_to_string(config).with_context(|| format!("cannot read config {}", config.display()))?;
    let plan = Plan::from_toml(&text).with_context(|| format!("{}", config.display()))?;
    let backend: Backend = backend_flag.or(plan.backend.clone()).as_deref().unwrap_or("flex").parse().map_err(anyhow::Error::msg)?;
    if let Some(taken) = plan.runs.iter().map(|r| run_dir(out, r)).find(|d| d.join("results.json").exists()) {
        bail!("{} already holds a run (results.json); choose another --out", taken.display());
    }
    let root = data::data_root(data_flag);
    let mut splits: HashMap<Data, Split> = HashMap::new();
    for run in &plan.runs {
        if !splits.contains_key(&run.experiment.data) {
            splits.insert(run.experiment.data, data::load(run.experiment.data, &root)?);
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    if plan.runs.len() > 1 {
        atomic::write(&out.join("plan.toml"), text.as_bytes())?;
    }
    let hint = "for wgpu install a GPU or Vulkan driver (e.g. mesa-vulkan-drivers), or use backend = \"flex\"";
    guarded(hint, || {
        let device = native_device(backend);
        for (i, run) in plan.runs.iter().enumerate() {
            let exp = &run.experiment;
            let dir = run_dir(out, run);
            std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
            atomic::write(&dir.join("config.toml"), exp.to_toml(Some(&backend.to_string())).as_bytes())?;
            if plan.runs.len() > 1 {
                println!("run {}/{}: {} (seed {}) → {}", i + 1, plan.runs.len(), run.label, exp.seed, dir.display());
            }
            let bar = ProgressBar::new(u64::from(exp.epochs) * u64::from(prunings(exp) + 1));
            bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} epochs {elapsed} {msg}").unwrap_or_else(|_| ProgressStyle::default_bar()));
            let result = RunResult { label: run.label.clone(), seed: exp.seed, experiment: exp.to_hash(), cycles: Vec::new() };
            let mut writer = Writer { out: dir.clone(), result, bar };
            futures::executor::block_on(run_engine(exp, &splits[&exp.data], &device, &mut writer)).map_err(anyhow::Error::from)?;
            writer.bar.finish_and_clear();
            println!("wrote {}", dir.join("results.json").display());
        }
        Ok(())
    })
}
