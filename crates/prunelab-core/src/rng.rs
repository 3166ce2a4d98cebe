//! A small seeded generator (SplitMix64) so that θ0, data order and subsets are identical on every
//! backend and platform for the same seed — a browser run and a native run start from the same θ0.

/// SplitMix64 (Steele, Lea & Flood 2014): fast, statistically sound for initialisation.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`, decorrelated per `stream` (e.g. one stream per layer).
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut r = Self(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.uniform();
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Uniform integer in [0, n).
    pub fn below(&mut self, n: usize) -> usize {
        (self.uniform() * n as f64) as usize % n.max(1)
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// He (Kaiming) normal initialisation (He et al. 2015): N(0, 2 / fan_in), fan_in = the product of
/// all but the first dimension of a PyTorch-layout kernel.
pub fn he_normal(rng: &mut Rng, shape: &[usize]) -> Vec<f32> {
    let fan_in: usize = shape.iter().skip(1).product();
    let std = (2.0 / fan_in.max(1) as f64).sqrt();
    (0..shape.iter().product::<usize>())
        .map(|_| (rng.normal() * std) as f32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn he_normal_has_the_right_spread_and_is_reproducible() {
        let w = he_normal(&mut Rng::new(7, 0), &[200, 50]);
        let var = w.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / w.len() as f64;
        assert!((var - 2.0 / 50.0).abs() < 0.004, "variance {var}");
        assert_eq!(w, he_normal(&mut Rng::new(7, 0), &[200, 50]));
        assert_ne!(w, he_normal(&mut Rng::new(7, 1), &[200, 50]));
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut v: Vec<usize> = (0..100).collect();
        Rng::new(1, 2).shuffle(&mut v);
        assert_ne!(v, (0..100).collect::<Vec<_>>());
        v.sort();
        assert_eq!(v, (0..100).collect::<Vec<_>>());
    }
}
