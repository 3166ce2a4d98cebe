//! `runExperiment(hash, data, onEvent)`: the engine on the browser's WebGPU device.

use js_sys::{Function, Reflect, Uint8Array};
use prunelab_core::Experiment;
use prunelab_core::dnr::Dnr;
use prunelab_core::report::{CycleEntry, NetEntry};
use prunelab_engine::{EngineError, Event, Observer, run, webgpu_device};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{PAGE_FLAGS, to_js};

thread_local! {
    /// The page's WebGPU device: initialised once, reused by every later run (a second
    /// initialisation of the same adapter is refused).
    static DEVICE: std::cell::RefCell<Option<burn::prelude::Device>> = const { std::cell::RefCell::new(None) };
}

async fn device() -> Result<burn::prelude::Device, JsError> {
    if let Some(device) = DEVICE.with(|d| d.borrow().clone()) {
        return Ok(device);
    }
    let device = webgpu_device().await.map_err(|e| JsError::new(&e.to_string()))?;
    DEVICE.with(|d| *d.borrow_mut() = Some(device.clone()));
    Ok(device)
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum PageEvent<'a> {
    Status { message: String },
    Epoch { cycle: u32, epoch: u32, loss: f64, train_accuracy: f64, remaining: f64, dnr: Dnr },
    Cycle { entry: &'a CycleEntry },
    /// `method = density`: a trained net_i, its `NetEntry` fields beside `kind: "net"`.
    Net(&'a NetEntry),
}

struct Page(Function);

impl Observer for Page {
    fn on_event(&mut self, event: Event<'_>) -> Result<(), EngineError> {
        let event = match event {
            Event::Status(message) => PageEvent::Status { message },
            Event::Epoch { cycle, epoch, loss, train_accuracy, remaining, dnr } => {
                PageEvent::Epoch { cycle, epoch, loss, train_accuracy, remaining, dnr }
            }
            Event::Cycle { entry, .. } => PageEvent::Cycle { entry },
            Event::Net { entry, .. } => PageEvent::Net(entry),
            // The page asks for no snapshots (it does not resume runs).
            Event::Snapshot(_) => return Ok(()),
        };
        let value = to_js(&event).map_err(|_| EngineError::Stopped("cannot encode an event".into()))?;
        self.0.call1(&JsValue::NULL, &value).map(|_| ()).map_err(|e| EngineError::Stopped(format!("the page's event handler failed: {e:?}")))
    }
}

fn bytes(data: &JsValue, key: &str) -> Result<Vec<u8>, JsError> {
    let value = Reflect::get(data, &JsValue::from_str(key)).map_err(|_| JsError::new(&format!("data.{key} is missing")))?;
    let array: Uint8Array = value.dyn_into().map_err(|_| JsError::new(&format!("data.{key} must be a Uint8Array")))?;
    Ok(array.to_vec())
}

/// Validate the hash's experiment, train and prune it on WebGPU, resolve to the results (the
/// CLI's `results.json` object: `{ label, seed, experiment, cycles }`).
#[wasm_bindgen(js_name = runExperiment)]
pub async fn run_experiment(hash: String, data: JsValue, on_event: Function) -> Result<JsValue, JsError> {
    let (exp, _) = Experiment::from_hash(&hash, PAGE_FLAGS);
    exp.validate().map_err(|e| JsError::new(&e.to_string()))?;
    let split = prunelab_data::mnist_from_idx_bytes(
        &bytes(&data, "trainImages")?,
        &bytes(&data, "trainLabels")?,
        &bytes(&data, "testImages")?,
        &bytes(&data, "testLabels")?,
    )
    .map_err(|e| JsError::new(&e.to_string()))?;
    let device = device().await?;
    let results = run(&exp, &split.into(), &device, &mut Page(on_event)).await.map_err(|e| JsError::new(&e.to_string()))?;
    to_js(&results)
}

/// Milliseconds per training step (forward + backward + masked SGD + zero counting) of `model` at
/// `batch` on WebGPU, on random `channels`×`size`×`size` images, after `steps` warm-up steps.
#[wasm_bindgen(js_name = benchTraining)]
pub async fn bench_training(model: String, batch: usize, steps: usize, channels: usize, size: usize) -> Result<f64, JsError> {
    let mut exp = Experiment::default();
    exp.set("model", &model).map_err(|e| JsError::new(&e.to_string()))?;
    exp.batch = batch.max(1);
    let device = device().await?;
    let now = || std::time::Duration::from_secs_f64(js_sys::Date::now() / 1e3);
    let step = prunelab_engine::bench::training_step(&exp, [channels, size, size], &device, steps, now)
        .await
        .map_err(|e| JsError::new(&e.to_string()))?;
    Ok(step.as_secs_f64() * 1e3)
}
