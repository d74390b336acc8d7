//! Text for the pictures. plotters is built with its pure-Rust `ab_glyph` text path (no
//! fontconfig/freetype); the font is read at run time from the first of these files that exists:
//! `$RELU_REGIONS_FONT`, then DejaVu Sans in the usual Linux locations. Without a font the
//! pictures are drawn without any text rather than failing; `RELU_REGIONS_FONT=none` asks for
//! that explicitly.

use std::sync::OnceLock;

/// The font family name registered with plotters.
pub const FAMILY: &str = "sans-serif";

const CANDIDATES: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
];

/// Registers a font with plotters once per process; returns whether text can be drawn.
pub fn text_available() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| {
        let env = std::env::var("RELU_REGIONS_FONT").ok();
        if env.as_deref() == Some("none") {
            return false;
        }
        let paths = env
            .iter()
            .map(String::as_str)
            .chain(CANDIDATES.iter().copied());
        for p in paths {
            if let Ok(bytes) = std::fs::read(p) {
                // plotters keeps fonts for the life of the process ('static); this runs once.
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font(FAMILY, plotters::style::FontStyle::Normal, bytes)
                    .is_ok()
                {
                    return true;
                }
            }
        }
        false
    })
}
