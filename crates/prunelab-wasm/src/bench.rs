//! `benchTrainingOn(backend, kernels, model, batch, steps, channels, size)`: milliseconds per
//! training step (forward + backward + masked SGD + zero counting) in the browser on `"webgpu"`
//! or `"cpu"` (burn's flex backend compiled into the wasm), with prunelab's WGSL kernels on or off
//! (WebGPU only), after `steps` warm-up steps. For tests/browser/bench.mjs, which loads the wasm
//! on a page of its own. Both use the page's one WebGPU device (`run::device`).

use prunelab_core::Experiment;
use wasm_bindgen::prelude::*;

use crate::run::device;

#[wasm_bindgen(js_name = benchTrainingOn)]
pub async fn bench_training_on(
    backend: String,
    kernels: bool,
    model: String,
    batch: usize,
    steps: usize,
    channels: usize,
    size: usize,
) -> Result<f64, JsValue> {
    let mut exp = Experiment::default();
    exp.set("model", &model)
        .map_err(|e| JsError::new(&e.to_string()))?;
    exp.batch = batch.max(1);
    let device = device(&backend).await?;
    prunelab_kernels::set_enabled(kernels);
    let now = || std::time::Duration::from_secs_f64(js_sys::Date::now() / 1e3);
    let step =
        prunelab_engine::bench::training_step(&exp, [channels, size, size], &device, steps, now)
            .await
            .map_err(|e| JsError::new(&e.to_string()));
    prunelab_kernels::set_enabled(true);
    Ok(step?.as_secs_f64() * 1e3)
}

/// Every WGSL kernel on the browser's WebGPU device against its plain-Rust twin, on random
/// inputs whose sizes are not multiples of the workgroup size (the browser half of
/// crates/prunelab-kernels/tests/twins.rs). Resolves to `{ cases, worst_error, launches }`;
/// rejects with the first mismatch.
#[wasm_bindgen(js_name = checkKernels)]
pub async fn check_kernels() -> Result<JsValue, JsValue> {
    use burn::prelude::*;
    use prunelab_core::rng::Rng;
    use prunelab_kernels::{SgdParams, twin};

    let device = device("webgpu").await?;
    prunelab_kernels::set_enabled(true);
    let before = prunelab_kernels::launches();
    let fail = |what: String| JsValue::from(JsError::new(&what));
    let floats = |t: Tensor<1>| async move {
        t.into_data_async()
            .await
            .map_err(|e| fail(e.to_string()))?
            .convert::<f32>()
            .try_into_vec::<f32>()
            .map_err(|e| fail(format!("{e:?}")))
    };
    let ints = |t: Tensor<1, Int>| async move {
        let v = t
            .into_data_async()
            .await
            .map_err(|e| fail(e.to_string()))?
            .convert::<i64>()
            .try_into_vec::<i64>()
            .map_err(|e| fail(format!("{e:?}")))?;
        Ok::<Vec<u32>, JsValue>(v.into_iter().map(|v| v as u32).collect())
    };
    let mut rng = Rng::new(7, 3);
    let (mut cases, mut worst) = (0, 0.0f32);
    let p = SgdParams {
        lr: 0.1,
        momentum: 0.9,
        weight_decay: 5e-4,
    };
    for (n, with_velocity, with_mask) in [
        (1, false, false),
        (255, true, true),
        (257, false, true),
        (70_001, true, true),
    ] {
        let mut normal = || (0..n).map(|_| rng.normal() as f32).collect::<Vec<f32>>();
        let (theta, grad, velocity) = (normal(), normal(), normal());
        let mask: Vec<f32> = (0..n)
            .map(|_| if rng.uniform() < 0.3 { 0.0 } else { 1.0 })
            .collect();
        let t = |v: &[f32]| Tensor::<1>::from_floats(v, &device);
        let (vt, mt) = (t(&velocity), t(&mask));
        let (w, v) = prunelab_kernels::sgd_masked(
            &t(&theta),
            &t(&grad),
            with_velocity.then_some(&vt),
            with_mask.then_some(&mt),
            p,
        )
        .ok_or_else(|| fail("sgd_masked did not run on WebGPU".into()))?;
        let (w_twin, v_twin) = twin::sgd_masked(
            &theta,
            &grad,
            with_velocity.then_some(&velocity[..]),
            with_mask.then_some(&mask[..]),
            p,
        );
        for (got, want, what) in [
            (floats(w).await?, w_twin, "θ'"),
            (floats(v).await?, v_twin, "v"),
        ] {
            for (i, (g, e)) in got.iter().zip(&want).enumerate() {
                let err = (g - e).abs() / e.abs().max(1.0);
                if err > 1e-6 || got.len() != want.len() {
                    return Err(fail(format!(
                        "sgd_masked n={n}: {what}[{i}] = {g}, twin {e}"
                    )));
                }
                worst = worst.max(err);
            }
        }
        cases += 1;
    }
    for (shape, inner) in [
        ([3usize, 5, 63], 63usize),
        ([130, 300, 1], 1),
        ([2, 333, 4], 4),
    ] {
        let n: usize = shape.iter().product();
        let x: Vec<f32> = (0..n)
            .map(|_| {
                if rng.uniform() < 0.1 {
                    0.0
                } else {
                    rng.normal() as f32
                }
            })
            .collect();
        let xt = Tensor::<1>::from_floats(&x[..], &device).reshape(shape);
        let (y, dead) = prunelab_kernels::relu_count(&xt, 1)
            .ok_or_else(|| fail("relu_count did not run on WebGPU".into()))?;
        let (y_twin, dead_twin) = twin::relu_count(&x, shape[1], inner);
        if floats(y.reshape([n])).await? != y_twin || ints(dead).await? != dead_twin {
            return Err(fail(format!("relu_count {shape:?}: differs from its twin")));
        }
        let again = prunelab_kernels::count_dead(
            &Tensor::<1>::from_floats(&y_twin[..], &device).reshape(shape),
            1,
        )
        .ok_or_else(|| fail("count_zeros did not run on WebGPU".into()))?;
        if ints(again).await? != twin::count_zeros(&y_twin, shape[1], inner) {
            return Err(fail(format!(
                "count_zeros {shape:?}: differs from its twin"
            )));
        }
        cases += 2;
    }
    let launches = prunelab_kernels::launches() - before;
    Ok(crate::to_js(&Checked {
        cases,
        worst_error: worst,
        launches,
    })?)
}

#[derive(serde::Serialize)]
struct Checked {
    cases: usize,
    worst_error: f32,
    launches: u64,
}
