//! The activation-density paper's Table I for `method = "density"` runs: per run, one row per
//! net_i — its configuration (widths), test accuracy, parameters and MACs with their reduction
//! against net0 (eq. 3), the epochs to ρ, the slope δ reads, and the measured inference
//! throughput with its speed-up over net0 on the same backend — then the final net, the training
//! complexity (eq. 4) and the training memory complexity (§IV.D) of the whole process.

use std::fmt::Write;

use prunelab_core::Experiment;
use prunelab_core::density::complexity::training;
use prunelab_core::density::final_net;
use prunelab_core::report::{NetEntry, RunResult};

use crate::render::csv_field;

/// The runs that are density runs.
pub fn density_runs(runs: &[RunResult]) -> Vec<&RunResult> {
    runs.iter().filter(|r| !r.nets.is_empty()).collect()
}

/// 11173962 → "11 173 962" (thousands grouped by thin spaces, as the reports print counts).
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

fn configuration(widths: &[usize]) -> String {
    format!(
        "[{}]",
        widths
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Inference speed-up of `net` over net0 (both measured on the run's backend).
fn speedup(net: &NetEntry, net0: &NetEntry) -> Option<f64> {
    Some(net.images_per_s? / net0.images_per_s.filter(|r| *r > 0.0)?)
}

/// Why the run stopped after its last net.
fn stop_reason(run: &RunResult, exp: &Experiment) -> String {
    let Some(last) = run.nets.last() else {
        return String::new();
    };
    if let Some(at) = run.diverged {
        format!("training diverged at {at}")
    } else if last.rising {
        format!(
            "δ: the AE curve of net{} rises (least-squares slope {:+.2e} per epoch)",
            last.net, last.slope
        )
    } else if run.nets.len() as u32 >= exp.density_nets {
        format!("the cap of density_nets = {} nets", exp.density_nets)
    } else if !run.complete {
        "the run has not finished".into()
    } else {
        "its widths stopped changing".into()
    }
}

/// The Markdown section for the density runs among `runs` (empty when there are none).
pub fn markdown(runs: &[RunResult]) -> String {
    let mut out = String::new();
    let runs = density_runs(runs);
    if runs.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "## Activation-density pruning (Table I)\n\n\
         Each net_i is trained until ρ (total AE saturated) or its epoch cap, then resized to \
         round(AE × width) per layer; reductions are against net0 (eq. 3; parameters and MACs of everything \
         the net holds, projection shortcuts included). Inference: images/s measured on the run's backend, \
         speed-up over net0. The final net is marked **bold**.\n"
    );
    for run in runs {
        let (exp, _) = Experiment::from_hash(&run.experiment, &[]);
        let _ = writeln!(
            out,
            "### {}, seed {}: {} on {}\n",
            run.label, run.seed, exp.model, exp.data
        );
        let _ = writeln!(
            out,
            "| net | configuration | accuracy | parameters | parameters reduction | MACs | OPS reduction | epochs to ρ | AE slope | images/s | speed-up |"
        );
        let _ = writeln!(
            out,
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        );
        let last = final_net(&run.nets.iter().map(|n| n.rising).collect::<Vec<_>>());
        let net0 = &run.nets[0];
        for (i, net) in run.nets.iter().enumerate() {
            let rho = net.epochs_to_rho.map_or_else(
                || format!("— ({} epochs)", net.epochs),
                |e| format!("{e} epochs"),
            );
            let rate = net.images_per_s.map_or("—".into(), |r| format!("{r:.0}"));
            let speed = speedup(net, net0).map_or("—".into(), |s| format!("{s:.2}×"));
            let name = if Some(i) == last {
                format!("**net{}**", net.net)
            } else {
                format!("net{}", net.net)
            };
            let _ = writeln!(
                out,
                "| {name} | {} | {:.2} % | {} | {:.2}× | {} | {:.2}× | {rho} | {:+.2e} | {rate} | {speed} |",
                configuration(&net.widths),
                100.0 * net.test_accuracy,
                grouped(net.parameters),
                net.parameters_reduction,
                grouped(net.macs),
                net.ops_reduction,
                net.slope,
            );
        }
        let epochs: Vec<(f64, f64, u32)> = run
            .nets
            .iter()
            .map(|n| (n.ops_reduction, n.parameters_reduction, n.epochs))
            .collect();
        let compute = training(epochs.iter().map(|&(o, _, e)| (o, e)));
        let memory = training(epochs.iter().map(|&(_, p, e)| (p, e)));
        let baseline = f64::from(exp.epochs.max(1));
        let _ = writeln!(
            out,
            "\nFinal net: net{} ({} layers: {}); pruning stopped at {}. Training complexity (eq. 4): {compute:.1} \
             net0-epochs ({:.2}× of training net0 for {} epochs); training memory complexity: {memory:.1} ({:.2}×).\n",
            last.unwrap_or(0),
            net0.layers.len(),
            net0.layers.join(", "),
            stop_reason(run, &exp),
            compute / baseline,
            exp.epochs,
            memory / baseline,
        );
    }
    out
}

/// One CSV row per net of every density run (empty when there are none).
pub fn csv(runs: &[RunResult]) -> String {
    let runs = density_runs(runs);
    if runs.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "label,seed,net,widths,test_accuracy,parameters,macs,parameters_reduction,ops_reduction,epochs,epochs_to_rho,ae_slope,rising,images_per_s,speedup,final\n",
    );
    for run in runs {
        let last = final_net(&run.nets.iter().map(|n| n.rising).collect::<Vec<_>>());
        for (i, net) in run.nets.iter().enumerate() {
            let widths = net
                .widths
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
            let _ = writeln!(
                out,
                "{},{},{},{widths},{},{},{},{},{},{},{},{},{},{},{},{}",
                csv_field(&run.label),
                run.seed,
                net.net,
                net.test_accuracy,
                net.parameters,
                net.macs,
                net.parameters_reduction,
                net.ops_reduction,
                net.epochs,
                net.epochs_to_rho.map_or(String::new(), |e| e.to_string()),
                net.slope,
                net.rising,
                opt(net.images_per_s),
                opt(speedup(net, &run.nets[0])),
                Some(i) == last,
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::density_run;

    #[test]
    fn table_i_rows_final_net_and_complexity() {
        let md = markdown(&[density_run()]);
        assert!(md.contains("### AE density, seed 1: cnn on mnist"), "{md}");
        assert!(md.contains("| net0 | [32, 64, 128] | 90.00 % | 1 000 | 1.00× | 4 000 | 1.00× | 5 epochs | -2.00e-2 | 100 | 1.00× |"), "{md}");
        assert!(
            md.contains(
                "| **net1** | [17, 30, 60] | 89.00 % | 250 | 4.00× | 1 000 | 4.00× | 4 epochs |"
            ),
            "{md}"
        );
        assert!(md.contains("| 350 | 3.50× |"), "{md}");
        assert!(md.contains("| net2 | [9, 14, 31] | 88.00 % | 100 | 10.00× | 250 | 16.00× | — (8 epochs) | +1.00e-2 | 900 | 9.00× |"), "{md}");
        // eq. 4: 5/1 + 4/4 + 8/16 = 6.5; memory: 5/1 + 4/4 + 8/10 = 6.8; baseline 8 epochs
        assert!(md.contains("Final net: net1 (3 layers: conv1, conv2, fc1); pruning stopped at δ: the AE curve of net2 rises"), "{md}");
        assert!(md.contains("Training complexity (eq. 4): 6.5 net0-epochs (0.81× of training net0 for 8 epochs); training memory complexity: 6.8 (0.85×)."), "{md}");
        let csv = csv(&[density_run()]);
        assert_eq!(csv.lines().count(), 4);
        assert!(
            csv.lines()
                .nth(2)
                .is_some_and(|l| l
                    == "AE density,1,1,17 30 60,0.89,250,1000,4,4,4,4,-0.02,false,350,3.5,true"),
            "{csv}"
        );
    }

    #[test]
    fn no_density_runs_no_section() {
        let mut run = density_run();
        run.nets.clear();
        assert_eq!(markdown(&[run.clone()]), "");
        assert_eq!(csv(&[run]), "");
    }
}
