//! `bench`: prunelab's speed against what a user would pick instead, each peer measured in the
//! same run on the same machine, printed as a table and written to BENCHMARKS.md (temporary file,
//! then rename) with the machine's description and the commands that reproduce it. Benchmarks
//! never fail on a number: a figure that cannot be measured is reported as such.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::cmd::{in_dir, probe, run};
use crate::ctx::Ctx;
use crate::host::mtime;
use crate::metadata::cargo_target_dir;
use crate::say::{heading, ok};

/// One line of the table: prunelab's figure, its peer's, and which way is better.
struct Row {
    section: &'static str,
    what: String,
    ours: Option<f64>,
    peer_name: String,
    peer: Option<f64>,
    /// The lowest and highest ratio over interleaved rounds, where there were several.
    spread: Option<(f64, f64)>,
    unit: &'static str,
    higher_is_better: bool,
    goal: &'static str,
}

impl Row {
    /// prunelab's speed relative to the peer's (> 1: prunelab is faster).
    fn ratio(&self) -> Option<f64> {
        let (a, b) = (self.ours?, self.peer?);
        (a > 0.0 && b > 0.0).then(|| if self.higher_is_better { a / b } else { b / a })
    }

    fn cells(&self) -> [String; 6] {
        let fig = |v: Option<f64>| {
            v.map_or("not measured".into(), |v| {
                format!("{} {}", round(v), self.unit)
            })
        };
        let ratio = match (self.section, self.ours, self.peer) {
            // The machinery's cost: extra time of the step with it over the step without.
            ("Pruning machinery overhead", Some(a), Some(b)) if b > 0.0 => {
                format!("{:+.1} %", (a / b - 1.0) * 100.0)
            }
            _ => match (self.ratio(), self.spread) {
                (Some(r), Some((lo, hi))) => format!("{r:.2}× ({lo:.2}–{hi:.2})"),
                (r, _) => r.map_or("—".into(), |r| format!("{r:.2}×")),
            },
        };
        [
            self.what.clone(),
            fig(self.ours),
            self.peer_name.clone(),
            fig(self.peer),
            ratio,
            self.goal.into(),
        ]
    }
}

fn round(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// How much each measurement runs: `--quick` trades precision for a short run.
struct Plan {
    quick: bool,
}

impl Plan {
    /// Timed steps (after as many warm-up steps) on the CPU.
    fn cpu_steps(&self, model: &str) -> usize {
        match (model, self.quick) {
            ("lenet300", false) => 20,
            ("lenet300", true) => 5,
            (_, false) => 5,
            (_, true) => 2,
        }
    }

    /// Timed steps on wgpu: software adapters run at well under a GFLOP/s.
    fn gpu_steps(&self, model: &str) -> usize {
        match (model, self.quick) {
            ("lenet300", false) => 10,
            ("lenet300", true) => 3,
            ("cnn", false) => 2,
            _ => 1,
        }
    }

    /// Interleaved rounds of each CPU throughput and its peer (medians reported).
    fn rounds(&self) -> usize {
        if self.quick { 1 } else { 3 }
    }

    fn batches(&self) -> &'static [usize] {
        &[128, 64]
    }
}

const MODELS: [(&str, usize, usize); 3] =
    [("lenet300", 1, 28), ("cnn", 1, 28), ("resnet20", 3, 32)];

