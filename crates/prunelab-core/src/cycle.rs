//! One pruning step (AP paper, Algorithm 2) with every base method and AP variant.
//!
//! A cycle trains the network to θ*, then prunes it. With `n_alive` surviving prunable weights at
//! the start of the step and rate r % (`p`, or `100 − target` for one-shot):
//! - plain method X (`ap = none`): X removes ⌊n_alive·r/100⌋;
//! - with AP: X removes ⌊n_alive·(r−q)/100⌋, then the AP step removes ⌊n_alive·q/100⌋ more from
//!   the survivors — every cycle for AP-Pro, only in the last pruning for AP-Lite. AP-Lite's
//!   earlier cycles remove just (r−q) % by X (`lite_lambda = literal`, the default: Algorithm 2
//!   as written) or the full r % (`baseline`: λ after the AP step is X's own (1 − r)^k, where the
//!   paper's tables place AP-Lite). `solo`, `no-wr`, `output` and `bias` follow
//!   `ap_timing` (Pro or Lite) the same way.
//! - `solo`: the AP metric replaces X too (both steps rank by Algorithm 1);
//! - `no-wr`: selection as AP; the engine skips the weight rewinding;
//! - `output`: the AP step ranks negative weights by how often the neuron they feed was dead;
//! - `bias`: X removes the full r %; the AP step prunes nothing but *locates* the neurons owning
//!   the ⌊n_alive·q/100⌋ weights Algorithm 1 would prune, whose biases the engine raises by k.
//!
//! Layer-wise methods (IMP layer scope, L1/L2 channel) apply the rate to each layer instead of
//! taking a global count, so their totals match ⌊n_alive·r/100⌋ only approximately.

use serde::{Deserialize, Serialize};

use crate::ap;
use crate::criterion::{self, Norm, WeightRef};
use crate::mask::{Layer, Masks};
use crate::rng::Rng;
use crate::state::{
    Ap, ApPlan, ApTiming, Experiment, LiteLambda, Method, Schedule, Scope, StateError,
};

/// How many weights the base method and AP removed in one pruning step, and how many neurons
/// AP-bias boosted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleCounts {
    pub base: usize,
    pub ap: usize,
    #[serde(default)]
    pub boosted: usize,
}

/// What a pruning step may look at besides the masks.
pub struct Observed<'a> {
    pub layers: &'a [Layer],
    /// The trained kernels θ* (PyTorch layout, pruned weights zero).
    pub theta_star: &'a [Vec<f32>],
    /// The kernels' rewind point, from which Algorithm 1 measures movement.
    pub theta0: &'a [Vec<f32>],
    /// Global Taylor / SNIP scores per kernel weight (required for those methods).
    pub scores: Option<&'a [Vec<f32>]>,
    /// Dead rate of the unit each kernel row feeds (required for `ap = output`).
    pub dead_rate: Option<&'a [Vec<Option<f32>>]>,
}

/// The result of one pruning step.
#[derive(Clone, Debug, PartialEq)]
pub struct Pruning {
    pub masks: Masks,
    pub counts: CycleCounts,
    /// `(kernel, row)` neurons whose bias AP-bias raises by `ap_bias_k`.
    pub boosted: Vec<(usize, usize)>,
    /// The weights the AP step pruned (already cleared in `masks`); the page colours them apart
    /// from the base method's.
    pub ap_pruned: Vec<WeightRef>,
}

/// Number of pruning steps a run makes: `cycles` (iterative, fewer if `target` is reached),
/// one (one-shot), none between trainings (gradual prunes inside its single training).
pub fn prunings(exp: &Experiment) -> u32 {
    match exp.schedule {
        Schedule::Iterative => exp.cycles,
        Schedule::OneShot => 1,
        Schedule::Gradual => 0,
    }
}

/// The rate r of one pruning step in percent of the surviving weights.
pub fn rate(exp: &Experiment) -> f64 {
    match (exp.schedule, exp.target) {
        (Schedule::OneShot, Some(t)) => 100.0 - t,
        _ => exp.p,
    }
}

fn portion(n_alive: usize, rate: f64) -> usize {
    ((n_alive as f64) * rate.max(0.0) / 100.0).floor() as usize
}

/// The rate (percent of the alive weights) X removes in a step; `last`: the run's last pruning.
fn base_rate(rate: f64, q: f64, plan: ApPlan, last: bool) -> f64 {
    let waiting = plan.at_end_only() && !last;
    match plan.ap {
        Ap::None | Ap::Bias => rate,
        // before AP-Lite's single step, X keeps its own rate: λ stays the baseline's
        _ if waiting && plan.lite == LiteLambda::Baseline => rate,
        _ => rate - q,
    }
}

