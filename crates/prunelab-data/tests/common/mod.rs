//! Writing small images in the formats the loaders read.

use std::path::Path;

use image::RgbImage;
use image::codecs::jpeg::JpegEncoder;

/// Write `image` to `path` as a quality-100 JPEG (no chroma subsampling), creating folders.
pub fn write_jpeg(path: &Path, image: &RgbImage) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 100)
        .encode_image(image)
        .expect("encode JPEG");
    std::fs::write(path, bytes).expect("write JPEG");
}

/// A `width × height` image of one colour.
pub fn solid(width: u32, height: u32, rgb: [u8; 3]) -> RgbImage {
    RgbImage::from_pixel(width, height, image::Rgb(rgb))
}
