//! Texture coordinates for the hair cap: longitude and latitude around the
//! skull, one island per side of the head.
//!
//! The body's own UVs squeeze the forehead into a sliver at the tip of the
//! scalp's island, so a hairline or fringe baked there gets a few texels
//! and ends in a hard edge. Longitude (0 in front .. π at the back) and the
//! angle from the crown spread the texels evenly over the visible hair.

use glam::Vec3;

use super::part::Part;
use super::regions::Head;

/// Margin kept free around each island, in UV units, for mipmaps.
const MARGIN: f32 = 0.02;

/// Splits vertices shared by triangles on both sides of the head (by
/// their centroids' x), so each side can have its own island. Returns
/// each vertex's side (true: +x) and the vertex it copies (itself, for
/// all but the copies).
fn split_sides(cap: &mut Part, head: &Head) -> (Vec<bool>, Vec<u32>) {
    let mut origin: Vec<u32> = (0..cap.positions.len() as u32).collect();
    let mut side: Vec<Option<bool>> = vec![None; cap.positions.len()];
    let mut twin: Vec<Option<u32>> = vec![None; cap.positions.len()];
    for t in 0..cap.indices.len() / 3 {
        let tri = [0, 1, 2].map(|k| cap.indices[t * 3 + k] as usize);
        let centroid: Vec3 = tri.iter().map(|&v| cap.positions[v]).sum::<Vec3>() / 3.0;
        let positive = centroid.x >= head.center.x;
        for (k, &v) in tri.iter().enumerate() {
            match side[v] {
                None => side[v] = Some(positive),
                Some(s) if s == positive => {}
                Some(_) => {
                    let copy = match twin[v] {
                        Some(copy) => copy,
                        None => {
                            cap.positions.push(cap.positions[v]);
                            cap.normals.push(cap.normals[v]);
                            cap.uvs.push(cap.uvs[v]);
                            cap.source.push(cap.source[v]);
                            if !cap.midpoint_of.is_empty() {
                                cap.midpoint_of.push(cap.midpoint_of[v]);
                            }
                            side.push(Some(positive));
                            twin.push(None);
                            origin.push(v as u32);
                            let copy = (cap.positions.len() - 1) as u32;
                            twin[v] = Some(copy);
                            copy
                        }
                    };
                    cap.indices[t * 3 + k] = copy;
                }
            }
        }
    }
    let side = side.into_iter().map(|s| s.unwrap_or(true)).collect();
    (side, origin)
}

/// Replaces `cap`'s UVs: the +x side of the head goes to the first half of
/// `v_range`, the -x side to the second half; `u` runs from the front
/// (0) to the back (1) of the head. Vertices on the centre line are
/// duplicated, one copy per side. Returns, per vertex after the split, the
/// vertex it was before.
pub fn spherical_uvs(cap: &mut Part, head: &Head, v_range: (f32, f32)) -> Vec<u32> {
    let (side, origin) = split_sides(cap, head);
    let polar = |p: Vec3| {
        let d = p - head.center;
        d.y.atan2(Vec3::new(d.x, 0.0, d.z).length())
    };
    // Elevation above the horizontal plane through the skull's centre:
    // π/2 at the crown, lowest at the nape.
    let lowest = cap
        .positions
        .iter()
        .map(|p| polar(*p))
        .fold(std::f32::consts::FRAC_PI_2, f32::min);
    let span = (std::f32::consts::FRAC_PI_2 - lowest).max(1e-3);
    let half = (v_range.1 - v_range.0) * 0.5;
    for (v, p) in cap.positions.iter().enumerate() {
        let longitude = head.azimuth(*p).abs() / std::f32::consts::PI;
        let latitude = (std::f32::consts::FRAC_PI_2 - polar(*p)) / span;
        let start = if side[v] { v_range.0 } else { v_range.0 + half };
        cap.uvs[v] = [
            MARGIN + (1.0 - 2.0 * MARGIN) * longitude,
            start + MARGIN * 0.5 + (half - MARGIN) * latitude,
        ];
    }
    origin
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::regions::HairStyle;

    #[test]
    fn sides_get_separate_islands_and_front_is_left() {
        let head = Head {
            eye_left: Vec3::new(0.03, 1.5, 0.1),
            eye_right: Vec3::new(-0.03, 1.5, 0.1),
            eye_radius: 0.012,
            center: Vec3::new(0.0, 1.53, 0.0),
            half_size: Vec3::new(0.075, 0.11, 0.1),
            style: HairStyle::Crop,
        };
        // Two triangles: one on each side of the crown.
        let c = head.center;
        let mut cap = Part {
            positions: vec![
                c + Vec3::new(0.01, 0.1, 0.05),
                c + Vec3::new(0.05, 0.05, 0.0),
                c + Vec3::new(0.01, 0.1, -0.05),
                c + Vec3::new(-0.01, 0.1, 0.05),
                c + Vec3::new(-0.01, 0.1, -0.05),
                c + Vec3::new(-0.05, 0.05, 0.0),
            ],
            normals: vec![Vec3::Y; 6],
            uvs: vec![[0.0; 2]; 6],
            source: (0..6).collect(),
            indices: vec![0, 1, 2, 3, 4, 5],
            ..Part::default()
        };
        // A third triangle straddling the centre line shares vertex 0.
        cap.indices.extend([0, 3, 4]);
        let origin = spherical_uvs(&mut cap, &head, (0.0, 1.0));
        assert_eq!(cap.positions.len(), 7, "one shared vertex split");
        assert_eq!(origin, [0, 1, 2, 3, 4, 5, 0]);
        let last = &cap.indices[6..];
        assert!(last.iter().all(|&v| v != 0), "{last:?}");
        assert!(cap.uvs[..3].iter().all(|uv| uv[1] < 0.5));
        assert!(cap.uvs[3..].iter().all(|uv| uv[1] > 0.5));
        // Front (z > 0) has a smaller u than back.
        assert!(cap.uvs[0][0] < cap.uvs[2][0]);
        // Lower on the head, larger v within the island.
        assert!(cap.uvs[1][1] > cap.uvs[0][1]);
        assert!(cap.uvs.iter().flatten().all(|t| (0.0..=1.0).contains(t)));
    }
}
