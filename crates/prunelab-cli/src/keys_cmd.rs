//! `prunelab keys`: the experiment keys a config file or a URL hash takes, from the one table
//! (`prunelab_core::state::TABLE`).

use prunelab_core::Experiment;
use prunelab_core::state::{Kind, TABLE};

/// What a key's values look like, for a reader.
fn values(kind: Kind) -> String {
    match kind {
        Kind::Name(names) => names.join(" | "),
        Kind::Number => "number".into(),
        Kind::Optional(word) => format!("number | \"{word}\""),
        Kind::List => "list of numbers".into(),
    }
}

/// Print every key: name, values, default (recipe `custom`) and doc line; or, with `json`, an
/// array of `{name, values, default, doc}`.
pub fn keys(json: bool) -> anyhow::Result<()> {
    let defaults = Experiment::default();
    let doc = |d: &str| d.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    if json {
        let rows: Vec<serde_json::Value> = TABLE
            .iter()
            .map(|k| {
                serde_json::json!({
                    "name": k.name,
                    "values": values(k.kind),
                    "default": defaults.get(k.name),
                    "doc": doc(k.doc),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    for k in TABLE {
        let default = defaults.get(k.name).unwrap_or_else(|| "(unset)".into());
        println!("{}  [{}]  default {default}", k.name, values(k.kind));
        println!("    {}", doc(k.doc));
    }
    Ok(())
}
