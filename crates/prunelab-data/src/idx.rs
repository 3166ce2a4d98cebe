//! The IDX format of the original MNIST files.
//!
//! A file is a big-endian `u32` magic number, one big-endian `u32` per
//! dimension, then the data. prunelab uses two variants:
//! - `0x00000803`: u8 images, dimensions `[n, rows, cols]` (16-byte header);
//! - `0x00000801`: u8 labels, dimension `[n]` (8-byte header).
//!
//! The data must be exactly as long as the dimensions say.

use crate::error::{DataError, Result};

/// Magic number of a u8 image file with three dimensions.
const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of a u8 label file with one dimension.
const LABELS_MAGIC: u32 = 0x0000_0801;
/// Generic names used in errors (callers that know the file name replace them).
const IMAGES: &str = "IDX image data";
const LABELS: &str = "IDX label data";

/// Parse an IDX image file into its pixels and the shape `[1, rows, cols]`.
pub fn parse_images(bytes: &[u8]) -> Result<(Vec<u8>, [usize; 3])> {
    check_magic(bytes, IMAGES_MAGIC, IMAGES)?;
    let n = read_dim(bytes, 4, "image count", IMAGES)?;
    let rows = read_dim(bytes, 8, "row count", IMAGES)?;
    let cols = read_dim(bytes, 12, "column count", IMAGES)?;
    if rows == 0 || cols == 0 {
        return Err(DataError::malformed(
            IMAGES,
            format!("images must not be empty, header says {rows}×{cols}"),
        ));
    }
    let len = n
        .checked_mul(rows)
        .and_then(|x| x.checked_mul(cols))
        .ok_or_else(|| {
            DataError::malformed(
                IMAGES,
                format!("{n} images of {rows}×{cols} do not fit in memory"),
            )
        })?;
    let pixels = body(
        bytes,
        16,
        len,
        &format!("{n} images of {rows}×{cols}"),
        IMAGES,
    )?;
    Ok((pixels.to_vec(), [1, rows, cols]))
}

/// Parse an IDX label file into one byte per label.
pub fn parse_labels(bytes: &[u8]) -> Result<Vec<u8>> {
    check_magic(bytes, LABELS_MAGIC, LABELS)?;
    let n = read_dim(bytes, 4, "label count", LABELS)?;
    Ok(body(bytes, 8, n, &format!("{n} labels"), LABELS)?.to_vec())
}

/// Encode `n` images of `rows × cols` u8 pixels as an IDX image file.
///
/// # Panics
/// If `pixels.len() != n * rows * cols` or a dimension exceeds `u32::MAX`
/// (both are caller bugs, not input errors).
pub fn write_images(n: usize, rows: usize, cols: usize, pixels: &[u8]) -> Vec<u8> {
    assert_eq!(
        pixels.len(),
        n * rows * cols,
        "write_images: pixel count does not match {n}×{rows}×{cols}"
    );
    let mut out = header(IMAGES_MAGIC, &[n, rows, cols]);
    out.extend_from_slice(pixels);
    out
}

/// Encode labels as an IDX label file.
///
/// # Panics
/// If there are more than `u32::MAX` labels.
pub fn write_labels(labels: &[u8]) -> Vec<u8> {
    let mut out = header(LABELS_MAGIC, &[labels.len()]);
    out.extend_from_slice(labels);
    out
}

/// Magic number followed by the big-endian dimensions.
fn header(magic: u32, dims: &[usize]) -> Vec<u8> {
    let mut out = magic.to_be_bytes().to_vec();
    for &d in dims {
        let d = u32::try_from(d).expect("IDX dimension exceeds u32::MAX");
        out.extend_from_slice(&d.to_be_bytes());
    }
    out
}

/// Read the big-endian `u32` at `offset`, naming `field` if the header is cut short.
fn read_u32(bytes: &[u8], offset: usize, field: &str, file: &str) -> Result<u32> {
    bytes
        .get(offset..offset + 4)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_be_bytes)
        .ok_or_else(|| {
            DataError::malformed(
                file,
                format!("truncated header: expected the {field} at bytes {offset}..{}, found only {} bytes", offset + 4, bytes.len()),
            )
        })
}

