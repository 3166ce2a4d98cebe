//! Plain-Rust twins of the WGSL kernels: the same arithmetic, element by element, in the same
//! order — what the kernel tests compare the GPU results with.

use crate::SgdParams;

/// Twin of `shaders/sgd_masked.wgsl`: returns (θ', v) with
/// g = ∇θ + wd·θ;  v = μ·v_prev + g (v = g without v_prev);  θ' = (θ − lr·v) ⊙ mask.
pub fn sgd_masked(
    theta: &[f32],
    grad: &[f32],
    velocity: Option<&[f32]>,
    mask: Option<&[f32]>,
    p: SgdParams,
) -> (Vec<f32>, Vec<f32>) {
    let mut next = Vec::with_capacity(theta.len());
    let mut v_out = Vec::with_capacity(theta.len());
    for i in 0..theta.len() {
        let g = grad[i] + p.weight_decay * theta[i];
        let v = match velocity {
            Some(v) => p.momentum * v[i] + g,
            None => g,
        };
        let w = theta[i] - p.lr * v;
        next.push(mask.map_or(w, |m| w * m[i]));
        v_out.push(v);
    }
    (next, v_out)
}

/// Twin of `shaders/relu_count.wgsl` (`relu_count`): y = max(x, 0) and, per channel
/// c = (i / inner) % channels, the number of elements with y = 0.
pub fn relu_count(x: &[f32], channels: usize, inner: usize) -> (Vec<f32>, Vec<u32>) {
    let y: Vec<f32> = x.iter().map(|&v| if v > 0.0 { v } else { 0.0 }).collect();
    let dead = count_zeros(&y, channels, inner);
    (y, dead)
}

/// Twin of `shaders/relu_count.wgsl` (`count_zeros`): per channel, the elements equal to 0.
pub fn count_zeros(x: &[f32], channels: usize, inner: usize) -> Vec<u32> {
    let mut dead = vec![0u32; channels];
    for (i, &v) in x.iter().enumerate() {
        if v == 0.0 {
            dead[(i / inner) % channels] += 1;
        }
    }
    dead
}
