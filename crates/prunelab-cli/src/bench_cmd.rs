//! `prunelab bench`: training throughput of one model on one backend (images/s, ms/step), the
//! pruning machinery's overhead (`--overhead`); with `--run DIR`, inference throughput of every
//! net_i of a finished activation-density run beside its MAC reduction (net0 is the peer,
//! measured in the same process); `prunelab bench-selection`: one pruning selection's cost.
//! Each prints JSON.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use burn::prelude::Device;
use prunelab_core::Experiment;
use prunelab_core::report::RunResult;
use prunelab_core::state::Model;
use prunelab_engine::bench;
use prunelab_engine::bench::SelectionInput;

use crate::atomic;
use crate::target::Target;

pub struct Args {
    pub model: String,
    pub target: Target,
    pub batch: usize,
    pub steps: usize,
    pub channels: usize,
    pub size: usize,
    /// prunelab's WGSL kernels on (wgpu) or burn's operations.
    pub kernels: bool,
}

impl Args {
    fn experiment(&self) -> Result<Experiment> {
        let mut exp = Experiment::default();
        exp.set("model", &self.model)?;
        exp.set("batch", &self.batch.to_string())?;
        exp.validate()?;
        Ok(exp)
    }

    fn json_head(&self) -> String {
        let (model, backend, batch, c, s) = (
            &self.model,
            &self.target.backend,
            self.batch,
            self.channels,
            self.size,
        );
        let device = self
            .target
            .place
            .map_or_else(|| "default".to_string(), |p| p.to_string());
        let precision = self.target.precision;
        format!(
            "\"model\": \"{model}\", \"backend\": \"{backend}\", \"device\": \"{device}\", \"precision\": \"{precision}\", \"batch\": {batch}, \"input\": [{c}, {s}, {s}], \"kernels\": {}",
            self.kernels
        )
    }
}

/// Run `f` on the backend's device, turning a missing GPU into a message.
fn on_device<T>(args: &Args, f: impl FnOnce(&burn::prelude::Device) -> Result<T>) -> Result<T> {
    prunelab_kernels::set_enabled(args.kernels);
    args.target.on(f)
}

pub fn bench(args: &Args) -> Result<()> {
    let exp = args.experiment()?;
    let origin = Instant::now();
    let input = [args.channels, args.size, args.size];
    let step = on_device(args, |device| {
        Ok(futures::executor::block_on(bench::training_step(
            &exp,
            input,
            device,
            args.steps,
            || origin.elapsed(),
        ))?)
    })?;
    let ms = step.as_secs_f64() * 1e3;
    println!(
        "{{{}, \"ms_per_step\": {ms:.1}, \"images_per_s\": {:.1}}}",
        args.json_head(),
        args.batch as f64 / step.as_secs_f64()
    );
    Ok(())
}

pub fn overhead(args: &Args, repeats: usize) -> Result<()> {
    let exp = args.experiment()?;
    let origin = Instant::now();
    let input = [args.channels, args.size, args.size];
    let (with, without) = on_device(args, |device| {
        let (mut with, mut without) = (Duration::MAX, Duration::MAX);
        for _ in 0..repeats.max(1) {
            for machinery in [true, false] {
                let t = futures::executor::block_on(bench::machinery_step(
                    &exp,
                    input,
                    device,
                    args.steps,
                    machinery,
                    || origin.elapsed(),
                ))?;
                let best = if machinery { &mut with } else { &mut without };
                *best = (*best).min(t);
            }
        }
        Ok((with, without))
    })?;
    let (a, b) = (with.as_secs_f64() * 1e3, without.as_secs_f64() * 1e3);
    println!(
        "{{{}, \"ms_with_machinery\": {a:.2}, \"ms_without\": {b:.2}, \"overhead_percent\": {:.2}}}",
        args.json_head(),
        (a / b - 1.0) * 100.0
    );
    Ok(())
}

pub fn selection(model: &str, method: &str, repeats: usize, dump: Option<&Path>) -> Result<()> {
    let mut exp = Experiment::default();
    for (key, value) in [
        ("model", model),
        ("method", method),
        ("ap", "pro"),
        ("p", "20"),
        ("q", "2"),
    ] {
        exp.set(key, value)?;
    }
    exp.validate()?;
    let (input, classes) = if matches!(model, "resnet50" | "vit-b16") {
        ([3, 224, 224], 1000)
    } else {
        ([3, 32, 32], 10)
    };
    let data = SelectionInput::new(&exp, input, classes);
    if let Some(dir) = dump {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for (name, values) in [
            ("theta_star.f32", &data.theta_star),
            ("theta0.f32", &data.theta0),
        ] {
            let bytes: Vec<u8> = values
                .iter()
                .flatten()
                .flat_map(|w| w.to_le_bytes())
                .collect();
            atomic::write(&dir.join(name), &bytes)?;
        }
    }
    let mut best = Duration::MAX;
    let mut counts = None;
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        counts = Some(data.select(&exp)?);
        best = best.min(start.elapsed());
    }
    let counts = counts.expect("one repeat");
    println!(
        "{{\"model\": \"{model}\", \"method\": \"{method}\", \"ap\": \"pro\", \"weights\": {}, \"pruned_base\": {}, \"pruned_ap\": {}, \"ms\": {:.1}}}",
        data.weights(),
        counts.base,
        counts.ap,
        best.as_secs_f64() * 1e3
    );
    Ok(())
}

/// Rounds of inference timing, and seconds each net is timed for per round.
const ROUNDS: usize = 3;
const SECONDS: f64 = 0.4;

