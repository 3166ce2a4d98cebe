//! `prunelab run --config FILE.toml --out DIR` and `prunelab sweep CONFIG... --out DIR --shard i/n`:
//! every run of the configs' plans (variants × seeds, see `prunelab_core::plan`), each into its
//! own folder with `config.toml`, `results.json`, `cycle-NN.safetensors` (`net-NN.safetensors`,
//! net_i at its widths, for `method = "density"`) and, while it goes on, `resume.safetensors`
//! (written atomically after every epoch and at every cycle boundary). A finished density run
//! then measures the inference throughput of every net_i on the run's backend (images/s, into
//! `results.json`), so the report sets the measured speed-up beside the MAC reduction.
//! Running again into the same folder resumes an unfinished run exactly and skips a finished one;
//! a folder holding another experiment is refused without touching it. One process writes a
//! folder at a time (`lock`): `run` refuses a folder another process holds, `sweep` skips it.
//! A run whose training diverges (a loss or weight no longer finite) is finished and failed:
//! `results.json` records where (`diverged`), the last good checkpoint and resume snapshot stay,
//! the other runs go on, and the command ends with [`Diverged`] (exit status 3).

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use prunelab_core::Experiment;
use prunelab_core::cycle::prunings;
use prunelab_core::plan::{Plan, PlannedRun};
use prunelab_core::report::{Divergence, RunResult};
use prunelab_core::state::{Data, Method, Native};
use prunelab_engine::{Checkpoint, EngineError, Event, Observer, Source, run_from};

use crate::bench_cmd::inference_rates;
use crate::lock::{self, Acquired};
use crate::target::{Flags, Target};
use crate::{atomic, data};

const RESUME: &str = "resume.safetensors";
const RESULTS: &str = "results.json";

/// Writes each cycle's checkpoint, the results so far and the resume snapshot, atomically.
struct Writer {
    out: PathBuf,
    result: RunResult,
    bar: ProgressBar,
    experiment: String,
    epochs: u64,
    /// What one training is called in progress lines: `cycle` or, for density runs, `net`.
    unit: &'static str,
}

impl Writer {
    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), EngineError> {
        atomic::write(&self.out.join(name), bytes)
            .map_err(|e| EngineError::Observer(format!("{e:#}")))
    }

    fn write_results(&self) -> Result<(), EngineError> {
        let json = serde_json::to_vec_pretty(&self.result)
            .map_err(|e| EngineError::Observer(e.to_string()))?;
        self.write(RESULTS, &json)
    }

    /// A line above the progress bar, or on stderr when that is no terminal (the bar is hidden).
    fn say(&self, line: String) {
        if std::io::stderr().is_terminal() {
            self.bar.println(line)
        } else {
            eprintln!("{line}")
        }
    }
}

impl Observer for Writer {
    fn on_event(&mut self, event: Event<'_>) -> Result<(), EngineError> {
        match event {
            Event::Status(s) if std::io::stderr().is_terminal() => self.bar.println(s),
            Event::Status(s) => eprintln!("{s}"),
            Event::Epoch {
                cycle,
                epoch,
                loss,
                train_accuracy,
                remaining,
                dnr,
            } => {
                // a density net is dense: its progress is its total AE (eq. 1 = 1 − DNR over all units)
                let state = match self.unit {
                    "net" => format!("AE={:.4}", 1.0 - dnr.static_ - dnr.dynamic),
                    _ => format!("λ={:.1}%", remaining * 100.0),
                };
                let line = format!(
                    "{} {cycle} epoch {} {state} loss {loss:.4} train acc {:.2}%",
                    self.unit,
                    epoch + 1,
                    train_accuracy * 100.0
                );
                self.bar.inc(1);
                // Batch schedulers capture stderr: one line per epoch there instead of a bar.
                if !std::io::stderr().is_terminal() {
                    eprintln!("{line}");
                }
                self.bar.set_message(line);
            }
            Event::Cycle {
                entry, checkpoint, ..
            } => {
                self.bar.println(format!(
                    "cycle {:>2}: λ {:>6.2}% test acc {:>6.2}% (early-stop {:>6.2}%) DNR static {:.2}% dynamic {:.2}% → pruned {} (base) + {} (AP){}",
                    entry.cycle,
                    entry.remaining * 100.0,
                    entry.test_accuracy * 100.0,
                    entry.early_stop_accuracy * 100.0,
                    entry.reported_dnr().static_ * 100.0,
                    entry.reported_dnr().dynamic * 100.0,
                    entry.pruned.base,
                    entry.pruned.ap,
                    if entry.pruned.boosted > 0 { format!(", {} biases raised", entry.pruned.boosted) } else { String::new() },
                ));
                self.write(
                    &format!("cycle-{:02}.safetensors", entry.cycle),
                    &checkpoint.to_bytes()?,
                )?;
                self.result.cycles.push(entry.clone());
                self.write_results()?;
            }
            Event::Net { entry, checkpoint } => {
                self.say(format!(
                    "net{}: widths {:?} test acc {:.2}% parameters ÷{:.2} MACs ÷{:.2} ρ at epoch {} AE slope {:+.2e}{}",
                    entry.net,
                    entry.widths,
                    entry.test_accuracy * 100.0,
                    entry.parameters_reduction,
                    entry.ops_reduction,
                    entry.epochs_to_rho.map_or_else(|| format!("— ({} epochs, not saturated)", entry.epochs), |e| e.to_string()),
                    entry.slope,
                    if entry.rising { " (δ: rising)" } else { "" },
                ));
                self.write(
                    &format!("net-{:02}.safetensors", entry.net),
                    &checkpoint.to_bytes()?,
                )?;
                self.result.nets.push(entry.clone());
                self.write_results()?;
            }
            Event::Snapshot(snapshot) => {
                let p = &snapshot.progress;
                self.result.cycles.clone_from(&p.entries);
                if let Some(density) = &p.density {
                    self.result.nets.clone_from(&density.nets);
                }
                self.bar
                    .set_position(u64::from(p.cycle) * self.epochs + u64::from(p.epoch));
                self.write(
                    RESUME,
                    &snapshot.to_checkpoint(&self.experiment)?.to_bytes()?,
                )?;
            }
        }
        Ok(())
    }

