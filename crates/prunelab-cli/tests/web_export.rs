//! `prunelab data web-export cifar10`: chunks of the official records plus a manifest, written
//! whole or not at all.

mod common;

use common::{prunelab, stderr};

/// CIFAR-10 binary files with `per_batch` records in each training batch and `test` in the test
/// batch; record r of file f has label (f + r) % 10 and pixels all equal to its number.
fn write_cifar(dir: &std::path::Path, per_batch: usize, test: usize) -> Vec<Vec<u8>> {
    std::fs::create_dir_all(dir).expect("mkdir");
    let record = |n: usize, label: usize| {
        std::iter::once(label as u8)
            .chain(std::iter::repeat_n(n as u8, 3072))
            .collect::<Vec<u8>>()
    };
    let mut records = Vec::new();
    for f in 1..=5 {
        let recs: Vec<Vec<u8>> = (0..per_batch)
            .map(|r| record(records.len() + r, (f + r) % 10))
            .collect();
        std::fs::write(dir.join(format!("data_batch_{f}.bin")), recs.concat()).expect("write");
        records.extend(recs);
    }
    std::fs::write(
        dir.join("test_batch.bin"),
        (0..test)
            .map(|r| record(200 + r, r % 10))
            .collect::<Vec<_>>()
            .concat(),
    )
    .expect("write");
    records
}

#[test]
fn cifar10_becomes_chunks_and_a_manifest() {
    let tmp = tempfile::tempdir().expect("tmp");
    let records = write_cifar(&tmp.path().join("cifar10"), 2, 3);
    let out = tmp.path().join("web");
    let data = tmp.path().to_str().expect("utf-8");
    let o = prunelab(&[
        "data",
        "web-export",
        "cifar10",
        "--data",
        data,
        "--out",
        out.to_str().expect("utf-8"),
        "--chunk",
        "4",
        "--test",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest"))
            .expect("json");
    assert_eq!(manifest["format"], "prunelab-cifar10-web");
    assert_eq!(manifest["record_bytes"], 3073);
    let counts = |k: &str| {
        manifest[k]
            .as_array()
            .expect("list")
            .iter()
            .map(|c| c["records"].as_u64().expect("n"))
            .collect::<Vec<_>>()
    };
    assert_eq!((counts("train"), counts("test")), (vec![4, 4, 2], vec![2]));
    let chunk = std::fs::read(out.join("train-01.bin")).expect("chunk");
    assert_eq!(
        chunk,
        records[4..8].concat(),
        "the records are the official ones, in order"
    );
    assert_eq!(
        std::fs::read(out.join("test-00.bin")).expect("test").len(),
        2 * 3073
    );
    let again = prunelab(&[
        "data",
        "web-export",
        "cifar10",
        "--data",
        data,
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(
        !again.status.success() && stderr(&again).contains("--force"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_truncated_batch_leaves_no_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("cifar10");
    write_cifar(&dir, 2, 3);
    std::fs::write(dir.join("data_batch_3.bin"), vec![0u8; 3000]).expect("truncate");
    let out = tmp.path().join("web");
    let o = prunelab(&[
        "data",
        "web-export",
        "cifar10",
        "--data",
        tmp.path().to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("data_batch_3.bin"), "{}", stderr(&o));
    assert!(!out.exists() && !tmp.path().join(".web.tmp").exists());
}