/// Check the magic number.
fn check_magic(bytes: &[u8], expected: u32, file: &str) -> Result<()> {
    let magic = read_u32(bytes, 0, "magic number", file)?;
    if magic == expected {
        Ok(())
    } else {
        Err(DataError::malformed(
            file,
            format!("bad magic number 0x{magic:08x}, expected 0x{expected:08x}"),
        ))
    }
}

/// Read a dimension as `usize`.
fn read_dim(bytes: &[u8], offset: usize, field: &str, file: &str) -> Result<usize> {
    let d = read_u32(bytes, offset, field, file)?;
    usize::try_from(d)
        .map_err(|_| DataError::malformed(file, format!("{field} {d} does not fit in memory")))
}

/// The data after a `header_len`-byte header, which must be exactly `len` bytes.
fn body<'a>(
    bytes: &'a [u8],
    header_len: usize,
    len: usize,
    what: &str,
    file: &str,
) -> Result<&'a [u8]> {
    let data = bytes.get(header_len..).unwrap_or_default();
    match data.len().cmp(&len) {
        std::cmp::Ordering::Equal => Ok(data),
        std::cmp::Ordering::Less => Err(DataError::malformed(
            file,
            format!(
                "truncated data: header says {what} ({len} bytes), found only {} bytes",
                data.len()
            ),
        )),
        std::cmp::Ordering::Greater => Err(DataError::malformed(
            file,
            format!(
                "trailing data: header says {what} ({len} bytes), found {} bytes",
                data.len()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(e: DataError) -> String {
        e.to_string()
    }

    #[test]
    fn images_round_trip() {
        let pixels: Vec<u8> = (0..2 * 3 * 4).map(|i| i as u8 * 10).collect();
        let bytes = write_images(2, 3, 4, &pixels);
        assert_eq!(&bytes[..4], &[0, 0, 8, 3]);
        assert_eq!(bytes.len(), 16 + 24);
        assert_eq!(parse_images(&bytes).map_err(msg), Ok((pixels, [1, 3, 4])));
    }

    #[test]
    fn labels_round_trip() {
        let bytes = write_labels(&[3, 1, 4]);
        assert_eq!(bytes, [0, 0, 8, 1, 0, 0, 0, 3, 3, 1, 4]);
        assert_eq!(parse_labels(&bytes).map_err(msg), Ok(vec![3, 1, 4]));
    }

    #[test]
    fn rejects_wrong_magic() {
        let e = msg(parse_images(&write_labels(&[1])).unwrap_err());
        assert!(
            e.contains("bad magic number 0x00000801, expected 0x00000803"),
            "{e}"
        );
        let e = msg(parse_labels(&write_images(1, 1, 1, &[0])).unwrap_err());
        assert!(e.contains("bad magic"), "{e}");
    }

    #[test]
    fn rejects_truncated_header() {
        let bytes = write_images(1, 2, 2, &[0; 4]);
        let e = msg(parse_images(&bytes[..10]).unwrap_err());
        assert!(
            e.contains("truncated header") && e.contains("row count"),
            "{e}"
        );
        let e = msg(parse_labels(&[0, 0]).unwrap_err());
        assert!(e.contains("truncated header") && e.contains("magic"), "{e}");
    }

    #[test]
    fn rejects_short_and_long_data() {
        let bytes = write_images(2, 2, 2, &[0; 8]);
        let e = msg(parse_images(&bytes[..bytes.len() - 1]).unwrap_err());
        assert!(
            e.contains("truncated data") && e.contains("2 images of 2×2"),
            "{e}"
        );
        let mut long = write_labels(&[1, 2]);
        long.push(3);
        let e = msg(parse_labels(&long).unwrap_err());
        assert!(e.contains("trailing data"), "{e}");
    }

    #[test]
    fn rejects_zero_sized_images() {
        let e = msg(parse_images(&write_images(0, 0, 5, &[])).unwrap_err());
        assert!(e.contains("0×5"), "{e}");
    }
}
