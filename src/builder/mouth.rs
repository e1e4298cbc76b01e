//! The mouth cavity. MakeHuman's head is a shell: its lips open onto the
//! inside of the skull, where back-face culling shows the background through
//! an open mouth. A dark, inward-facing pocket behind the teeth closes it, the
//! way game avatars do. Each roof vertex follows the nearest upper-teeth
//! vertex and each floor vertex the nearest lower-teeth one (skin weights
//! and morph deltas), with the equator halfway, so the pocket opens with the
//! jaw; letting neighbours pick from both arches folded it over the front
//! teeth.

use glam::Vec3;

use super::part::{Part, grid_triangles};
use super::raster::Canvas;

const RINGS: u32 = 14;
const SEGMENTS: u32 = 24;

/// Linear RGB of the pocket's front (palate and cheeks behind the teeth,
/// where some light reaches)...
const FRONT: [f32; 3] = [0.2, 0.045, 0.05];
/// ...and of its back, towards the throat, which no light reaches. One
/// flat red read as a painted hole.
const THROAT: [f32; 3] = [0.045, 0.008, 0.01];

/// The pocket's colour over its UVs (u around, v from the roof to the
/// floor, as `mouth_cavity` lays them out): red at the front, darkening
/// towards the throat.
pub fn bake_cavity(size: u32) -> Canvas {
    let (front, throat) = (Vec3::from_array(FRONT), Vec3::from_array(THROAT));
    Canvas::paint(size, |u, v| {
        let (theta, phi) = (std::f32::consts::PI * v, std::f32::consts::TAU * u);
        // -1 at the back of the pocket, 1 at its front.
        let depth = theta.sin() * phi.sin();
        let t = 1.0 - ((depth + 0.9) / 1.2).clamp(0.0, 1.0);
        front.lerp(throat, t * t * (3.0 - 2.0 * t)).to_array()
    })
}

/// An ellipsoid pocket sized from the teeth helpers, wound to face inward.
/// Empty when the mesh has no teeth (a custom base without the helpers).
pub fn mouth_cavity(upper: &Part, lower: &Part, tongue: &Part) -> Part {
    let mut part = Part {
        name: "mouth".to_string(),
        ..Part::default()
    };
    let teeth: Vec<Vec3> = upper
        .positions
        .iter()
        .chain(&lower.positions)
        .copied()
        .collect();
    if teeth.is_empty() {
        return part;
    }
    let (lo, hi) = teeth.iter().fold(
        (Vec3::splat(f32::MAX), Vec3::splat(f32::MIN)),
        |(lo, hi), p| (lo.min(*p), hi.max(*p)),
    );
    let size = hi - lo;
    // Front of the pocket at the front teeth, its back at the last molars;
    // narrower than the dental arch so it never reaches the cheeks.
    let radii = Vec3::new(size.x * 0.46, size.y * 0.62, size.z * 0.5);
    let center = Vec3::new((lo.x + hi.x) * 0.5, (lo.y + hi.y) * 0.5, hi.z - radii.z);

    for ring in 0..=RINGS {
        let theta = std::f32::consts::PI * ring as f32 / RINGS as f32;
        for seg in 0..=SEGMENTS {
            let phi = std::f32::consts::TAU * seg as f32 / SEGMENTS as f32;
            let unit = Vec3::new(
                theta.sin() * phi.cos(),
                theta.cos(),
                theta.sin() * phi.sin(),
            );
            let p = center + unit * radii;
            part.positions.push(p);
            // Inward normals: the pocket is seen from inside, through the lips.
            part.normals.push(-(unit / radii).normalize_or_zero());
            part.uvs
                .push([seg as f32 / SEGMENTS as f32, ring as f32 / RINGS as f32]);
            let (roof, floor) = (anchor(upper, tongue, p), anchor(lower, tongue, p));
            let (source, blend) = match (2 * ring).cmp(&RINGS) {
                std::cmp::Ordering::Less => (roof, None),
                std::cmp::Ordering::Equal => (roof, Some([roof, floor])),
                std::cmp::Ordering::Greater => (floor, None),
            };
            part.source.push(source);
            part.midpoint_of.push(blend);
        }
    }
    // Wound clockwise seen from outside, so only the far, inside wall is
    // drawn and the near half never hides the teeth.
    part.indices = grid_triangles(0, RINGS, SEGMENTS, false);
    part
}

