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
    let images = order.iter().flat_map(|&i| data.image(i).iter().copied()).collect();
    let labels = order.iter().map(|&i| data.labels[i]).collect();
    Dataset { images, labels, shape: data.shape, classes: data.classes }
}
