//! Launching the WGSL kernels on burn tensors of the wgpu runtime: the tensors' own buffers are
//! bound (no copies), outputs are fresh buffers wrapped back into burn tensors. burn's
//! `SourceKernel` does the same behind burn-wgpu's `template` feature; a [`Wgsl`] kernel is that
//! idea without the feature, so the build's burn stays the one already compiled.

use std::sync::atomic::{AtomicU64, Ordering};

use burn::backend::Cube;
use burn::prelude::*;
use burn::tensor::DType;
use burn_cubecl::CubeDevice;
use burn_cubecl::cubecl::client::Client;
use burn_cubecl::cubecl::ir::metadata::Info;
use burn_cubecl::cubecl::ir::settings::{Dim3, ExecutionMode, KernelSettings};
use burn_cubecl::cubecl::ir::{AddressType, ElemType, Scope, UIntKind};
use burn_cubecl::cubecl::prelude::{
    CubeCount, CubeKernel, KernelDefinition, KernelId, KernelMetadata, PrecompiledSource,
};
use burn_cubecl::cubecl::server::{Handle, KernelArguments};
use burn_cubecl::tensor::CubeTensor;

use crate::{RELU_COUNT_WGSL, SGD_MASKED_WGSL, SgdParams, WORKGROUP, enabled, groups};

/// Elements per invocation of the counting kernels (`RUN` in `shaders/relu_count.wgsl`).
const COUNT_RUN: usize = 128;

static LAUNCHES: AtomicU64 = AtomicU64::new(0);

/// How many kernels this process has launched (tests check the engine's path really uses them).
pub fn launches() -> u64 {
    LAUNCHES.load(Ordering::Relaxed)
}

/// A hand-written WGSL entry point, handed to the wgpu runtime as its own compiled source.
struct Wgsl {
    source: &'static str,
    entry: &'static str,
}

impl KernelMetadata for Wgsl {
    fn id(&self) -> KernelId {
        // The id keys every compilation cache, so it names the text's entry point and length.
        KernelId::new::<Self>()
            .info((self.entry, self.source.len()))
            .cube_dim(Dim3::new_1d(WORKGROUP))
    }

    fn address_type(&self) -> ElemType {
        UIntKind::U32.into()
    }
}

impl CubeKernel for Wgsl {
    /// No IR: the source is the kernel; the definition only carries the launch settings.
    fn define(&self) -> KernelDefinition {
        let settings = KernelSettings::new(
            Dim3::new_1d(WORKGROUP),
            ExecutionMode::Checked,
            AddressType::U32,
        );
        KernelDefinition {
            body: Scope::root(settings.clone()),
            settings,
            info: Info::default(),
        }
    }

    fn source(&self) -> Option<PrecompiledSource> {
        Some(PrecompiledSource {
            source: self.source.to_string(),
            entrypoint_name: self.entry.to_string(),
            lang: "wgsl",
        })
    }
}

/// The wgpu primitive behind a contiguous f32 tensor, or `None` (another device, layout or type).
fn wgpu_f32<const D: usize>(t: &Tensor<D>) -> Option<CubeTensor> {
    let p = t.clone().inner().try_into_primitive::<Cube>().ok()?;
    (matches!(p.device, CubeDevice::Wgpu(_)) && p.dtype == DType::F32 && p.is_contiguous())
        .then_some(p)
}

/// Launch `kernel` with one invocation per `invocations`.
fn launch(client: &Client, kernel: Wgsl, invocations: usize, buffers: Vec<Handle>) {
    let (x, y) = groups(invocations);
    let args = buffers
        .into_iter()
        .fold(KernelArguments::new(), |a, h| a.with_buffer(h.binding()));
    client.launch(Box::new(kernel), CubeCount::Static(x, y, 1), args);
    LAUNCHES.fetch_add(1, Ordering::Relaxed);
}

thread_local! {
    /// Parameter buffers already on the device, by device and contents: a training step asks for
    /// the same few again and again, and each upload is a queue write (costly in browsers).
    static CONSTANTS: std::cell::RefCell<std::collections::HashMap<(CubeDevice, Vec<u32>), Handle>> = Default::default();
}

/// A device buffer holding `values` (never written by the kernels), uploaded once per contents.
fn constant(client: &Client, device: &CubeDevice, values: &[u32]) -> Handle {
    CONSTANTS.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() > 4096 {
            cache.clear();
        }
        let key = (device.clone(), values.to_vec());
        cache
            .entry(key)
            .or_insert_with(|| {
                client.create_from_slice(
                    &values
                        .iter()
                        .flat_map(|v| v.to_le_bytes())
                        .collect::<Vec<u8>>(),
                )
            })
            .clone()
    })
}

