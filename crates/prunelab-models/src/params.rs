//! Every float tensor of a module under its PyTorch name and layout, flattened.
//!
//! burn stores a linear weight as `[in, out]`; PyTorch as `[out, in]`. Everything outside this
//! module (masks, criteria, checkpoints) sees PyTorch names (`fc1.weight`, `bn.weight` for BN's and
//! LayerNorm's γ, `bn.running_mean`, …) and row-major PyTorch layout, so a checkpoint loads in PyTorch and
//! "row-major index" means the same everywhere.

use burn::module::{ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::prelude::*;

/// What a float tensor is, in PyTorch terms. Only kernels are ever pruned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Conv or linear weight: prunable.
    Kernel,
    /// Conv or linear bias.
    Bias,
    /// BatchNorm or LayerNorm γ and β.
    Norm,
    /// BatchNorm running statistics (buffers, never trained).
    Buffer,
    /// A learned tensor that is not a layer's weight: ViT's class token and position embedding.
    /// Never pruned; θ0 as torchvision (class token 0, position embedding N(0, 0.02²)).
    Embedding,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamInfo {
    pub name: String,
    /// PyTorch shape.
    pub shape: Vec<usize>,
    pub role: Role,
    pub id: ParamId,
    /// Stored transposed by burn (linear weights).
    transposed: bool,
}

impl ParamInfo {
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Tracks the module path and turns burn's field names into PyTorch's.
#[derive(Default)]
struct Path {
    parts: Vec<String>,
    containers: Vec<String>,
}

impl Path {
    fn enter(&mut self, name: &str, container: &str) {
        self.parts.push(name.to_string());
        self.containers.push(container.to_string());
    }

    fn exit(&mut self) {
        self.parts.pop();
        self.containers.pop();
    }

    fn info(&self, id: ParamId, dims: &[usize]) -> ParamInfo {
        let container = self.containers.last().map(String::as_str).unwrap_or("");
        let field = self.parts.last().map(String::as_str).unwrap_or("");
        let (field, role) = match (container, field) {
            ("Struct:BatchNorm", "gamma") => ("weight", Role::Norm),
            ("Struct:BatchNorm", "beta") => ("bias", Role::Norm),
            ("Struct:BatchNorm", other) => (other, Role::Buffer),
            ("Struct:LayerNorm", "gamma") => ("weight", Role::Norm),
            ("Struct:LayerNorm", "beta") => ("bias", Role::Norm),
            (_, "weight") => ("weight", Role::Kernel),
            (_, "bias") => ("bias", Role::Bias),
            (_, other) => (other, Role::Embedding),
        };
        let transposed = container == "Struct:Linear" && role == Role::Kernel;
        let mut shape = dims.to_vec();
        if transposed {
            shape.reverse();
        }
        // The network enum's variant name is not part of the PyTorch path.
        let skip = usize::from(
            self.containers
                .first()
                .is_some_and(|c| c.starts_with("Enum:")),
        );
        let mut parts: Vec<&str> = self.parts[skip..self.parts.len() - 1]
            .iter()
            .map(String::as_str)
            .collect();
        parts.push(field);
        ParamInfo {
            name: parts.join("."),
            shape,
            role,
            id,
            transposed,
        }
    }
}

/// PyTorch-layout flat view of a burn tensor.
fn to_flat<const D: usize>(info: &ParamInfo, t: Tensor<D>) -> Tensor<1> {
    let t = if info.transposed { t.transpose() } else { t };
    t.reshape([info.len()])
}

/// burn's own flat layout for a PyTorch-layout flat vector (what optimiser state and device masks
/// use, so the training step never transposes).
pub fn native_flat(info: &ParamInfo, flat: Tensor<1>) -> Tensor<1> {
    if info.transposed {
        let [rows, cols] = [info.shape[0], info.len() / info.shape[0].max(1)];
        flat.reshape([rows, cols]).transpose().reshape([info.len()])
    } else {
        flat
    }
}

/// The burn tensor for a PyTorch-layout flat vector.
fn from_flat<const D: usize>(info: &ParamInfo, flat: Tensor<1>) -> Tensor<D> {
    let dims: [usize; D] = std::array::from_fn(|i| info.shape[i]);
    let t: Tensor<D> = flat.reshape(dims);
    if info.transposed { t.transpose() } else { t }
}

/// Visits every float tensor in model order: its info, PyTorch-layout flat value and, when
/// `grads` is given, its flat gradient.
struct Reader<'a> {
    path: Path,
    grads: Option<&'a burn::tensor::Gradients>,
    out: Vec<(ParamInfo, Tensor<1>, Option<Tensor<1>>)>,
}

impl ModuleVisitor for Reader<'_> {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        self.path.enter(name, container_type);
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.exit();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let t = param.val();
        let info = self.path.info(param.id, &t.dims());
        let grad = self
            .grads
            .and_then(|g| t.grad(g))
            .map(|g| to_flat(&info, g));
        let flat = to_flat(&info, t);
        self.out.push((info, flat, grad));
    }
}

fn visit<M: Module>(
    module: &M,
    grads: Option<&burn::tensor::Gradients>,
) -> Vec<(ParamInfo, Tensor<1>, Option<Tensor<1>>)> {
    let mut reader = Reader {
        path: Path::default(),
        grads,
        out: Vec::new(),
    };
    module.visit(&mut reader);
    reader.out
}

/// Every float tensor of `module` in model order, with its PyTorch-layout flat value.
pub fn read<M: Module>(module: &M) -> Vec<(ParamInfo, Tensor<1>)> {
    visit(module, None)
        .into_iter()
        .map(|(info, flat, _)| (info, flat))
        .collect()
}

struct Writer<F> {
    path: Path,
    update: F,
}

impl<F: FnMut(&ParamInfo, Tensor<1>) -> Option<Tensor<1>>> ModuleMapper for Writer<F> {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        self.path.enter(name, container_type);
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.exit();
    }

    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let info = self.path.info(param.id, &param.val().dims());
        param.map(|t| {
            let grad = t.is_require_grad();
            match (self.update)(&info, to_flat(&info, t.clone())) {
                Some(flat) => {
                    let next: Tensor<D> = from_flat(&info, flat);
                    if grad && next.is_autodiff() {
                        next.require_grad()
                    } else {
                        next
                    }
                }
                None => t,
            }
        })
    }
}

/// Replace float tensors: `update(info, current)` gets the PyTorch-layout flat value and returns
/// the new one (same length, same device), or `None` to keep it.
pub fn update<M: Module>(
    module: M,
    update: impl FnMut(&ParamInfo, Tensor<1>) -> Option<Tensor<1>>,
) -> M {
    module.map(&mut Writer {
        path: Path::default(),
        update,
    })
}

/// The gradient of every float tensor of `module` in `grads` (PyTorch-layout flat, plain
/// device), in model order; `None` where a tensor got no gradient.
pub fn grads<M: Module>(
    module: &M,
    grads: &burn::tensor::Gradients,
) -> Vec<(ParamInfo, Option<Tensor<1>>)> {
    visit(module, Some(grads))
        .into_iter()
        .map(|(info, _, grad)| (info, grad))
        .collect()
}
