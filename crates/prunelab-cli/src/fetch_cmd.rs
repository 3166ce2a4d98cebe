//! `prunelab data fetch cifar10|cifar100 [--data DIR] [--url URL] [--md5 HEX] [--force]`: download
//! the official binary tarball, check its MD5 while streaming it, unpack the data files into a
//! temporary folder beside the destination, load them once, and only then rename the folder to
//! `<data>/cifar10/` (or `cifar100/`). Any failure leaves nothing at the destination; an existing
//! dataset is replaced only with `--force`.

use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use flate2::read::GzDecoder;
use md5::{Digest, Md5};

use crate::data;

/// A dataset `prunelab data fetch` can download.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Fetchable {
    Cifar10,
    Cifar100,
}

/// Where a dataset comes from and what its archive must hold.
struct Source {
    /// Folder under the data root (as `data = "…"` names it).
    name: &'static str,
    url: &'static str,
    md5: &'static str,
    /// The folder the archive keeps the files in.
    inner: &'static str,
    /// The files the loader reads.
    files: &'static [&'static str],
}

impl Fetchable {
    fn source(self) -> Source {
        match self {
            Self::Cifar10 => Source {
                name: "cifar10",
                url: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
                md5: "c32a1d4ab5d03f1284b67883e8d87530",
                inner: "cifar-10-batches-bin",
                files: &[
                    "data_batch_1.bin",
                    "data_batch_2.bin",
                    "data_batch_3.bin",
                    "data_batch_4.bin",
                    "data_batch_5.bin",
                    "test_batch.bin",
                ],
            },
            Self::Cifar100 => Source {
                name: "cifar100",
                url: "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
                md5: "03b5dce01913d631647c71ecec9e9cb8",
                inner: "cifar-100-binary",
                files: &["train.bin", "test.bin"],
            },
        }
    }

    /// Load an unpacked folder, returning (train, test) image counts.
    fn validate(self, dir: &Path) -> Result<(usize, usize)> {
        let split = match self {
            Self::Cifar10 => prunelab_data::load_cifar10(dir)?,
            Self::Cifar100 => prunelab_data::load_cifar100(dir)?,
        };
        Ok((split.train.len(), split.test.len()))
    }
}

/// The arguments of `prunelab data fetch`.
pub struct Args {
    pub dataset: Fetchable,
    pub data: Option<PathBuf>,
    pub url: Option<String>,
    pub md5: Option<String>,
    pub force: bool,
}

pub fn fetch(args: Args) -> Result<()> {
    let source = args.dataset.source();
    let url = args.url.as_deref().unwrap_or(source.url);
    let md5 = args
        .md5
        .as_deref()
        .unwrap_or(source.md5)
        .to_ascii_lowercase();
    let root = data::data_root(args.data);
    let dest = root.join(source.name);
    if dest.exists() && !args.force {
        bail!(
            "{} already exists; pass --force to replace it",
            dest.display()
        );
    }
    std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
    // Removed on any early return.
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{}-fetch-", source.name))
        .tempdir_in(&root)
        .with_context(|| format!("cannot create a temporary folder in {}", root.display()))?;
    println!("downloading {url}");
    let got = download_and_unpack(url, &source, tmp.path())?;
    if got != md5 {
        bail!("{url}: MD5 checksum is {got}, expected {md5}; nothing was installed");
    }
    let (train, test) = args
        .dataset
        .validate(tmp.path())
        .context("the downloaded files do not load")?;
    if dest.exists() {
        std::fs::remove_dir_all(&dest)
            .with_context(|| format!("cannot remove the old {}", dest.display()))?;
    }
    std::fs::rename(tmp.path(), &dest)
        .with_context(|| format!("cannot move {} to {}", tmp.path().display(), dest.display()))?;
    println!(
        "{}: {train} training and {test} test images in {}",
        source.name,
        dest.display()
    );
    Ok(())
}

/// Stream `url` through MD5 and gunzip + untar, writing `source.files` into `out`; returns the
/// MD5 (hex) of the whole body. Errors on HTTP failures, a corrupt or truncated archive, or an
/// archive lacking a file.
fn download_and_unpack(url: &str, source: &Source, out: &Path) -> Result<String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_per_read(Some(Duration::from_secs(60)))
        .build()
        .into();
    let body = agent
        .get(url)
        .call()
        .with_context(|| format!("cannot download {url}"))?
        .into_body()
        .into_reader();
    let mut archive = tar::Archive::new(GzDecoder::new(Hashing {
        inner: body,
        md5: Md5::new(),
    }));
    let mut found = vec![false; source.files.len()];
    let corrupt = || format!("{url}: the archive is truncated or corrupt");
    for entry in archive.entries().with_context(corrupt)? {
        let mut entry = entry.with_context(corrupt)?;
        // Compare without a leading `./`, which some tar tools write.
        let path: PathBuf = entry
            .path()
            .with_context(corrupt)?
            .components()
            .filter(|c| *c != Component::CurDir)
            .collect();
        if let Some(k) = source
            .files
            .iter()
            .position(|f| path == Path::new(source.inner).join(f))
        {
            let target = out.join(source.files[k]);
            let mut file = std::fs::File::create(&target)
                .with_context(|| format!("cannot create {}", target.display()))?;
            io::copy(&mut entry, &mut file).with_context(corrupt)?;
            found[k] = true;
        }
    }
    if let Some(k) = found.iter().position(|&f| !f) {
        bail!(
            "{url}: the archive has no {}/{}",
            source.inner,
            source.files[k]
        );
    }
    // Hash the whole body: the rest of the gzip stream and anything after it.
    let mut gz = archive.into_inner();
    io::copy(&mut gz, &mut io::sink()).with_context(corrupt)?;
    let mut hashing = gz.into_inner();
    io::copy(&mut hashing, &mut io::sink()).with_context(|| format!("cannot download {url}"))?;
    Ok(hashing
        .md5
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// A reader that feeds everything it reads into an MD5.
struct Hashing<R> {
    inner: R,
    md5: Md5,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.md5.update(&buf[..n]);
        Ok(n)
    }
}
