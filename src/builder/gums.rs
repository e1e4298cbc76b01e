//! The gum band along each dental arch (see `teeth`): over the crowns'
//! necks, dipping between the crowns (the papillae), from the outer
//! surface over the alveolar ridge and up the inside to the necks again.

use glam::Vec3;

use super::part::{Part, grid_triangles};
use super::teeth::{Arch, CROWNS_SHOWN, GUM_V, nearest_source};

/// How far the gum reaches down between two crowns (the papilla), in the
/// crowns' millimetres.
const PAPILLA_MM: f32 = 2.8;

/// Vertices across the band at each station along the arch.
const ROWS_PER_STATION: u32 = 5;

/// A band of gum along the arch over the crowns' necks, dipping between
/// teeth (the papillae), from the outer surface over the top of the
/// alveolar ridge and up the inside to the necks again.
pub(super) fn add_gums(part: &mut Part, helper: &Part, arch: &Arch, grow: Vec3, widths_mm: &[f32]) {
    let height = 3.0 * arch.scale;
    let thickness = 8.0 * arch.scale;
    // Along the crowns that are built, not into the cheeks behind them.
    let stations = gum_stations(widths_mm);
    let length = stations.last().copied().unwrap_or(1.0).max(1e-3) * arch.scale;
    for side in [1.0f32, -1.0] {
        let first = part.positions.len() as u32;
        for &station in &stations {
            let s = station * arch.scale;
            let (p, n) = arch.at(s);
            let out = Vec3::new(n.x * side, 0.0, n.y).normalize_or(Vec3::Z);
            let surface = Vec3::new(p.x * side, arch.edge_y, p.y);
            // Crown height here, for where the gum line sits.
            let crown = 9.0 * arch.scale * (1.0 - 0.3 * s / length);
            let neck = surface - grow * crown;
            let papilla = PAPILLA_MM * arch.scale * between_crowns(station, widths_mm);
            // Outside, down over the ridge, across, and up the inside to
            // the crowns' necks again: without the inner wall the crowns
            // on the far side of an open mouth stand bare to the jaw, like
            // blocks.
            let inside = neck - out * thickness;
            let rows: [(Vec3, Vec3, f32); ROWS_PER_STATION as usize] = [
                (neck + grow * (0.0012 + papilla), out, 1.0),
                (neck - grow * height * 0.5 + out * 0.0004, out, 0.7),
                (neck - grow * height, (out - grow).normalize(), 0.4),
                (inside - grow * height, (-grow - out).normalize(), 0.1),
                (inside + grow * (0.0012 + 0.5 * papilla), -out, 0.7),
            ];
            for (q, normal, v) in rows {
                part.positions.push(q);
                part.normals.push(normal);
                part.uvs
                    .push([s / length, GUM_V + (1.0 - GUM_V) * (1.0 - v) * 0.9]);
                part.source.push(nearest_source(helper, q));
            }
        }
        let flip = (side < 0.0) != (grow.y > 0.0);
        let strips = stations.len() as u32 - 1;
        part.indices
            .extend(grid_triangles(first, strips, ROWS_PER_STATION - 1, flip));
    }
}

/// Where the gum band is sampled along a half arch, in the crowns'
/// millimetres from the midline: at every contact (a papilla's tip) and
/// at the quarters of each crown between. Evenly spaced samples fine
/// enough for the papillae cost 0.5 ms a frame on lavapipe.
fn gum_stations(widths_mm: &[f32]) -> Vec<f32> {
    let mut stations = vec![0.0];
    let mut start = 0.0;
    for &w in widths_mm.iter().take(CROWNS_SHOWN) {
        stations.extend((1..=4).map(|q| start + w * q as f32 / 4.0));
        start += w;
    }
    stations
}

/// 0 over the middle of a crown, 1 where two crowns touch; `s_mm` is the
/// arc length from the midline in the crowns' millimetres.
fn between_crowns(s_mm: f32, widths_mm: &[f32]) -> f32 {
    let mut start = 0.0;
    for &w in widths_mm {
        if s_mm <= start + w {
            let phase = ((s_mm - start) / w).clamp(0.0, 1.0);
            return (1.0 - (std::f32::consts::PI * phase).sin()).powi(2);
        }
        start += w;
    }
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn papillae_fill_the_gaps_where_crowns_touch() {
        let widths = [8.0, 6.0];
        // At the midline and where the crowns meet: full; mid-crown: none.
        assert!((between_crowns(0.0, &widths) - 1.0).abs() < 1e-6);
        assert!((between_crowns(8.0, &widths) - 1.0).abs() < 1e-6);
        assert!(between_crowns(4.0, &widths) < 1e-6);
        assert!(between_crowns(11.0, &widths) < 1e-6);
        // Narrow: a millimetre from the contact it is mostly gone.
        assert!(between_crowns(9.0, &widths) < 0.4);
        assert_eq!(between_crowns(20.0, &widths), 0.0);
    }
}