pub fn bench(ctx: &Ctx, quick: bool, browser: bool) -> Result<()> {
    let plan = Plan { quick };
    let python = python_env(ctx);
    heading(
        "bench: build the CLI with the tch backend (workspace crates at opt-level 3, dependencies as always)",
    );
    let tch = python.is_some() && ctx.root.join(".cargo/libtorch").exists();
    let mut build = ctx.cargo();
    build.env("CARGO_PROFILE_DEV_OPT_LEVEL", "3").args([
        "build",
        "--workspace",
        "--exclude",
        "xtask",
    ]);
    if tch {
        // The venv's libtorch, the path `cargo xtask test` builds with (see `Torch::env`).
        build
            .args(["--features", crate::test::TCH_FEATURES])
            .env("LIBTORCH", ctx.root.join(".cargo/libtorch").canonicalize()?);
    }
    run(ctx, &mut build)?;
    let target = cargo_target_dir(ctx)?;
    let cli = target.join("debug").join("prunelab");
    let load_before = load_average();
    let mut rows = Vec::new();
    let mut notes = Vec::new();

    heading("bench: native training throughput, prunelab vs PyTorch CPU");
    let mut wgpu_on = Vec::new();
    for (model, c, size) in MODELS {
        for &batch in plan.batches() {
            let steps = plan.cpu_steps(model);
            let peer_once = || {
                let py = python.as_ref()?;
                let script = ctx.root.join("bench/torch_train.py");
                let out = measure(
                    ctx,
                    in_dir(py, &ctx.root).arg(script).args([
                        "--model",
                        model,
                        "--batch",
                        &batch.to_string(),
                        "--steps",
                        &steps.to_string(),
                    ]),
                );
                out.first().and_then(|v| f(v, "images_per_s"))
            };
            // The CPU backends and the peer in interleaved rounds, so a burst of load on the
            // shared machine hits both sides of a ratio; wgpu (slow, no peer on its device) once.
            let cpu: Vec<&str> = ["flex", "tch"]
                .into_iter()
                .filter(|b| tch || *b != "tch")
                .collect();
            let mut peer_rounds = Vec::new();
            let mut cpu_rounds = vec![Vec::new(); cpu.len()];
            for _ in 0..plan.rounds() {
                peer_rounds.push(peer_once());
                for (backend, figures) in cpu.iter().zip(&mut cpu_rounds) {
                    figures.push(train(
                        ctx,
                        &cli,
                        model,
                        backend,
                        batch,
                        steps,
                        (c, size),
                        true,
                    ));
                }
            }
            let wgpu = train(
                ctx,
                &cli,
                model,
                "wgpu",
                batch,
                plan.gpu_steps(model),
                (c, size),
                true,
            );
            wgpu_on.push((model, batch, wgpu));
            let peer = median(&peer_rounds);
            let measured = cpu
                .iter()
                .zip(cpu_rounds)
                .map(|(b, rounds)| (*b, median(&rounds), spread(&rounds, &peer_rounds)))
                .chain([("wgpu", wgpu, None)]);
            for (backend, ours, spread) in measured {
                let label = match backend {
                    "flex" => "flex (CPU)",
                    "tch" => "tch (LibTorch CPU)",
                    _ => "wgpu",
                };
                rows.push(Row {
                    section: "Training throughput (native)",
                    what: format!("{model}, batch {batch}: {label}"),
                    ours,
                    peer_name: "PyTorch CPU".into(),
                    peer,
                    spread,
                    unit: "img/s",
                    higher_is_better: true,
                    goal: "≥ 1.0×",
                });
            }
        }
    }

    heading("bench: prunelab's WGSL kernels vs burn's operations (wgpu)");
    for (model, batch, on) in wgpu_on.into_iter().filter(|&(_, b, _)| b == 64) {
        let (_, c, size) = MODELS
            .iter()
            .copied()
            .find(|m| m.0 == model)
            .expect("a listed model");
        let off = train(
            ctx,
            &cli,
            model,
            "wgpu",
            batch,
            plan.gpu_steps(model),
            (c, size),
            false,
        );
        let what = format!("{model}, batch {batch}: training step, kernels on");
        rows.push(Row {
            section: "WGSL kernels: before/after",
            what,
            ours: on,
            peer_name: "same step, burn's ops".into(),
            peer: off,
            spread: None,
            unit: "img/s",
            higher_is_better: true,
            goal: "> 1×",
        });
    }
    // The adapter list only: timings of a kernel alone are not in the table (on llvmpipe, chains of
    // a few launches timed well below what their memory traffic allows, so they are not trusted).
    for v in measure(
        ctx,
        Command::new(&cli).args([
            "bench-kernels",
            "--weights",
            "1",
            "--activation",
            "1,1,1,1",
            "--calls",
            "1",
        ]),
    ) {
        if let Some(names) = v.get("adapters").and_then(Value::as_array) {
            let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
            notes.push(format!(
                "native wgpu adapters: {}",
                if names.is_empty() {
                    "none".into()
                } else {
                    names.join("; ")
                }
            ));
        }
    }

    heading("bench: pruning machinery overhead (masks + zero counting vs neither)");
    for (model, backend, batch) in [
        ("lenet300", "flex", 128),
        ("resnet20", "flex", 64),
        ("lenet300", "wgpu", 128),
    ] {
        let (_, c, size) = MODELS
            .iter()
            .copied()
            .find(|m| m.0 == model)
            .expect("a listed model");
        let steps = if backend == "flex" {
            plan.cpu_steps(model)
        } else {
            plan.gpu_steps(model)
        };
        let out = measure(
            ctx,
            Command::new(&cli)
                .args([
                    "bench",
                    "--overhead",
                    "--model",
                    model,
                    "--backend",
                    backend,
                ])
                .args(args(batch, steps, c, size)),
        );
        let v = out.first();
        rows.push(Row {
            section: "Pruning machinery overhead",
            what: format!("{model}, batch {batch}, {backend}: step time with machinery"),
            ours: v.and_then(|v| f(v, "ms_with_machinery")),
            peer_name: "same step without".into(),
            peer: v.and_then(|v| f(v, "ms_without")),
            spread: None,
            unit: "ms",
            higher_is_better: false,
            goal: "≤ +3 %",
        });
    }

    heading("bench: one GM + AP-Pro selection over ResNet-50's weights vs NumPy");
    let dump = target.join("bench-selection");
    let ours = measure(
        ctx,
        Command::new(&cli)
            .args(["bench-selection", "--dump"])
            .arg(&dump),
    );
    let peer = python.as_ref().map(|py| {
        measure(
            ctx,
            in_dir(py, &ctx.root)
                .arg("bench/numpy_select.py")
                .arg(&dump),
        )
    });
    let _ = std::fs::remove_dir_all(&dump);
    let weights = ours.first().and_then(|v| f(v, "weights")).unwrap_or(0.0);
    rows.push(Row {
        section: "Selection cost",
        what: format!(
            "GM + AP-Pro (p = 20, q = 2) over {:.1} M weights",
            weights / 1e6
        ),
        ours: ours.first().and_then(|v| f(v, "ms")),
        peer_name: "NumPy np.argpartition".into(),
        peer: peer
            .as_ref()
            .and_then(|p| p.first())
            .and_then(|v| f(v, "ms")),
        spread: None,
        unit: "ms",
        higher_is_better: false,
        goal: "≤ 50 ms",
    });

    if browser {
        browser_rows(ctx, &plan, &mut rows, &mut notes)?;
    }
    if python.is_none() {
        notes.push("PyTorch/NumPy peers not measured: no Python with torch and numpy (see PRUNELAB_BENCH_PYTHON)".into());
    }
    let load_after = load_average();
    notes.push(format!("load average (1, 5, 15 min) before: {load_before}; after: {load_after} — the machine is shared, figures are noisy"));
    // One table per section, in this order, whatever order the rows were measured in.
    let order = [
        "Training throughput (native)",
        "Training throughput (browser)",
        "WGSL kernels: before/after",
        "Pruning machinery overhead",
        "Selection cost",
    ];
    rows.sort_by_key(|r| order.iter().position(|&s| s == r.section));
    let md = markdown(ctx, &rows, &notes, quick);
    print_table(&rows);
    let path = ctx.root.join("BENCHMARKS.md");
    let tmp = ctx.root.join(".BENCHMARKS.md.tmp");
    std::fs::write(&tmp, md).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    ok(format!("wrote {}", ctx.rel(&path)));
    Ok(())
}

