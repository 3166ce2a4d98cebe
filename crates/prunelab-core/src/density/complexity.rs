//! Efficiency accounting of §IV.A–B and §IV.D: parameter and OPS reduction of net_i against the
//! baseline net0 (eq. 3: OPS reduction = Σ#MAC of net0 / Σ#MAC of net_i, with
//! `#MAC = O²·N·k²·M` per conv from [`crate::macs`]), and the cost of the whole pruning-in-training
//! process:
//!
//! - training complexity (eq. 4) = Σ_i (OPS reduction of net_i)⁻¹ × (training epochs of net_i),
//!   in net0-epoch equivalents of compute;
//! - training memory complexity (§IV.D) = Σ_i (parameters reduction of net_i)⁻¹ × (epochs of net_i).

/// `baseline / pruned` (how many times smaller); 0 when the pruned count is 0.
pub fn reduction(baseline: u64, pruned: u64) -> f64 {
    if pruned == 0 {
        0.0
    } else {
        baseline as f64 / pruned as f64
    }
}

/// Σ epochs / reduction over the nets, each given as `(reduction, epochs)`: eq. 4 with OPS
/// reductions, the training memory complexity with parameter reductions. Nets with a
/// non-positive reduction count as unreduced.
pub fn training(nets: impl IntoIterator<Item = (f64, u32)>) -> f64 {
    nets.into_iter()
        .map(|(r, epochs)| f64::from(epochs) / if r > 0.0 { r } else { 1.0 })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Table II from Table I's OPS reductions and epochs (the final net trained 210 epochs).
    #[test]
    fn table_ii_from_table_i() {
        let round1 = |x: f64| (x * 10.0).round() / 10.0;
        // CIFAR-100, the paper's own example: 25·(1)⁻¹ + 210·(5.1)⁻¹ (ResNet-18) and 5.3 (VGG-19)
        assert_eq!(round1(training([(1.0, 25), (5.1, 210)])), 66.2);
        assert_eq!(round1(training([(1.0, 25), (5.3, 210)])), 64.6);
        // CIFAR-10 ResNet-18: net1 100 + 210/6.0; net2 100 + 70/6.0 + 210/23.2 (the paper prints
        // 120.8, from reductions before Table I rounded them)
        assert_eq!(round1(training([(1.0, 100), (6.0, 210)])), 135.0);
        assert_eq!(
            round1(training([(1.0, 100), (6.0, 70), (23.2, 210)])),
            120.7
        );
        assert_eq!(training([(0.0, 10)]), 10.0);
    }

    #[test]
    fn reductions() {
        assert_eq!(reduction(11_173_962, 11_173_962), 1.0);
        assert_eq!(reduction(100, 25), 4.0);
        assert_eq!(reduction(100, 0), 0.0);
    }
}
