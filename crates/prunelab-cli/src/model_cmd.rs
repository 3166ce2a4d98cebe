//! `prunelab model NAME [--classes N] [--input C,H,W] [--widths W,W,…] [--json]`: a network's
//! parameters and multiply-accumulates per image, layer by layer, computed from its shapes (no
//! tensors are built; what is counted: `prunelab_core::macs`, reference numbers: docs/models.md).
//! `--widths` resizes its resizable layers as activation-density pruning does (e.g. a Table I
//! configuration).

use anyhow::{Context, Result, bail};
use prunelab_core::macs::{LayerCost, totals};
use prunelab_core::state::Model;
use prunelab_models::{InputShape, Network};
use prunelab_report::grouped;
use serde::Serialize;

/// What `--json` prints: the totals first, then what they were computed for and the layers.
#[derive(Serialize)]
struct Report<'a> {
    parameters: u64,
    macs: u64,
    model: &'a str,
    input: [usize; 3],
    classes: usize,
    layers: &'a [LayerCost],
}

/// The dataset shape and classes a model is used with: MNIST for LeNet-300-100 and the CNN,
/// CIFAR-10 / CIFAR-100 for the CIFAR networks (DenseNet-40 and MobileNetV2 on CIFAR-100, as in
/// the AP paper), ImageNet for ResNet-50 and ViT-B/16.
fn defaults(model: Model) -> ([usize; 3], usize) {
    match model {
        Model::Lenet300 | Model::Cnn => ([1, 28, 28], 10),
        Model::Resnet20 | Model::Resnet56 | Model::Vgg19 | Model::Resnet18 => ([3, 32, 32], 10),
        Model::Densenet40 | Model::Mobilenetv2 => ([3, 32, 32], 100),
        Model::Resnet50 | Model::VitB16 => ([3, 224, 224], 1000),
    }
}

fn parse_model(name: &str) -> Result<Model> {
    match Model::ALL.iter().find(|m| m.name() == name) {
        Some(&m) => Ok(m),
        None => bail!(
            "unknown model `{name}` (expected one of: {})",
            Model::ALL
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `C,H,W`, each at least 1.
fn parse_input(text: &str) -> Result<[usize; 3]> {
    let parts = text
        .split(',')
        .map(|p| p.trim().parse::<usize>().ok().filter(|&n| n > 0))
        .collect::<Option<Vec<_>>>();
    match parts.as_deref() {
        Some(&[c, h, w]) => Ok([c, h, w]),
        _ => bail!("--input must be C,H,W with three positive integers, got `{text}`"),
    }
}

fn table(name: &str, [c, h, w]: [usize; 3], classes: usize, layers: &[LayerCost]) -> String {
    let t = totals(layers);
    let width = layers
        .iter()
        .map(|l| l.layer.len())
        .max()
        .unwrap_or(0)
        .max(5);
    let mut out = format!("{name}, input {c}×{h}×{w}, {classes} classes\n\n");
    out += &format!(
        "{:<width$}  {:>14}  {:>18}\n",
        "layer", "parameters", "MACs"
    );
    for l in layers {
        out += &format!(
            "{:<width$}  {:>14}  {:>18}\n",
            l.layer,
            grouped(l.parameters),
            grouped(l.macs)
        );
    }
    out += &format!(
        "{:<width$}  {:>14}  {:>18}\n",
        "total",
        grouped(t.parameters),
        grouped(t.macs)
    );
    out
}

/// `W,W,…`: positive integers.
fn parse_widths(text: &str) -> Result<Vec<usize>> {
    let widths = text
        .split(',')
        .map(|p| {
            p.trim()
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
        })
        .collect::<Option<Vec<_>>>();
    widths.with_context(|| {
        format!("--widths must be positive integers separated by commas, got `{text}`")
    })
}

pub fn model(
    name: &str,
    classes: Option<usize>,
    input: Option<&str>,
    widths: Option<&str>,
    as_json: bool,
) -> Result<()> {
    let model = parse_model(name)?;
    let (default_input, default_classes) = defaults(model);
    let input = match input {
        Some(text) => parse_input(text)?,
        None => default_input,
    };
    let classes = classes.unwrap_or(default_classes);
    if classes == 0 {
        bail!("--classes must be at least 1");
    }
    let layers = match widths {
        Some(text) => {
            Network::costs_with_widths(model, InputShape(input), classes, &parse_widths(text)?)
                .map_err(anyhow::Error::msg)?
        }
        None => Network::costs(model, InputShape(input), classes),
    };
    if as_json {
        let t = totals(&layers);
        let report = Report {
            parameters: t.parameters,
            macs: t.macs,
            model: name,
            input,
            classes,
            layers: &layers,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&report).context("cannot print JSON")?
        );
    } else {
        print!("{}", table(name, input, classes, &layers));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_and_grouping() {
        assert_eq!(parse_input("3,32,32").ok(), Some([3, 32, 32]));
        assert_eq!(parse_input(" 1, 28 ,28").ok(), Some([1, 28, 28]));
        for bad in ["3,32", "3,0,32", "a,b,c", "3,32,32,1", ""] {
            assert!(parse_input(bad).is_err(), "{bad}");
        }
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1 000");
        assert_eq!(grouped(20_040_522), "20 040 522");
    }

    #[test]
    fn every_model_has_defaults_and_a_table() {
        for &m in Model::ALL {
            let (input, classes) = defaults(m);
            let text = table(
                m.name(),
                input,
                classes,
                &Network::costs(m, InputShape(input), classes),
            );
            assert!(
                text.lines().last().is_some_and(|l| l.starts_with("total")),
                "{text}"
            );
        }
        assert!(parse_model("vgg99").is_err_and(|e| {
            e.to_string()
                .starts_with("unknown model `vgg99` (expected one of: lenet300, cnn")
        }));
    }
}
