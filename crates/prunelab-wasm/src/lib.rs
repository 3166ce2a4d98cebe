//! The page's API (camelCase in JS): `parseState`, `stateToHash`, `stateKeys`, `stateLabel`, `runExperiment` (WebGPU or the
//! CPU fallback; pausable), `lastCheckpoint`, `deadMaps`, `resetDevice`. The URL hash is the
//! experiment state (see `prunelab_core::state`); results have the CLI's `results.json` schema.

use prunelab_core::Experiment;
use prunelab_core::state::{Kind, TABLE};
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

/// One experiment key for the page: what the controls, the URL and the web component derive from.
#[derive(Serialize)]
struct StateKey {
    name: &'static str,
    /// `name`, `number`, `optional` or `list`
    kind: &'static str,
    /// the allowed names (`kind = name`)
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    values: &'static [&'static str],
    /// the word for "unset" (`kind = optional`)
    #[serde(skip_serializing_if = "Option::is_none")]
    word: Option<&'static str>,
    /// the value of the `custom` recipe (`null` = unset)
    default: Option<String>,
    /// the key's doc comment
    doc: String,
}

/// Every experiment key (`prunelab_core::state::TABLE`), in URL order:
/// `[{ name, kind, values?, word?, default, doc }]`.
#[wasm_bindgen(js_name = stateKeys)]
pub fn state_keys() -> Result<JsValue, JsError> {
    let defaults = Experiment::default();
    let keys: Vec<StateKey> = TABLE
        .iter()
        .map(|k| {
            let (kind, values, word) = match k.kind {
                Kind::Name(values) => ("name", values, None),
                Kind::Number => ("number", &[][..], None),
                Kind::Optional(word) => ("optional", &[][..], Some(word)),
                Kind::List => ("list", &[][..], None),
            };
            StateKey {
                name: k.name,
                kind,
                values,
                word,
                default: defaults.get(k.name),
                doc: k.doc.lines().map(str::trim).collect::<Vec<_>>().join(" "),
            }
        })
        .collect();
    to_js(&keys)
}

/// A JS `Error` whose `name` says what failed: `CancelledError`, `DeviceError`,
/// `ExperimentError`, … (`prunelab_engine::EngineError::kind`). The page branches on the name,
/// never on the message.
#[cfg(target_arch = "wasm32")]
pub(crate) fn js_error(kind: &str, message: &str) -> JsValue {
    let mut name = kind.to_string();
    if let Some(first) = name.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let error = js_sys::Error::new(message);
    error.set_name(&format!("{name}Error"));
    error.into()
}

/// An engine error for the page, named by its kind.
#[cfg(target_arch = "wasm32")]
pub(crate) fn engine_error(e: prunelab_engine::EngineError) -> JsValue {
    js_error(e.kind(), &e.to_string())
}

/// A value for the page, through one JSON string: far fewer JS calls than building the object
/// field by field (each call into the wasm is costly: the module re-runs its constructors).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("cannot decode a JSON value"))
}

/// The run's label as `results.json` and `prunelab report` write it (`prunelab_core::plan::label`:
/// `GM + AP-Pro`, `GT + AP-Lite (q=3)`, `AE density`).
#[wasm_bindgen(js_name = stateLabel)]
pub fn state_label(hash: &str) -> String {
    let (state, _) = Experiment::from_hash(hash, PAGE_FLAGS);
    prunelab_core::plan::label(&state)
}

/// Why the hash's experiment cannot run (one line), or `undefined` if it can.
#[wasm_bindgen(js_name = validateState)]
pub fn validate_state(hash: &str) -> Option<String> {
    let (state, _) = Experiment::from_hash(hash, PAGE_FLAGS);
    state.validate().err().map(|e| e.to_string())
}