/// The quotas of a pruning step: what X removes and what the AP step handles.
pub fn quotas(n_alive: usize, rate: f64, q: f64, plan: ApPlan, last: bool) -> CycleCounts {
    let ap_now = plan.ap != Ap::None && (last || !plan.at_end_only());
    CycleCounts {
        base: portion(n_alive, base_rate(rate, q, plan, last)),
        ap: if ap_now { portion(n_alive, q) } else { 0 },
        boosted: 0,
    }
}

/// Whether the step ending cycle `cycle` is the run's last pruning: the cycle count is used up,
/// or the step (with its AP quota) reaches `target`.
pub fn is_last_pruning(exp: &Experiment, cycle: u32, masks: &Masks) -> bool {
    let n = masks.alive();
    let plan = ApPlan {
        timing: ApTiming::Pro,
        ..exp.ap_plan()
    };
    let full = quotas(n, rate(exp), exp.q_percent(), plan, true);
    let pruned = if exp.ap == Ap::Bias {
        full.base
    } else {
        full.base + full.ap
    };
    let reaches = exp
        .target
        .is_some_and(|t| (n.saturating_sub(pruned)) as f64 <= masks.total() as f64 * t / 100.0);
    cycle + 1 >= prunings(exp) || reaches
}

fn missing(what: &str, exp: &Experiment) -> StateError {
    StateError::Invalid(format!(
        "{what} were not measured for method {} / ap {}",
        exp.method, exp.ap
    ))
}

/// The weights the base method X removes from `masks`: `k` weights, or `rate` % of each layer for
/// the layer-wise methods (IMP or LAP with layer scope, L1/L2 channel).
pub fn select_base(
    exp: &Experiment,
    cycle: u32,
    obs: &Observed,
    masks: &Masks,
    k: usize,
    rate: f64,
) -> Result<Vec<WeightRef>, StateError> {
    let theta = obs.theta_star;
    Ok(match exp.method {
        _ if exp.ap == Ap::Solo => ap::select(theta, obs.theta0, masks, k),
        Method::Gm => criterion::global_magnitude(theta, masks, k),
        Method::Imp if exp.imp_scope == Scope::Global => {
            criterion::global_magnitude(theta, masks, k)
        }
        Method::Imp => criterion::layerwise_magnitude(theta, masks, rate),
        Method::Lamp => criterion::lamp(theta, masks, k),
        Method::Lap if exp.lap_scope == Scope::Layer => {
            criterion::lap_layerwise(theta, obs.layers, masks, rate)
        }
        Method::Lap => criterion::lap(theta, obs.layers, masks, k),
        Method::Random => criterion::random(
            masks,
            k,
            &mut Rng::new(exp.seed, (1 << 44) + u64::from(cycle)),
        ),
        Method::Taylor | Method::Snip => {
            criterion::by_score(obs.scores.ok_or_else(|| missing("scores", exp))?, masks, k)
        }
        Method::L1Channel => criterion::channels(theta, obs.layers, masks, rate, Norm::L1),
        Method::L2Channel => criterion::channels(theta, obs.layers, masks, rate, Norm::L2),
        Method::Density => {
            return Err(StateError::Invalid(
                "method = \"density\" resizes whole layers and masks no weights".into(),
            ));
        }
    })
}

