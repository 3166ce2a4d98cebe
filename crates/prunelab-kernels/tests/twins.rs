//! Every WGSL kernel against its plain-Rust twin on random inputs, sizes not divisible by the
//! workgroup size included, on the wgpu runtime (lavapipe on a machine without a GPU). Skips,
//! saying so, only when no wgpu adapter exists at all.

use burn::prelude::*;
use burn_cubecl::cubecl::wgpu::wgpu;
use prunelab_core::rng::Rng;
use prunelab_kernels::{SgdParams, count_dead, relu_count, sgd_masked, twin};

fn adapter_exists() -> bool {
    let instance = wgpu::Instance::default();
    !futures::executor::block_on(instance.enumerate_adapters(wgpu::Backends::all())).is_empty()
}

fn device() -> Option<Device> {
    if adapter_exists() {
        Some(Device::wgpu(Default::default()))
    } else {
        eprintln!(
            "SKIP: no wgpu adapter at all (no GPU and no software Vulkan: install mesa-vulkan-drivers for lavapipe)"
        );
        None
    }
}

fn floats(t: Tensor<1>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .expect("f32 data")
}

fn ints(t: Tensor<1, Int>) -> Vec<u32> {
    t.into_data()
        .convert::<i64>()
        .try_into_vec::<i64>()
        .expect("int data")
        .into_iter()
        .map(|v| v as u32)
        .collect()
}

fn normal(rng: &mut Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.normal() as f32).collect()
}

fn close(kernel: &[f32], twin: &[f32], what: &str) {
    assert_eq!(kernel.len(), twin.len(), "{what}: length");
    for (i, (&k, &t)) in kernel.iter().zip(twin).enumerate() {
        // One rounding apart at most (a GPU may fuse multiply-adds).
        assert!(
            (k - t).abs() <= 1e-6 * t.abs().max(1.0),
            "{what}[{i}]: kernel {k} vs twin {t}"
        );
    }
}

#[test]
fn sgd_masked_matches_its_twin() {
    let Some(device) = device() else { return };
    let p = SgdParams {
        lr: 0.1,
        momentum: 0.9,
        weight_decay: 5e-4,
    };
    let mut rng = Rng::new(7, 1);
    for (n, with_velocity, with_mask) in [
        (1, false, false),
        (255, true, true),
        (256, true, false),
        (257, false, true),
        (1000, true, true),
        (70_001, true, true),
    ] {
        let theta = normal(&mut rng, n);
        let grad = normal(&mut rng, n);
        let velocity = normal(&mut rng, n);
        let mask: Vec<f32> = (0..n)
            .map(|_| if rng.uniform() < 0.3 { 0.0 } else { 1.0 })
            .collect();
        let t = |v: &[f32]| Tensor::<1>::from_floats(v, &device);
        let (v_t, m_t) = (t(&velocity), t(&mask));
        let (w, v) = sgd_masked(
            &t(&theta),
            &t(&grad),
            with_velocity.then_some(&v_t),
            with_mask.then_some(&m_t),
            p,
        )
        .expect("the kernel runs on wgpu");
        let (w_twin, v_twin) = twin::sgd_masked(
            &theta,
            &grad,
            with_velocity.then_some(&velocity[..]),
            with_mask.then_some(&mask[..]),
            p,
        );
        let what = format!("n={n} velocity={with_velocity} mask={with_mask}");
        let w = floats(w);
        close(&w, &w_twin, &format!("θ' {what}"));
        close(&floats(v), &v_twin, &format!("v {what}"));
        if with_mask {
            assert!(
                w.iter().zip(&mask).all(|(&w, &m)| m != 0.0 || w == 0.0),
                "pruned weights stay exactly 0 ({what})"
            );
        }
    }
}

#[test]
fn relu_count_matches_its_twin() {
    let Some(device) = device() else { return };
    let mut rng = Rng::new(7, 2);
    // NCHW convolution outputs (channel dim 1, inner H·W), linear outputs (inner 1, more
    // channels than a workgroup), token-major features (channel = last dim).
    let cases: [(Vec<usize>, usize); 5] = [
        (vec![3, 5, 7, 9], 1),
        (vec![130, 300], 1),
        (vec![7, 1000], 1),
        (vec![2, 3, 333], 2),
        (vec![4, 16, 8, 8], 1),
    ];
    for (shape, dim) in cases {
        let n: usize = shape.iter().product();
        // Exact zeros and negatives both make dead units; positives live.
        let x: Vec<f32> = (0..n)
            .map(|_| {
                if rng.uniform() < 0.1 {
                    0.0
                } else {
                    rng.normal() as f32
                }
            })
            .collect();
        let channels = shape[dim];
        let inner: usize = shape[dim + 1..].iter().product();
        let (y_twin, dead_twin) = twin::relu_count(&x, channels, inner);
        let xt = Tensor::<1>::from_floats(&x[..], &device);
        let (y, dead) = match shape.len() {
            2 => {
                relu_count(&xt.reshape([shape[0], shape[1]]), dim).map(|(y, d)| (y.reshape([n]), d))
            }
            3 => relu_count(&xt.reshape([shape[0], shape[1], shape[2]]), dim)
                .map(|(y, d)| (y.reshape([n]), d)),
            _ => relu_count(&xt.reshape([shape[0], shape[1], shape[2], shape[3]]), dim)
                .map(|(y, d)| (y.reshape([n]), d)),
        }
        .expect("the kernel runs on wgpu");
        let y = floats(y);
        assert_eq!(y, y_twin, "y of {shape:?}");
        assert_eq!(ints(dead), dead_twin, "dead per channel of {shape:?}");
        let again = count_dead(
            &Tensor::<1>::from_floats(&y[..], &device).reshape([
                n / (channels * inner),
                channels,
                inner,
            ]),
            1,
        )
        .expect("the kernel runs on wgpu");
        assert_eq!(
            ints(again),
            twin::count_zeros(&y_twin, channels, inner),
            "count_zeros of {shape:?}"
        );
    }
}

