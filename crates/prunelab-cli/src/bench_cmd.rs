//! `prunelab bench`: training throughput of one model on one backend (images/s, ms/step); with
//! `--run DIR`, inference throughput of every net_i of a finished activation-density run on one
//! backend, beside its MAC reduction (net0 is the peer, measured in the same process).

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::prelude::Device;
use prunelab_core::Experiment;
use prunelab_core::report::RunResult;
use prunelab_core::state::Model;
use prunelab_engine::{Backend, bench, native_device};

use crate::guard::guarded;

pub fn bench(model: &str, backend: &str, batch: usize, steps: usize, channels: usize, size: usize) -> Result<()> {
    let mut exp = Experiment::default();
    exp.set("model", model)?;
    exp.set("batch", &batch.to_string())?;
    exp.validate()?;
    let backend: Backend = backend.parse().map_err(anyhow::Error::msg)?;
    let origin = Instant::now();
    let step = guarded("use --backend flex on machines without a GPU", || {
        let device = native_device(backend)?;
        let input = [channels, size, size];
        Ok(futures::executor::block_on(bench::training_step(&exp, input, &device, steps, || origin.elapsed()))?)
    })?;
    let ms = step.as_secs_f64() * 1e3;
    println!(
        "{{\"model\": \"{model}\", \"backend\": \"{backend}\", \"batch\": {batch}, \"input\": [{channels}, {size}, {size}], \"ms_per_step\": {ms:.1}, \"images_per_s\": {:.1}}}",
        batch as f64 / step.as_secs_f64()
    );
    Ok(())
}

/// Rounds of inference timing, and seconds each net is timed for per round.
const ROUNDS: usize = 3;
const SECONDS: f64 = 0.4;

/// Inference images/s of `model` at each of `widths` on `device`, batches of `batch` random
/// images: the nets take turns for [`ROUNDS`] rounds and each keeps its best round, so a busy
/// moment of the machine does not fall on one net only.
pub fn inference_rates(model: Model, input: [usize; 3], classes: usize, widths: &[Vec<usize>], device: &Device, batch: usize) -> Result<Vec<f64>> {
    let origin = Instant::now();
    let mut best = vec![0.0f64; widths.len()];
    for _ in 0..ROUNDS {
        for (w, best) in widths.iter().zip(&mut best) {
            let rate = futures::executor::block_on(bench::inference(model, input, classes, w, device, batch, SECONDS, || origin.elapsed()))?;
            *best = best.max(rate);
        }
    }
    Ok(best)
}

/// `prunelab bench --run DIR`: every net of the density run in DIR (its `results.json` and
/// `net-00.safetensors` metadata), timed on `backend`, as JSON.
pub fn bench_run(dir: &Path, backend: &str, batch: usize) -> Result<()> {
    let path = dir.join("results.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let run: RunResult = serde_json::from_str(&text).with_context(|| format!("{} is not a prunelab results file", path.display()))?;
    if run.nets.is_empty() {
        bail!("{} holds no activation-density nets (method = \"density\")", dir.display());
    }
    let (exp, _) = Experiment::from_hash(&run.experiment, &[]);
    let (input, classes) = net_shape(&dir.join("net-00.safetensors"))?;
    let backend: Backend = backend.parse().map_err(anyhow::Error::msg)?;
    let widths: Vec<Vec<usize>> = run.nets.iter().map(|n| n.widths.clone()).collect();
    let rates = guarded("use --backend flex on machines without a GPU", || {
        let device = native_device(backend)?;
        inference_rates(exp.model, input, classes, &widths, &device, batch.max(1))
    })?;
    let nets: Vec<serde_json::Value> = run
        .nets
        .iter()
        .zip(&rates)
        .map(|(n, r)| serde_json::json!({"net": n.net, "widths": n.widths, "macs": n.macs, "ops_reduction": n.ops_reduction, "images_per_s": r, "speedup": r / rates[0].max(1e-9)}))
        .collect();
    let out = serde_json::json!({"model": exp.model.name(), "backend": backend.to_string(), "batch": batch, "input": input, "nets": nets});
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// `input` and `classes` from the metadata of an exported net.
fn net_shape(path: &Path) -> Result<([usize; 3], usize)> {
    use std::io::Read;
    let bad = || anyhow::anyhow!("{} is not a prunelab net export", path.display());
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut len = [0u8; 8];
    file.read_exact(&mut len).map_err(|_| bad())?;
    let mut header = Vec::new();
    file.take(u64::from_le_bytes(len)).read_to_end(&mut header).map_err(|_| bad())?;
    let header: serde_json::Value = serde_json::from_slice(&header).map_err(|_| bad())?;
    let meta = &header["__metadata__"];
    let input: [usize; 3] = meta["input"].as_str().and_then(|s| serde_json::from_str(s).ok()).ok_or_else(bad)?;
    let classes: usize = meta["classes"].as_str().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    Ok((input, classes))
}
