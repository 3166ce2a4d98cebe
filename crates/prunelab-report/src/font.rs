//! The font of the plots, embedded so that PNGs get text on machines without system fonts.
//!
//! DejaVu Sans 2.37, unmodified, under the Bitstream Vera / Arev licence (permissive; see
//! `fonts/LICENSE-DejaVu.txt`). Plotters' `ab_glyph` feature draws it; nothing uses font-kit.

use std::sync::OnceLock;

use plotters::style::{FontStyle, register_font};

static DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// The family the plots ask for; registering it here makes plotters use DejaVu Sans for it
/// (process-wide, for every plotters user of the `ab_glyph` feature).
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the embedded font once; later calls return the first outcome.
pub(crate) fn register() -> Result<(), String> {
    static LOADED: OnceLock<bool> = OnceLock::new();
    if *LOADED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok()) {
        Ok(())
    } else {
        Err("the embedded DejaVu Sans font did not load".into())
    }
}
