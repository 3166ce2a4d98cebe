//! `runExperiment(hash, data, onEvent, options)`: the engine on the browser's WebGPU device, or
//! on the CPU (burn `flex` in the wasm) when WebGPU is missing or its device was lost.

use std::cell::RefCell;

use js_sys::{Function, Promise, Reflect, Uint8Array};
use prunelab_core::Experiment;
use prunelab_core::criterion::WeightRef;
use prunelab_core::dnr::Dnr;
use prunelab_core::report::{CycleEntry, NetEntry};
use prunelab_engine::{Checkpoint, EngineError, Event, Observer, cpu_device, run, webgpu_device};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::masks::{LayerMask, Pruners};
use crate::{PAGE_FLAGS, data, dead, engine_error, js_error, to_js};

/// Cells per side of a layer's mask-view grid.
const MASK_CELLS: usize = 64;

thread_local! {
    /// The page's WebGPU device: initialised once, reused by every later run (a second
    /// initialisation of the same adapter is refused).
    static DEVICE: RefCell<Option<burn::prelude::Device>> = const { RefCell::new(None) };
    /// The last finished cycle of the last run, for the checkpoint download and dead-unit maps.
    pub(crate) static LAST: RefCell<Option<Last>> = const { RefCell::new(None) };
}

/// What the page may ask about after (or during) a run.
pub(crate) struct Last {
    pub exp: Experiment,
    pub checkpoint: Vec<u8>,
    pub shape: [usize; 3],
    pub classes: usize,
    pub device: burn::prelude::Device,
}

/// Which device runs: `webgpu` (default) or `cpu`. The one WebGPU device of the page, made once
/// and shared by every export (a second initialisation of the same adapter is refused).
pub(crate) async fn device(backend: &str) -> Result<burn::prelude::Device, JsValue> {
    match backend {
        "cpu" => Ok(cpu_device()),
        "webgpu" => {
            if let Some(device) = DEVICE.with(|d| d.borrow().clone()) {
                return Ok(device);
            }
            let device = webgpu_device().await.map_err(engine_error)?;
            DEVICE.with(|d| *d.borrow_mut() = Some(device.clone()));
            Ok(device)
        }
        other => Err(js_error(
            "experiment",
            &format!("unknown backend `{other}` (expected webgpu or cpu)"),
        )),
    }
}

