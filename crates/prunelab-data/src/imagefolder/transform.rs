//! The ImageNet input pipeline of torchvision's reference recipe, image by image.
//!
//! - Train: `RandomResizedCrop(224, scale=(0.08, 1), ratio=(3/4, 4/3))`, then
//!   `RandomHorizontalFlip(0.5)`.
//! - Eval: `Resize(256)` (shorter side to 256, the longer one to `⌊256 · long / short⌋`), then
//!   `CenterCrop(224)`.
//!
//! Then `pixel / 255` normalised per channel with [`IMAGENET_MEAN`] and [`IMAGENET_STD`], CHW.
//! Resizing is bilinear with antialiasing (a triangle filter widened by the downscale factor, as
//! PIL and torchvision's `antialias=True` do). Random draws come from a generator seeded by
//! `(seed, epoch, image index)` alone, so a given image gets the same crop and flip in a given
//! epoch whichever thread decodes it and whatever the batch order.

use image::RgbImage;
use image::imageops::{FilterType, crop_imm, resize};
use prunelab_core::rng::Rng;

/// Side of the square network input.
pub const CROP: u32 = 224;
/// Eval: the shorter side is resized to this before the centre crop.
pub const RESIZE: u32 = 256;
/// Per-channel mean (RGB) of ImageNet, on `pixel / 255`.
pub const IMAGENET_MEAN: [f32; 3] = [0.485, 0.456, 0.406];
/// Per-channel standard deviation (RGB) of ImageNet, on `pixel / 255`.
pub const IMAGENET_STD: [f32; 3] = [0.229, 0.224, 0.225];

/// RandomResizedCrop's area range (fraction of the image) and aspect ratio range (w / h).
const SCALE: (f64, f64) = (0.08, 1.0);
const RATIO: (f64, f64) = (3.0 / 4.0, 4.0 / 3.0);

/// Which transform a split gets; either gives `3 × 224 × 224` floats, CHW, each
/// `(pixel / 255 − IMAGENET_MEAN[c]) / IMAGENET_STD[c]`. Resizing is bilinear with antialiasing
/// (a triangle filter widened by the downscale factor, as PIL and torchvision's `antialias=True`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Augment {
    /// torchvision's `RandomResizedCrop(224, scale=(0.08, 1), ratio=(3/4, 4/3))`: up to 10 tries
    /// of a random area and log-uniform aspect ratio that fits, placed uniformly, else a centre
    /// crop clamped to the ratio range; then `RandomHorizontalFlip(0.5)`. The draws come from a
    /// generator seeded by `(seed, epoch, image index)` alone, so an image gets the same crop and
    /// flip in an epoch whatever thread decodes it and whatever the batch order.
    Train {
        /// The run's seed.
        seed: u64,
        /// The epoch (a new crop and flip per epoch).
        epoch: u64,
    },
    /// torchvision's `Resize(256)` (shorter side to 256, longer to `⌊256 · long / short⌋`) and
    /// `CenterCrop(224)` (offsets `round((side − 224) / 2)`, halves to even); deterministic.
    Eval,
}

/// A crop rectangle in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Crop {
    pub top: u32,
    pub left: u32,
    pub height: u32,
    pub width: u32,
}

/// Transform image `index` of its split as `augment` says: `3 × 224 × 224` floats, CHW, normalised.
pub(crate) fn transform(image: &RgbImage, augment: Augment, index: usize) -> Vec<f32> {
    match augment {
        Augment::Train { seed, epoch } => {
            let mut rng = Rng::new(seed, epoch.rotate_left(32) ^ index as u64);
            let c = random_resized_crop(image.width(), image.height(), &mut rng);
            let flip = rng.uniform() < 0.5;
            let crop = crop_imm(image, c.left, c.top, c.width, c.height).to_image();
            normalise(&resize(&crop, CROP, CROP, FilterType::Triangle), flip)
        }
        Augment::Eval => {
            let (w, h) = eval_size(image.width(), image.height());
            let resized = resize(image, w, h, FilterType::Triangle);
            let c = centre_crop(w, h, CROP);
            normalise(
                &crop_imm(&resized, c.left, c.top, c.width, c.height).to_image(),
                false,
            )
        }
    }
}

/// torchvision's `RandomResizedCrop.get_params`: up to 10 tries of a random area in [`SCALE`] and
/// log-uniform aspect ratio in [`RATIO`] that fits, placed uniformly; else a centre crop of the
/// whole image clamped to the ratio range.
pub(crate) fn random_resized_crop(width: u32, height: u32, rng: &mut Rng) -> Crop {
    let area = f64::from(width) * f64::from(height);
    let (log_lo, log_hi) = (RATIO.0.ln(), RATIO.1.ln());
    for _ in 0..10 {
        let target = area * (SCALE.0 + (SCALE.1 - SCALE.0) * rng.uniform());
        let ratio = (log_lo + (log_hi - log_lo) * rng.uniform()).exp();
        let w = (target * ratio).sqrt().round_ties_even();
        let h = (target / ratio).sqrt().round_ties_even();
        if 0.0 < w && w <= f64::from(width) && 0.0 < h && h <= f64::from(height) {
            // In range: 0 < w ≤ width and 0 < h ≤ height, so the casts are exact.
            let (w, h) = (w as u32, h as u32);
            let top = rng.below((height - h + 1) as usize) as u32;
            let left = rng.below((width - w + 1) as usize) as u32;
            return Crop {
                top,
                left,
                height: h,
                width: w,
            };
        }
    }
    let in_ratio = f64::from(width) / f64::from(height);
    let (w, h) = if in_ratio < RATIO.0 {
        (width, (f64::from(width) / RATIO.0).round_ties_even() as u32)
    } else if in_ratio > RATIO.1 {
        (
            (f64::from(height) * RATIO.1).round_ties_even() as u32,
            height,
        )
    } else {
        (width, height)
    };
    Crop {
        top: (height - h) / 2,
        left: (width - w) / 2,
        height: h,
        width: w,
    }
}

