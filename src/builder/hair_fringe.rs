//! Where long hair's visible edge runs: the hairline, except over the
//! forehead, where a side-swept fringe hangs below it.
//!
//! The fringe falls from the parting (on the role's left) diagonally across
//! the forehead, deepest just above the role's right brow, then rises
//! again at the temple into the hair hanging at the side. A short crop has
//! no fringe: its edge is the hairline.

use glam::Vec3;

use super::noise::smoothstep;
use super::regions::{HairStyle, Head};

/// How far the fringe hangs below the hairline at its deepest, metres, for
/// a head of the base mesh's height (it scales with the head): its ends
/// stop about a centimetre above the brow.
const DEPTH_M: f32 = 0.036;

/// How far the hair over the temples hangs below the hairline, metres:
/// to about a centimetre above eye level.
const TEMPLE_DEPTH_M: f32 = 0.032;

/// How far (metres) the fringe hangs below the hairline at azimuth `phi`
/// (0 in front, positive towards the role's left, where the parting is).
pub fn fringe_dip(head: &Head, phi: f32) -> f32 {
    if head.style != HairStyle::Bob {
        return 0.0;
    }
    // Falls from the parting side across the forehead...
    let fall = smoothstep(0.55, -0.5, phi);
    // ...and rises at the temple into the side hair.
    let rise = 1.0 - smoothstep(-0.85, -1.2, phi);
    // On both sides the hair falls over the temples into the curtain, so
    // no skin shows between the forehead's hair and the side hair.
    let a = phi.abs();
    let temple = smoothstep(0.55, 0.9, a) * (1.0 - smoothstep(1.0, 1.2, a));
    (DEPTH_M * fall * rise).max(TEMPLE_DEPTH_M * temple) * head.half_size.y / 0.115
}

/// Height above the visible hair's lower edge at `p`, metres.
pub fn above_edge(head: &Head, p: Vec3, male: f32) -> f32 {
    head.above_hairline(p, male) + fringe_dip(head, head.azimuth(p))
}

/// How much visible hair covers `p` (scalp or fringe): 0..1.
pub fn cover(head: &Head, p: Vec3, male: f32) -> f32 {
    smoothstep(-0.003, 0.006, above_edge(head, p, male))
}

/// How far the hair at `p` lies over the forehead, below the hairline: 0
/// on the scalp, 1 a centimetre or more below it.
pub fn over_forehead(head: &Head, p: Vec3, male: f32) -> f32 {
    if fringe_dip(head, head.azimuth(p)) <= 0.0 {
        return 0.0;
    }
    smoothstep(0.0, 0.01, -head.above_hairline(p, male))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fringe_sweeps_down_away_from_the_parting() {
        let h = Head::for_tests(HairStyle::Bob);
        // None on the parting's side, deepest over the far brow, gone by
        // the side of the head.
        assert_eq!(fringe_dip(&h, 0.55), 0.0);
        assert!(fringe_dip(&h, 0.0) > 0.005 && fringe_dip(&h, 0.0) < fringe_dip(&h, -0.5));
        assert!((fringe_dip(&h, -0.7) - DEPTH_M).abs() < 0.003);
        assert_eq!(fringe_dip(&h, -1.3), 0.0);
        // Both temples are covered, down into the side hair.
        for side in [-1.0, 1.0] {
            assert!((fringe_dip(&h, side * 0.95) - TEMPLE_DEPTH_M).abs() < 1e-4);
            assert_eq!(fringe_dip(&h, side * 1.25), 0.0);
        }
        // A point on the forehead below the hairline is covered under the
        // fringe, not on the other side.
        let under = Vec3::new(-0.05, 1.55, 0.09);
        let open = Vec3::new(0.05, 1.55, 0.09);
        assert!(cover(&h, under, 0.0) > 0.99, "{}", cover(&h, under, 0.0));
        assert_eq!(cover(&h, open, 0.0), 0.0);
        assert!(over_forehead(&h, under, 0.0) > 0.5);
        // A crop has no fringe: the edge is the hairline.
        let crop = Head::for_tests(HairStyle::Crop);
        assert_eq!(fringe_dip(&crop, -0.5), 0.0);
        assert_eq!(
            above_edge(&crop, under, 1.0),
            crop.above_hairline(under, 1.0)
        );
    }
}
