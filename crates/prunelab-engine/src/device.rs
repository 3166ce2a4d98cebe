//! Backend choice at run time: `wgpu` (Vulkan/Metal/DX12 natively, WebGPU in the browser —
//! the same WGSL shaders) or `flex` (pure-Rust CPU).

use std::fmt;
use std::str::FromStr;

use burn::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Wgpu,
    Flex,
}

impl FromStr for Backend {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "wgpu" => Ok(Self::Wgpu),
            "flex" => Ok(Self::Flex),
            other => Err(format!("unknown backend `{other}` (expected one of: wgpu, flex)")),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Wgpu => "wgpu",
            Self::Flex => "flex",
        })
    }
}

/// The plain (non-autodiff) device of a native backend.
#[cfg(not(target_arch = "wasm32"))]
pub fn native_device(backend: Backend) -> Device {
    match backend {
        Backend::Wgpu => Device::wgpu(Default::default()),
        Backend::Flex => Device::flex(),
    }
}

/// The browser's WebGPU device, initialised asynchronously (browsers cannot block).
#[cfg(target_arch = "wasm32")]
pub async fn webgpu_device() -> Result<Device, crate::EngineError> {
    Device::wgpu_options().init_async().await.map_err(crate::EngineError::device)
}
