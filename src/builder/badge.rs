//! A name badge on the uniform's left chest: what makes a person on a
//! kiosk screen read as staff rather than as a customer. A small card
//! moulded to the shirt's front (so it never floats off the curve of the
//! chest) with a printed face: a stripe in the uniform colour, a round
//! logo, and two lines of "text" that read as a name and a title at the
//! sizes a portrait shows them.

use glam::Vec3;

use super::mould::ShirtFront;
use super::part::Part;
use super::raster::Canvas;

/// Card size in metres (a common 75 × 25 mm badge) and how far it stands
/// off the cloth.
const WIDTH_M: f32 = 0.072;
const HEIGHT_M: f32 = 0.024;
const STAND_OFF_M: f32 = 0.0025;
/// Where the badge's centre sits, relative to the neck joint: on the
/// wearer's left (+x), on the upper chest.
const FROM_NECK: Vec3 = Vec3::new(0.08, -0.105, 0.0);
/// Grid of the moulded card.
const COLUMNS: u32 = 8;
const ROWS: u32 = 3;

/// The card as a part over `shirt`, or None when the shirt has no front
/// where the badge goes (a custom body without a shirt).
pub fn name_badge(shirt: &Part, neck: Vec3) -> Option<Part> {
    let centre = neck + FROM_NECK;
    // Slightly tilted, as badges are pinned: the outer end lower.
    ShirtFront::near(shirt, centre, WIDTH_M).card("badge", (COLUMNS, ROWS), STAND_OFF_M, |u, v| {
        (
            centre.x + (u - 0.5) * WIDTH_M,
            centre.y + (0.5 - v) * HEIGHT_M - (u - 0.5) * 0.004,
        )
    })
}

/// The badge's printed face over its UVs (u across, v down), linear RGB.
/// The texture is square; the card is three times wider than tall, so
/// shapes are drawn in card millimetres.
pub fn bake_badge(size: u32, brand: [f32; 3]) -> Canvas {
    let brand = Vec3::from_array(brand);
    let card = Vec3::new(0.86, 0.86, 0.84);
    let ink = Vec3::new(0.05, 0.055, 0.06);
    Canvas::paint(size, |u, v| {
        let (x, y) = (u * WIDTH_M * 1000.0, v * HEIGHT_M * 1000.0);
        let mut c = card;
        // A brand stripe along the top.
        if y < 6.0 {
            c = brand;
        }
        // Round logo at the left, under the stripe.
        let logo = ((x - 10.0).powi(2) + (y - 15.0).powi(2)).sqrt();
        if logo < 5.5 {
            c = brand * 0.8;
        }
        // Name (bold) and title (lighter, shorter) as bars of ink.
        if (20.0..58.0).contains(&x) && (10.5..14.5).contains(&y) {
            c = ink;
        }
        if (20.0..46.0).contains(&x) && (17.0..19.5).contains(&y) {
            c = c.lerp(ink, 0.55);
        }
        // A thin edge, darker, so the card reads against a light shirt.
        let edge = x
            .min(WIDTH_M * 1000.0 - x)
            .min(y)
            .min(HEIGHT_M * 1000.0 - y);
        if edge < 0.6 {
            c *= 0.6;
        }
        c.to_array()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::mould::test_chest;

    #[test]
    fn the_badge_lies_on_the_left_chest_just_off_the_cloth() {
        let neck = Vec3::new(0.0, 1.43, 0.0);
        let badge = name_badge(&test_chest(), neck).expect("a shirt front");
        assert_eq!(badge.positions.len(), ((COLUMNS + 1) * (ROWS + 1)) as usize);
        for p in &badge.positions {
            assert!(p.x > 0.04 && p.x < 0.13, "wearer's left: {p}");
            let off = Vec3::new(p.x, 0.0, p.z).length() - 0.15;
            // Moulded to the curve: never sunk in, never floating.
            assert!(off > 0.0005 && off < 0.005, "{off} m off the cloth at {p}");
        }
        // Facing the camera, wound counter-clockwise from the front.
        let [a, b, c] = [0, 1, 2].map(|k| badge.positions[badge.indices[k] as usize]);
        assert!((b - a).cross(c - a).z > 0.0);
        assert!(badge.rigid);
    }

    #[test]
    fn no_shirt_front_no_badge() {
        assert!(name_badge(&Part::default(), Vec3::ZERO).is_none());
    }

    #[test]
    fn the_print_has_a_brand_stripe_and_dark_text() {
        let canvas = bake_badge(128, [0.1, 0.4, 0.5]);
        let at = |u: f32, v: f32| {
            let (x, y) = ((u * 127.0) as usize, (v * 127.0) as usize);
            let i = (y * 128 + x) * 3;
            Vec3::from_slice(&canvas.data[i..i + 3])
        };
        assert_eq!(at(0.5, 0.1), Vec3::new(0.1, 0.4, 0.5));
        assert!(at(0.5, 0.5).max_element() < 0.1, "name ink");
        assert!(at(0.9, 0.95).min_element() > 0.8, "card");
    }
}