    fn wants_snapshots(&self) -> bool {
        true
    }
}

/// How a run folder starts.
enum Start {
    Fresh,
    /// A resume file of this experiment; read in full only when its run starts.
    Resume(PathBuf),
    /// Finished: complete, or diverged at this point.
    Done(Option<Divergence>),
}

/// The runs whose training diverged, with where: the error of a `run` or `sweep` that finished
/// every run it could (`main` exits with status 3 for it).
#[derive(Debug)]
pub struct Diverged(pub Vec<(PathBuf, Divergence)>);

impl std::fmt::Display for Diverged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.as_slice() {
            [(dir, at)] => write!(
                f,
                "training diverged at {at} (a loss or a weight is no longer a finite number); \
                 {} records it, and the last good checkpoint and {RESUME} are kept",
                dir.join(RESULTS).display()
            ),
            runs => {
                let each: Vec<String> = runs
                    .iter()
                    .map(|(dir, at)| format!("{} ({at})", dir.display()))
                    .collect();
                write!(f, "{} runs diverged: {}", runs.len(), each.join(", "))
            }
        }
    }
}

impl std::error::Error for Diverged {}

/// Decide from what `dir` holds; refuse a folder of another experiment (nothing is written).
fn start(dir: &Path, experiment: &str) -> Result<Start> {
    let results = dir.join(RESULTS);
    if results.exists() {
        let bytes = std::fs::read(&results)
            .with_context(|| format!("cannot read {}", results.display()))?;
        let done: RunResult = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a prunelab results file", results.display()))?;
        if done.experiment != experiment {
            bail!(
                "{} holds another experiment ({}); choose another --out",
                dir.display(),
                done.experiment
            );
        }
        if done.complete {
            return Ok(Start::Done(done.diverged));
        }
    }
    let resume = dir.join(RESUME);
    if !resume.exists() {
        if results.exists() {
            bail!(
                "{} holds an unfinished run without {RESUME}; choose another --out",
                dir.display()
            );
        }
        return Ok(Start::Fresh);
    }
    if resume_experiment(&resume)?.is_some_and(|e| e != experiment) {
        bail!(
            "{} holds another experiment; choose another --out",
            dir.display()
        );
    }
    Ok(Start::Resume(resume))
}

/// The `experiment` metadata of a resume file, from its safetensors header alone (an 8-byte
/// little-endian length, then that much JSON), so a sweep checks its folders without reading weights.
fn resume_experiment(path: &Path) -> Result<Option<String>> {
    use std::io::Read;
    let bad = || anyhow::anyhow!("{} is not a readable safetensors file", path.display());
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut len = [0u8; 8];
    file.read_exact(&mut len).map_err(|_| bad())?;
    let len = usize::try_from(u64::from_le_bytes(len)).map_err(|_| bad())?;
    let mut header = Vec::new();
    file.take(len as u64)
        .read_to_end(&mut header)
        .map_err(|_| bad())?;
    let header: serde_json::Value = serde_json::from_slice(&header).map_err(|_| bad())?;
    Ok(header["__metadata__"]["experiment"]
        .as_str()
        .map(str::to_string))
}

