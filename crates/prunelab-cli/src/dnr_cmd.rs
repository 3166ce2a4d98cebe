//! `prunelab dnr --model NAME --checkpoint FILE --images FILE.idx`: DNR of a checkpoint with its
//! `<param>_mask` applied, on MNIST-format images (pixel/255, no other normalisation), as JSON.

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use prunelab_core::{Experiment, Masks};
use prunelab_data::{Dataset, idx};
use prunelab_engine::{Backend, Checkpoint, Images, NetState, evaluate, native_device};
use prunelab_models::InputShape;
use prunelab_models::params::Role;

use crate::guard::guarded;

/// Load every tensor and the masks of `ck` into `net`, checking names and shapes.
fn load(net: &mut NetState, ck: &Checkpoint, model: &str) -> Result<()> {
    let mut values = Vec::new();
    let mut masks = Vec::new();
    for info in &net.infos {
        let (shape, v) = ck.f32(&info.name).ok_or_else(|| anyhow!("checkpoint has no tensor `{}`: is it a {model} checkpoint?", info.name))?;
        if shape != info.shape {
            bail!("`{}` has shape {shape:?} in the checkpoint, {:?} in {model}", info.name, info.shape);
        }
        values.push(v);
        if info.role == Role::Kernel {
            let (_, m) = ck.f32(&format!("{}_mask", info.name)).unwrap_or_else(|| (shape, vec![1.0; info.len()]));
            masks.push(m);
        }
    }
    net.masks = Masks::from_f32(&masks);
    net.load(&values);
    Ok(())
}

pub fn dnr(model: &str, checkpoint: &Path, images: &Path, backend: &str) -> Result<()> {
    let mut exp = Experiment::default();
    exp.set("model", model)?;
    let backend: Backend = backend.parse().map_err(anyhow::Error::msg)?;
    let bytes = std::fs::read(checkpoint).with_context(|| format!("cannot read {}", checkpoint.display()))?;
    let ck = Checkpoint::from_bytes(&bytes)?;
    let raw = std::fs::read(images).with_context(|| format!("cannot read {}", images.display()))?;
    let (pixels, shape) = idx::parse_images(&raw).with_context(|| images.display().to_string())?;
    let n = pixels.len() / shape.iter().product::<usize>().max(1);
    let data = Images::memory(Dataset { images: pixels, labels: vec![0; n], shape, classes: 10 });
    let classes = match ck.metadata.get("classes") {
        Some(c) => c.parse().map_err(|_| anyhow!("checkpoint metadata `classes` is not a number: {c}"))?,
        None => 10,
    };
    let report = guarded("use --backend flex on machines without a GPU", || {
        let device = native_device(backend)?;
        let mut net = NetState::new(&exp, InputShape(shape), classes, &device);
        load(&mut net, &ck, model)?;
        let eval = futures::executor::block_on(evaluate(&net, &data, 256))?;
        Ok(eval.dnr)
    })?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
