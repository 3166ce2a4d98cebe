//! `prunelab data web-export cifar10 --out DIR`: CIFAR-10 in the playground's web format — the
//! official binary records (one label byte + 3×32×32 CHW pixels), in chunks of at most `--chunk`
//! records (`train-NN.bin`, `test-NN.bin`) that the page fetches one by one with progress, and
//! `manifest.json` listing them. The folder is written beside DIR and renamed into place: it
//! appears whole or not at all. Serve DIR and open the page with `cifar=<URL of manifest.json>`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use prunelab_data::{Dataset, load_cifar10};
use serde_json::json;

use crate::atomic;

pub struct Args {
    pub data: PathBuf,
    pub out: PathBuf,
    /// Records per chunk.
    pub chunk: usize,
    /// Training / test images kept from the start of each split (0 = all).
    pub train: usize,
    pub test: usize,
    pub force: bool,
}

/// The records of `set`'s first `n` images (0 = all), in chunks of `chunk` records.
fn chunks(set: &Dataset, n: usize, chunk: usize) -> Vec<Vec<u8>> {
    let n = if n == 0 { set.len() } else { n.min(set.len()) };
    (0..n)
        .collect::<Vec<_>>()
        .chunks(chunk)
        .map(|idx| {
            idx.iter()
                .flat_map(|&i| {
                    std::iter::once(set.labels[i] as u8).chain(set.image(i).iter().copied())
                })
                .collect()
        })
        .collect()
}

fn write_split(
    dir: &Path,
    name: &str,
    parts: &[Vec<u8>],
    record: usize,
) -> Result<Vec<serde_json::Value>> {
    parts
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let file = format!("{name}-{i:02}.bin");
            atomic::write(&dir.join(&file), bytes)?;
            Ok(json!({ "file": file, "records": bytes.len() / record }))
        })
        .collect()
}

pub fn web_export(args: Args) -> Result<()> {
    if args.chunk == 0 {
        bail!("--chunk must be at least 1 record");
    }
    if args.out.exists() && !args.force {
        bail!("{} exists: pass --force to replace it", args.out.display());
    }
    let split = load_cifar10(&args.data.join("cifar10"))?;
    let record = 1 + split.train.image_len();
    let name = args
        .out
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("web");
    let tmp = args.out.with_file_name(format!(".{name}.tmp"));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).with_context(|| format!("cannot clear {}", tmp.display()))?;
    }
    std::fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let train = write_split(
        &tmp,
        "train",
        &chunks(&split.train, args.train, args.chunk),
        record,
    )?;
    let test = write_split(
        &tmp,
        "test",
        &chunks(&split.test, args.test, args.chunk),
        record,
    )?;
    let manifest = json!({
        "format": "prunelab-cifar10-web",
        "version": 1,
        "record_bytes": record,
        "classes": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
        "train": train,
        "test": test,
    });
    atomic::write(
        &tmp.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
    )?;
    if args.out.exists() {
        std::fs::remove_dir_all(&args.out)
            .with_context(|| format!("cannot replace {}", args.out.display()))?;
    }
    std::fs::rename(&tmp, &args.out)
        .with_context(|| format!("cannot move {} into place", args.out.display()))?;
    let count =
        |v: &[serde_json::Value]| v.iter().filter_map(|c| c["records"].as_u64()).sum::<u64>();
    println!(
        "{}: {} training + {} test images in {} chunks; serve it and open the page with cifar=<URL>/manifest.json",
        args.out.display(),
        count(&train),
        count(&test),
        train.len() + test.len()
    );
    Ok(())
}