#[test]
fn workgroups_cover_every_element() {
    assert_eq!(prunelab_kernels::groups(1), (1, 1));
    assert_eq!(prunelab_kernels::groups(257), (2, 1));
    // More than 65535 workgroups: rows of 65535, enough of them.
    let (x, y) = prunelab_kernels::groups(65_536 * 256);
    assert_eq!((x, y), (65_535, 2));
    assert!(x as usize * y as usize * 256 >= 65_536 * 256);
}

/// On flex the twins run on the tensors' memory: the same update and counts as burn's operations.
#[test]
fn flex_path_matches_burns_operations() {
    let device = Device::flex();
    let mut rng = Rng::new(7, 5);
    let n = 1_001;
    let (theta, grad, velocity) = (
        normal(&mut rng, n),
        normal(&mut rng, n),
        normal(&mut rng, n),
    );
    let mask: Vec<f32> = (0..n)
        .map(|_| if rng.uniform() < 0.3 { 0.0 } else { 1.0 })
        .collect();
    let t = |v: &[f32]| Tensor::<1>::from_floats(v, &device);
    let p = SgdParams {
        lr: 0.1,
        momentum: 0.9,
        weight_decay: 5e-4,
    };
    let (w, v) = sgd_masked(
        &t(&theta),
        &t(&grad),
        Some(&t(&velocity)),
        Some(&t(&mask)),
        p,
    )
    .expect("the twin runs on flex");
    let v_burn =
        t(&velocity) * f64::from(p.momentum) + t(&grad) + t(&theta) * f64::from(p.weight_decay);
    let w_burn = (t(&theta) - v_burn.clone() * f64::from(p.lr)) * t(&mask);
    close(&floats(w), &floats(w_burn), "flex θ'");
    close(&floats(v), &floats(v_burn), "flex v");
    let x = burn::tensor::activation::relu(Tensor::<4>::random(
        [3, 5, 7, 9],
        burn::tensor::Distribution::Normal(0.0, 1.0),
        &device,
    ));
    let dead = count_dead(&x, 1).expect("the twin runs on flex");
    let burn_dead = x
        .equal_elem(0.0)
        .int()
        .sum_dims_squeeze::<1, usize>(&[0, 2, 3]);
    assert_eq!(ints(dead), ints(burn_dead));
}

/// Steps chained on the kernel's own outputs, with the same parameters each time (the cached
/// parameter buffer reused), stay equal to the twin's steps.
#[test]
fn chained_sgd_steps_match_the_twin() {
    let Some(device) = device() else { return };
    let p = SgdParams {
        lr: 0.05,
        momentum: 0.9,
        weight_decay: 1e-3,
    };
    let mut rng = Rng::new(7, 6);
    let n = 272_474;
    let (mut theta, grad) = (normal(&mut rng, n), normal(&mut rng, n));
    let mask: Vec<f32> = (0..n)
        .map(|_| if rng.uniform() < 0.3 { 0.0 } else { 1.0 })
        .collect();
    let mut velocity: Option<Vec<f32>> = None;
    let t = |v: &[f32]| Tensor::<1>::from_floats(v, &device);
    let (g_t, m_t) = (t(&grad), t(&mask));
    let mut w_t = t(&theta);
    let mut v_t: Option<Tensor<1>> = None;
    for step in 0..6 {
        let (w, v) =
            sgd_masked(&w_t, &g_t, v_t.as_ref(), Some(&m_t), p).expect("the kernel runs on wgpu");
        (w_t, v_t) = (w, Some(v));
        let (w, v) = twin::sgd_masked(&theta, &grad, velocity.as_deref(), Some(&mask), p);
        (theta, velocity) = (w, Some(v));
        // Read back every other step only: chains of launches with no read in between too.
        if step % 2 == 1 {
            let got = floats(w_t.clone());
            for (i, (&k, &e)) in got.iter().zip(&theta).enumerate() {
                assert!(
                    (k - e).abs() <= 1e-5 * e.abs().max(1.0),
                    "step {step}: θ[{i}] kernel {k} vs twin {e}"
                );
            }
        }
    }
}
