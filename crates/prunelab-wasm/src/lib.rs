//! The page's API (camelCase in JS): `parseState`, `stateToHash`, `runExperiment` (WebGPU or the
//! CPU fallback; pausable), `lastCheckpoint`, `deadMaps`, `resetDevice`. The URL hash is the
//! experiment state (see `prunelab_core::state`); results have the CLI's `results.json` schema.

use prunelab_core::Experiment;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[cfg(target_arch = "wasm32")]
mod bench;
#[cfg(target_arch = "wasm32")]
mod data;
#[cfg(target_arch = "wasm32")]
mod dead;
#[cfg(any(target_arch = "wasm32", test))]
mod masks;
#[cfg(target_arch = "wasm32")]
mod run;

/// Run the static constructors (the `inventory` registrations of burn's cubecl) once, when the
/// module is instantiated. A module that never calls `__wasm_call_ctors` itself is linked by
/// wasm-ld "command-style": every export then re-runs them first, which made each call from the
/// page (events, the pause hook) slower than the last.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen(start)]
fn start() {
    unsafe extern "C" {
        fn __wasm_call_ctors();
    }
    // SAFETY: wasm-ld's synthetic constructor runner; called once, before any other export.
    unsafe { __wasm_call_ctors() }
}

/// Page flags that live in the hash but are not part of the experiment.
pub const PAGE_FLAGS: &[&str] = &[
    "autorun", "hide", "lesson", "compare", "origins", "backend", "cifar",
];

#[derive(Serialize)]
struct Parsed {
    state: Experiment,
    notices: Vec<String>,
}

/// `{ state, notices }` for a URL hash; never throws (junk is ignored and reported in notices).
#[wasm_bindgen(js_name = parseState)]
pub fn parse_state(hash: &str) -> Result<JsValue, JsError> {
    let (state, notices) = Experiment::from_hash(hash, PAGE_FLAGS);
    to_js(&Parsed { state, notices })
}

/// The canonical hash (without `#`) of a state object.
#[wasm_bindgen(js_name = stateToHash)]
pub fn state_to_hash(state: JsValue) -> Result<String, JsError> {
    let exp: Experiment = serde_wasm_bindgen::from_value(state)
        .map_err(|e| JsError::new(&format!("not a prunelab state: {e}")))?;
    Ok(exp.to_hash())
}

/// A value for the page, through one JSON string: far fewer JS calls than building the object
/// field by field (each call into the wasm is costly: the module re-runs its constructors).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("cannot decode a JSON value"))
}

/// Why the hash's experiment cannot run (one line), or `undefined` if it can.
#[wasm_bindgen(js_name = validateState)]
pub fn validate_state(hash: &str) -> Option<String> {
    let (state, _) = Experiment::from_hash(hash, PAGE_FLAGS);
    state.validate().err().map(|e| e.to_string())
}
