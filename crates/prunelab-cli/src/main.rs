//! `prunelab`: the native shell over the engine — the same experiments the page runs, at any scale.

mod alloc;
mod atomic;
mod bench_cmd;
mod data;
mod dnr_cmd;
mod fetch_cmd;
mod guard;
mod keys_cmd;
mod lock;
mod model_cmd;
mod report_cmd;
mod run_cmd;
mod target;
mod web_export_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "prunelab",
    version,
    about = "Neural-network pruning with Activate-while-Pruning and DNR"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the pruning cycles of a TOML config; writes DIR/results.json and DIR/cycle-NN.safetensors
    /// (one folder per run, DIR/<label>-<hash>/seed-<n>/, when the config lists `seeds` or
    /// `[[variant]]`s). Running it again on the same DIR resumes where it stopped (to the epoch).
    Run {
        #[arg(long)]
        config: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Folder holding one folder per dataset (`mnist/`, `cifar10/`, `cifar100/`, `tinyimagenet/`); default $PRUNELAB_DATA or ./data.
        #[arg(long)]
        data: Option<PathBuf>,
        #[command(flatten)]
        target: target::Flags,
    },
    /// Run the plans of several configs (methods × seeds × configs), each run in its own folder
    /// OUT/<label>-<hash>/seed-<n>/; `--shard i/n` takes every n-th run from the i-th (0-based),
    /// so a job array runs the shards and `prunelab report OUT` merges them. Finished runs are
    /// skipped and unfinished ones resumed, so a requeued job goes on where it stopped.
    Sweep {
        #[arg(required = true)]
        configs: Vec<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        /// i/n: run only the runs whose position in the sweep is i modulo n (0 <= i < n).
        #[arg(long, default_value = "0/1")]
        shard: String,
        #[arg(long)]
        data: Option<PathBuf>,
        #[command(flatten)]
        target: target::Flags,
    },
    /// Tabulate runs as the AP paper does (rows = methods, columns = λ, mean ± std over seeds) and
    /// plot accuracy and static/dynamic DNR vs λ: report.md, report.csv, accuracy.svg/png, dnr.svg/png.
    Report {
        /// Run folders (searched recursively for results.json).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where the report goes (default: the first DIR).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Columns: λ targets in percent (default 32.8,26.2,13.4,5.72); each uses the nearest cycle.
        #[arg(long = "lambda")]
        lambdas: Option<String>,
        /// early-stop (test accuracy at the best validation epoch) or final.
        #[arg(long, default_value = "early-stop")]
        accuracy: String,
        /// Add the mean DNR in parentheses: static or dynamic (Tables 10–11 style).
        #[arg(long)]
        dnr: Option<String>,
        /// Only the runs of this config (by their sweep folders): one table out of a sweep of many.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Print the static/dynamic DNR of a checkpoint (its `_mask` applied) on IDX images, as JSON.
    Dnr {
        #[arg(long)]
        model: String,
        #[arg(long)]
        checkpoint: PathBuf,
        #[arg(long)]
        images: PathBuf,
        /// What one unit is: position (a conv channel at one position) or channel (a whole map).
        #[arg(long, default_value = "position")]
        unit: String,
        #[command(flatten)]
        target: target::Flags,
    },
    /// Parameters and multiply-accumulates per image of a network, layer by layer, from its shapes
    /// (`--json`: `{"parameters": N, "macs": M, "layers": [...], ...}`).
    Model {
        /// lenet300, cnn, resnet20, resnet56, vgg19, densenet40, mobilenetv2, resnet18, resnet50 or vit-b16.
        name: String,
        /// Output classes (default: 10; 100 for densenet40 and mobilenetv2; 1000 for resnet50 and vit-b16).
        #[arg(long)]
        classes: Option<usize>,
        /// Input shape C,H,W (default: 1,28,28 for lenet300 and cnn; 3,224,224 for resnet50 and vit-b16; else 3,32,32).
        #[arg(long)]
        input: Option<String>,
        /// Widths of the resizable layers (activation-density pruning's configuration, e.g. Table I's
        /// 17 ResNet-18 widths: stem, then conv1 and conv2 of each block), comma-separated.
        #[arg(long)]
        widths: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Every experiment key a config file or a URL hash takes: its values, its default and what it
    /// means (`--json`: an array of `{name, values, default, doc}`).
    Keys {
        #[arg(long)]
        json: bool,
    },
    /// Datasets: `prunelab data fetch cifar10|cifar100` downloads one into the data folder.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// Measure training throughput (forward + backward + masked SGD + zero counting) on random images;
    /// with `--run DIR`, the inference throughput of every net of a finished activation-density run.
    Bench {
        /// A finished `method = "density"` run folder: time inference of each of its nets (images/s,
        /// speed-up over net0, MAC reduction) on --backend at --batch, as JSON.
        #[arg(long)]
        run: Option<PathBuf>,
        #[arg(long, default_value = "resnet20")]
        model: String,
        #[command(flatten)]
        target: target::Flags,
        #[arg(long, default_value_t = 64)]
        batch: usize,
        /// Timed steps, after as many warm-up steps.
        #[arg(long, default_value_t = 10)]
        steps: usize,
        /// Input channels (1 for MNIST, 3 for CIFAR).
        #[arg(long, default_value_t = 3)]
        channels: usize,
        /// Input height and width.
        #[arg(long, default_value_t = 32)]
        size: usize,
        /// `off`: burn's operations instead of prunelab's WGSL kernels (wgpu), for before/after.
        #[arg(long, default_value = "on", value_parser = ["on", "off"])]
        kernels: String,
        /// Instead: step time with the pruning machinery (masks + zero counting) and without, on
        /// one fixed batch, interleaved `--repeats` times (fastest of each kept).
        #[arg(long)]
        overhead: bool,
        #[arg(long, default_value_t = 3)]
        repeats: usize,
    },
    /// prunelab's WGSL kernels against the burn operations they replace, standalone on wgpu:
    /// masked SGD over `--weights` weights, dead counting over a `--activation N,C,H,W` output.
    BenchKernels {
        #[arg(long, default_value_t = 1 << 20)]
        weights: usize,
        #[arg(long, default_value = "128,16,32,32")]
        activation: String,
        #[arg(long, default_value_t = 20)]
        calls: usize,
    },
    /// Time one pruning selection (base method + AP, Algorithm 2) over a model's kernels (default:
    /// GM + AP-Pro, p = 20, q = 2 over ResNet-50's 25.5 M weights).
    BenchSelection {
        #[arg(long, default_value = "resnet50")]
        model: String,
        #[arg(long, default_value = "gm")]
        method: String,
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        /// Also write θ* and θ0 (all kernels, flat little-endian f32) as DIR/theta_star.f32 and
        /// DIR/theta0.f32, for a peer to select from the same data.
        #[arg(long)]
        dump: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum DataCommand {
    /// Download the official binary tarball, check its MD5, unpack it into DIR/<dataset>/ and load it
    /// once; on any failure nothing is left there.
    Fetch {
        dataset: fetch_cmd::Fetchable,
        /// The data folder; default $PRUNELAB_DATA or ./data.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Download from this URL instead (a mirror).
        #[arg(long)]
        url: Option<String>,
        /// The archive's expected MD5 (hex), for --url.
        #[arg(long)]
        md5: Option<String>,
        /// Replace an existing DIR/<dataset>/.
        #[arg(long)]
        force: bool,
    },
    /// Convert a dataset into the playground's web format (CIFAR-10: chunks of binary records +
    /// manifest.json) for the page's `cifar=` URL.
    WebExport {
        dataset: WebExportable,
        /// The output folder (written beside it, then renamed into place).
        #[arg(long)]
        out: PathBuf,
        /// The data folder; default $PRUNELAB_DATA or ./data.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Records per chunk file.
        #[arg(long, default_value_t = 5000)]
        chunk: usize,
        /// Training images kept (0 = all 50000).
        #[arg(long, default_value_t = 0)]
        train: usize,
        /// Test images kept (0 = all 10000).
        #[arg(long, default_value_t = 0)]
        test: usize,
        /// Replace an existing --out folder.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum WebExportable {
    Cifar10,
}

/// The target of a command that reads no config: its flags alone.
fn flag_target(flags: target::Flags) -> anyhow::Result<target::Target> {
    target::Target::new(&Default::default(), flags)
}

fn main() -> ExitCode {
    alloc::keep_freed_memory();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            config,
            out,
            data,
            target,
        } => run_cmd::run(&config, &out, data, target),
        Command::Sweep {
            configs,
            out,
            shard,
            data,
            target,
        } => run_cmd::parse_shard(&shard)
            .and_then(|shard| run_cmd::sweep(&configs, &out, shard, data, target)),
        Command::Report {
            dirs,
            out,
            lambdas,
            accuracy,
            dnr,
            config,
        } => report_cmd::report(report_cmd::Args {
            dirs,
            out,
            lambdas,
            accuracy,
            dnr,
            config,
        }),
        Command::Dnr {
            model,
            checkpoint,
            images,
            unit,
            target,
        } => {
            flag_target(target).and_then(|t| dnr_cmd::dnr(&model, &checkpoint, &images, &unit, &t))
        }
        Command::Model {
            name,
            classes,
            input,
            widths,
            json,
        } => model_cmd::model(&name, classes, input.as_deref(), widths.as_deref(), json),
        Command::Keys { json } => keys_cmd::keys(json),
        Command::Data {
            command:
                DataCommand::Fetch {
                    dataset,
                    data,
                    url,
                    md5,
                    force,
                },
        } => fetch_cmd::fetch(fetch_cmd::Args {
            dataset,
            data,
            url,
            md5,
            force,
        }),
        Command::Data {
            command:
                DataCommand::WebExport {
                    dataset: WebExportable::Cifar10,
                    out,
                    data,
                    chunk,
                    train,
                    test,
                    force,
                },
        } => web_export_cmd::web_export(web_export_cmd::Args {
            data: data::data_root(data),
            out,
            chunk,
            train,
            test,
            force,
        }),
        Command::Bench {
            run: Some(dir),
            target,
            batch,
            ..
        } => flag_target(target).and_then(|t| bench_cmd::bench_run(&dir, &t, batch)),
        Command::Bench {
            run: None,
            model,
            target,
            batch,
            steps,
            channels,
            size,
            kernels,
            overhead,
            repeats,
        } => flag_target(target).and_then(|target| {
            let args = bench_cmd::Args {
                model,
                target,
                batch,
                steps,
                channels,
                size,
                kernels: kernels == "on",
            };
            if overhead {
                bench_cmd::overhead(&args, repeats)
            } else {
                bench_cmd::bench(&args)
            }
        }),
        Command::BenchKernels {
            weights,
            activation,
            calls,
        } => bench_cmd::kernels(weights, &activation, calls),
        Command::BenchSelection {
            model,
            method,
            repeats,
            dump,
        } => bench_cmd::selection(&model, &method, repeats, dump.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
            if e.downcast_ref::<run_cmd::Diverged>().is_some() {
                eprintln!("hint: a lower lr (or warmup_epochs) usually keeps training finite");
                ExitCode::from(3)
            } else {
                ExitCode::from(2)
            }
        }
    }
}
