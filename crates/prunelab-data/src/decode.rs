//! Native image decoding shared by TinyImageNet and the ImageNet folder loader.

use std::path::Path;

use image::RgbImage;

use crate::error::{DataError, Result};

/// Decode the image file at `path` (JPEG, or PNG under any name) as 8-bit RGB: greyscale, CMYK
/// and alpha images are converted. A file that does not decode is [`DataError::Malformed`]
/// naming `path`.
pub(crate) fn read_rgb(path: &Path, hint: &str) -> Result<RgbImage> {
    let bytes = crate::fs::read(path, hint)?;
    image::load_from_memory(&bytes)
        .map(image::DynamicImage::into_rgb8)
        .map_err(|e| {
            DataError::malformed(
                path.display().to_string(),
                format!("cannot decode image: {e}"),
            )
        })
}

/// Write `image` into `out` channel-major (CHW): all red values row by row, then green, then blue.
///
/// # Panics
/// If `out.len()` is not `3 × width × height`.
pub(crate) fn to_chw(image: &RgbImage, out: &mut [u8]) {
    let plane = image.as_raw().len() / 3;
    assert_eq!(out.len(), 3 * plane, "CHW buffer size");
    for (i, pixel) in image.pixels().enumerate() {
        for c in 0..3 {
            out[c * plane + i] = pixel[c];
        }
    }
}

/// Run `f(i, chunk_i)` for each `len`-sized chunk of `out` on up to `workers` threads (contiguous
/// ranges of chunks each; `len > 0`). Returns the error of the lowest-numbered chunk that failed, if any.
pub(crate) fn fill_parallel<F>(out: &mut [u8], len: usize, workers: usize, f: F) -> Result<()>
where
    F: Fn(usize, &mut [u8]) -> Result<()> + Sync,
{
    let n = out.len() / len;
    let per_worker = n.div_ceil(workers.max(1)).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = out
            .chunks_mut(per_worker * len)
            .enumerate()
            .map(|(w, range)| {
                let f = &f;
                scope.spawn(move || {
                    range
                        .chunks_mut(len)
                        .enumerate()
                        .try_for_each(|(k, chunk)| f(w * per_worker + k, chunk))
                })
            })
            .collect();
        // Workers left unjoined here are joined when the scope ends.
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    })
}

/// The number of threads to decode on: the available cores.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chw_splits_planes() {
        let image = RgbImage::from_raw(2, 1, vec![1, 2, 3, 4, 5, 6]).expect("2×1 image");
        let mut out = [0; 6];
        to_chw(&image, &mut out);
        assert_eq!(out, [1, 4, 2, 5, 3, 6]);
    }

    #[test]
    fn fill_parallel_covers_every_chunk_and_reports_the_first_error() {
        let mut out = vec![0u8; 2 * 7];
        fill_parallel(&mut out, 2, 3, |i, chunk| {
            chunk.fill(i as u8);
            Ok(())
        })
        .map_err(|e| e.to_string())
        .expect("no error");
        assert_eq!(out, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
        let e = fill_parallel(&mut out, 2, 3, |i, _| {
            if i == 2 || i == 5 {
                Err(DataError::malformed(format!("image {i}"), "bad"))
            } else {
                Ok(())
            }
        });
        assert_eq!(
            e.err().map(|e| e.to_string()).as_deref(),
            Some("image 2: bad")
        );
    }
}