/// Forget the WebGPU device (after it was lost); the next WebGPU run asks for a new one.
#[wasm_bindgen(js_name = resetDevice)]
pub fn reset_device() {
    DEVICE.with(|d| *d.borrow_mut() = None);
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum PageEvent<'a> {
    Status {
        message: String,
    },
    Epoch {
        cycle: u32,
        epoch: u32,
        loss: f64,
        train_accuracy: f64,
        remaining: f64,
        dnr: Dnr,
    },
    Cycle {
        entry: &'a CycleEntry,
        masks: Vec<LayerMask>,
    },
    /// `method = density`: a trained net_i, its `NetEntry` fields beside `kind: "net"`.
    Net(&'a NetEntry),
}

struct Page {
    on_event: Function,
    /// Called before every training step; may return a promise (pending while paused) that
    /// resolves to `false` to stop the run.
    pause: Option<Function>,
    pruners: Pruners,
    exp: Experiment,
    shape: [usize; 3],
    classes: usize,
    device: burn::prelude::Device,
}

fn stopped(what: &str, e: &JsValue) -> EngineError {
    EngineError::Observer(format!(
        "{what}: {}",
        e.as_string().unwrap_or_else(|| format!("{e:?}"))
    ))
}

impl Page {
    fn keep(
        &mut self,
        checkpoint: &Checkpoint,
        ap_pruned: &[WeightRef],
    ) -> Result<Vec<LayerMask>, EngineError> {
        self.pruners.add_cycle(checkpoint, ap_pruned);
        let last = Last {
            exp: self.exp.clone(),
            checkpoint: checkpoint.to_bytes()?,
            shape: self.shape,
            classes: self.classes,
            device: self.device.clone(),
        };
        LAST.with(|l| *l.borrow_mut() = Some(last));
        Ok(self.pruners.view(MASK_CELLS))
    }
}

impl Observer for Page {
    fn on_event(&mut self, event: Event<'_>) -> Result<(), EngineError> {
        let event = match event {
            Event::Status(message) => PageEvent::Status { message },
            Event::Epoch {
                cycle,
                epoch,
                loss,
                train_accuracy,
                remaining,
                dnr,
            } => PageEvent::Epoch {
                cycle,
                epoch,
                loss,
                train_accuracy,
                remaining,
                dnr,
            },
            Event::Cycle {
                entry,
                checkpoint,
                ap_pruned,
            } => PageEvent::Cycle {
                entry,
                masks: self.keep(checkpoint, ap_pruned)?,
            },
            Event::Net { entry, .. } => PageEvent::Net(entry),
            // The page asks for no snapshots (it does not resume runs).
            Event::Snapshot(_) => return Ok(()),
        };
        let value =
            to_js(&event).map_err(|_| EngineError::Observer("cannot encode an event".into()))?;
        self.on_event
            .call1(&JsValue::NULL, &value)
            .map(|_| ())
            .map_err(|e| stopped("the page's event handler failed", &e))
    }

    fn between_steps(&mut self) -> impl Future<Output = Result<(), EngineError>> {
        let answer = self.pause.as_ref().map(|f| f.call0(&JsValue::NULL));
        async move {
            let value = match answer {
                None => return Ok(()),
                Some(Err(e)) => return Err(stopped("the page's pause hook failed", &e)),
                Some(Ok(v)) => v,
            };
            let value = match value.dyn_into::<Promise>() {
                Ok(promise) => JsFuture::from(promise)
                    .await
                    .map_err(|e| stopped("the page's pause hook failed", &e))?,
                Err(v) => v,
            };
            if value.as_bool() == Some(false) {
                Err(EngineError::Cancelled)
            } else {
                Ok(())
            }
        }
    }
}

fn option(options: &JsValue, key: &str) -> JsValue {
    if options.is_object() {
        Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// Validate the hash's experiment, train and prune it, resolve to the results (the CLI's
/// `results.json` object: `{ label, seed, experiment, cycles, complete }`).
///
/// `data`: see `data::source`. `options` (optional): `{ backend: 'webgpu' | 'cpu', pause }`,
/// where `pause()` is called before every training step and may return a promise — the run
/// waits for it, and stops with the message `stopped` if it resolves to `false`.
#[wasm_bindgen(js_name = runExperiment)]
pub async fn run_experiment(
    hash: String,
    data: JsValue,
    on_event: Function,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let (exp, _) = Experiment::from_hash(&hash, PAGE_FLAGS);
    exp.validate()
        .map_err(|e| engine_error(EngineError::Experiment(e)))?;
    let (source, shape, classes) = data::source(&data, exp.data)?;
    let backend = option(&options, "backend")
        .as_string()
        .unwrap_or_else(|| "webgpu".into());
    let device = device(&backend).await?;
    let pause = option(&options, "pause").dyn_into::<Function>().ok();
    let mut page = Page {
        on_event,
        pause,
        pruners: Pruners::default(),
        exp: exp.clone(),
        shape,
        classes,
        device: device.clone(),
    };
    LAST.with(|l| *l.borrow_mut() = None);
    let results = run(&exp, &source, &device, &mut page)
        .await
        .map_err(engine_error)?;
    Ok(to_js(&results)?)
}

/// The last finished cycle's checkpoint (safetensors, the CLI's `cycle-NN.safetensors` schema),
/// or `undefined` before any cycle finished.
#[wasm_bindgen(js_name = lastCheckpoint)]
pub fn last_checkpoint() -> Option<Uint8Array> {
    LAST.with(|l| {
        l.borrow()
            .as_ref()
            .map(|last| Uint8Array::from(last.checkpoint.as_slice()))
    })
}

/// Per counted layer, which units are dead on one input image under the last finished cycle's
/// weights and masks: see `dead::maps`. `image`: uint8 pixels, CHW, of the run's input shape.
#[wasm_bindgen(js_name = deadMaps)]
pub async fn dead_maps(image: Uint8Array) -> Result<JsValue, JsError> {
    let last = LAST.with(|l| {
        l.borrow().as_ref().map(|l| {
            (
                l.exp.clone(),
                l.checkpoint.clone(),
                l.shape,
                l.classes,
                l.device.clone(),
            )
        })
    });
    let (exp, bytes, shape, classes, device) =
        last.ok_or_else(|| JsError::new("no finished cycle yet: run an experiment first"))?;
    let maps = dead::maps(&exp, &bytes, shape, classes, &device, image.to_vec())
        .await
        .map_err(|e| JsError::new(&e.to_string()))?;
    to_js(&maps)
}
