//! Where the CLI finds datasets: `<data>/<name>/`, e.g. `<data>/mnist/*-ubyte` (IDX),
//! `<data>/cifar10/*.bin`, `<data>/cifar100/{train,test}.bin` and `<data>/tinyimagenet/` (the
//! unzipped `tiny-imagenet-200`). ImageNet (`<data>/imagenet/`) is streamed, not loaded.

use std::path::PathBuf;

use anyhow::{Result, bail};
use prunelab_core::state::Data;
use prunelab_data::{Split, load_cifar10, load_cifar100, load_mnist, load_tinyimagenet};

pub fn data_root(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| std::env::var_os("PRUNELAB_DATA").map(PathBuf::from)).unwrap_or_else(|| PathBuf::from("data"))
}

pub fn load(data: Data, root: &std::path::Path) -> Result<Split> {
    Ok(match data {
        Data::Mnist => load_mnist(&root.join("mnist"))?,
        Data::Cifar10 => load_cifar10(&root.join("cifar10"))?,
        Data::Cifar100 => load_cifar100(&root.join("cifar100"))?,
        Data::TinyImagenet => load_tinyimagenet(&root.join("tinyimagenet"))?,
        Data::Imagenet => bail!(
            "data = \"imagenet\" does not fit in memory: it is streamed from {} by prunelab_data::ImageFolder, which training does not use yet",
            root.join("imagenet").display()
        ),
    })
}
