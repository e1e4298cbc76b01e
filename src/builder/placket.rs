//! The button placket below the uniform's V neckline: a strip of doubled
//! cloth with two rows of stitching and two buttons, moulded to the shirt's
//! front. It turns a plain top into a polo-style uniform shirt.

use glam::Vec3;

use super::mould::ShirtFront;
use super::part::Part;
use super::raster::Canvas;
use super::regions::neckline_offset;

/// Strip size in metres and how far it stands off the shirt.
const WIDTH_M: f32 = 0.026;
const LENGTH_M: f32 = 0.105;
const STAND_OFF_M: f32 = 0.0012;
/// Button centres below the strip's top, and their diameter, in metres.
const BUTTONS_M: [f32; 2] = [0.03, 0.075];
const BUTTON_M: f32 = 0.0115;
const COLUMNS: u32 = 4;
const ROWS: u32 = 10;

/// The strip as a part over `shirt`, from just under the neckline's V at
/// the front of `neck` downwards; None without a shirt front there.
pub fn placket(shirt: &Part, neck: Vec3) -> Option<Part> {
    // The bottom of the V where the shirt's edge actually is after draping,
    // a couple of millimetres under it so no skin shows between.
    let v_bottom = shirt
        .positions
        .iter()
        .filter(|p| (p.x - neck.x).abs() < 0.008 && p.z > neck.z && p.y < neck.y)
        .map(|p| p.y)
        .fold(f32::MIN, f32::max);
    let top = if v_bottom > f32::MIN {
        v_bottom - 0.003
    } else {
        neck.y + neckline_offset(0.0)
    };
    let centre = Vec3::new(neck.x, top - LENGTH_M * 0.5, 0.0);
    ShirtFront::near(shirt, centre, LENGTH_M).card(
        "placket",
        (COLUMNS, ROWS),
        STAND_OFF_M,
        |u, v| (neck.x + (u - 0.5) * WIDTH_M, top - v * LENGTH_M),
    )
}

/// The strip's face over its UVs (u across, v down), linear RGB: the
/// uniform's cloth a shade darker where it doubles over, stitching along
/// both edges, two four-hole buttons.
pub fn bake_placket(size: u32, cloth: [f32; 3]) -> Canvas {
    let cloth = Vec3::from_array(cloth);
    let button = Vec3::new(0.72, 0.72, 0.70).lerp(cloth, 0.25);
    Canvas::paint(size, |u, v| {
        // Millimetres across (from the centre line) and down.
        let (x, y) = ((u - 0.5) * WIDTH_M * 1000.0, v * LENGTH_M * 1000.0);
        let half = WIDTH_M * 500.0;
        let mut c = cloth * 0.93;
        // Fold shadow at the long edges.
        let edge = half - x.abs();
        c *= 0.8 + 0.2 * (edge / 1.5).clamp(0.0, 1.0);
        // Stitching 2.5 mm in from each edge, in 2 mm stitches.
        if (edge - 2.5).abs() < 0.25 && (y / 2.0).fract() < 0.7 {
            c *= 0.75;
        }
        for centre in BUTTONS_M.map(|b| b * 1000.0) {
            let r = (x * x + (y - centre).powi(2)).sqrt();
            let radius = BUTTON_M * 500.0;
            if r < radius {
                // A rim, a dished middle and four holes.
                let mut b = button * if r > radius * 0.8 { 1.08 } else { 0.95 };
                let hole = [(-1.3f32, -1.3f32), (1.3, -1.3), (-1.3, 1.3), (1.3, 1.3)]
                    .iter()
                    .any(|(hx, hy)| (x - hx).powi(2) + (y - centre - hy).powi(2) < 0.5);
                if hole {
                    b *= 0.35;
                }
                c = b;
            } else if r < radius + 0.5 {
                // Its shadow on the cloth.
                c *= 0.7;
            }
        }
        c.to_array()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::mould::test_chest;

    #[test]
    fn the_placket_runs_down_the_middle_from_the_neckline() {
        let neck = Vec3::new(0.0, 1.43, 0.0);
        let strip = placket(&test_chest(), neck).expect("a shirt front");
        let top = strip.positions.iter().map(|p| p.y).fold(f32::MIN, f32::max);
        assert!(
            (top - (neck.y + neckline_offset(0.0))).abs() < 0.005,
            "{top}"
        );
        for p in &strip.positions {
            assert!(p.x.abs() <= WIDTH_M * 0.5 + STAND_OFF_M, "{p}");
            let off = Vec3::new(p.x, 0.0, p.z).length() - 0.15;
            assert!(off > 0.0005 && off < 0.003, "{off} m off the cloth at {p}");
        }
        let [a, b, c] = [0, 1, 2].map(|k| strip.positions[strip.indices[k] as usize]);
        assert!((b - a).cross(c - a).z > 0.0, "faces the front");
    }

    #[test]
    fn buttons_are_lighter_than_the_cloth_with_dark_holes() {
        let cloth = [0.1, 0.3, 0.35];
        let canvas = bake_placket(256, cloth);
        let at = |x_mm: f32, y_mm: f32| {
            let u = x_mm / (WIDTH_M * 1000.0) + 0.5;
            let v = y_mm / (LENGTH_M * 1000.0);
            let (px, py) = ((u * 255.0) as usize, (v * 255.0) as usize);
            let i = (py * 256 + px) * 3;
            Vec3::from_slice(&canvas.data[i..i + 3])
        };
        let button = at(0.0, BUTTONS_M[0] * 1000.0 + 3.0);
        let between = at(0.0, 52.0);
        assert!(
            button.element_sum() > between.element_sum() * 1.5,
            "{button} {between}"
        );
        let hole = at(1.3, BUTTONS_M[1] * 1000.0 + 1.3);
        assert!(hole.element_sum() < button.element_sum() * 0.5, "{hole}");
    }

    #[test]
    fn no_shirt_no_placket() {
        assert!(placket(&Part::default(), Vec3::ZERO).is_none());
    }
}
