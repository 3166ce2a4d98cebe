//! Turning uint8 images into model input.

use crate::dataset::Dataset;

/// The images at `idx`, in that order, concatenated as `f32` `pixel / 255`
/// (CHW per image, no other normalisation).
///
/// # Panics
/// If an index is `>= dataset.len()`, like slice indexing.
pub fn normalise(dataset: &Dataset, idx: &[usize]) -> Vec<f32> {
    let mut out = Vec::with_capacity(idx.len() * dataset.image_len());
    for &i in idx {
        out.extend(dataset.image(i).iter().map(|&p| f32::from(p) / 255.0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_selected_images_in_order() {
        let d = Dataset {
            images: vec![0, 255, 51, 102, 255, 0],
            labels: vec![0, 1, 2],
            shape: [1, 1, 2],
            classes: 3,
        };
        assert_eq!(normalise(&d, &[2, 1, 2]), [1.0, 0.0, 0.2, 0.4, 1.0, 0.0]);
        assert!(normalise(&d, &[]).is_empty());
    }
}