fn args(batch: usize, steps: usize, channels: usize, size: usize) -> Vec<String> {
    [
        "--batch",
        &batch.to_string(),
        "--steps",
        &steps.to_string(),
        "--channels",
        &channels.to_string(),
        "--size",
        &size.to_string(),
    ]
    .map(String::from)
    .to_vec()
}

/// prunelab's training throughput (img/s) of one configuration; on the CPU the faster of all
/// threads and one (`RAYON_NUM_THREADS=1` for flex, `OMP_NUM_THREADS=1` for libtorch), as for
/// PyTorch: on a busy machine either can win.
#[allow(clippy::too_many_arguments)]
fn train(
    ctx: &Ctx,
    cli: &Path,
    model: &str,
    backend: &str,
    batch: usize,
    steps: usize,
    (c, size): (usize, usize),
    kernels: bool,
) -> Option<f64> {
    let threads: &[Option<&str>] = if backend == "wgpu" {
        &[None]
    } else {
        &[None, Some("1")]
    };
    let mut best: Option<f64> = None;
    for one in threads {
        let mut cmd = Command::new(cli);
        cmd.args([
            "bench",
            "--model",
            model,
            "--backend",
            backend,
            "--kernels",
            if kernels { "on" } else { "off" },
        ])
        .args(args(batch, steps, c, size));
        if let Some(n) = one {
            cmd.env(
                if backend == "tch" {
                    "OMP_NUM_THREADS"
                } else {
                    "RAYON_NUM_THREADS"
                },
                n,
            );
        }
        let figure = measure(ctx, &mut cmd)
            .first()
            .and_then(|v| f(v, "images_per_s"));
        best = match (best, figure) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    best
}

/// The median of the measured figures (the mean of the middle two for an even count).
fn median(figures: &[Option<f64>]) -> Option<f64> {
    let mut v: Vec<f64> = figures.iter().flatten().copied().collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    (n > 0).then(|| (v[(n - 1) / 2] + v[n / 2]) / 2.0)
}

/// The lowest and highest ratio ours/peer over rounds measured on both sides, when there are
/// at least two.
fn spread(ours: &[Option<f64>], peer: &[Option<f64>]) -> Option<(f64, f64)> {
    let ratios: Vec<f64> = ours
        .iter()
        .zip(peer)
        .filter_map(|(a, b)| Some((*a)? / (*b)?))
        .collect();
    (ratios.len() > 1).then(|| {
        let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = ratios.iter().copied().fold(0.0, f64::max);
        (lo, hi)
    })
}

fn f(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64)
}

