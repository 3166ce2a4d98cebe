//! `prunelab dnr --model NAME --checkpoint FILE --images FILE.idx`: DNR of a checkpoint with its
//! `<param>_mask` applied, on MNIST-format images (pixel/255, no other normalisation), as JSON.

use std::path::Path;

use anyhow::{Context, Result, anyhow};
use prunelab_core::Experiment;
use prunelab_data::{Dataset, idx};
use prunelab_engine::{Checkpoint, Images, NetState, evaluate};
use prunelab_models::InputShape;

use crate::target::Target;

pub fn dnr(model: &str, checkpoint: &Path, images: &Path, target: &Target) -> Result<()> {
    let mut exp = Experiment::default();
    exp.set("model", model)?;
    let bytes = std::fs::read(checkpoint)
        .with_context(|| format!("cannot read {}", checkpoint.display()))?;
    let ck = Checkpoint::from_bytes(&bytes)?;
    let raw = std::fs::read(images).with_context(|| format!("cannot read {}", images.display()))?;
    let (pixels, shape) = idx::parse_images(&raw).with_context(|| images.display().to_string())?;
    let n = pixels.len() / shape.iter().product::<usize>().max(1);
    let data = Images::memory(Dataset {
        images: pixels,
        labels: vec![0; n],
        shape,
        classes: 10,
    });
    let classes = match ck.metadata.get("classes") {
        Some(c) => c
            .parse()
            .map_err(|_| anyhow!("checkpoint metadata `classes` is not a number: {c}"))?,
        None => 10,
    };
    let report = target.on(|device| {
        let mut net = NetState::new(&exp, InputShape(shape), classes, device);
        net.load_checkpoint(&ck, model)?;
        let eval = futures::executor::block_on(evaluate(&net, &data, 256))?;
        Ok(eval.dnr)
    })?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
