//! `prunelab bench`: training throughput of one model on one backend (images/s, ms/step).

use std::time::Instant;

use anyhow::Result;
use prunelab_core::Experiment;
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