/// Inference images/s of `model` at each of `widths` on `device`, batches of `batch` random
/// images: the nets take turns for [`ROUNDS`] rounds and each keeps its best round, so a busy
/// moment of the machine does not fall on one net only.
pub fn inference_rates(
    model: Model,
    input: [usize; 3],
    classes: usize,
    widths: &[Vec<usize>],
    device: &Device,
    batch: usize,
) -> Result<Vec<f64>> {
    let origin = Instant::now();
    let mut best = vec![0.0f64; widths.len()];
    for _ in 0..ROUNDS {
        for (w, best) in widths.iter().zip(&mut best) {
            let rate = futures::executor::block_on(bench::inference(
                model,
                input,
                classes,
                w,
                device,
                batch,
                SECONDS,
                || origin.elapsed(),
            ))?;
            *best = best.max(rate);
        }
    }
    Ok(best)
}

/// `prunelab bench --run DIR`: every net of the density run in DIR (its `results.json` and
/// `net-00.safetensors` metadata), timed on `backend`, as JSON.
pub fn bench_run(dir: &Path, target: &Target, batch: usize) -> Result<()> {
    let path = dir.join("results.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let run: RunResult = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a prunelab results file", path.display()))?;
    if run.nets.is_empty() {
        bail!(
            "{} holds no activation-density nets (method = \"density\")",
            dir.display()
        );
    }
    let (exp, _) = Experiment::from_hash(&run.experiment, &[]);
    let (input, classes) = net_shape(&dir.join("net-00.safetensors"))?;
    let widths: Vec<Vec<usize>> = run.nets.iter().map(|n| n.widths.clone()).collect();
    let rates = target
        .on(|device| inference_rates(exp.model, input, classes, &widths, device, batch.max(1)))?;
    let nets: Vec<serde_json::Value> = run
        .nets
        .iter()
        .zip(&rates)
        .map(|(n, r)| serde_json::json!({"net": n.net, "widths": n.widths, "macs": n.macs, "ops_reduction": n.ops_reduction, "images_per_s": r, "speedup": r / rates[0].max(1e-9)}))
        .collect();
    let out = serde_json::json!({"model": exp.model.name(), "backend": target.to_string(), "batch": batch, "input": input, "nets": nets});
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// `input` and `classes` from the metadata of an exported net.
fn net_shape(path: &Path) -> Result<([usize; 3], usize)> {
    use std::io::Read;
    let bad = || anyhow::anyhow!("{} is not a prunelab net export", path.display());
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let size = file.metadata().map_or(0, |m| m.len());
    let mut len = [0u8; 8];
    file.read_exact(&mut len).map_err(|_| bad())?;
    let mut header = Vec::new();
    file.take(u64::from_le_bytes(len))
        .read_to_end(&mut header)
        .map_err(|_| bad())?;
    let header: serde_json::Value = serde_json::from_slice(&header).map_err(|_| bad())?;
    let meta = &header["__metadata__"];
    let input: [usize; 3] = meta["input"]
        .as_str()
        .and_then(|s| serde_json::from_str(s).ok())
        .ok_or_else(bad)?;
    let classes: usize = meta["classes"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    // a classifier holds a 4-byte weight per class at least: no header makes a larger net; an
    // image of more than 2^26 values (3 × 4096 × 4096 is 50 M) is not an input
    let pixels = input.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    if classes == 0
        || classes as u64 > size / 4
        || !pixels.is_some_and(|p| (1..=1 << 26).contains(&p))
    {
        anyhow::bail!(
            "{}: metadata `classes` ({classes}) or `input` ({input:?}) does not fit a file of {size} bytes",
            path.display()
        );
    }
    Ok((input, classes))
}

pub fn kernels(weights: usize, activation: &str, calls: usize) -> Result<()> {
    let dims: Vec<usize> = activation
        .split(',')
        .map(|d| d.trim().parse())
        .collect::<Result<_, _>>()
        .map_err(|_| anyhow::anyhow!("--activation must be N,C,H,W (got `{activation}`)"))?;
    let [n, c, h, w] = dims[..] else {
        anyhow::bail!("--activation must be N,C,H,W (got `{activation}`)")
    };
    let origin = Instant::now();
    let target = Target {
        backend: prunelab_engine::Backend::Wgpu,
        place: None,
        precision: Default::default(),
    };
    let args = Args {
        model: String::new(),
        target,
        batch: 0,
        steps: 0,
        channels: 0,
        size: 0,
        kernels: true,
    };
    let (sgd, count) = on_device(&args, |device| {
        let now = || origin.elapsed();
        let sgd =
            futures::executor::block_on(prunelab_kernels::bench::sgd(device, weights, calls, now))
                .map_err(|e| anyhow::anyhow!("the masked SGD benchmark failed: {e}"))?;
        let count = futures::executor::block_on(prunelab_kernels::bench::count(
            device,
            [n, c, h, w],
            calls,
            now,
        ))
        .map_err(|e| anyhow::anyhow!("the counting benchmark failed: {e}"))?;
        Ok((sgd, count))
    })?;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("{{\"adapters\": {:?}}}", prunelab_kernels::adapter_names());
    println!(
        "{{\"kernel\": \"sgd_masked\", \"weights\": {weights}, \"ms_kernel\": {:.3}, \"ms_burn\": {:.3}}}",
        ms(sgd.kernel),
        ms(sgd.burn)
    );
    println!(
        "{{\"kernel\": \"count_zeros\", \"activation\": [{n}, {c}, {h}, {w}], \"ms_kernel\": {:.3}, \"ms_burn\": {:.3}}}",
        ms(count.kernel),
        ms(count.burn)
    );
    Ok(())
}
