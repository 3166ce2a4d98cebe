//! The two criteria of Algorithm 1 (§III.A), read off the total-AE curve of the net being trained
//! (one value per epoch, from that epoch's training pass).
//!
//! - ρ, the pruning criterion: training has *saturated* once the total AE changed by less than
//!   `rho_threshold` (paper: ΔAE < 0.001) between consecutive epochs `rho_epochs` times in a row
//!   (paper: "two or more consecutive epochs"); the net is then resized by its layer-wise AE of
//!   that last epoch.
//! - δ, the stopping criterion: pruning stops when the AE curve of the current net trends upward
//!   (the paper's "concave, positive slope" net2 of Fig. 1a). The slope estimator is the
//!   ordinary least-squares slope of AE against the epoch over the last `delta_window` epochs of
//!   the curve (0: the whole curve), in AE per epoch; δ is met when it exceeds `delta_slope`
//!   (default 0: any upward trend). The whole curve is the default because at ρ the last epochs
//!   are flat by construction: the paper judges "the overall shape of the AE vs. epoch curve".

/// ρ: whether the last `epochs` epoch-to-epoch changes of `curve` are all below `threshold` in
/// absolute value. Needs `epochs + 1` points; never met before that or with `epochs == 0`.
pub fn saturated(curve: &[f64], threshold: f64, epochs: usize) -> bool {
    epochs > 0
        && curve.len() > epochs
        && curve[curve.len() - epochs - 1..]
            .windows(2)
            .all(|w| (w[1] - w[0]).abs() < threshold)
}

/// The least-squares slope of `curve` (AE per epoch, x = 0, 1, 2, …) over its last `window`
/// points (0 or more than its length: all of them); 0 with fewer than two points.
pub fn slope(curve: &[f64], window: usize) -> f64 {
    let tail = if window == 0 || window >= curve.len() {
        curve
    } else {
        &curve[curve.len() - window..]
    };
    let n = tail.len() as f64;
    if tail.len() < 2 {
        return 0.0;
    }
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = tail.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (x, y) in tail.iter().enumerate() {
        let dx = x as f64 - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    sxy / sxx
}

/// δ: whether the curve's slope (see [`slope`]) exceeds `max_slope`.
pub fn rising(curve: &[f64], window: usize, max_slope: f64) -> bool {
    slope(curve, window) > max_slope
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAT: [f64; 5] = [0.5, 0.5004, 0.4999, 0.5003, 0.5];
    /// net0 of Fig. 1: a fast then slowing decay, flattening out after epoch 5.
    const DECAYING: [f64; 8] = [0.6, 0.5, 0.45, 0.43, 0.425, 0.4245, 0.4242, 0.4241];
    /// net2 of Fig. 1a: a short drop, then the AE climbs.
    const RISING: [f64; 6] = [0.5, 0.49, 0.5, 0.52, 0.55, 0.58];

    #[test]
    fn rho_on_flat_decaying_and_rising_curves() {
        assert!(saturated(&FLAT, 0.001, 2));
        assert!(saturated(&FLAT, 0.001, 4));
        assert!(
            !saturated(&FLAT[..2], 0.001, 2),
            "two points hold one change only"
        );
        assert!(!saturated(&FLAT, 0.0003, 2));
        // the decay saturates only once two successive changes are below 0.001: after epoch 6
        let first = (1..=DECAYING.len()).find(|&n| saturated(&DECAYING[..n], 0.001, 2));
        assert_eq!(first, Some(7));
        assert_eq!(
            (1..=DECAYING.len()).find(|&n| saturated(&DECAYING[..n], 0.001, 1)),
            Some(6)
        );
        assert!((1..=RISING.len()).all(|n| !saturated(&RISING[..n], 0.001, 2)));
        assert!(!saturated(&FLAT, 0.001, 0));
    }

    #[test]
    fn slope_is_least_squares() {
        assert_eq!(slope(&[1.0, 3.0, 5.0], 0), 2.0);
        // y = 0, 1, 0, 1: dx = −1.5, −0.5, 0.5, 1.5 and dy = ∓0.5: Σdx·dy = 1, Σdx² = 5 → 0.2
        assert!((slope(&[0.0, 1.0, 0.0, 1.0], 0) - 0.2).abs() < 1e-12);
        assert_eq!(
            slope(&[9.0, 1.0, 3.0, 5.0], 3),
            2.0,
            "window: the last three points"
        );
        assert_eq!(
            slope(&[1.0, 3.0], 10),
            2.0,
            "a window longer than the curve takes all of it"
        );
        assert_eq!(slope(&[0.7], 0), 0.0);
        assert_eq!(slope(&[], 0), 0.0);
    }

    #[test]
    fn delta_on_flat_decaying_and_rising_curves() {
        assert!(!rising(&DECAYING, 0, 0.0), "net0: decaying, keep pruning");
        assert!(rising(&RISING, 0, 0.0), "net2: upward, stop");
        // a flat curve wobbles around 0 slope: a small positive tolerance keeps it from stopping
        assert!(!rising(&FLAT, 0, 1e-3));
        // the window: the end of the decay is flat but never upward
        assert!(!rising(&DECAYING, 3, 0.0));
        assert!(rising(&RISING, 3, 0.02) && !rising(&RISING, 3, 0.04));
    }
}
