//! Where the strands run: a 2D coordinate system on the hair's surface,
//! `across` the strands and `along` them (both metres), in which the strand
//! textures are plain stretched noise.
//!
//! Stretching 3D noise along a direction field that turns (combing
//! direction) shears it into swirls, because the noise coordinate across
//! the strands then changes with the direction as well as the position. So
//! each style gets coordinates whose lines *are* its strands: hair falling
//! sideways from a parting follows circles around a front-to-back axis
//! through the parting; hair at the back and on a curtain hangs straight
//! down.

use glam::Vec3;

use super::noise::smoothstep;
use super::regions::Head;

/// Strand coordinates and the strand direction at one surface point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrandFrame {
    pub across: f32,
    pub along: f32,
    /// Unit direction root to tip.
    pub tangent: Vec3,
}

/// Hair falling from a parting at `parting_x`: circles around the
/// front-to-back axis through the parting, above the head's centre.
fn from_parting(p: Vec3, head: &Head, parting_x: f32) -> StrandFrame {
    let d = Vec3::new(p.x - parting_x, p.y - head.center.y, 0.0);
    let angle = d.x.atan2(d.y.max(1e-4)).abs();
    let side = if d.x >= 0.0 { 1.0 } else { -1.0 };
    StrandFrame {
        across: p.z,
        along: angle * head.half_size.x,
        tangent: (Vec3::new(d.y, -d.x, 0.0) * side).normalize_or(Vec3::NEG_Y),
    }
}

/// Hair hanging straight down: lines of constant azimuth.
pub fn hanging(p: Vec3, head: &Head) -> StrandFrame {
    StrandFrame {
        across: head.azimuth(p) * head.half_size.x,
        along: head.center.y - p.y,
        tangent: Vec3::NEG_Y,
    }
}

/// How much of the cap at `p` (outward normal `n`) hangs down rather than
/// falling from the parting: the back of the head.
pub fn back_weight(n: Vec3) -> f32 {
    smoothstep(0.35, 0.75, -n.z)
}

/// The cap's frames: from the parting on top and at the sides, hanging at
/// the back. Without a parting, everything is combed back and down from the
/// crown (the frames then only orient a short crop's fine texture).
pub fn cap_frames(p: Vec3, head: &Head, parting_x: Option<f32>) -> (StrandFrame, StrandFrame) {
    let top = from_parting(p, head, parting_x.unwrap_or(head.center.x));
    (top, hanging(p, head))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> Head {
        Head {
            eye_left: Vec3::new(0.03, 1.5, 0.1),
            eye_right: Vec3::new(-0.03, 1.5, 0.1),
            eye_radius: 0.012,
            center: Vec3::new(0.0, 1.53, 0.02),
            half_size: Vec3::new(0.075, 0.11, 0.1),
            long_hair: true,
        }
    }

    #[test]
    fn strands_fall_away_from_the_parting() {
        let h = head();
        let px = 0.02;
        // On top, either side of the parting, strands run outwards.
        let right = from_parting(Vec3::new(px + 0.01, 1.64, 0.0), &h, px);
        let left = from_parting(Vec3::new(px - 0.01, 1.64, 0.0), &h, px);
        assert!(right.tangent.x > 0.9 && left.tangent.x < -0.9);
        // At the side of the head they run down.
        let side = from_parting(Vec3::new(0.08, 1.53, 0.0), &h, px);
        assert!(side.tangent.y < -0.9, "{:?}", side.tangent);
        // Moving along a strand changes `along`, not `across`.
        let a = from_parting(Vec3::new(0.05, 1.6, 0.03), &h, px);
        let b = from_parting(Vec3::new(0.05, 1.6, 0.03) + a.tangent * 0.005, &h, px);
        assert!((a.across - b.across).abs() < 1e-6);
        assert!(b.along > a.along);
    }
}
