//! `prunelab run --config FILE.toml --out DIR`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use prunelab_core::Experiment;
use prunelab_core::report::CycleEntry;
use prunelab_engine::{Backend, EngineError, Event, Observer, native_device, run as run_engine};

use crate::{atomic, data, guard::guarded};

/// Writes each cycle's checkpoint and the results so far, atomically, as cycles finish.
struct Writer {
    out: PathBuf,
    entries: Vec<CycleEntry>,
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
                    "cycle {:>2}: λ {:>6.2}% test acc {:>6.2}% DNR static {:.2}% dynamic {:.2}% → pruned {} (base) + {} (AP)",
                    entry.cycle,
                    entry.remaining * 100.0,
                    entry.test_accuracy * 100.0,
                    entry.dnr.static_ * 100.0,
                    entry.dnr.dynamic * 100.0,
                    entry.pruned.base,
                    entry.pruned.ap
                ));
                let fail = |e: anyhow::Error| EngineError::Stopped(format!("{e:#}"));
                let path = self.out.join(format!("cycle-{:02}.safetensors", entry.cycle));
                atomic::write(&path, &checkpoint.to_bytes()?).map_err(fail)?;
                self.entries.push(entry.clone());
                let json = serde_json::to_vec_pretty(&self.entries).map_err(|e| EngineError::Stopped(e.to_string()))?;
                atomic::write(&self.out.join("results.json"), &json).map_err(fail)?;
            }
        }
        Ok(())
    }
}

pub fn run(config: &Path, out: &Path, data_flag: Option<PathBuf>, backend_flag: Option<String>) -> Result<()> {
    let text = std::fs::read_to_string(config).with_context(|| format!("cannot read config {}", config.display()))?;
    let (exp, backend) = Experiment::from_toml(&text).with_context(|| format!("{}", config.display()))?;
    let backend: Backend = backend_flag.or(backend).as_deref().unwrap_or("flex").parse().map_err(anyhow::Error::msg)?;
    if out.join("results.json").exists() {
        bail!("{} already holds a run (results.json); choose another --out", out.display());
    }
    let split = data::load(exp.data, &data::data_root(data_flag))?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    atomic::write(&out.join("config.toml"), exp.to_toml(Some(&backend.to_string())).as_bytes())?;
    let bar = ProgressBar::new(u64::from(exp.epochs) * u64::from(exp.cycles + 1));
    bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} epochs {elapsed} {msg}").unwrap_or_else(|_| ProgressStyle::default_bar()));
    let mut writer = Writer { out: out.to_path_buf(), entries: Vec::new(), bar };
    let hint = "for wgpu install a GPU or Vulkan driver (e.g. mesa-vulkan-drivers), or use backend = \"flex\"";
    guarded(hint, || {
        let device = native_device(backend);
        futures::executor::block_on(run_engine(&exp, &split, &device, &mut writer)).map_err(anyhow::Error::from)
    })?;
    writer.bar.finish_and_clear();
    println!("wrote {}", out.join("results.json").display());
    Ok(())
}