/// Read a resume file in full.
fn read_resume(path: &Path) -> Result<Checkpoint> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Checkpoint::from_bytes(&bytes).with_context(|| path.display().to_string())
}

/// `(folder, run)` pairs of the runs to do.
pub type Runs = Vec<(PathBuf, PlannedRun)>;

/// `prunelab run`: the plan of one config; a single run goes into `out` itself.
pub fn run(config: &Path, out: &Path, data_flag: Option<PathBuf>, flags: Flags) -> Result<()> {
    let (plan, text) = read_plan(config)?;
    let runs = plan
        .runs
        .iter()
        .map(|r| {
            (
                r.dir
                    .as_ref()
                    .map_or_else(|| out.to_path_buf(), |d| out.join(d)),
                r.clone(),
            )
        })
        .collect();
    let plan_file = (plan.runs.len() > 1).then(|| (out.join("plan.toml"), text));
    execute(
        runs,
        OnBusy::Fail,
        Target::new(&plan.native, flags)?,
        data_flag,
        plan_file,
    )
}

/// `prunelab sweep`: the runs of several configs, every run in its own hashed folder under `out`;
/// with `shard = (i, n)` only the runs whose position in that list is i modulo n. A run that
/// several configs share (same label and experiment, hence the same folder) is listed once, so no
/// two shards ever work in one folder.
pub fn sweep(
    configs: &[PathBuf],
    out: &Path,
    shard: (usize, usize),
    data_flag: Option<PathBuf>,
    flags: Flags,
) -> Result<()> {
    let mut runs = Vec::new();
    let mut native = Native::default();
    for config in configs {
        let (plan, _) = read_plan(config)?;
        native.backend = native.backend.or(plan.native.backend);
        native.device = native.device.or(plan.native.device);
        native.precision = native.precision.or(plan.native.precision);
        for run in plan.runs {
            let dir = out.join(run.folder());
            if !runs.iter().any(|(d, _)| *d == dir) {
                runs.push((dir, run));
            }
        }
    }
    let (i, n) = shard;
    let total = runs.len();
    let mine: Runs = runs
        .into_iter()
        .enumerate()
        .filter(|(k, _)| k % n == i)
        .map(|(_, r)| r)
        .collect();
    println!("shard {i}/{n}: {} of {total} runs", mine.len());
    execute(
        mine,
        OnBusy::Skip,
        Target::new(&native, flags)?,
        data_flag,
        None,
    )
}

