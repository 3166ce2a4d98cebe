// ReLU with per-channel dead-unit counting fused (AP paper's DNR, activation-density paper's AE:
// one count serves both). For x laid out as [outer, channels, inner] (NCHW: inner = H·W; a linear
// layer's [batch, features]: inner = 1), channel(i) = (i / inner) % channels.
//   entry `relu_count`:  y = max(x, 0) and dead[c] += #{i in c : y_i = 0}
//   entry `count_zeros`: dead[c] += #{i in c : x_i = 0}   (x already post-ReLU, e.g. under autodiff)
// WebGPU has no float atomics, so the counts are u32 atomics: each workgroup first counts its 256
// consecutive elements in workgroup memory, slot = channel offset from the chunk's first channel
// (≤ 256 distinct offsets), then adds each non-zero slot to the global count once.
// Plain-Rust twin: prunelab_kernels::twin::relu_count.
//
// Bindings: 0 shape; 1 x; 2 dead counts (u32, accumulated into); 3 y (relu_count only). All
// read_write, as in sgd_masked.wgsl (burn's tensors share wgpu buffers).
// Dispatch: ceil(n / 256) workgroups, split over x and y when more than 65535.

struct Shape {
    n: u32,
    channels: u32,
    inner: u32,
}

@group(0) @binding(0) var<storage, read_write> shape: Shape;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> dead: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

var<workgroup> local_dead: array<atomic<u32>, 257>;

fn channel(i: u32) -> u32 {
    return (i / shape.inner) % shape.channels;
}

// Count `is_dead` of element `i` into the workgroup's slots, then flush the slots. Every
// invocation reaches the barriers (uniform control flow), in-range or not.
fn count(local: u32, first: u32, i: u32, is_dead: bool) {
    atomicStore(&local_dead[local], 0u);
    if local == 0u {
        atomicStore(&local_dead[256], 0u);
    }
    workgroupBarrier();
    let c0 = channel(first);
    if i < shape.n && is_dead {
        let slot = (channel(i) + shape.channels - c0) % shape.channels;
        atomicAdd(&local_dead[slot], 1u);
    }
    workgroupBarrier();
    for (var slot = local; slot < 257u; slot += 256u) {
        let k = atomicLoad(&local_dead[slot]);
        if k != 0u {
            atomicAdd(&dead[(c0 + slot) % shape.channels], k);
        }
    }
}

@compute @workgroup_size(256)
fn relu_count(@builtin(local_invocation_index) local: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let first = (wid.x + wid.y * groups.x) * 256u;
    let i = first + local;
    var out = 1.0;
    if i < shape.n {
        out = max(x[i], 0.0);
        y[i] = out;
    }
    count(local, first, i, out == 0.0);
}

@compute @workgroup_size(256)
fn count_zeros(@builtin(local_invocation_index) local: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let first = (wid.x + wid.y * groups.x) * 256u;
    let i = first + local;
    var value = 1.0;
    if i < shape.n {
        value = x[i];
    }
    count(local, first, i, value == 0.0);
}
