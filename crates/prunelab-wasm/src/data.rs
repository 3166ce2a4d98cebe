//! The page's data, as the engine's [`Source`]: MNIST IDX files (bundled) or CIFAR-10 binary
//! records (the web export's chunks, or a user's own `data_batch_*.bin` / `test_batch.bin`).

use js_sys::{Array, Reflect, Uint8Array};
use prunelab_core::state::Data;
use prunelab_engine::Source;
use wasm_bindgen::prelude::*;

fn field(data: &JsValue, key: &str) -> Result<JsValue, JsError> {
    Reflect::get(data, &JsValue::from_str(key))
        .map_err(|_| JsError::new(&format!("data.{key} is missing")))
}

fn bytes(value: JsValue, key: &str) -> Result<Vec<u8>, JsError> {
    let array: Uint8Array = value
        .dyn_into()
        .map_err(|_| JsError::new(&format!("data.{key} must be a Uint8Array")))?;
    Ok(array.to_vec())
}

/// `{ kind: 'mnist', trainImages, trainLabels, testImages, testLabels }` (kind may be left out)
/// or `{ kind: 'cifar10', train: Uint8Array[], test: Uint8Array }`; `want` is the experiment's
/// `data`, which must match what was loaded. Also returns the image shape and class count.
pub fn source(data: &JsValue, want: Data) -> Result<(Source, [usize; 3], usize), JsError> {
    let kind = field(data, "kind")?
        .as_string()
        .unwrap_or_else(|| "mnist".into());
    if kind != want.to_string() {
        return Err(JsError::new(&format!(
            "the page loaded {kind} but the experiment asks for data={want}"
        )));
    }
    let bad = |e: prunelab_data::DataError| JsError::new(&e.to_string());
    match want {
        Data::Mnist => {
            let get = |k: &str| field(data, k).and_then(|v| bytes(v, k));
            let split = prunelab_data::mnist_from_idx_bytes(
                &get("trainImages")?,
                &get("trainLabels")?,
                &get("testImages")?,
                &get("testLabels")?,
            )
            .map_err(bad)?;
            let (shape, classes) = (split.train.shape, split.train.classes);
            Ok((split.into(), shape, classes))
        }
        Data::Cifar10 => {
            let train: Array = field(data, "train")?
                .dyn_into()
                .map_err(|_| JsError::new("data.train must be an array of Uint8Array"))?;
            let train: Vec<Vec<u8>> = train
                .iter()
                .map(|v| bytes(v, "train[]"))
                .collect::<Result<_, _>>()?;
            let test = bytes(field(data, "test")?, "test")?;
            let parts: Vec<&[u8]> = train.iter().map(Vec::as_slice).collect();
            let split = prunelab_data::cifar10_from_batches(&parts, &test).map_err(bad)?;
            let (shape, classes) = (split.train.shape, split.train.classes);
            Ok((Source::cropped(split), shape, classes))
        }
        other => Err(JsError::new(&format!(
            "the browser playground runs MNIST and CIFAR-10; data={other} needs the native CLI"
        ))),
    }
}
