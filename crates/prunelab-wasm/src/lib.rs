//! The page's API (camelCase in JS): `parseState`, `stateToHash`, `runExperiment`. The URL hash is
//! the experiment state (see `prunelab_core::state`); results have the CLI's `results.json` schema.

use prunelab_core::Experiment;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[cfg(target_arch = "wasm32")]
mod bench;
#[cfg(target_arch = "wasm32")]
mod run;

/// Page flags that live in the hash but are not part of the experiment.
pub const PAGE_FLAGS: &[&str] = &["autorun"];

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
    let exp: Experiment = serde_wasm_bindgen::from_value(state).map_err(|e| JsError::new(&format!("not a prunelab state: {e}")))?;
    Ok(exp.to_hash())
}

pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}
