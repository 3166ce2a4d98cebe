//! Evaluation: accuracy and per-channel zero counts over a dataset, read back once.

use burn::prelude::*;
use prunelab_core::dnr::{Dnr, ZeroCounts, dnr};
use prunelab_models::Probe;

use crate::EngineError;
use crate::images::Images;
use crate::state::NetState;

/// Device-side running totals of correct predictions and zero counts.
#[derive(Default)]
pub struct Tally {
    correct: Option<Tensor<1, Int>>,
    zeros: Vec<Tensor<1, Int>>,
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
        if self.zeros.is_empty() {
            self.zeros = probe.zeros.into_iter().map(|z| z.inner()).collect();
        } else {
            self.zeros = self
                .zeros
                .drain(..)
                .zip(probe.zeros)
                .map(|(a, z)| a + z.inner())
                .collect();
        }
    }

    /// One read of everything: (correct predictions, zero counts over `samples` samples).
    pub async fn read(self, samples: usize) -> Result<(u64, ZeroCounts), EngineError> {
        let lens: Vec<usize> = self.zeros.iter().map(|z| z.dims()[0]).collect();
        let Some(correct) = self.correct else {
            return Ok((
                0,
                ZeroCounts {
                    samples: 0,
                    dead: Vec::new(),
                },
            ));
        };
        let all = Tensor::cat(std::iter::once(correct).chain(self.zeros).collect(), 0);
        let data = all.into_data_async().await.map_err(EngineError::device)?;
        let values: Vec<i64> = data
            .convert::<i64>()
            .try_into_vec()
            .map_err(EngineError::device)?;
        let mut dead = Vec::with_capacity(lens.len());
        let mut at = 1;
        for len in lens {
            dead.push(
                values[at..at + len]
                    .iter()
                    .map(|&v| v.max(0) as u64)
                    .collect(),
            );
            at += len;
        }
        Ok((
            values[0].max(0) as u64,
            ZeroCounts {
                samples: samples as u64,
                dead,
            },
        ))
    }
}

/// Accuracy and DNR of `net` (masks applied) on `data`.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub accuracy: f64,
    pub dnr: Dnr,
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
        let mut probe = Probe::counting();
        let logits = model.forward(x, &mut probe);
        tally.add(logits, y, probe);
    }
    let (correct, zeros) = tally.read(data.len()).await?;
    let dnr = dnr(&net.model.units(), &net.layers(), &net.masks, &zeros);
    Ok(Evaluation {
        accuracy: correct as f64 / data.len().max(1) as f64,
        dnr,
        zeros,
    })
}
