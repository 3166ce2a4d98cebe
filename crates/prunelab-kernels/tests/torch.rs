//! libtorch's own conv2d, batch-norm and ReLU kernels (`prunelab_kernels::{conv2d, batch_norm_train, relu}`)
//! against burn's generic implementations on the same LibTorch backend: outputs, the batch
//! statistics and the gradients of every input agree, over odd sizes, strides, padding, bias and
//! grouped (depthwise) convolutions. One test: the kernels switch is process-wide.
#![cfg(feature = "tch")]
// burn 0.22 marks LibTorch deprecated; prunelab keeps it for PyTorch's kernels.
#![allow(deprecated)]

use burn::prelude::*;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{DType, Distribution, TensorData};
use prunelab_kernels::Precision;

fn close(what: &str, a: Tensor<1>, b: Tensor<1>) {
    close_to(what, a, b, 1e-4);
}

/// Equal to `tolerance` relative to `b`'s largest magnitude; both f32.
fn close_to(what: &str, a: Tensor<1>, b: Tensor<1>, tolerance: f32) {
    assert_eq!(
        (a.dtype(), b.dtype()),
        (DType::F32, DType::F32),
        "{what}: f32 tensors"
    );
    let (a, b) = (
        a.into_data().to_vec::<f32>().expect("f32"),
        b.into_data().to_vec::<f32>().expect("f32"),
    );
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let scale = b.iter().fold(1e-3f32, |m, v| m.max(v.abs()));
    let worst = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst <= tolerance * scale,
        "{what}: max difference {worst} (scale {scale})"
    );
}

fn flat<const D: usize>(t: Tensor<D>) -> Tensor<1> {
    let n: usize = t.dims().iter().product();
    t.reshape([n])
}

/// Output and input/weight/bias gradients of one conv, by the kernels (`on`) or burn's ops.
fn conv(
    on: bool,
    x: &Tensor<4>,
    w: &Tensor<4>,
    b: Option<&Tensor<1>>,
    options: &ConvOptions<2>,
    upstream: &Tensor<4>,
) -> Vec<Tensor<1>> {
    prunelab_kernels::set_enabled(on);
    let (x, w) = (x.clone().require_grad(), w.clone().require_grad());
    let b = b.map(|b| b.clone().require_grad());
    let out = match prunelab_kernels::conv2d(&x, &w, b.as_ref(), options) {
        Some(out) => out,
        None if !on => {
            burn::tensor::module::conv2d(x.clone(), w.clone(), b.clone(), options.clone())
        }
        None => panic!("the libtorch conv did not apply to LibTorch autodiff tensors"),
    };
    let grads = (out.clone() * upstream.clone()).sum().backward();
    let mut all = vec![
        flat(out.inner()),
        flat(x.grad(&grads).expect("dx")),
        flat(w.grad(&grads).expect("dw")),
    ];
    if let Some(b) = b {
        all.push(b.grad(&grads).expect("db"));
    }
    all
}

fn check_conv(
    device: &Device,
    [n, c, h, w]: [usize; 4],
    out: usize,
    k: usize,
    options: ConvOptions<2>,
    bias: bool,
) {
    let x = Tensor::<4>::random([n, c, h, w], Distribution::Normal(0.0, 1.0), device);
    let weight = Tensor::<4>::random(
        [out, c / options.groups, k, k],
        Distribution::Normal(0.0, 0.5),
        device,
    );
    let b = bias.then(|| Tensor::<1>::random([out], Distribution::Normal(0.0, 1.0), device));
    let probe = burn::tensor::module::conv2d(
        x.clone().inner(),
        weight.clone().inner(),
        None,
        options.clone(),
    );
    let upstream = Tensor::from_inner(Tensor::<4>::random(
        probe.dims(),
        Distribution::Normal(0.0, 1.0),
        &probe.device(),
    ));
    let what = format!("conv {n}×{c}×{h}×{w} → {out}, k {k}, {options:?}, bias {bias}");
    let ours = conv(true, &x, &weight, b.as_ref(), &options, &upstream);
    let reference = conv(false, &x, &weight, b.as_ref(), &options, &upstream);
    for (i, (a, r)) in ours.into_iter().zip(reference).enumerate() {
        close(&format!("{what}: [out, dx, dw, db][{i}]"), a, r);
    }
}