/// The vertex of `teeth` (or of the tongue, when that arch is missing)
/// nearest to `p`: what the pocket's roof or floor follows.
fn anchor(teeth: &Part, tongue: &Part, p: Vec3) -> u32 {
    teeth
        .nearest_source(p)
        .or_else(|| tongue.nearest_source(p))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn box_part(lo: Vec3, hi: Vec3, source: u32) -> Part {
        Part {
            positions: vec![
                lo,
                hi,
                Vec3::new(lo.x, hi.y, lo.z),
                Vec3::new(hi.x, lo.y, hi.z),
            ],
            source: vec![source; 4],
            ..Part::default()
        }
    }

    #[test]
    fn the_pocket_sits_behind_the_front_teeth_and_inside_the_arch() {
        let upper = box_part(
            Vec3::new(-0.025, 1.515, 0.06),
            Vec3::new(0.025, 1.53, 0.11),
            7,
        );
        let lower = box_part(
            Vec3::new(-0.025, 1.50, 0.06),
            Vec3::new(0.025, 1.515, 0.11),
            8,
        );
        let tongue = box_part(Vec3::new(-0.02, 1.49, 0.06), Vec3::new(0.02, 1.50, 0.10), 9);
        let cavity = mouth_cavity(&upper, &lower, &tongue);
        assert_eq!(
            cavity.positions.len(),
            ((RINGS + 1) * (SEGMENTS + 1)) as usize
        );
        assert_eq!(cavity.indices.len(), (RINGS * SEGMENTS * 6) as usize);
        for p in &cavity.positions {
            assert!(p.z <= 0.11 + 1e-5, "pocket pokes through the lips: {p}");
            assert!(p.x.abs() <= 0.025, "pocket reaches the cheeks: {p}");
        }
        // The roof follows the upper teeth, the floor the lower ones, and
        // the equator both.
        let top = cavity
            .positions
            .iter()
            .position(|p| p.y > 1.525)
            .expect("roof");
        let bottom = cavity
            .positions
            .iter()
            .position(|p| p.y < 1.505)
            .expect("floor");
        assert_eq!((cavity.source[top], cavity.source[bottom]), (7, 8));
        assert!(cavity.midpoint_of.contains(&Some([7, 8])));
        // Inward normals point at the centre.
        let centre = cavity.positions.iter().copied().sum::<Vec3>() / cavity.positions.len() as f32;
        let (p, n) = (cavity.positions[20], cavity.normals[20]);
        assert!(n.dot(centre - p) > 0.0);
    }

    #[test]
    fn the_pocket_darkens_towards_the_throat() {
        let c = bake_cavity(32);
        let at = |u: f32, v: f32| {
            let (x, y) = ((u * 32.0) as usize, (v * 32.0) as usize);
            c.data[(y * 32 + x) * 3]
        };
        // Equator (v = 0.5): front at u = 0.25 (sin φ = 1), back at 0.75.
        assert!((at(0.25, 0.5) - FRONT[0]).abs() < 0.01);
        assert!((at(0.75, 0.5) - THROAT[0]).abs() < 0.01);
        assert!(at(0.5, 0.5) < at(0.25, 0.5) && at(0.5, 0.5) > at(0.75, 0.5));
    }

    #[test]
    fn no_teeth_no_pocket() {
        assert!(
            mouth_cavity(&Part::default(), &Part::default(), &Part::default())
                .indices
                .is_empty()
        );
    }
}
