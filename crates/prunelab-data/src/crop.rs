//! The standard CIFAR training augmentation (He et al. 2016, §4.2; OpenLTH's CIFAR loader, as
//! torchvision's `RandomCrop(32, padding=4)` then `RandomHorizontalFlip()`): pad the image with
//! zeros, crop it back to its size at a random offset, and mirror it left–right half the time.

/// Zero-pad the CHW `image` of `shape` by `pad` on every side, crop `shape` back at offset
/// `(dy, dx)` of the padded image (each in `0..=2·pad`), then mirror left–right if `flip`:
/// `out[c][y][x] = image[c][y + dy − pad][x' + dx − pad]` with `x' = w − 1 − x` when flipping
/// (0 outside the image).
pub fn pad_crop(
    image: &[f32],
    shape: [usize; 3],
    pad: usize,
    (dy, dx): (usize, usize),
    flip: bool,
) -> Vec<f32> {
    let [c, h, w] = shape;
    let mut out = vec![0.0; c * h * w];
    for ch in 0..c {
        for y in 0..h {
            let Some(sy) = (y + dy).checked_sub(pad).filter(|&sy| sy < h) else {
                continue;
            };
            for x in 0..w {
                let cx = if flip { w - 1 - x } else { x };
                if let Some(sx) = (cx + dx).checked_sub(pad).filter(|&sx| sx < w) {
                    out[(ch * h + y) * w + x] = image[(ch * h + sy) * w + sx];
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One channel, 2 × 3: 1 2 3 / 4 5 6.
    const IMAGE: [f32; 6] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];

    #[test]
    fn centre_offset_is_the_identity_and_flip_mirrors() {
        assert_eq!(pad_crop(&IMAGE, [1, 2, 3], 1, (1, 1), false), IMAGE);
        assert_eq!(
            pad_crop(&IMAGE, [1, 2, 3], 1, (1, 1), true),
            [3.0, 2.0, 1.0, 6.0, 5.0, 4.0]
        );
    }

    #[test]
    fn offsets_shift_in_zeros() {
        // (0, 0): the padded corner; the image moves down-right by one.
        assert_eq!(
            pad_crop(&IMAGE, [1, 2, 3], 1, (0, 0), false),
            [0.0, 0.0, 0.0, 0.0, 1.0, 2.0]
        );
        // (2, 2): up-left by one.
        assert_eq!(
            pad_crop(&IMAGE, [1, 2, 3], 1, (2, 2), false),
            [5.0, 6.0, 0.0, 0.0, 0.0, 0.0]
        );
        // Crop first, then flip: (1, 0) then mirror.
        assert_eq!(
            pad_crop(&IMAGE, [1, 2, 3], 1, (1, 0), true),
            [2.0, 1.0, 0.0, 5.0, 4.0, 0.0]
        );
    }

    #[test]
    fn channels_move_together() {
        let two: Vec<f32> = IMAGE
            .iter()
            .chain(IMAGE.iter().map(|v| v * 10.0).collect::<Vec<_>>().iter())
            .copied()
            .collect();
        let out = pad_crop(&two, [2, 2, 3], 1, (0, 2), false);
        assert_eq!(
            out,
            [0.0, 0.0, 0.0, 2.0, 3.0, 0.0, 0.0, 0.0, 0.0, 20.0, 30.0, 0.0]
        );
    }
}