/// Run a measurement, echoed; its stdout's JSON lines. A failure is reported and yields none.
fn measure(ctx: &Ctx, cmd: &mut Command) -> Vec<Value> {
    match probe(ctx, cmd) {
        Ok(Some((true, out))) => out
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .inspect(|v| println!("  {v}"))
            .collect(),
        Ok(Some((false, out))) => {
            println!("  (failed; not measured) {}", out.trim());
            Vec::new()
        }
        Ok(None) | Err(_) => {
            println!("  (could not start; not measured)");
            Vec::new()
        }
    }
}

/// A Python with torch and numpy: `$PRUNELAB_BENCH_PYTHON`, else the venv of `setup --tch`
/// (PyTorch 2.9.0, the libtorch the tch backend links), installed on first use.
fn python_env(ctx: &Ctx) -> Option<PathBuf> {
    let works = |py: &Path| {
        matches!(
            probe(
                ctx,
                in_dir(py, &ctx.root).args(["-c", "import torch, numpy"])
            ),
            Ok(Some((true, _)))
        )
    };
    if let Some(py) = std::env::var_os("PRUNELAB_BENCH_PYTHON").map(PathBuf::from) {
        if works(&py) {
            return Some(py);
        }
        println!(
            "  PRUNELAB_BENCH_PYTHON={} lacks torch or numpy: using the tch venv",
            py.display()
        );
    }
    match crate::torch::ensure(ctx) {
        Ok(torch) => Some(torch.python),
        Err(e) => {
            println!(
                "  no Python with torch + numpy ({e:#}): the PyTorch and NumPy peers are not measured"
            );
            None
        }
    }
}

