//! Property-based fuzzing of the text parsers (issue: fuzzed parsers): the URL hash, the TOML
//! config and sweep plan, and `results.json`. Arbitrary text and mutated valid inputs must never
//! panic; a hash always parses (junk becomes notices), a config or a results file parses or gives
//! an error, and a valid state survives its own round trip. Cases: `PROPTEST_CASES` (256 by
//! default; `cargo xtask fuzz --cases N`).

use proptest::prelude::*;
use proptest::sample::Index;
use prunelab_core::Experiment;
use prunelab_core::plan::Plan;
use prunelab_core::report::RunResult;
use prunelab_core::state::{Kind, Native, TABLE};

/// Text with up to 6 characters replaced by arbitrary ones, maybe cut short.
fn mutated(valid: String) -> impl Strategy<Value = String> {
    (
        prop::collection::vec((any::<Index>(), any::<char>()), 1..6),
        any::<Index>(),
        any::<bool>(),
    )
        .prop_map(move |(edits, cut, truncate)| {
            let mut chars: Vec<char> = valid.chars().collect();
            for (at, c) in edits {
                let i = at.index(chars.len());
                chars[i] = c;
            }
            if truncate {
                chars.truncate(cut.index(chars.len() + 1));
            }
            chars.into_iter().collect()
        })
}

/// Text made of the parsers' own tokens (keys, names, separators, escapes, odd numbers) and
/// arbitrary strings, so most inputs reach past the first check.
fn tokens(separators: &'static [&'static str]) -> impl Strategy<Value = String> {
    let mut words: Vec<String> = TABLE.iter().map(|k| k.name.to_string()).collect();
    for k in TABLE {
        if let Kind::Name(names) = k.kind {
            words.extend(names.iter().map(|n| n.to_string()));
        }
    }
    words.extend(
        [
            "0", "1", "-1", "2.5", "1e999", "inf", "NaN", "auto", "none", "epoch", "%", "%2",
            "%zz", "%41", "+", ",", "\"", "'", " ",
        ]
        .map(String::from),
    );
    words.extend(separators.iter().map(|s| s.to_string()));
    let word = prop_oneof![4 => prop::sample::select(words), 1 => any::<String>()];
    prop::collection::vec(word, 0..40).prop_map(|w| w.concat())
}

/// A hash setting every key (but `recipe`) to a valid value of its kind.
fn valid_state() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<Index>(), TABLE.len()).prop_map(|picks| {
        TABLE
            .iter()
            .zip(picks)
            .filter(|(k, _)| k.name != "recipe")
            .map(|(k, pick)| {
                let value = match k.kind {
                    Kind::Name(names) => names[pick.index(names.len())].to_string(),
                    Kind::Number | Kind::Optional(_) => (pick.index(50) + 1).to_string(),
                    Kind::List => format!("{},{}", pick.index(5) + 1, pick.index(5) + 6),
                };
                format!("{}={value}", k.name)
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn toml_config() -> String {
    Experiment::default().to_toml(&Native::default())
        + "seeds = [1, 2]\n[[variant]]\nap = \"lite\"\n"
}

fn results_json() -> String {
    concat!(
        r#"{"label":"GM + AP-Pro","seed":1,"experiment":"model=lenet300","cycles":[{"cycle":0,"#,
        r#""remaining":1.0,"remaining_after":0.8,"test_accuracy":0.9,"early_stop_accuracy":0.9,"#,
        r#""val_accuracy":null,"best_epoch":0,"train_loss":0.3,"pruned":{"base":10,"ap":2,"#,
        r#""boosted":0},"dnr":{"static":0.0,"dynamic":0.1,"per_layer":[]}}],"complete":true}"#
    )
    .into()
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_hash_parses_to_a_state_that_round_trips(hash in tokens(&["=", "&", "#"])) {
        let (exp, notices) = Experiment::from_hash(&hash, &["autorun"]);
        prop_assert!(notices.len() <= hash.split('&').count());
        let (again, _) = Experiment::from_hash(&exp.to_hash(), &[]);
        prop_assert_eq!(again, exp);
    }

    #[test]
    fn a_mutated_hash_parses(hash in mutated(Experiment::default().to_hash() + "&taylor_batches=3&lr_milestones=2,4&target=20")) {
        let _ = Experiment::from_hash(&hash, &[]);
    }

    #[test]
    fn a_valid_state_round_trips_through_url_and_toml(hash in valid_state()) {
        let (exp, notices) = Experiment::from_hash(&hash, &[]);
        prop_assert!(notices.is_empty(), "{:?}", notices);
        let (again, _) = Experiment::from_hash(&exp.to_hash(), &[]);
        prop_assert_eq!(&again, &exp);
        if exp.validate().is_ok() {
            let (back, _) = Experiment::from_toml(&exp.to_toml(&Native::default())).expect("its own config");
            prop_assert_eq!(back, exp);
        }
    }

    #[test]
    fn any_config_parses_or_errs(text in tokens(&[" = ", "\n", "[", "]", "[[variant]]", "seeds", "label", "{", "}"])) {
        let _ = Experiment::from_toml(&text);
        let _ = Plan::from_toml(&text);
    }

    #[test]
    fn a_mutated_config_parses_or_errs(text in mutated(toml_config())) {
        let _ = Experiment::from_toml(&text);
        if let Ok(plan) = Plan::from_toml(&text) {
            prop_assert!(!plan.runs.is_empty());
        }
    }

    #[test]
    fn a_mutated_results_file_parses_or_errs(text in mutated(results_json())) {
        let _ = serde_json::from_str::<RunResult>(&text);
    }
}
