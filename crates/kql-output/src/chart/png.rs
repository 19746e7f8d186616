//! PNG charts: the SVG of [`super::svg`] rasterized by `resvg`, at twice its size so that it
//! stays sharp on high-density screens and in documents. Text is set in the bundled DejaVu Sans
//! (Latin, Greek, Cyrillic), so a chart looks the same on every machine, fonts installed or not;
//! the system's fonts are a fallback for other scripts.

use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

/// DejaVu Sans, cut down to the scripts above (its licence is in `fonts/LICENSE`).
const BUNDLED_FONT: &[u8] = include_bytes!("../../fonts/DejaVuSans-subset.ttf");
const BUNDLED_FAMILY: &str = "DejaVu Sans";

/// Pixels per SVG unit.
const SCALE: f32 = 2.0;

/// Fonts are loaded once per process: the system's take tens of milliseconds to list.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_system_fonts();
            // Loaded last so that it wins over a system font of the same name.
            db.load_font_data(BUNDLED_FONT.to_vec());
            db.set_sans_serif_family(BUNDLED_FAMILY);
            Arc::new(db)
        })
        .clone()
}

/// `svg` (as [`super::svg::to_svg`] draws it) as PNG bytes, on a white background.
pub fn to_png(svg: &str) -> Result<Vec<u8>, String> {
    let options = usvg::Options {
        font_family: BUNDLED_FAMILY.to_owned(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree =
        usvg::Tree::from_str(svg, &options).map_err(|e| format!("cannot read the SVG: {e}"))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(SCALE)
        .ok_or("the chart has no size")?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| format!("a {}x{} image is too large", size.width(), size.height()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| format!("cannot encode the PNG: {e}"))
}
