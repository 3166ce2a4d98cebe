//! Backend choice at run time: `wgpu` (Vulkan/Metal/DX12 natively, WebGPU in the browser —
//! the same WGSL shaders), `cuda` (NVIDIA, in builds with the `cuda` cargo feature; the CUDA
//! driver is loaded at run time; building needs no CUDA toolkit but downloads burn's LLVM bundle),
//! `tch` (LibTorch, PyTorch's own kernels, on the CPU or with `device = "cuda[:N]"` on NVIDIA
//! GPUs, in builds with the `tch` cargo feature) or `flex` (pure-Rust CPU).

use std::fmt;
use std::str::FromStr;

use burn::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Wgpu,
    Cuda,
    Flex,
    Tch,
}

/// Every backend name, as the config key `backend` takes them.
pub const BACKENDS: &str = "wgpu, cuda, flex, tch";

impl FromStr for Backend {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "wgpu" => Ok(Self::Wgpu),
            "cuda" => Ok(Self::Cuda),
            "flex" => Ok(Self::Flex),
            "tch" => Ok(Self::Tch),
            other => Err(format!(
                "unknown backend `{other}` (expected one of: {BACKENDS})"
            )),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Wgpu => "wgpu",
            Self::Cuda => "cuda",
            Self::Flex => "flex",
            Self::Tch => "tch",
        })
    }
}

/// Where a native backend computes: the config key `device` (`cpu`, `cuda` or `cuda:N`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Cpu,
    Cuda(usize),
}

impl FromStr for Place {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("unknown device `{s}` (expected cpu, cuda or cuda:N, e.g. cuda:1)");
        match s.split_once(':') {
            None if s == "cpu" => Ok(Self::Cpu),
            None if s == "cuda" => Ok(Self::Cuda(0)),
            Some(("cuda", n)) => n.parse().map(Self::Cuda).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cpu => f.write_str("cpu"),
            Self::Cuda(n) => write!(f, "cuda:{n}"),
        }
    }
}

/// The plain (non-autodiff) device of a native backend at `place` (`None`: the backend's own
/// default — the CPU for flex and tch, the first GPU for cuda, the default adapter for wgpu).
/// A backend this build lacks, a place the backend cannot use, or a CUDA device that is not there
/// is an error.
#[cfg(not(target_arch = "wasm32"))]
pub fn native_device(backend: Backend, place: Option<Place>) -> Result<Device, crate::EngineError> {
    let unplaced = |what: &str| {
        crate::EngineError::Device(format!(
            "device = \"{what}\" does not apply to backend = \"{backend}\" (only tch and cuda take a device)"
        ))
    };
    match (backend, place) {
        (Backend::Wgpu, None) => Ok(Device::wgpu(Default::default())),
        (Backend::Flex, None | Some(Place::Cpu)) => Ok(Device::flex()),
        (Backend::Cuda, None | Some(Place::Cuda(_))) => cuda_device(place),
        (Backend::Tch, place) => tch_device(place.unwrap_or(Place::Cpu)),
        (_, Some(Place::Cpu)) => Err(unplaced("cpu")),
        (_, Some(Place::Cuda(n))) => Err(unplaced(&format!("cuda:{n}"))),
    }
}

#[cfg(all(not(target_arch = "wasm32"), feature = "cuda"))]
fn cuda_device(place: Option<Place>) -> Result<Device, crate::EngineError> {
    Ok(match place {
        Some(Place::Cuda(n)) => Device::cuda(n),
        _ => Device::cuda(burn::tensor::DeviceIndex::Default),
    })
}

#[cfg(all(not(target_arch = "wasm32"), not(feature = "cuda")))]
fn cuda_device(_: Option<Place>) -> Result<Device, crate::EngineError> {
    Err(crate::EngineError::Device("this prunelab was built without CUDA: build it with `cargo build --release -p prunelab-cli --features cuda`".into()))
}

/// LibTorch on the CPU, or on the CUDA device `place` names when libtorch sees it. (burn 0.22
/// marks LibTorch deprecated in favour of CubeCL backends; it is the one with PyTorch's kernels.)
#[cfg(all(not(target_arch = "wasm32"), feature = "tch"))]
#[allow(deprecated)]
fn tch_device(place: Place) -> Result<Device, crate::EngineError> {
    match place {
        Place::Cpu => Ok(Device::libtorch()),
        Place::Cuda(n) => {
            let visible = if tch::Cuda::is_available() {
                tch::Cuda::device_count().max(0) as usize
            } else {
                0
            };
            match visible {
                0 => Err(crate::EngineError::Device(format!(
                    "device = \"cuda:{n}\": libtorch sees no CUDA device (no NVIDIA driver, or CUDA_VISIBLE_DEVICES hides them)"
                ))),
                v if n >= v => Err(crate::EngineError::Device(format!(
                    "device = \"cuda:{n}\": libtorch sees {v} CUDA device(s), cuda:0 to cuda:{}",
                    v - 1
                ))),
                _ => Ok(Device::libtorch_cuda(n)),
            }
        }
    }
}

#[cfg(all(not(target_arch = "wasm32"), not(feature = "tch")))]
fn tch_device(_: Place) -> Result<Device, crate::EngineError> {
    Err(crate::EngineError::Device("this prunelab was built without LibTorch: run `cargo xtask setup --tch`, then build with `--features tch`".into()))
}

/// The browser's WebGPU device, initialised asynchronously (browsers cannot block).
#[cfg(target_arch = "wasm32")]
pub async fn webgpu_device() -> Result<Device, crate::EngineError> {
    Device::wgpu_options()
        .init_async()
        .await
        .map_err(crate::EngineError::device)
}

/// The browser's CPU device (burn `flex` compiled into the wasm): the fallback when WebGPU is
/// missing or its device was lost. Slow, but it runs the small models.
#[cfg(target_arch = "wasm32")]
pub fn cpu_device() -> Device {
    Device::flex()
}
