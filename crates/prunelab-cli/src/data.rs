//! Where the CLI finds datasets: `<data>/<name>/`, e.g. `<data>/mnist/*-ubyte` (IDX),
//! `<data>/cifar10/*.bin` and `<data>/cifar100/{train,test}.bin`.

use std::path::PathBuf;

use anyhow::Result;
use prunelab_core::state::Data;
use prunelab_data::{Split, load_cifar10, load_cifar100, load_mnist};

pub fn data_root(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| std::env::var_os("PRUNELAB_DATA").map(PathBuf::from)).unwrap_or_else(|| PathBuf::from("data"))
}

pub fn load(data: Data, root: &std::path::Path) -> Result<Split> {
    Ok(match data {
        Data::Mnist => load_mnist(&root.join("mnist"))?,
        Data::Cifar10 => load_cifar10(&root.join("cifar10"))?,
        Data::Cifar100 => load_cifar100(&root.join("cifar100"))?,
    })
}
