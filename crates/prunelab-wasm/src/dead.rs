//! Dead-unit maps of one input image (AP paper §3: a unit is dead on a sample when its post-ReLU
//! output is 0): one forward pass of the last finished cycle's network (θ* with its masks),
//! counted by the same probe as DNR, per layer and channel.

use burn::prelude::Device;
use prunelab_core::Experiment;
use prunelab_data::Dataset;
use prunelab_engine::{Checkpoint, EngineError, Images, NetState, evaluate};
use prunelab_models::InputShape;
use serde::Serialize;

/// One counted ReLU layer on one image.
#[derive(Serialize)]
pub struct DeadMap {
    pub layer: String,
    pub channels: usize,
    /// Positions per channel (1 for linear layers, H·W for conv).
    pub positions: usize,
    /// Per channel: the fraction of its positions that are dead on this image.
    pub dead: Vec<f32>,
    /// Per channel: every incoming weight is pruned (static: it can never fire again).
    #[serde(rename = "static")]
    pub static_: Vec<bool>,
}

/// The dead-unit maps of `image` (uint8, CHW of `shape`) under the checkpoint `bytes`.
pub async fn maps(
    exp: &Experiment,
    bytes: &[u8],
    shape: [usize; 3],
    classes: usize,
    device: &Device,
    image: Vec<u8>,
) -> Result<Vec<DeadMap>, EngineError> {
    let want: usize = shape.iter().product();
    if image.len() != want {
        return Err(EngineError::Data(format!(
            "the image has {} bytes; the model takes {shape:?} = {want}",
            image.len()
        )));
    }
    let mut net = NetState::new(exp, InputShape(shape), classes, device);
    // the page's own checkpoints carry their masks
    net.load_checkpoint(&Checkpoint::from_bytes(bytes)?, exp.model.name())?;
    let data = Images::memory(Dataset {
        images: image,
        labels: vec![0],
        shape,
        classes,
    });
    let eval = evaluate(&net, &data, 1).await?;
    let layers = net.layers();
    Ok(net
        .model
        .units()
        .into_iter()
        .zip(eval.zeros.dead)
        .map(|(unit, zeros)| DeadMap {
            dead: zeros
                .iter()
                .map(|&z| z as f32 / unit.positions.max(1) as f32)
                .collect(),
            static_: (0..unit.channels)
                .map(|c| unit.is_static(c, &layers, &net.masks))
                .collect(),
            layer: unit.name,
            channels: unit.channels,
            positions: unit.positions,
        })
        .collect())
}
