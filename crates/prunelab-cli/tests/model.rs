//! `prunelab model`: parameter and MAC counts as a user asks for them, checked against
//! torchvision's ResNet-50 (docs/models.md), and one-line errors for bad names and shapes.

mod common;

use std::process::Output;

use common::prunelab;
use serde_json::Value;

fn json(o: &Output) -> Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

#[test]
fn resnet50_json_matches_torchvision() {
    let v = json(&prunelab(&["model", "resnet50", "--json"]));
    assert_eq!(v["parameters"], 25_557_032);
    assert_eq!(v["macs"], 4_089_184_256u64);
    assert_eq!(
        (v["classes"].as_u64(), v["input"].clone()),
        (Some(1000), serde_json::json!([3, 224, 224]))
    );
    let layers = v["layers"].as_array().expect("layers");
    assert_eq!(
        layers
            .iter()
            .filter(|l| l["layer"].as_str().is_some_and(|n| n.ends_with("conv1")
                || n.ends_with("conv2")
                || n.ends_with("conv3")))
            .count(),
        1 + 16 * 3
    );
    let sum = |key: &str| {
        layers
            .iter()
            .map(|l| l[key].as_u64().expect("count"))
            .sum::<u64>()
    };
    assert_eq!(
        (sum("parameters"), sum("macs")),
        (25_557_032, 4_089_184_256)
    );

    // 10 classes at 64×64: the classifier shrinks by 990 × 2049, MACs as PyTorch at that size less 990 × 2048
    let v = json(&prunelab(&[
        "model",
        "resnet50",
        "--classes",
        "10",
        "--input",
        "3,64,64",
        "--json",
    ]));
    assert_eq!(v["parameters"], 25_557_032 - 990 * 2049);
    assert_eq!(v["macs"], 335_691_776u64 - 990 * 2048);
}

#[test]
fn table_without_json() {
    let o = prunelab(&["model", "vgg19"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.starts_with("vgg19, input 3×32×32, 10 classes"),
        "{text}"
    );
    let total = text.lines().last().expect("a total line");
    assert!(
        total.starts_with("total") && total.contains("20 040 522") && total.contains("398 136 320"),
        "{total}"
    );
}

#[test]
fn bad_names_and_shapes_are_one_line_errors() {
    for (args, reason) in [
        (
            &["model", "vgg99", "--json"][..],
            "unknown model `vgg99` (expected one of: lenet300, cnn, resnet20, resnet56, vgg19",
        ),
        (
            &["model", "resnet18", "--input", "3,32"][..],
            "--input must be C,H,W",
        ),
        (
            &["model", "resnet18", "--classes", "0"][..],
            "--classes must be at least 1",
        ),
    ] {
        let o = prunelab(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(reason), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
}

/// Table I's ResNet-18 net1 configuration: the resized network's counts (projections included),
/// and one-line errors for widths that do not fit.
#[test]
fn widths_resize_a_network() {
    let net1 = "34,29,41,25,33,58,78,27,65,71,83,46,69,120,191,219,288";
    let v = json(&prunelab(&[
        "model", "resnet18", "--widths", net1, "--json",
    ]));
    assert_eq!(
        (v["parameters"].as_u64(), v["macs"].as_u64()),
        (Some(1_609_483), Some(98_017_344))
    );
    for (widths, reason) in [
        ("1,2", "resnet18 takes 17 widths, got 2"),
        ("a,b", "--widths must be positive integers"),
        ("0,3", "--widths must be positive"),
    ] {
        let o = prunelab(&["model", "resnet18", "--widths", widths]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains(reason) && err.trim_end().lines().count() == 1,
            "{widths}: {err}"
        );
    }
    let o = prunelab(&["model", "vit-b16", "--widths", "3"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("vit-b16 has no resizable layer widths"));
}
