// Masked SGD step with momentum and weight decay, PyTorch semantics (dampening 0, no Nesterov),
// one pass over a flat parameter tensor (prunelab's optim.rs, LTH/AP papers' training step):
//   g ← ∇θ + wd·θ;   v ← μ·v + g   (v ← g when there is no velocity yet);   θ ← (θ − lr·v) ⊙ mask
// The mask multiply in the same pass keeps pruned weights at exactly zero after every update.
// Plain-Rust twin: prunelab_kernels::twin::sgd_masked.
//
// Bindings: 0 params; 1 θ; 2 ∇θ; 3 v (a spare buffer when flags lacks HAS_VELOCITY);
// 4 mask (a spare buffer when flags lacks HAS_MASK); 5 θ out; 6 v out. Every binding is read_write:
// burn's allocator places tensors side by side in shared wgpu buffers, and one buffer may not be
// bound both read-only and writable in a dispatch; no two bindings may overlap.
// Dispatch: ceil(n / 256) workgroups, split over x and y when more than 65535.

struct Params {
    n: u32,
    flags: u32,
    lr: f32,
    momentum: f32,
    weight_decay: f32,
}

const HAS_VELOCITY: u32 = 1u;
const HAS_MASK: u32 = 2u;

@group(0) @binding(0) var<storage, read_write> params: Params;
@group(0) @binding(1) var<storage, read_write> theta: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> velocity: array<f32>;
@group(0) @binding(4) var<storage, read_write> mask: array<f32>;
@group(0) @binding(5) var<storage, read_write> theta_out: array<f32>;
@group(0) @binding(6) var<storage, read_write> velocity_out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= params.n {
        return;
    }
    let w = theta[i];
    let g = grad[i] + params.weight_decay * w;
    var v = g;
    if (params.flags & HAS_VELOCITY) != 0u {
        v = params.momentum * velocity[i] + g;
    }
    var next = w - params.lr * v;
    if (params.flags & HAS_MASK) != 0u {
        next = next * mask[i];
    }
    theta_out[i] = next;
    velocity_out[i] = v;
}