/// torchvision's `Resize(256)`: the shorter side becomes [`RESIZE`], the longer `⌊256 · long / short⌋`.
pub(crate) fn eval_size(width: u32, height: u32) -> (u32, u32) {
    let scaled =
        |long: u32, short: u32| (u64::from(RESIZE) * u64::from(long) / u64::from(short)) as u32;
    if width <= height {
        (RESIZE, scaled(height, width))
    } else {
        (scaled(width, height), RESIZE)
    }
}

/// torchvision's `CenterCrop(size)` on an image at least `size` on each side: offsets
/// `round((side − size) / 2)`, halves rounded to even.
pub(crate) fn centre_crop(width: u32, height: u32, size: u32) -> Crop {
    let offset = |side: u32| (f64::from(side - size) / 2.0).round_ties_even() as u32;
    Crop {
        top: offset(height),
        left: offset(width),
        height: size,
        width: size,
    }
}

/// `(pixel / 255 − mean) / std` per channel, CHW, mirrored left–right when `flip`.
fn normalise(image: &RgbImage, flip: bool) -> Vec<f32> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let mut out = vec![0.0; 3 * w * h];
    for (x, y, pixel) in image.enumerate_pixels() {
        let x = if flip { w - 1 - x as usize } else { x as usize };
        for c in 0..3 {
            out[(c * h + y as usize) * w + x] =
                (f32::from(pixel[c]) / 255.0 - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_size_keeps_the_aspect_ratio_like_torchvision() {
        assert_eq!(eval_size(500, 375), (341, 256));
        assert_eq!(eval_size(375, 500), (256, 341));
        assert_eq!(eval_size(256, 256), (256, 256));
        assert_eq!(eval_size(100, 50), (512, 256));
    }

    #[test]
    fn centre_crop_rounds_half_to_even() {
        assert_eq!(
            centre_crop(341, 256, 224),
            Crop {
                top: 16,
                left: 58,
                height: 224,
                width: 224
            }
        );
        assert_eq!(
            centre_crop(343, 256, 224),
            Crop {
                top: 16,
                left: 60,
                height: 224,
                width: 224
            }
        );
        assert_eq!(centre_crop(224, 224, 224).left, 0);
    }

    #[test]
    fn random_crops_stay_inside_and_in_range() {
        let mut rng = Rng::new(3, 4);
        for (w, h) in [(500, 375), (64, 300), (224, 224), (1000, 20)] {
            for _ in 0..200 {
                let c = random_resized_crop(w, h, &mut rng);
                assert!(
                    c.width > 0 && c.height > 0 && c.left + c.width <= w && c.top + c.height <= h,
                    "{c:?} in {w}×{h}"
                );
            }
        }
        // A typical photo: every try fits the ratio range, so the area is within 8–100 %.
        for _ in 0..200 {
            let c = random_resized_crop(500, 400, &mut rng);
            let area = f64::from(c.width * c.height) / 200_000.0;
            assert!((0.07..=1.0).contains(&area), "{c:?}");
        }
    }

    #[test]
    fn falls_back_to_a_centre_crop_when_no_try_fits() {
        // 1000×20 (ratio 50): no crop of ≥ 8 % of the area with ratio ≤ 4/3 fits in 20 rows,
        // so the fallback takes the full height and width round(20 · 4/3) = 27, centred.
        let c = random_resized_crop(1000, 20, &mut Rng::new(1, 1));
        assert_eq!(
            c,
            Crop {
                top: 0,
                left: 486,
                height: 20,
                width: 27
            }
        );
        // 20×1000: the full width and height round(20 / (3/4)) = 27, centred.
        let c = random_resized_crop(20, 1000, &mut Rng::new(1, 1));
        assert_eq!(
            c,
            Crop {
                top: 486,
                left: 0,
                height: 27,
                width: 20
            }
        );
    }

    #[test]
    fn normalise_is_chw_with_imagenet_statistics_and_flips() {
        let image = RgbImage::from_raw(2, 1, vec![255, 0, 51, 0, 255, 102]).expect("2×1 image");
        let expect = |v: f32, c: usize| (v - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
        let plain = [
            expect(1.0, 0),
            expect(0.0, 0),
            expect(0.0, 1),
            expect(1.0, 1),
            expect(0.2, 2),
            expect(0.4, 2),
        ];
        assert_eq!(normalise(&image, false), plain);
        let flipped = [plain[1], plain[0], plain[3], plain[2], plain[5], plain[4]];
        assert_eq!(normalise(&image, true), flipped);
    }
}
