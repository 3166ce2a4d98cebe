//! Host images → device tensors, one batch at a time.

use burn::prelude::*;
use burn::tensor::TensorData;
use prunelab_data::{Dataset, normalise};

/// Images `[b, c, h, w]` as pixel/255 and labels `[b]` for the samples `idx` of `data`.
pub fn batch(data: &Dataset, idx: &[usize], device: &Device) -> (Tensor<4>, Tensor<1, Int>) {
    let [c, h, w] = data.shape;
    let pixels = TensorData::new(normalise(data, idx), [idx.len(), c, h, w]);
    let labels: Vec<i32> = idx.iter().map(|&i| i32::from(data.labels[i])).collect();
    let labels = TensorData::new(labels, [idx.len()]);
    (Tensor::from_data(pixels, device), Tensor::from_data(labels, device))
}

/// A fixed, seed-independent random subset of `n` samples (all when `n` is 0 or too large), so
/// runs with different seeds see the same images and class-sorted files are not cut by class.
pub fn subset(data: &Dataset, n: usize) -> Dataset {
    if n == 0 || n >= data.len() {
        return data.clone();
    }
    let mut order: Vec<usize> = (0..data.len()).collect();
    prunelab_core::rng::Rng::new(0, 0x5eb5e7).shuffle(&mut order);
    order.truncate(n);
    pick(data, &order)
}

/// Hold out `n` training images as a validation split (a fixed, seed-independent choice), so
/// early stopping never looks at the test split.
pub fn hold_out(data: &Dataset, n: usize) -> Result<(Dataset, Option<Dataset>), prunelab_core::StateError> {
    if n == 0 {
        return Ok((data.clone(), None));
    }
    if n >= data.len() {
        return Err(prunelab_core::StateError::Invalid(format!("val_size ({n}) must be smaller than the training images used ({})", data.len())));
    }
    let mut order: Vec<usize> = (0..data.len()).collect();
    prunelab_core::rng::Rng::new(0, 0x7a1d).shuffle(&mut order);
    let (val, train) = order.split_at(n);
    Ok((pick(data, train), Some(pick(data, val))))
}

fn pick(data: &Dataset, idx: &[usize]) -> Dataset {
    let images = idx.iter().flat_map(|&i| data.image(i).iter().copied()).collect();
    let labels = idx.iter().map(|&i| data.labels[i]).collect();
    Dataset { images, labels, shape: data.shape, classes: data.classes }
}
