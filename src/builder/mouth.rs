//! The mouth cavity. MakeHuman's head is a shell: its lips open onto the
//! inside of the skull, where back-face culling shows the background through
//! an open mouth. A dark, inward-facing pocket behind the teeth closes it, the
//! way game avatars do. Each vertex borrows the skin weights and morph deltas
//! of the nearest tooth or tongue vertex, so the floor of the pocket drops
//! with the jaw while the roof stays with the upper teeth.

use glam::Vec3;

use super::part::Part;

const RINGS: u32 = 10;
const SEGMENTS: u32 = 16;

/// An ellipsoid pocket sized from the teeth and tongue, wound to face inward.
/// Empty when the mesh has no teeth (a custom base without the helpers).
pub fn mouth_cavity(teeth: &Part, tongue: &Part) -> Part {
    let mut part = Part {
        name: "mouth".to_string(),
        untextured: true,
        ..Part::default()
    };
    let anchors: Vec<(Vec3, u32)> = teeth
        .positions
        .iter()
        .zip(&teeth.source)
        .chain(tongue.positions.iter().zip(&tongue.source))
        .map(|(p, s)| (*p, *s))
        .collect();
    if teeth.positions.is_empty() {
        return part;
    }
    let (lo, hi) = teeth.positions.iter().fold(
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
            part.source.push(nearest(&anchors, p));
        }
    }
    let row = SEGMENTS + 1;
    for ring in 0..RINGS {
        for seg in 0..SEGMENTS {
            let a = ring * row + seg;
            let b = a + row;
            // Wound clockwise seen from outside, so the inside faces the camera.
            part.indices.extend([a, a + 1, b, a + 1, b + 1, b]);
        }
    }
    part
}

fn nearest(anchors: &[(Vec3, u32)], p: Vec3) -> u32 {
    anchors
        .iter()
        .min_by(|a, b| a.0.distance_squared(p).total_cmp(&b.0.distance_squared(p)))
        .map_or(0, |a| a.1)
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
        let teeth = box_part(
            Vec3::new(-0.025, 1.50, 0.06),
            Vec3::new(0.025, 1.53, 0.11),
            7,
        );
        let tongue = box_part(Vec3::new(-0.02, 1.49, 0.06), Vec3::new(0.02, 1.50, 0.10), 9);
        let cavity = mouth_cavity(&teeth, &tongue);
        assert_eq!(
            cavity.positions.len(),
            ((RINGS + 1) * (SEGMENTS + 1)) as usize
        );
        assert_eq!(cavity.indices.len(), (RINGS * SEGMENTS * 6) as usize);
        for p in &cavity.positions {
            assert!(p.z <= 0.11 + 1e-5, "pocket pokes through the lips: {p}");
            assert!(p.x.abs() <= 0.025, "pocket reaches the cheeks: {p}");
        }
        assert!(cavity.source.iter().all(|s| *s == 7 || *s == 9));
        // Inward normals point at the centre.
        let centre = cavity.positions.iter().copied().sum::<Vec3>() / cavity.positions.len() as f32;
        let (p, n) = (cavity.positions[20], cavity.normals[20]);
        assert!(n.dot(centre - p) > 0.0);
    }

    #[test]
    fn no_teeth_no_pocket() {
        assert!(
            mouth_cavity(&Part::default(), &Part::default())
                .indices
                .is_empty()
        );
    }
}