/// Output, batch statistics and input/γ/β gradients of a training batch norm.
fn batch_norm(
    on: bool,
    x: &Tensor<4>,
    gamma: &Tensor<1>,
    beta: &Tensor<1>,
    upstream: &Tensor<4>,
) -> Vec<Tensor<1>> {
    prunelab_kernels::set_enabled(on);
    let (x, g, b) = (
        x.clone().require_grad(),
        gamma.clone().require_grad(),
        beta.clone().require_grad(),
    );
    let (out, mean, var) = match prunelab_kernels::batch_norm_train(&x, &g, &b, 1e-5) {
        Some(r) => r,
        None if !on => {
            let r = burn::tensor::module::batch_norm_train(x.clone(), g.clone(), b.clone(), 1e-5);
            (r.output, r.mean, r.variance)
        }
        None => panic!("the libtorch batch norm did not apply to LibTorch autodiff tensors"),
    };
    let grads = (out.clone() * upstream.clone()).sum().backward();
    vec![
        flat(out.inner()),
        mean.inner(),
        var.inner(),
        flat(x.grad(&grads).expect("dx")),
        g.grad(&grads).expect("dγ"),
        b.grad(&grads).expect("dβ"),
    ]
}

#[test]
fn libtorch_kernels_match_burns_generic_ops() {
    let device = Device::libtorch().autodiff();
    let conv_options = |s: usize, p: usize, g: usize| ConvOptions::new([s, s], [p, p], [1, 1], g);
    check_conv(&device, [3, 4, 9, 7], 5, 3, conv_options(1, 1, 1), true);
    check_conv(&device, [2, 3, 11, 11], 6, 3, conv_options(2, 1, 1), false);
    check_conv(&device, [2, 6, 8, 8], 6, 3, conv_options(1, 1, 6), false);
    check_conv(&device, [4, 8, 5, 5], 16, 1, conv_options(2, 0, 1), false);
    check_conv(&device, [1, 2, 6, 5], 3, 5, conv_options(1, 2, 1), true);

    let x = Tensor::<4>::random([5, 3, 7, 6], Distribution::Normal(1.5, 2.0), &device);
    let gamma = Tensor::<1>::from_data(TensorData::new(vec![1.0f32, 0.5, -2.0], [3]), &device);
    let beta = Tensor::<1>::from_data(TensorData::new(vec![0.0f32, 1.0, -0.5], [3]), &device);
    let upstream = Tensor::<4>::random([5, 3, 7, 6], Distribution::Normal(0.0, 1.0), &device);
    let ours = batch_norm(true, &x, &gamma, &beta, &upstream);
    let reference = batch_norm(false, &x, &gamma, &beta, &upstream);
    for (i, (a, r)) in ours.into_iter().zip(reference).enumerate() {
        close(
            &format!("batch norm [out, mean, var, dx, dγ, dβ][{i}]"),
            a,
            r,
        );
    }
    prunelab_kernels::set_enabled(true);

    // bf16 / f16 convolutions (f32 master weights): f32 outputs and gradients, equal to the f32
    // conv within half precision's rounding (f16's static loss scale undone).
    let x = Tensor::<4>::random([4, 8, 9, 9], Distribution::Normal(0.0, 1.0), &device);
    let w = Tensor::<4>::random([8, 8, 3, 3], Distribution::Normal(0.0, 0.2), &device);
    let b = Tensor::<1>::random([8], Distribution::Normal(0.0, 1.0), &device);
    let upstream = Tensor::<4>::random([4, 8, 9, 9], Distribution::Normal(0.0, 1e-3), &device);
    let options = conv_options(1, 1, 1);
    let full = conv(true, &x, &w, Some(&b), &options, &upstream);
    for (precision, tolerance) in [(Precision::Bf16, 2e-2), (Precision::F16, 2e-3)] {
        prunelab_kernels::set_precision(precision);
        let half = conv(true, &x, &w, Some(&b), &options, &upstream);
        prunelab_kernels::set_precision(Precision::F32);
        for (i, (h, f)) in half.into_iter().zip(full.iter().cloned()).enumerate() {
            close_to(
                &format!("{precision} conv [out, dx, dw, db][{i}]"),
                h,
                f,
                tolerance,
            );
        }
    }

    // ReLU: libtorch's relu and threshold_backward against burn's relu and its generic backward,
    // the output kept intact by later in-place ops (the backward reads it).
    let x = Tensor::<4>::random([3, 5, 4, 6], Distribution::Normal(0.0, 1.0), &device);
    let upstream = Tensor::<4>::random([3, 5, 4, 6], Distribution::Normal(0.0, 1.0), &device);
    let relu_grads = |on: bool| {
        prunelab_kernels::set_enabled(on);
        let x = x.clone().require_grad();
        let y = match prunelab_kernels::relu(&x) {
            Some(y) => y,
            None if !on => burn::tensor::activation::relu(x.clone()),
            None => panic!("the libtorch relu did not apply to LibTorch autodiff tensors"),
        };
        let out = flat(y.clone().inner()) * 1.0;
        // `y` is uniquely owned here: burn may add in place unless the node holds it.
        let grads = ((y + 1.0) * upstream.clone()).sum().backward();
        [out, flat(x.grad(&grads).expect("dx"))]
    };
    let (ours, reference) = (relu_grads(true), relu_grads(false));
    prunelab_kernels::set_enabled(true);
    for (i, (a, b)) in ours.into_iter().zip(reference).enumerate() {
        close_to(&format!("relu [out, dx][{i}]"), a, b, 0.0);
    }

    // Dead counts per channel, exact over negatives, ±0 and NaN (live, as `x == 0` says).
    let mut values: Vec<f32> =
        Tensor::<4>::random([3, 5, 4, 6], Distribution::Normal(0.0, 1.0), &device)
            .into_data()
            .to_vec()
            .expect("f32");
    for (i, v) in values.iter_mut().enumerate() {
        match i % 7 {
            0 | 3 => *v = 0.0,
            1 => *v = -0.0,
            5 if i % 3 == 0 => *v = f32::NAN,
            _ => {}
        }
    }
    let y = Tensor::<4>::from_data(TensorData::new(values, [3, 5, 4, 6]), &device);
    let ours = prunelab_kernels::count_dead(&y, 1).expect("counts on tch");
    let reference = y
        .equal_elem(0.0)
        .int()
        .sum_dims_squeeze::<1, usize>(&[0, 2, 3]);
    assert_eq!(
        ours.into_data().convert::<i64>(),
        reference.into_data().convert::<i64>()
    );

    // A channel of more than 2²⁴ elements (beyond f32's integers): still exact.
    let [h, w] = [4096, 4097];
    let big = Tensor::<4>::zeros([1, 1, h, w], &device).slice_assign(
        [0..1, 0..1, 0..1, 0..3],
        Tensor::ones([1, 1, 1, 3], &device),
    );
    let dead = prunelab_kernels::count_dead(&big, 1).expect("counts on tch");
    assert_eq!(
        dead.into_data().convert::<i64>().to_vec::<i64>(),
        Ok(vec![(h * w - 3) as i64])
    );

    // Off the LibTorch autodiff backend the ops do not apply: burn's own run.
    let flex = Device::flex().autodiff();
    let x = Tensor::<4>::zeros([1, 1, 3, 3], &flex);
    assert!(
        prunelab_kernels::conv2d(
            &x,
            &Tensor::zeros([1, 1, 1, 1], &flex),
            None,
            &conv_options(1, 0, 1)
        )
        .is_none()
    );
}
