//! Where and how a command computes: `--backend` / `--device` / `--precision` over a config's
//! `backend` / `device` / `precision` (default: flex on the CPU in f32), and the device itself, a
//! backend that fails to start turned into a message with a hint.

use anyhow::{Result, bail};
use burn::prelude::Device;
use prunelab_core::state::Native;
use prunelab_engine::{Backend, Place, native_device};
use prunelab_kernels::Precision;

use crate::guard::guarded;

pub struct Target {
    pub backend: Backend,
    pub place: Option<Place>,
    pub precision: Precision,
}

/// The flags that choose a [`Target`]: `--backend`, `--device`, `--precision`.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Flags {
    /// flex | wgpu | cuda | tch (overrides the config's `backend`; default flex).
    #[arg(long)]
    pub backend: Option<String>,
    /// cpu | cuda | cuda:N, for tch and cuda (overrides the config's `device`).
    #[arg(long)]
    pub device: Option<String>,
    /// f32 | bf16 | f16: the convolutions' arithmetic on tch, f32 master weights (overrides the
    /// config's `precision`; default f32).
    #[arg(long)]
    pub precision: Option<String>,
}

impl Target {
    /// The flags over the config's keys.
    pub fn new(config: &Native, flags: Flags) -> Result<Self> {
        let backend = flags.backend.or_else(|| config.backend.clone());
        let device = flags.device.or_else(|| config.device.clone());
        let precision = flags.precision.or_else(|| config.precision.clone());
        let backend: Backend = backend
            .as_deref()
            .unwrap_or("flex")
            .parse()
            .map_err(anyhow::Error::msg)?;
        let place = device
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(anyhow::Error::msg)?;
        let precision: Precision = precision
            .as_deref()
            .unwrap_or("f32")
            .parse()
            .map_err(anyhow::Error::msg)?;
        if precision != Precision::F32 && backend != Backend::Tch {
            bail!(
                "precision = \"{precision}\" needs backend = \"tch\" (the other backends train in f32)"
            );
        }
        Ok(Self {
            backend,
            place,
            precision,
        })
    }

    /// The config keys naming this target (a run's `config.toml`).
    pub fn native(&self) -> Native {
        let precision = (self.precision != Precision::F32).then(|| self.precision.to_string());
        Native {
            backend: Some(self.backend.to_string()),
            device: self.place.map(|p| p.to_string()),
            precision,
        }
    }

    /// Run `f` on the target's device; a backend that panics while starting becomes an error.
    pub fn on<T>(&self, f: impl FnOnce(&Device) -> Result<T>) -> Result<T> {
        let hint = match self.backend {
            Backend::Wgpu => {
                "for wgpu install a GPU or Vulkan driver (e.g. mesa-vulkan-drivers), or use --backend flex"
            }
            Backend::Tch => {
                "for tch run `cargo xtask setup --tch` and build with `--features tch`, or use --backend flex"
            }
            Backend::Cuda | Backend::Flex => "use --backend flex on machines without a GPU",
        };
        prunelab_kernels::set_precision(self.precision);
        guarded(hint, || f(&native_device(self.backend, self.place)?))
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.backend)?;
        if let Some(p) = self.place {
            write!(f, " on {p}")?;
        }
        if self.precision != Precision::F32 {
            write!(f, " ({})", self.precision)?;
        }
        Ok(())
    }
}