/// Headless Chromium: prunelab (WebGPU; the wasm CPU path when built) vs TF.js (WebGPU; wasm).
fn browser_rows(
    ctx: &Ctx,
    plan: &Plan,
    rows: &mut Vec<Row>,
    notes: &mut Vec<String>,
) -> Result<()> {
    heading("bench: browser training throughput, prunelab vs TF.js (headless Chromium)");
    crate::web::setup_and_build(ctx)?;
    let peers = ctx.root.join("bench").join("browser");
    let installed = mtime(&peers.join("node_modules/.package-lock.json"));
    if installed.is_none()
        || [
            mtime(&peers.join("package-lock.json")),
            mtime(&peers.join("package.json")),
        ]
        .iter()
        .any(|t| t.is_some_and(|t| Some(t) > installed))
    {
        run(
            ctx,
            in_dir("npm", &peers).args(["ci", "--no-audit", "--no-fund"]),
        )?;
    }
    let mut cmd = in_dir("node", &ctx.root);
    cmd.arg("tests/browser/bench.mjs");
    if plan.quick {
        cmd.arg("--quick");
    }
    let out = measure(ctx, &mut cmd);
    for v in &out {
        if let Some(adapter) = v.get("webgpu_adapter") {
            let chromium = v.get("chromium").and_then(Value::as_str).unwrap_or("?");
            notes.push(format!(
                "Chromium {chromium}, WebGPU adapter: {}",
                adapter.as_str().unwrap_or("none")
            ));
        }
        if let Some(e) = f(v, "tfjs_wasm_conv_grad_max_error") {
            notes.push(format!("TF.js wasm conv gradients (tf.customGrad) vs TF.js's own on its cpu backend: max abs difference {e:.1e}"));
        }
    }
    let figure = |engine: &str, model: &str| {
        out.iter()
            .find(|v| {
                v.get("engine").and_then(Value::as_str) == Some(engine)
                    && v.get("model").and_then(Value::as_str) == Some(model)
            })
            .and_then(|v| f(v, "images_per_s"))
    };
    for (model, _, _) in MODELS {
        rows.push(Row {
            section: "Training throughput (browser)",
            what: format!("{model}, batch 64: WebGPU"),
            ours: figure("prunelab-webgpu", model),
            peer_name: "TF.js WebGPU".into(),
            peer: figure("tfjs-webgpu", model),
            spread: None,
            unit: "img/s",
            higher_is_better: true,
            goal: "≥ 4×",
        });
        rows.push(Row {
            section: "Training throughput (browser)",
            what: format!("{model}, batch 64: CPU path (wasm, flex)"),
            ours: figure("prunelab-wasm-cpu", model),
            peer_name: "TF.js wasm".into(),
            peer: figure("tfjs-wasm", model),
            spread: None,
            unit: "img/s",
            higher_is_better: true,
            goal: "≥ 1.0×",
        });
    }
    for (model, _, _) in MODELS {
        if let Some(off) = figure("prunelab-webgpu-burn-ops", model) {
            let what = format!("{model}, batch 64: browser WebGPU step, kernels on");
            rows.push(Row {
                section: "WGSL kernels: before/after",
                what,
                ours: figure("prunelab-webgpu", model),
                peer_name: "same step, burn's ops".into(),
                peer: Some(off),
                spread: None,
                unit: "img/s",
                higher_is_better: true,
                goal: "> 1×",
            });
        }
    }
    Ok(())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or("?".into(), |s| {
        s.split_whitespace().take(3).collect::<Vec<_>>().join(", ")
    })
}

/// A `key: value` field of a `/proc`-style or os-release file.
fn field(path: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|l| {
        l.strip_prefix(key)?
            .trim_start()
            .strip_prefix([':', '='])
            .map(|v| v.trim().trim_matches('"').to_string())
    })
}

