//! PyTorch-compatible safetensors checkpoints of one cycle.
//!
//! Names and layouts are PyTorch's (`fc1.weight` is `[out, in]`, conv `[out, in, kh, kw]`, BN
//! `weight`/`bias`/`running_mean`/`running_var`/`num_batches_tracked`). Beside each tensor:
//! `<param>_init` — the rewind point (θ0, or θ_k when rewinding to iteration k); for kernels `<param>_mask_prev` — the mask the cycle
//! trained with — and `<param>_mask` — the mask after the cycle's pruning (float 0/1). The plain
//! `<param>` values are the cycle's trained θ*, before pruning. Metadata `kernels` lists the
//! prunable kernels in model order (the layer order that breaks selection ties). For Global
//! Taylor and SNIP, `<param>_score` holds the accumulated |θ·g| the cycle's pruning ranked by.

use std::collections::HashMap;

use prunelab_core::Masks;
use prunelab_models::params::Role;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::EngineError;
use crate::state::NetState;

struct Entry {
    shape: Vec<usize>,
    bytes: Vec<u8>,
    dtype: Dtype,
}

/// A set of named tensors plus string metadata, serialisable as safetensors.
#[derive(Default)]
pub struct Checkpoint {
    tensors: Vec<(String, Entry)>,
    pub metadata: HashMap<String, String>,
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

impl Checkpoint {
    pub fn push_f32(&mut self, name: impl Into<String>, shape: &[usize], values: &[f32]) {
        let entry = Entry {
            shape: shape.to_vec(),
            bytes: f32_bytes(values),
            dtype: Dtype::F32,
        };
        self.tensors.push((name.into(), entry));
    }

    fn push_i64(&mut self, name: String, value: i64) {
        self.tensors.push((
            name,
            Entry {
                shape: Vec::new(),
                bytes: value.to_le_bytes().to_vec(),
                dtype: Dtype::I64,
            },
        ));
    }

    /// The checkpoint of one cycle: trained `theta_star` (all tensors, PyTorch layout), the
    /// rewind point `init`, and the masks before and after pruning. `steps` fills BN's
    /// `num_batches_tracked`.
    pub fn cycle(
        net: &NetState,
        theta_star: &[Vec<f32>],
        init: &[Vec<f32>],
        mask_prev: &Masks,
        mask: &Masks,
        steps: u64,
    ) -> Self {
        let mut ck = Self::default();
        let mut kernel = 0;
        for (i, info) in net.infos.iter().enumerate() {
            ck.push_f32(&info.name, &info.shape, &theta_star[i]);
            if info.role != Role::Buffer {
                ck.push_f32(format!("{}_init", info.name), &info.shape, &init[i]);
            }
            if net.is_masked(i) {
                ck.push_f32(
                    format!("{}_mask_prev", info.name),
                    &info.shape,
                    &mask_prev.as_f32(kernel),
                );
                ck.push_f32(
                    format!("{}_mask", info.name),
                    &info.shape,
                    &mask.as_f32(kernel),
                );
                kernel += 1;
            }
            if let Some(prefix) = info.name.strip_suffix(".running_var") {
                ck.push_i64(format!("{prefix}.num_batches_tracked"), steps as i64);
            }
        }
        let kernels: Vec<String> = net.layers().into_iter().map(|l| l.name).collect();
        ck.metadata.insert("kernels".into(), kernels.join(","));
        ck
    }

    /// A plain PyTorch state dict: every tensor of `net` at `values` (PyTorch layout), BN's
    /// `num_batches_tracked` = `steps`; no masks or rewind point (an activation-density net_i,
    /// which is dense at its own widths).
    pub fn weights(net: &NetState, values: &[Vec<f32>], steps: u64) -> Self {
        let mut ck = Self::default();
        for (info, v) in net.infos.iter().zip(values) {
            ck.push_f32(&info.name, &info.shape, v);
            if let Some(prefix) = info.name.strip_suffix(".running_var") {
                ck.push_i64(format!("{prefix}.num_batches_tracked"), steps as i64);
            }
        }
        ck
    }

    /// The safetensors file contents.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EngineError> {
        let views = self
            .tensors
            .iter()
            .map(|(name, e)| {
                TensorView::new(e.dtype, e.shape.clone(), &e.bytes).map(|v| (name.clone(), v))
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| EngineError::Checkpoint(e.to_string()))?;
        let mut metadata = self.metadata.clone();
        metadata.insert("format".into(), "pt".into());
        safetensors::serialize(views, Some(metadata))
            .map_err(|e| EngineError::Checkpoint(e.to_string()))
    }

    /// Parse safetensors bytes; float tensors are read as f32, integer ones as i64.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EngineError> {
        let bad = |e: safetensors::SafeTensorError| {
            EngineError::Checkpoint(format!("not a readable safetensors file: {e}"))
        };
        let (_, meta) = SafeTensors::read_metadata(bytes).map_err(bad)?;
        let st = SafeTensors::deserialize(bytes).map_err(bad)?;
        let mut ck = Self {
            metadata: meta.metadata().clone().unwrap_or_default(),
            ..Self::default()
        };
        let mut tensors = st.tensors();
        tensors.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, view) in tensors {
            let entry = Entry {
                shape: view.shape().to_vec(),
                bytes: view.data().to_vec(),
                dtype: view.dtype(),
            };
            ck.tensors.push((name, entry));
        }
        Ok(ck)
    }

    /// A float tensor's shape and values, if present and f32.
    pub fn f32(&self, name: &str) -> Option<(Vec<usize>, Vec<f32>)> {
        let (_, e) = self
            .tensors
            .iter()
            .find(|(n, e)| n == name && e.dtype == Dtype::F32)?;
        let values = e
            .bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Some((e.shape.clone(), values))
    }

    /// The `classes` of the metadata (`default` when absent), at most the number of values the
    /// checkpoint holds (a classifier has a weight per class): a header cannot make a reader
    /// allocate a network larger than the file.
    pub fn classes(&self, default: usize) -> Result<usize, EngineError> {
        let Some(text) = self.metadata.get("classes") else {
            return Ok(default);
        };
        let values: usize = self.tensors.iter().map(|(_, e)| e.bytes.len() / 4).sum();
        match text.parse::<usize>() {
            Ok(c) if (1..=values).contains(&c) => Ok(c),
            _ => Err(EngineError::Checkpoint(format!(
                "metadata `classes` ({text}) is not a number of classes between 1 and the {values} values the checkpoint holds"
            ))),
        }
    }

    /// The prunable kernels in model order (layer order for tie-breaking), from the metadata.
    pub fn kernel_names(&self) -> Vec<&str> {
        self.metadata
            .get("kernels")
            .map(|k| k.split(',').filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    }
}
