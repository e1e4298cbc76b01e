//! The dark line along each upper lid where the lashes root. The lash
//! cards stand out from the lid and are seen almost edge on from the
//! front, so their own roots barely show; at portrait size an eye without
//! this line reads as a pale, undefined hole. It is painted on the skin,
//! so it follows the lids as they blink.

use glam::Vec3;

use super::part::Part;
use super::regions::Head;

/// Lash vertices within this many eye radii of their eye's centre are
/// roots; the tips stand further out.
const ROOT_MAX_RADII: f32 = 1.12;

/// The upper lids' lash roots as segments.
pub struct LashLine {
    segments: Vec<(Vec3, Vec3)>,
    eyes: [Vec3; 2],
    eye_radius: f32,
}

impl LashLine {
    /// The card edges along the upper lashes' roots.
    pub fn new(lashes: &Part, head: &Head) -> LashLine {
        let eyes = [head.eye_left, head.eye_right];
        let r = head.eye_radius;
        let is_upper_root = |p: Vec3| {
            eyes.iter().any(|&eye| {
                let d = p - eye;
                d.length() < ROOT_MAX_RADII * r && d.y > -0.1 * r
            })
        };
        let roots: Vec<bool> = lashes.positions.iter().map(|&p| is_upper_root(p)).collect();
        let mut segments = Vec::new();
        for tri in lashes.indices.chunks_exact(3) {
            for (a, b) in [(tri[0], tri[1]), (tri[1], tri[2]), (tri[2], tri[0])] {
                let (a, b) = (a as usize, b as usize);
                if roots[a] && roots[b] {
                    segments.push((lashes.positions[a], lashes.positions[b]));
                }
            }
        }
        LashLine {
            segments,
            eyes,
            eye_radius: r,
        }
    }

    /// Distance (metres) from `p` to the nearest lash root as seen from
    /// the front, or `None` off the front of the eyes. Seen from the front,
    /// not in 3D: the roots sit under the lid's rim, a few millimetres
    /// behind the skin that shows along it.
    pub fn distance(&self, p: Vec3) -> Option<f32> {
        let r = self.eye_radius;
        let in_front = self.eyes.iter().any(|&eye| {
            let d = p - eye;
            d.z > 0.5 * r && d.truncate().length() < 1.5 * r
        });
        if !in_front {
            return None;
        }
        let p = p.truncate();
        self.segments
            .iter()
            .map(|&(a, b)| {
                let (a, b) = (a.truncate(), b.truncate());
                let ab = b - a;
                let t = ((p - a).dot(ab) / ab.length_squared().max(1e-12)).clamp(0.0, 1.0);
                p.distance(a + ab * t)
            })
            .reduce(f32::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A card per eye: a root row along the top of the eye, tips above it.
    fn cards(head: &Head) -> Part {
        let mut part = Part::default();
        for eye in [head.eye_left, head.eye_right] {
            let r = head.eye_radius;
            let first = part.positions.len() as u32;
            for k in 0..5 {
                let a = -0.8 + 0.4 * k as f32;
                let root = eye + Vec3::new(a.sin(), a.cos() * 0.6, a.cos() * 0.8) * r * 1.05;
                part.positions.push(root);
                part.positions.push(root + Vec3::new(0.0, 0.3, 0.5) * r);
            }
            for k in 0..4 {
                let (root, tip) = (first + 2 * k, first + 2 * k + 1);
                part.indices
                    .extend_from_slice(&[root, root + 2, tip, tip, root + 2, tip + 2]);
            }
        }
        part
    }

    #[test]
    fn the_line_runs_along_the_roots_not_the_tips() {
        let head = Head::for_tests(crate::builder::regions::HairStyle::Crop);
        let line = LashLine::new(&cards(&head), &head);
        // Two cards of four quads, each with one edge along the roots.
        assert_eq!(line.segments.len(), 8);
        let r = head.eye_radius;
        let root = head.eye_left + Vec3::new(0.0, 0.6, 0.8) * r * 1.05;
        assert!(line.distance(root).is_some_and(|d| d < 1e-4));
        // On the lid's rim in front of the roots: on the line.
        let rim = root + Vec3::new(0.0, 0.0002, 0.003);
        assert!(line.distance(rim).is_some_and(|d| d < 3e-4));
        // Two millimetres above the lid: off the line.
        let above = root + Vec3::new(0.0, 0.002, 0.0);
        assert!(line.distance(above).is_some_and(|d| d > 0.0015));
        // The cheek is far from any eye.
        assert_eq!(
            line.distance(head.eye_left - Vec3::new(0.0, 0.04, 0.0)),
            None
        );
    }
}
