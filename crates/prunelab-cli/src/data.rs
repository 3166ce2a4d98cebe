//! Where the CLI finds datasets: `<data>/<name>/`, e.g. `<data>/mnist/*-ubyte` (IDX),
//! `<data>/cifar10/*.bin`, `<data>/cifar100/{train,test}.bin` and `<data>/tinyimagenet/` (the
//! unzipped `tiny-imagenet-200`). ImageNet (`<data>/imagenet/{train,val}/<wnid>/`) is streamed
//! from its folder tree while training, not loaded.

use std::path::PathBuf;

use anyhow::Result;
use prunelab_core::state::Data;
use prunelab_data::{ImageFolder, load_cifar10, load_cifar100, load_mnist, load_tinyimagenet};
use prunelab_engine::Source;

pub fn data_root(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| std::env::var_os("PRUNELAB_DATA").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("data"))
}

pub fn load(data: Data, root: &std::path::Path) -> Result<Source> {
    Ok(match data {
        Data::Mnist => load_mnist(&root.join("mnist"))?.into(),
        Data::Cifar10 => Source::cropped(load_cifar10(&root.join("cifar10"))?),
        Data::Cifar100 => Source::cropped(load_cifar100(&root.join("cifar100"))?),
        Data::TinyImagenet => load_tinyimagenet(&root.join("tinyimagenet"))?.into(),
        Data::Imagenet => Source::Folder(ImageFolder::open(&root.join("imagenet"))?),
    })
}