/// Prune one cycle: base method X, then the AP step, as described in the module docs.
pub fn prune_cycle(
    exp: &Experiment,
    cycle: u32,
    obs: &Observed,
    masks: &Masks,
) -> Result<Pruning, StateError> {
    let (r, q) = (rate(exp), exp.q_percent());
    let (plan, last) = (exp.ap_plan(), is_last_pruning(exp, cycle, masks));
    let want = quotas(masks.alive(), r, q, plan, last);
    let base_rate = base_rate(r, q, plan, last);
    let mut next = masks.clone();
    let base = select_base(exp, cycle, obs, &next, want.base, base_rate)?;
    criterion::apply(&mut next, &base);
    let mut counts = CycleCounts {
        base: base.len(),
        ..CycleCounts::default()
    };
    let mut boosted = Vec::new();
    let ap_pruned = match exp.ap {
        Ap::Bias => {
            let located = ap::select(obs.theta_star, obs.theta0, &next, want.ap);
            boosted = ap::locate_neurons(&located, obs.layers);
            counts.boosted = boosted.len();
            Vec::new()
        }
        Ap::Output => {
            let dead = obs.dead_rate.ok_or_else(|| missing("dead rates", exp))?;
            ap::select_output(obs.theta_star, obs.theta0, dead, &next, want.ap, obs.layers)
        }
        _ => ap::select(obs.theta_star, obs.theta0, &next, want.ap),
    };
    criterion::apply(&mut next, &ap_pruned);
    counts.ap = ap_pruned.len();
    Ok(Pruning {
        masks: next,
        counts,
        boosted,
        ap_pruned,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(ap: Ap, timing: ApTiming, lite: LiteLambda) -> ApPlan {
        ApPlan { ap, timing, lite }
    }

    #[test]
    fn quotas_follow_algorithm_2() {
        let literal = |ap| plan(ap, ApTiming::Pro, LiteLambda::Literal);
        let q = |n, p, q, ap, last| quotas(n, p, q, literal(ap), last);
        let c = |base, ap| CycleCounts {
            base,
            ap,
            boosted: 0,
        };
        assert_eq!(q(1000, 20.0, 2.0, Ap::Pro, false), c(180, 20));
        assert_eq!(q(1000, 20.0, 2.0, Ap::None, false), c(200, 0));
        assert_eq!(q(1000, 20.0, 2.0, Ap::Lite, false), c(180, 0));
        assert_eq!(q(1000, 20.0, 2.0, Ap::Lite, true), c(180, 20));
        // floors are taken separately, each from the count at the start of the step
        assert_eq!(q(999, 20.0, 2.0, Ap::Pro, false), c(179, 19));
        // q = 0: AP removes nothing; p = q: the base method removes nothing
        assert_eq!(q(1000, 20.0, 0.0, Ap::Pro, false), c(200, 0));
        assert_eq!(q(1000, 20.0, 20.0, Ap::Pro, false), c(0, 200));
        // bias prunes the full rate by X and only locates q %; the others follow ap_timing
        assert_eq!(q(1000, 20.0, 2.0, Ap::Bias, false), c(200, 20));
        let lite = |ap| plan(ap, ApTiming::Lite, LiteLambda::Literal);
        assert_eq!(quotas(1000, 20.0, 2.0, lite(Ap::Solo), false), c(180, 0));
        assert_eq!(quotas(1000, 20.0, 2.0, lite(Ap::Output), true), c(180, 20));
    }

    /// `lite_lambda = baseline`: X removes the full p % until AP-Lite's single step, which splits
    /// it into p − q and q, so λ after k prunings is (1 − p)^k, the base method's own; `literal`
    /// lands at (1 − (p − q))^(k−1)(1 − p) (AP paper Table 1's 32.8 % column: 29.7 %).
    #[test]
    fn ap_lite_at_the_baselines_lambda() {
        let walk = |lite, ap, k: u32| {
            let mut alive = 1_000_000usize;
            for cycle in 0..k {
                let c = quotas(
                    alive,
                    20.0,
                    2.0,
                    plan(ap, ApTiming::Pro, lite),
                    cycle + 1 == k,
                );
                alive -= c.base + c.ap;
            }
            alive as f64 / 1e6
        };
        for k in [1, 5, 6, 13] {
            let gm = walk(LiteLambda::Baseline, Ap::None, k);
            assert!((gm - 0.8f64.powi(k as i32)).abs() < 1e-5);
            assert!(
                (walk(LiteLambda::Baseline, Ap::Lite, k) - gm).abs() < 1e-5,
                "k = {k}"
            );
            let literal = 0.82f64.powi(k as i32 - 1) * 0.8;
            assert!((walk(LiteLambda::Literal, Ap::Lite, k) - literal).abs() < 1e-5);
        }
        assert!((walk(LiteLambda::Literal, Ap::Lite, 6) - 0.297).abs() < 5e-4);
        // the last pruning still splits p into the base method's p − q and AP's q
        let last = quotas(
            1000,
            20.0,
            2.0,
            plan(Ap::Lite, ApTiming::Pro, LiteLambda::Baseline),
            true,
        );
        assert_eq!((last.base, last.ap), (180, 20));
    }

    fn experiment(hash: &str) -> Experiment {
        let (exp, notices) = Experiment::from_hash(&format!("cycles=1&{hash}"), &[]);
        assert!(notices.is_empty(), "{notices:?}");
        exp
    }

    fn pruned(m: &Masks) -> Vec<(usize, usize)> {
        m.keep
            .iter()
            .enumerate()
            .flat_map(|(l, keep)| {
                keep.iter()
                    .enumerate()
                    .filter(|(_, k)| !**k)
                    .map(move |(i, _)| (l, i))
            })
            .collect()
    }

    struct Fixture {
        layers: Vec<Layer>,
        star: Vec<Vec<f32>>,
        init: Vec<Vec<f32>>,
    }

    impl Fixture {
        fn new() -> Self {
            Self {
                layers: vec![Layer::new("a", &[2, 5]), Layer::new("b", &[1, 5])],
                star: vec![
                    vec![0.9, -0.8, 0.01, -0.6, 0.5, -0.02, 0.7, -0.3, 0.4, 0.35],
                    vec![-0.05, 0.2, -0.9, 0.03, 0.6],
                ],
                init: vec![vec![0.0; 10], vec![-0.75, 0.0, -0.1, 0.0, 0.0]],
            }
        }

        fn observed<'a>(&'a self, dead: Option<&'a [Vec<Option<f32>>]>) -> Observed<'a> {
            Observed {
                layers: &self.layers,
                theta_star: &self.star,
                theta0: &self.init,
                scores: None,
                dead_rate: dead,
            }
        }

        fn prune(&self, hash: &str, dead: Option<&[Vec<Option<f32>>]>) -> Pruning {
            prune_cycle(
                &experiment(hash),
                0,
                &self.observed(dead),
                &Masks::dense(&self.layers),
            )
            .expect("prunes")
        }
    }

    #[test]
    fn base_then_ap_on_hand_made_weights() {
        let f = Fixture::new();
        let got = f.prune("ap=pro&p=40&q=20", None);
        // 15 alive: base removes 3 smallest |θ*| (0.01, 0.02, 0.03), AP removes 3 negatives with
        // smallest |θ*−θ0| among survivors: a[7] (0.3), a[3] (0.6), b[0] (0.7); not a[1]/b[2] (0.8)
        assert_eq!(
            got.counts,
            CycleCounts {
                base: 3,
                ap: 3,
                boosted: 0
            }
        );
        assert_eq!(
            pruned(&got.masks),
            vec![(0, 2), (0, 3), (0, 5), (0, 7), (1, 0), (1, 3)]
        );
    }

    #[test]
    fn solo_ranks_both_steps_by_the_ap_metric() {
        let f = Fixture::new();
        let got = f.prune("ap=solo&p=40&q=20", None);
        // negatives by movement: a[5] 0.02, a[7] 0.3, a[3] 0.6, b[0] 0.7, a[1] 0.8, b[2] 0.8
        // → a[5], a[7], a[3] (the X step), then b[0], a[1], b[2] (the AP step)
        assert_eq!(
            got.counts,
            CycleCounts {
                base: 3,
                ap: 3,
                boosted: 0
            }
        );
        assert_eq!(
            pruned(&got.masks),
            vec![(0, 1), (0, 3), (0, 5), (0, 7), (1, 0), (1, 2)]
        );
    }

    #[test]
    fn bias_prunes_by_magnitude_and_locates_neurons() {
        let f = Fixture::new();
        let got = f.prune("ap=bias&ap_bias_k=0.5&p=40&q=20", None);
        // X removes 6 smallest |θ*|: 0.01, 0.02, 0.03, 0.05, 0.2, 0.3; AP-bias locates the 3 weights
        // Algorithm 1 would take next (a[3] 0.6, a[1] 0.8, b[2] 0.8) → neurons (0,0) and (1,0)
        assert_eq!(
            got.counts,
            CycleCounts {
                base: 6,
                ap: 0,
                boosted: 2
            }
        );
        assert_eq!(
            pruned(&got.masks),
            vec![(0, 2), (0, 5), (0, 7), (1, 0), (1, 1), (1, 3)]
        );
        assert_eq!(got.boosted, vec![(0, 0), (1, 0)]);
    }

    #[test]
    fn output_takes_negatives_of_the_most_often_dead_neurons() {
        let f = Fixture::new();
        // neuron 1 of layer a is dead 90 % of the time, neuron 0 10 %; layer b feeds no ReLU
        let dead = vec![vec![Some(0.1), Some(0.9)], vec![None]];
        let got = f.prune("ap=output&p=40&q=20", Some(&dead));
        // X: a[2], a[5], b[3]; AP-output: negatives of a's row 1 (a[7]; a[5] gone), then row 0 by
        // movement (a[3] 0.6, a[1] 0.8)
        assert_eq!(
            got.counts,
            CycleCounts {
                base: 3,
                ap: 3,
                boosted: 0
            }
        );
        assert_eq!(
            pruned(&got.masks),
            vec![(0, 1), (0, 2), (0, 3), (0, 5), (0, 7), (1, 3)]
        );
        let no_dead = prune_cycle(
            &experiment("ap=output"),
            0,
            &f.observed(None),
            &Masks::dense(&f.layers),
        );
        assert!(no_dead.is_err());
    }

    #[test]
    fn ap_with_no_negative_survivors_removes_nothing() {
        let layers = [Layer::new("a", &[1, 4])];
        let star = vec![vec![0.1, 0.2, 0.3, 0.4]];
        let obs = Observed {
            layers: &layers,
            theta_star: &star,
            theta0: &star,
            scores: None,
            dead_rate: None,
        };
        let got = prune_cycle(
            &experiment("ap=pro&p=50&q=25"),
            0,
            &obs,
            &Masks::dense(&layers),
        )
        .expect("prunes");
        assert_eq!(
            got.counts,
            CycleCounts {
                base: 1,
                ap: 0,
                boosted: 0
            }
        );
        assert_eq!(got.masks.alive(), 3);
    }

    #[test]
    fn p_equal_q_prunes_by_ap_alone_and_q_zero_by_magnitude_alone() {
        let layers = [Layer::new("a", &[1, 4])];
        let star = vec![vec![-0.5, 0.01, -0.25, 0.75]];
        let init = vec![vec![-0.5, 0.0, 0.5, 0.0]];
        let obs = Observed {
            layers: &layers,
            theta_star: &star,
            theta0: &init,
            scores: None,
            dead_rate: None,
        };
        let got = prune_cycle(
            &experiment("ap=pro&p=50&q=50"),
            0,
            &obs,
            &Masks::dense(&layers),
        )
        .expect("prunes");
        // AP alone: the two negatives, smallest movement first (0.0 then 0.75)
        assert_eq!(
            got.counts,
            CycleCounts {
                base: 0,
                ap: 2,
                boosted: 0
            }
        );
        assert_eq!(got.masks.keep[0], vec![false, true, false, true]);
        let got = prune_cycle(
            &experiment("ap=pro&p=50&q=0"),
            0,
            &obs,
            &Masks::dense(&layers),
        )
        .expect("prunes");
        assert_eq!(
            got.counts,
            CycleCounts {
                base: 2,
                ap: 0,
                boosted: 0
            }
        );
        assert_eq!(got.masks.keep[0], vec![true, false, false, true]);
    }

    #[test]
    fn taylor_needs_scores_and_uses_them() {
        let layers = [Layer::new("a", &[1, 4])];
        let star = vec![vec![0.1, 0.2, 0.3, 0.4]];
        let scores = vec![vec![4.0, 3.0, 2.0, 1.0]];
        let mut obs = Observed {
            layers: &layers,
            theta_star: &star,
            theta0: &star,
            scores: None,
            dead_rate: None,
        };
        assert!(
            prune_cycle(
                &experiment("method=taylor&ap=none&p=50"),
                0,
                &obs,
                &Masks::dense(&layers)
            )
            .is_err()
        );
        obs.scores = Some(&scores);
        let got = prune_cycle(
            &experiment("method=taylor&ap=none&p=50"),
            0,
            &obs,
            &Masks::dense(&layers),
        )
        .expect("prunes");
        assert_eq!(got.masks.keep[0], vec![true, true, false, false]);
    }

    #[test]
    fn one_shot_and_target_decide_the_last_pruning() {
        let layers = [Layer::new("a", &[10, 10])];
        let masks = Masks::dense(&layers);
        let one_shot = experiment("schedule=one-shot&target=10&ap=lite&q=2");
        assert_eq!((prunings(&one_shot), rate(&one_shot)), (1, 90.0));
        assert!(is_last_pruning(&one_shot, 0, &masks));
        let iterative = experiment("cycles=10&target=70&p=20");
        assert!(
            !is_last_pruning(&iterative, 0, &masks),
            "100 → 80 does not reach 70"
        );
        let mut m = masks.clone();
        m.keep[0][..20].iter_mut().for_each(|k| *k = false);
        assert!(is_last_pruning(&iterative, 1, &m), "80 → 64 reaches 70");
        assert!(is_last_pruning(&experiment("cycles=2"), 1, &masks));
        assert_eq!(
            prunings(&experiment("schedule=gradual&target=10&ap=none")),
            0
        );
    }
}