/// The masked SGD update of `shaders/sgd_masked.wgsl` on flat tensors of one length: returns
/// (θ', v). `None` when the kernels are off or any tensor is not a contiguous f32 wgpu tensor.
pub fn sgd_masked(
    theta: &Tensor<1>,
    grad: &Tensor<1>,
    velocity: Option<&Tensor<1>>,
    mask: Option<&Tensor<1>>,
    p: SgdParams,
) -> Option<(Tensor<1>, Tensor<1>)> {
    if !enabled() {
        return None;
    }
    let w = wgpu_f32(theta)?;
    let g = wgpu_f32(grad)?;
    let v = velocity.map(wgpu_f32).map_or(Some(None), |v| v.map(Some))?;
    let m = mask.map(wgpu_f32).map_or(Some(None), |m| m.map(Some))?;
    let n = theta.dims()[0];
    let flags = u32::from(v.is_some()) | (u32::from(m.is_some()) << 1);
    let client = w.client.clone();
    let params = constant(
        &client,
        &w.device,
        &[
            n as u32,
            flags,
            p.lr.to_bits(),
            p.momentum.to_bits(),
            p.weight_decay.to_bits(),
        ],
    );
    let (w_out, v_out) = (client.empty(n * 4), client.empty(n * 4));
    // An unused binding still needs a buffer of its own (bindings may not overlap).
    let spare = || client.empty(4);
    let buffers = vec![
        params,
        w.handle.clone(),
        g.handle.clone(),
        v.map_or_else(spare, |v| v.handle),
        m.map_or_else(spare, |m| m.handle),
        w_out.clone(),
        v_out.clone(),
    ];
    launch(
        &client,
        Wgsl {
            source: SGD_MASKED_WGSL,
            entry: "main",
        },
        n,
        buffers,
    );
    let wrap = |h| {
        Tensor::<1>::from_primitive::<Cube>(CubeTensor::new_contiguous(
            client.clone(),
            w.device.clone(),
            [n].into(),
            h,
            DType::F32,
        ))
    };
    Some((wrap(w_out), wrap(v_out)))
}

/// Dead units (elements equal to 0) per channel `dim` of `x`, summed over every other
/// dimension (`[channels]`, Int), counted by `count_zeros` of `shaders/relu_count.wgsl`.
/// `None` when the kernels are off, `x` is not a contiguous f32 wgpu tensor, or burn's Int
/// tensors there are not 32-bit.
pub fn count_dead<const D: usize>(x: &Tensor<D>, dim: usize) -> Option<Tensor<1, Int>> {
    if !enabled() {
        return None;
    }
    let xp = wgpu_f32(x)?;
    let (counts, shape) = counter(x, dim)?;
    let client = xp.client.clone();
    let shape = constant(&client, &xp.device, &shape);
    launch(
        &client,
        Wgsl {
            source: RELU_COUNT_WGSL,
            entry: "count_zeros",
        },
        x.shape().num_elements().div_ceil(COUNT_RUN),
        vec![shape, xp.handle, counts.handle.clone()],
    );
    Some(Tensor::from_primitive::<Cube>(counts))
}

/// ReLU of `x` with its dead units per channel `dim` counted in the same pass (`relu_count` of
/// `shaders/relu_count.wgsl`): (y, `[channels]` counts). Not differentiable: for inference and
/// for the kernel's own tests; under autodiff the probe counts the ReLU's output with
/// [`count_dead`]. `None` as for [`count_dead`].
pub fn relu_count<const D: usize>(
    x: &Tensor<D>,
    dim: usize,
) -> Option<(Tensor<D>, Tensor<1, Int>)> {
    if !enabled() {
        return None;
    }
    let xp = wgpu_f32(x)?;
    let (counts, shape) = counter(x, dim)?;
    let n = x.shape().num_elements();
    let client = xp.client.clone();
    let shape = constant(&client, &xp.device, &shape);
    let y = client.empty(n * 4);
    launch(
        &client,
        Wgsl {
            source: RELU_COUNT_WGSL,
            entry: "relu_count",
        },
        n.div_ceil(COUNT_RUN),
        vec![shape, xp.handle.clone(), counts.handle.clone(), y.clone()],
    );
    let y = CubeTensor::new_contiguous(client, xp.device.clone(), x.shape(), y, DType::F32);
    Some((
        Tensor::from_primitive::<Cube>(y),
        Tensor::from_primitive::<Cube>(counts),
    ))
}

/// Zeroed 32-bit counts for the channels of `x` along `dim`, and the kernel's shape words
/// [n, channels, inner].
fn counter<const D: usize>(x: &Tensor<D>, dim: usize) -> Option<(CubeTensor, [u32; 3])> {
    let dims = x.dims();
    let channels = dims[dim];
    let inner: usize = dims[dim + 1..].iter().product();
    let n: usize = dims.iter().product();
    if channels == 0 || n > u32::MAX as usize {
        return None;
    }
    let device = x.clone().inner().device();
    let counts = Tensor::<1, Int>::zeros([channels], &device)
        .try_into_primitive::<Cube>()
        .ok()?;
    matches!(counts.dtype, DType::I32 | DType::U32)
        .then_some((counts, [n as u32, channels as u32, inner.max(1) as u32]))
}