/// Parse `i/n` (0 ≤ i < n).
pub fn parse_shard(s: &str) -> Result<(usize, usize)> {
    let bad = || anyhow::anyhow!("--shard must be i/n with 0 <= i < n (e.g. 0/4), got `{s}`");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

fn read_plan(config: &Path) -> Result<(Plan, String)> {
    let text = std::fs::read_to_string(config)
        .with_context(|| format!("cannot read config {}", config.display()))?;
    let plan = Plan::from_toml(&text).with_context(|| format!("{}", config.display()))?;
    Ok((plan, text))
}

/// What to do with a run whose folder another process is writing.
#[derive(Clone, Copy)]
enum OnBusy {
    /// `prunelab run`: stop with an error naming the holder.
    Fail,
    /// `prunelab sweep`: say so and go on with the next run.
    Skip,
}

/// Run (or resume, or skip) every run, each into its folder under that folder's lock
/// ([`crate::lock`]); `plan_file` (a copy of the config) is written once the backend, the folders
/// and the data have been checked.
fn execute(
    runs: Runs,
    on_busy: OnBusy,
    target: Target,
    data_flag: Option<PathBuf>,
    plan_file: Option<(PathBuf, String)>,
) -> Result<()> {
    let starts = runs
        .iter()
        .map(|(dir, run)| start(dir, &run.experiment.to_hash()))
        .collect::<Result<Vec<_>>>()?;
    let root = data::data_root(data_flag);
    let mut splits: HashMap<Data, Source> = HashMap::new();
    for ((_, run), start) in runs.iter().zip(&starts) {
        let d = run.experiment.data;
        if !matches!(start, Start::Done(_)) && !splits.contains_key(&d) {
            splits.insert(d, data::load(d, &root)?);
        }
    }
    if let Some((path, text)) = plan_file {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        atomic::write(&path, text.as_bytes())?;
    }
    target.on(|device| {
        let total = runs.len();
        let mut diverged = Vec::new();
        for (i, (dir, run)) in runs.iter().enumerate() {
            let exp = &run.experiment;
            if total > 1 {
                println!(
                    "run {}/{total}: {} (seed {}) → {}",
                    i + 1,
                    run.label,
                    exp.seed,
                    dir.display()
                );
            }
            let _lock = match lock::acquire(dir)? {
                Acquired::Held(lock) => lock,
                Acquired::Busy(pid) => {
                    let holder = pid.map_or_else(
                        || "another prunelab process".to_string(),
                        |pid| format!("prunelab process {pid}"),
                    );
                    let busy = format!("{} is being written by {holder}", dir.display());
                    match on_busy {
                        OnBusy::Fail => {
                            bail!("{busy}; wait for it to finish or choose another --out")
                        }
                        OnBusy::Skip => {
                            println!("{busy}; skipped");
                            continue;
                        }
                    }
                }
            };
            atomic::remove_leftovers(dir)?;
            // Decided again under the lock: another writer may have advanced or finished it.
            let resume = match start(dir, &exp.to_hash())? {
                Start::Done(None) => {
                    println!("{} is complete; skipped", dir.display());
                    continue;
                }
                Start::Done(Some(at)) => {
                    println!(
                        "{} diverged at {at}; skipped (remove the folder to run it again)",
                        dir.display()
                    );
                    continue;
                }
                Start::Resume(path) => Some(read_resume(&path)?),
                Start::Fresh => None,
            };
            atomic::write(
                &dir.join("config.toml"),
                exp.to_toml(&target.native()).as_bytes(),
            )?;
            let density = exp.method == Method::Density;
            let trainings = if density {
                exp.density_nets
            } else {
                prunings(exp) + 1
            };
            let bar = ProgressBar::new(u64::from(exp.epochs) * u64::from(trainings));
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} epochs {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let result = RunResult {
                label: run.label.clone(),
                seed: exp.seed,
                experiment: exp.to_hash(),
                cycles: Vec::new(),
                complete: false,
                diverged: None,
                nets: Vec::new(),
            };
            let unit = if density { "net" } else { "cycle" };
            let mut writer = Writer {
                out: dir.clone(),
                result,
                bar,
                experiment: exp.to_hash(),
                epochs: u64::from(exp.epochs),
                unit,
            };
            let source = &splits[&exp.data];
            let done = futures::executor::block_on(run_from(
                exp,
                source,
                device,
                &mut writer,
                resume.as_ref(),
            ));
            writer.bar.finish_and_clear();
            let done = match done {
                Err(EngineError::Diverged(at)) => {
                    writer.result.complete = true;
                    writer.result.diverged = Some(at);
                    writer.write_results()?;
                    if total > 1 {
                        println!("{} diverged at {at}; going on", dir.display());
                    }
                    diverged.push((dir.clone(), at));
                    continue;
                }
                done => done?,
            };
            writer.result = RunResult {
                label: run.label.clone(),
                ..done
            };
            if density {
                measure_inference(&mut writer.result, exp, source, device)?;
            }
            writer.write_results()?;
            std::fs::remove_file(dir.join(RESUME))
                .with_context(|| format!("cannot remove {}", dir.join(RESUME).display()))?;
            println!("wrote {}", dir.join(RESULTS).display());
        }
        if diverged.is_empty() {
            Ok(())
        } else {
            Err(Diverged(diverged).into())
        }
    })
}

/// Inference throughput of every net of a density run on `device` (see
/// [`crate::bench_cmd::inference_rates`]) into `images_per_s`, at the run's evaluation batch size
/// (at least 256 images).
fn measure_inference(
    result: &mut RunResult,
    exp: &Experiment,
    source: &Source,
    device: &burn::prelude::Device,
) -> Result<()> {
    let (train, _) = source.splits()?;
    let batch = exp.batch.max(256);
    let widths: Vec<Vec<usize>> = result.nets.iter().map(|n| n.widths.clone()).collect();
    let rates = inference_rates(
        exp.model,
        train.shape(),
        train.classes(),
        &widths,
        device,
        batch,
    )?;
    for (entry, rate) in result.nets.iter_mut().zip(&rates) {
        entry.images_per_s = Some(*rate);
        println!(
            "net{}: {rate:.0} images/s inference (batch {batch}), {:.2}× net0, MACs ÷{:.2}",
            entry.net,
            rate / rates[0].max(1e-9),
            entry.ops_reduction
        );
    }
    Ok(())
}
