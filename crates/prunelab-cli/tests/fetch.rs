//! `prunelab data fetch` against a loopback HTTP server serving generated tarballs in the official
//! CIFAR layouts: the dataset lands and loads; a wrong checksum, a truncated archive, an archive
//! lacking a file or an HTTP error exits 2 and leaves nothing behind.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

use flate2::Compression;
use flate2::write::GzEncoder;
use md5::{Digest, Md5};

/// A CIFAR-10 record: `label`, then 3072 pixels all `label * 10 + k`.
fn record(label: u8, k: u8) -> Vec<u8> {
    let mut r = vec![label];
    r.extend(std::iter::repeat_n(label * 10 + k, 3072));
    r
}

/// A `.tar.gz` holding `files` (path, bytes).
fn tarball(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    for (path, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, path, bytes.as_slice())
            .expect("append");
    }
    tar.into_inner().expect("tar").finish().expect("gzip")
}

/// The official CIFAR-10 layout: five training batches of two images and a test batch of one,
/// plus the metadata files the loader does not need.
fn cifar10_files() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = (1..=5u8)
        .map(|b| {
            (
                format!("cifar-10-batches-bin/data_batch_{b}.bin"),
                [record(b, 0), record(b, 1)].concat(),
            )
        })
        .collect();
    files.push(("cifar-10-batches-bin/test_batch.bin".into(), record(9, 2)));
    files.push((
        "cifar-10-batches-bin/batches.meta.txt".into(),
        b"airplane\n".to_vec(),
    ));
    files
}

fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Serve `status` and `body` to every request on a loopback port; returns the URL.
fn serve(status: &'static str, body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "http://{}/cifar.tar.gz",
        listener.local_addr().expect("address")
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream
                .write_all(reply.as_bytes())
                .and_then(|()| stream.write_all(&body));
        }
    });
    url
}

fn fetch(data: &Path, extra: &[&str]) -> Output {
    let data = data.display().to_string();
    let mut args = vec!["data", "fetch"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--data", &data]);
    Command::new(env!("CARGO_BIN_EXE_prunelab"))
        .args(&args)
        .output()
        .expect("prunelab starts")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit 2 with a one-line error containing `reason`, and nothing left in `data`.
fn assert_failed_cleanly(o: &Output, data: &Path, reason: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(reason), "expected `{reason}` in: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    let left: Vec<_> = std::fs::read_dir(data)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn fetches_cifar10_from_a_mirror_and_it_loads() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let archive = tarball(&cifar10_files());
    let url = serve("200 OK", archive.clone());
    let o = fetch(
        tmp.path(),
        &[
            "cifar10",
            "--url",
            &url,
            "--md5",
            &md5_hex(&archive).to_uppercase(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("cifar10: 10 training and 1 test images"));
    let dest = tmp.path().join("cifar10");
    let split = prunelab_data::load_cifar10(&dest)
        .map_err(|e| e.to_string())
        .expect("loads");
    assert_eq!(split.train.labels, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    assert_eq!(
        (split.test.labels.as_slice(), split.test.image(0)[100]),
        ([9].as_slice(), 92)
    );
    assert!(!dest.join("batches.meta.txt").exists());
    let mut entries: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    entries.sort();
    assert_eq!(entries, ["cifar10"], "no temporary folder left");

    // An existing dataset is kept unless --force.
    let o = fetch(
        tmp.path(),
        &["cifar10", "--url", &url, "--md5", &md5_hex(&archive)],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("already exists; pass --force"),
        "{}",
        stderr(&o)
    );
    std::fs::write(dest.join("marker"), "old").expect("write");
    let o = fetch(
        tmp.path(),
        &[
            "cifar10",
            "--url",
            &url,
            "--md5",
            &md5_hex(&archive),
            "--force",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dest.join("marker").exists() && dest.join("test_batch.bin").exists());
}

#[test]
fn fetches_cifar100() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let record = |coarse: u8, fine: u8| [vec![coarse, fine], vec![fine; 3072]].concat();
    let archive = tarball(&[
        (
            "cifar-100-binary/train.bin".into(),
            [record(1, 42), record(19, 99)].concat(),
        ),
        ("cifar-100-binary/test.bin".into(), record(0, 7)),
    ]);
    let url = serve("200 OK", archive.clone());
    let o = fetch(
        tmp.path(),
        &["cifar100", "--url", &url, "--md5", &md5_hex(&archive)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let split = prunelab_data::load_cifar100(&tmp.path().join("cifar100"))
        .map_err(|e| e.to_string())
        .expect("loads");
    assert_eq!(
        (split.train.labels, split.test.labels),
        (vec![42, 99], vec![7])
    );
}

#[test]
fn a_wrong_checksum_installs_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let archive = tarball(&cifar10_files());
    let url = serve("200 OK", archive);
    let o = fetch(
        tmp.path(),
        &[
            "cifar10",
            "--url",
            &url,
            "--md5",
            "00000000000000000000000000000000",
        ],
    );
    assert_failed_cleanly(&o, tmp.path(), "MD5 checksum is");
}

#[test]
fn a_truncated_archive_installs_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut archive = tarball(&cifar10_files());
    archive.truncate(archive.len() / 2);
    let url = serve("200 OK", archive.clone());
    let o = fetch(
        tmp.path(),
        &["cifar10", "--url", &url, "--md5", &md5_hex(&archive)],
    );
    assert_failed_cleanly(&o, tmp.path(), "the archive is truncated or corrupt");
}

#[test]
fn an_archive_lacking_a_file_installs_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut files = cifar10_files();
    files.retain(|(path, _)| !path.ends_with("data_batch_3.bin"));
    let archive = tarball(&files);
    let url = serve("200 OK", archive.clone());
    let o = fetch(
        tmp.path(),
        &["cifar10", "--url", &url, "--md5", &md5_hex(&archive)],
    );
    assert_failed_cleanly(
        &o,
        tmp.path(),
        "the archive has no cifar-10-batches-bin/data_batch_3.bin",
    );
}

#[test]
fn an_http_error_installs_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = serve("404 Not Found", b"no such file".to_vec());
    let o = fetch(tmp.path(), &["cifar10", "--url", &url]);
    assert_failed_cleanly(&o, tmp.path(), "cannot download");
    assert!(stderr(&o).contains("404"), "{}", stderr(&o));
}
