//! `prunelab dnr --model NAME --checkpoint FILE --images FILE.idx [--unit position|channel]`: DNR
//! of a checkpoint with its `<param>_mask` applied, on MNIST-format images (pixel/255, no other
//! normalisation), as JSON.

use std::path::Path;

use anyhow::{Context, Result, bail};
use prunelab_core::Experiment;
use prunelab_core::state::DnrUnit;
use prunelab_data::{Dataset, idx};
use prunelab_engine::{Checkpoint, Images, NetState, evaluate};
use prunelab_models::InputShape;

use crate::target::Target;

pub fn dnr(
    model: &str,
    checkpoint: &Path,
    images: &Path,
    unit: &str,
    target: &Target,
) -> Result<()> {
    let mut exp = Experiment::default();
    exp.set("model", model)?;
    exp.set("dnr_unit", unit)?;
    let bytes = std::fs::read(checkpoint)
        .with_context(|| format!("cannot read {}", checkpoint.display()))?;
    let ck = Checkpoint::from_bytes(&bytes)?;
    let raw = std::fs::read(images).with_context(|| format!("cannot read {}", images.display()))?;
    let (pixels, shape) = idx::parse_images(&raw).with_context(|| images.display().to_string())?;
    let n = pixels.len() / shape.iter().product::<usize>().max(1);
    if n == 0 {
        bail!(
            "{} holds no images: a DNR over none means nothing",
            images.display()
        );
    }
    let data = Images::memory(Dataset {
        images: pixels,
        labels: vec![0; n],
        shape,
        classes: 10,
    });
    let classes = ck.classes(10)?;
    let report = target.on(|device| {
        let mut net = NetState::new(&exp, InputShape(shape), classes, device);
        let derived = net.load_checkpoint(&ck, model)?;
        if derived > 0 {
            eprintln!(
                "note: {derived} kernels have no `_mask` in the checkpoint: their exactly-zero weights count as pruned"
            );
        }
        let eval = futures::executor::block_on(evaluate(&net, &data, 256))?;
        Ok(match (exp.dnr_unit, eval.dnr_channel) {
            (DnrUnit::Channel, Some(channel)) => channel,
            _ => eval.dnr,
        })
    })?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
