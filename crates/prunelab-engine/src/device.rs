//! Backend choice at run time: `wgpu` (Vulkan/Metal/DX12 natively, WebGPU in the browser —
//! the same WGSL shaders), `cuda` (NVIDIA, in builds with the `cuda` cargo feature; the CUDA
//! driver is loaded at run time; building needs no CUDA toolkit but downloads burn's LLVM bundle)
//! or `flex` (pure-Rust CPU).

use std::fmt;
use std::str::FromStr;

use burn::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Wgpu,
    Cuda,
    Flex,
}

impl FromStr for Backend {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "wgpu" => Ok(Self::Wgpu),
            "cuda" => Ok(Self::Cuda),
            "flex" => Ok(Self::Flex),
            other => Err(format!("unknown backend `{other}` (expected one of: wgpu, cuda, flex)")),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Wgpu => "wgpu",
            Self::Cuda => "cuda",
            Self::Flex => "flex",
        })
    }
}

/// The plain (non-autodiff) device of a native backend; `cuda` in a build without it is an error.
#[cfg(not(target_arch = "wasm32"))]
pub fn native_device(backend: Backend) -> Result<Device, crate::EngineError> {
    match backend {
        Backend::Wgpu => Ok(Device::wgpu(Default::default())),
        #[cfg(feature = "cuda")]
        Backend::Cuda => Ok(Device::cuda(burn::tensor::DeviceIndex::Default)),
        #[cfg(not(feature = "cuda"))]
        Backend::Cuda => Err(crate::EngineError::Device(
            "this prunelab was built without CUDA: build it with `cargo build --release -p prunelab-cli --features cuda`".into(),
        )),
        Backend::Flex => Ok(Device::flex()),
    }
}

/// The browser's WebGPU device, initialised asynchronously (browsers cannot block).
#[cfg(target_arch = "wasm32")]
pub async fn webgpu_device() -> Result<Device, crate::EngineError> {
    Device::wgpu_options().init_async().await.map_err(crate::EngineError::device)
}

/// The browser's CPU device (burn `flex` compiled into the wasm): the fallback when WebGPU is
/// missing or its device was lost. Slow, but it runs the small models.
#[cfg(target_arch = "wasm32")]
pub fn cpu_device() -> Device {
    Device::flex()
}
