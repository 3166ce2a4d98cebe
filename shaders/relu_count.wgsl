// ReLU with per-channel dead-unit counting fused (AP paper's DNR, activation-density paper's AE:
// one count serves both). For x laid out as [outer, channels, inner] (NCHW: inner = H·W; a linear
// layer's [batch, features]: inner = 1), channel(i) = (i / inner) % channels.
//   entry `relu_count`:  y = max(x, 0) and dead[c] += #{i in c : y_i = 0}
//   entry `count_zeros`: dead[c] += #{i in c : x_i = 0}   (x already post-ReLU, e.g. under autodiff)
// WebGPU has no float atomics, so the counts are u32 atomics. Each invocation walks a run of RUN (128)
// consecutive elements, counting in a register while the channel stays the same, and adds to the
// global count only when the channel changes or the run ends: a convolution output (inner ≥ RUN)
// costs at most two atomics per run, with no workgroup barrier (software adapters pay dearly for
// barriers).
// Plain-Rust twin: prunelab_kernels::twin::relu_count.
//
// Bindings: 0 shape; 1 x; 2 dead counts (u32, accumulated into); 3 y (relu_count only). Every
// binding is read_write: burn's allocator places tensors side by side in shared wgpu buffers, and
// one buffer may not be bound both read-only and writable in a dispatch.
// Dispatch: ceil(n / RUN) invocations in workgroups of 256, split over x and y when more than
// 65535 workgroups.

struct Shape {
    n: u32,
    channels: u32,
    inner: u32,
}

const RUN: u32 = 128u;

@group(0) @binding(0) var<storage, read_write> shape: Shape;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> dead: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

fn first_of_run(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return (gid.x + gid.y * groups.x * 256u) * RUN;
}

// A walk over consecutive elements that knows its channel without dividing per element (integer
// division is slow on vector CPUs, where software adapters run).
struct Walk {
    c: u32,    // current channel
    left: u32, // elements left in the current channel's stretch of `inner`
    k: u32,    // dead elements of channel c counted in this run so far
}

fn start(i: u32) -> Walk {
    let block = i / shape.inner;
    return Walk(block % shape.channels, shape.inner - (i - block * shape.inner), 0u);
}

// Count one element (dead or not), flushing the count when the next element starts a new channel.
fn step(w: ptr<function, Walk>, is_dead: bool) {
    (*w).k += select(0u, 1u, is_dead);
    (*w).left -= 1u;
    if (*w).left == 0u {
        flush(w);
        (*w).left = shape.inner;
        (*w).c = select((*w).c + 1u, 0u, (*w).c + 1u == shape.channels);
    }
}

fn flush(w: ptr<function, Walk>) {
    if (*w).k != 0u {
        atomicAdd(&dead[(*w).c], (*w).k);
        (*w).k = 0u;
    }
}

@compute @workgroup_size(256)
fn relu_count(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let first = first_of_run(gid, groups);
    if first >= shape.n {
        return;
    }
    var w = start(first);
    for (var i = first; i < min(first + RUN, shape.n); i++) {
        let out = max(x[i], 0.0);
        y[i] = out;
        step(&w, out == 0.0);
    }
    flush(&w);
}

@compute @workgroup_size(256)
fn count_zeros(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let first = first_of_run(gid, groups);
    if first >= shape.n {
        return;
    }
    var w = start(first);
    for (var i = first; i < min(first + RUN, shape.n); i++) {
        step(&w, x[i] == 0.0);
    }
    flush(&w);
}
