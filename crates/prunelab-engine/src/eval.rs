//! Evaluation: accuracy and per-channel zero counts over a dataset, read back once.

use burn::prelude::*;
use prunelab_core::dnr::{Dnr, ZeroCounts, dnr, dnr_channel};
use prunelab_models::Probe;

use crate::EngineError;
use crate::images::Images;
use crate::state::NetState;

/// Device-side running totals of correct predictions, zero counts and (when the probe counts
/// them) whole dead maps.
#[derive(Default)]
pub struct Tally {
    correct: Option<Tensor<1, Int>>,
    zeros: Vec<Tensor<1, Int>>,
    maps: Vec<Tensor<1, Int>>,
}

/// Add per-layer counts `new` to the running `totals` (the first batch sets them).
fn accumulate(totals: &mut Vec<Tensor<1, Int>>, new: Vec<Tensor<1, Int>>) {
    if totals.is_empty() {
        *totals = new;
    } else {
        *totals = totals.drain(..).zip(new).map(|(a, z)| a + z).collect();
    }
}

fn add(acc: Option<Tensor<1, Int>>, x: Tensor<1, Int>) -> Tensor<1, Int> {
    match acc {
        Some(a) => a + x,
        None => x,
    }
}

impl Tally {
    pub fn add(&mut self, logits: Tensor<2>, labels: Tensor<1, Int>, probe: Probe) {
        let hits = logits
            .argmax(1)
            .flatten::<1>(0, 1)
            .equal(labels)
            .int()
            .sum();
        self.correct = Some(add(self.correct.take(), hits));
        let inner = |counts: Vec<Tensor<1, Int>>| counts.into_iter().map(|z| z.inner()).collect();
        accumulate(&mut self.zeros, inner(probe.zeros));
        accumulate(&mut self.maps, inner(probe.maps));
    }

    /// One read of everything: (correct predictions, zero counts over `samples` samples).
    pub async fn read(self, samples: usize) -> Result<(u64, ZeroCounts), EngineError> {
        let Some(correct) = self.correct else {
            return Ok((0, ZeroCounts::default()));
        };
        let layers = self.zeros.len();
        let lens: Vec<usize> = self
            .zeros
            .iter()
            .chain(&self.maps)
            .map(|z| z.dims()[0])
            .collect();
        let parts = std::iter::once(correct).chain(self.zeros).chain(self.maps);
        let data = Tensor::cat(parts.collect(), 0)
            .into_data_async()
            .await
            .map_err(EngineError::device)?;
        let values: Vec<i64> = data
            .convert::<i64>()
            .try_into_vec()
            .map_err(EngineError::device)?;
        let mut counts = Vec::with_capacity(lens.len());
        let mut at = 1;
        for len in lens {
            counts.push(
                values[at..at + len]
                    .iter()
                    .map(|&v| v.max(0) as u64)
                    .collect(),
            );
            at += len;
        }
        let maps = counts.split_off(layers);
        Ok((
            values[0].max(0) as u64,
            ZeroCounts {
                samples: samples as u64,
                dead: counts,
                maps,
            },
        ))
    }
}

/// Accuracy and DNR of `net` (masks applied) on `data`: `dnr` with a unit per channel ×
/// position, `dnr_channel` with a unit per channel (whole dead maps).
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub accuracy: f64,
    pub dnr: Dnr,
    pub dnr_channel: Option<Dnr>,
    pub zeros: ZeroCounts,
}

/// Evaluate in inference mode (BN running statistics, no autodiff) over `data` in batches.
pub async fn evaluate(
    net: &NetState,
    data: &Images,
    batch_size: usize,
) -> Result<Evaluation, EngineError> {
    let model = net.model.valid();
    let device = net.device.clone().inner();
    let mut tally = Tally::default();
    let order: Vec<usize> = (0..data.len()).collect();
    for item in data.plain_batches(order, batch_size, &device) {
        let (_, x, y) = item?;
        let mut probe = Probe::counting().with_maps();
        let logits = model.forward(x, &mut probe);
        tally.add(logits, y, probe);
    }
    let (correct, zeros) = tally.read(data.len()).await?;
    let (units, layers) = (net.model.units(), net.layers());
    Ok(Evaluation {
        accuracy: correct as f64 / data.len().max(1) as f64,
        dnr: dnr(&units, &layers, &net.masks, &zeros),
        dnr_channel: dnr_channel(&units, &layers, &net.masks, &zeros),
        zeros,
    })
}
