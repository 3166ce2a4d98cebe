//! One pruning step of an iterative cycle (AP paper, Algorithm 2).
//!
//! A cycle trains the network from the rewind point θ0 to θ*, then prunes it. With `n_alive`
//! surviving prunable weights at the start of the step:
//! - plain method X: X removes ⌊n_alive·p/100⌋;
//! - with AP: X removes ⌊n_alive·(p−q)/100⌋, then AP (Algorithm 1) removes ⌊n_alive·q/100⌋ more
//!   from the survivors — every cycle for AP-Pro, only in the last cycle for AP-Lite (its earlier
//!   cycles remove just the (p−q) % of X).
//! After pruning, survivors are rewound to θ0 and retrained (the engine does that part).

use serde::{Deserialize, Serialize};

use crate::criterion::{self, WeightRef};
use crate::mask::Masks;
use crate::state::{Ap, Experiment, Method};
use crate::ap;

/// How many weights the base method and AP remove in one pruning step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleCounts {
    pub base: usize,
    pub ap: usize,
}

/// The quotas of the pruning step that ends cycle `cycle` (0-based) of `cycles` prunings.
pub fn quotas(n_alive: usize, p: f64, q: f64, ap: Ap, cycle: u32, cycles: u32) -> CycleCounts {
    let portion = |rate: f64| ((n_alive as f64) * rate / 100.0).floor() as usize;
    let last = cycle + 1 == cycles;
    match ap {
        Ap::None => CycleCounts { base: portion(p), ap: 0 },
        Ap::Pro => CycleCounts { base: portion(p - q), ap: portion(q) },
        Ap::Lite => CycleCounts { base: portion(p - q), ap: if last { portion(q) } else { 0 } },
    }
}

/// Prune one cycle: base method X then AP, on the trained weights `theta_star` (PyTorch layout),
/// with `theta0` the rewind point. Returns the new masks and what each step removed.
pub fn prune_cycle(
    exp: &Experiment,
    cycle: u32,
    theta_star: &[Vec<f32>],
    theta0: &[Vec<f32>],
    masks: &Masks,
) -> (Masks, CycleCounts) {
    let want = quotas(masks.alive(), exp.p, exp.q, exp.ap, cycle, exp.cycles);
    let mut next = masks.clone();
    let base: Vec<WeightRef> = match exp.method {
        Method::Gm => criterion::global_magnitude(theta_star, &next, want.base),
    };
    criterion::apply(&mut next, &base);
    let activated = ap::select(theta_star, theta0, &next, want.ap);
    criterion::apply(&mut next, &activated);
    (next, CycleCounts { base: base.len(), ap: activated.len() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::Layer;

    #[test]
    fn quotas_follow_algorithm_2() {
        assert_eq!(quotas(1000, 20.0, 2.0, Ap::Pro, 0, 5), CycleCounts { base: 180, ap: 20 });
        assert_eq!(quotas(1000, 20.0, 2.0, Ap::None, 0, 5), CycleCounts { base: 200, ap: 0 });
        assert_eq!(quotas(1000, 20.0, 2.0, Ap::Lite, 0, 5), CycleCounts { base: 180, ap: 0 });
        assert_eq!(quotas(1000, 20.0, 2.0, Ap::Lite, 4, 5), CycleCounts { base: 180, ap: 20 });
        // floors are taken separately, each from the count at the start of the step
        assert_eq!(quotas(999, 20.0, 2.0, Ap::Pro, 0, 5), CycleCounts { base: 179, ap: 19 });
        // q = 0: AP removes nothing; p = q: the base method removes nothing
        assert_eq!(quotas(1000, 20.0, 0.0, Ap::Pro, 0, 1), CycleCounts { base: 200, ap: 0 });
        assert_eq!(quotas(1000, 20.0, 20.0, Ap::Pro, 0, 1), CycleCounts { base: 0, ap: 200 });
    }

    fn experiment(ap: Ap, p: f64, q: f64) -> Experiment {
        Experiment { ap, p, q, cycles: 1, ..Experiment::default() }
    }

    #[test]
    fn base_then_ap_on_hand_made_weights() {
        let layers = [Layer::new("a", &[2, 5]), Layer::new("b", &[1, 5])];
        let star = vec![
            vec![0.9, -0.8, 0.01, -0.6, 0.5, -0.02, 0.7, -0.3, 0.4, 0.35],
            vec![-0.05, 0.2, -0.9, 0.03, 0.6],
        ];
        let init = vec![vec![0.0; 10], vec![-0.75, 0.0, -0.1, 0.0, 0.0]];
        let (m, counts) = prune_cycle(&experiment(Ap::Pro, 40.0, 20.0), 0, &star, &init, &Masks::dense(&layers));
        // 15 alive: base removes 3 smallest |θ*| (0.01, 0.02, 0.03), AP removes 3 negatives with
        // smallest |θ*−θ0| among survivors: a[7] (0.3), a[3] (0.6), b[0] (0.7); not a[1]/b[2] (0.8)
        assert_eq!(counts, CycleCounts { base: 3, ap: 3 });
        let pruned: Vec<(usize, usize)> = m
            .keep
            .iter()
            .enumerate()
            .flat_map(|(l, keep)| keep.iter().enumerate().filter(|(_, k)| !**k).map(move |(i, _)| (l, i)))
            .collect();
        assert_eq!(pruned, vec![(0, 2), (0, 3), (0, 5), (0, 7), (1, 0), (1, 3)]);
    }

    #[test]
    fn ap_with_no_negative_survivors_removes_nothing() {
        let layers = [Layer::new("a", &[1, 4])];
        let star = vec![vec![0.1, 0.2, 0.3, 0.4]];
        let (m, counts) = prune_cycle(&experiment(Ap::Pro, 50.0, 25.0), 0, &star, &star, &Masks::dense(&layers));
        assert_eq!(counts, CycleCounts { base: 1, ap: 0 });
        assert_eq!(m.alive(), 3);
    }

    #[test]
    fn p_equal_q_prunes_by_ap_alone_and_q_zero_by_magnitude_alone() {
        let layers = [Layer::new("a", &[1, 4])];
        let star = vec![vec![-0.5, 0.01, -0.25, 0.75]];
        let init = vec![vec![-0.5, 0.0, 0.5, 0.0]];
        let (m, counts) = prune_cycle(&experiment(Ap::Pro, 50.0, 50.0), 0, &star, &init, &Masks::dense(&layers));
        // AP alone: the two negatives, smallest movement first (0.0 then 0.75)
        assert_eq!(counts, CycleCounts { base: 0, ap: 2 });
        assert_eq!(m.keep[0], vec![false, true, false, true]);
        let (m, counts) = prune_cycle(&experiment(Ap::Pro, 50.0, 0.0), 0, &star, &init, &Masks::dense(&layers));
        assert_eq!(counts, CycleCounts { base: 2, ap: 0 });
        assert_eq!(m.keep[0], vec![true, false, false, true]);
    }
}