fn command_line(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn markdown(ctx: &Ctx, rows: &[Row], notes: &[String], quick: bool) -> String {
    let cpu = field("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = field("/proc/meminfo", "MemTotal").unwrap_or_default();
    let os = field("/etc/os-release", "PRETTY_NAME").unwrap_or_else(|| std::env::consts::OS.into());
    let date =
        command_line(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"])).unwrap_or_default();
    let rustc = command_line(ctx.cargo().arg("--version")).unwrap_or_default();
    let mut md = String::from("# Benchmarks\n\n");
    md += "prunelab against what a user would pick instead, every peer measured in the same run on the same machine \
           (`cargo xtask bench`). Ratio: prunelab's speed over the peer's (above 1× prunelab is faster); for the \
           machinery overhead, the extra time of a step with masks and zero counting over the same step without. \
           Benchmarks never fail on a number.\n\n";
    md += &format!(
        "## Machine\n\n- date: {date}{}\n- CPU: {cpu}, {cores} cores available, {memory} memory; {os}\n- {rustc}; burn 0.22.1\n",
        if quick { " (`--quick`)" } else { "" }
    );
    for n in notes {
        md += &format!("- {n}\n");
    }
    let mut section = "";
    for r in rows {
        if r.section != section {
            section = r.section;
            md += &format!(
                "\n## {section}\n\n| Benchmark | prunelab | Peer | Peer's figure | Ratio | Goal |\n|---|---|---|---|---|---|\n"
            );
        }
        md += &format!("| {} |\n", r.cells().join(" | "));
    }
    for (section, what) in [
        ("Training throughput (native)", "flex (CPU)"),
        ("Training throughput (native)", "tch"),
        ("Training throughput (native)", "wgpu"),
        ("Training throughput (browser)", "WebGPU"),
        ("Training throughput (browser)", "CPU path"),
    ] {
        let worst = rows
            .iter()
            .filter(|r| r.section == section && r.what.contains(what) && r.ratio().is_some())
            .min_by(|a, b| {
                a.ratio()
                    .unwrap_or(0.0)
                    .total_cmp(&b.ratio().unwrap_or(0.0))
            });
        if let Some(r) = worst {
            md += &format!(
                "\n- largest gap of {what} ({section}) in this run: {} — {:.2}× {}",
                r.what,
                r.ratio().unwrap_or(0.0),
                r.peer_name
            );
        }
    }
    md += "\n";
    md += "\n## How the figures are made\n\n";
    md += "- Native training: `prunelab bench` times forward + backward + masked SGD (momentum 0.9, weight decay 5e-4) + \
           per-channel zero counting of the engine's own epoch loop on random images after as many warm-up steps; \
           PyTorch (`bench/torch_train.py`) trains the same architecture (`tests/reference/models.py`) with \
           `torch.optim.SGD` on random images, no masks or counting. On the CPU both report the faster of all \
           threads and one thread (`RAYON_NUM_THREADS=1` / `OMP_NUM_THREADS=1` / `torch.set_num_threads(1)`): \
           on a busy machine a spinning thread pool can lose many times over to a single thread. The CPU \
           backends and PyTorch run in three interleaved rounds: the figures are medians, the parenthesis \
           after a ratio the lowest and highest ratio of a round.\n";
    md += "- WGSL kernels: the same `prunelab bench` with `--kernels off` (burn's element-wise operations for the \
           update, compare → cast → sum for the counts), both synchronised by the epoch's one read-back; \
           `prunelab bench-kernels` times each kernel alone against \
           those operations on the same tensors (not in the table: on llvmpipe its timings of short launch chains \
           came out below what the memory traffic allows, so only whole training steps are compared).\n";
    md += "  The kernels are integrated into the engine's training step: `crates/prunelab-kernels` hands their WGSL \
           to burn's own wgpu runtime as precompiled kernels (cubecl's `CubeKernel::source`, the mechanism behind \
           burn-wgpu's `template` feature) bound to the buffers of burn's tensors (`Tensor::try_into_primitive`), \
           so no second wgpu is compiled and nothing is copied. burn's ReLU stays in the autodiff graph (its \
           backward needs it), so training fuses only the counting (`count_zeros`); `relu_count` fuses both \
           where no gradient is needed.\n";
    md += "- Machinery overhead: `prunelab bench --overhead` runs one fixed batch with and without masks and zero \
           counting, interleaved three times, fastest of each.\n";
    md += "- Selection: `prunelab bench-selection` runs the engine's selection (Algorithm 2: GM for p − q, then AP \
           over surviving negative weights by |θ* − θ0|, ties ordered by layer and index) over ResNet-50's \
           kernels; `bench/numpy_select.py` does the same with `np.argpartition` on the same θ*, θ0.\n";
    md += "- Browser: `tests/browser/bench.mjs` in headless Chromium: the engine's training step on WebGPU and \
           the same on the CPU path (`benchTrainingOn`: wasm, burn's flex backend, single-threaded) against `bench/browser/tfjs-train.js` (TF.js 4.22 ops, the same \
           networks, SGD + momentum, on its WebGPU and wasm backends; conv gradients on wasm through tf.customGrad).\n";
    md += "\n## Reproduce\n\n```sh\n";
    md += "cargo xtask bench            # everything above (add --quick for fewer steps, --no-browser to skip Chromium)\n";
    md += "PRUNELAB_BENCH_PYTHON=/path/to/python cargo xtask bench   # reuse a Python that has torch + numpy\n";
    md += "prunelab bench --model resnet20 --backend flex --batch 64 --steps 5\n";
    md += "prunelab bench --model resnet20 --backend wgpu --batch 64 --steps 1 --kernels off\n";
    md += "prunelab bench --model lenet300 --backend flex --batch 128 --channels 1 --size 28 --overhead\n";
    md += "prunelab bench-kernels --weights 272474 --activation 64,16,32,32\n";
    md += "prunelab bench-selection --dump /tmp/sel && python bench/numpy_select.py /tmp/sel\n";
    md += "python bench/torch_train.py --model resnet20 --batch 64 --steps 5\n";
    md += "node tests/browser/bench.mjs\n```\n";
    md
}

fn print_table(rows: &[Row]) {
    heading("bench: results");
    let header = [
        "Benchmark",
        "prunelab",
        "Peer",
        "Peer's figure",
        "Ratio",
        "Goal",
    ]
    .map(String::from);
    let cells: Vec<[String; 6]> = std::iter::once(header)
        .chain(rows.iter().map(Row::cells))
        .collect();
    let widths: Vec<usize> = (0..6)
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for c in &cells {
        let line: Vec<String> = c
            .iter()
            .zip(&widths)
            .map(|(s, w)| format!("{s:<w$}"))
            .collect();
        println!("{}", line.join("  "));
    }
}
