//! Where long hair's visible edge runs: the hairline, except over the
//! forehead, where a side-swept fringe hangs below it.
//!
//! The fringe is swept from the parting (on the role's left) across the
//! forehead and ends about a centimetre above the brows, following their
//! line, a little longer on the side it is swept to; over the temples it
//! falls into the hair hanging at the sides. A short crop has no fringe:
//! its edge is the hairline.

use glam::Vec3;

use super::noise::{smooth_keys, smoothstep};
use super::regions::{HairStyle, Head};

/// Where a bob's fringe ends, metres above eye level (for a head of the
/// base mesh's height), by azimuth (0 in front, positive towards the
/// role's left, where the parting is): swept from high on the parting's
/// side down to about a centimetre above the far brow, and over both
/// temples, curving down into the front edge of the hair hanging at the
/// sides (a corner there read as a step). A fringe ending at the
/// hairline beside the parting left a bare notch there, which reviews read
/// as a gap; one following the brows all across read as a bowl cut.
const EDGE_KEYS: [(f32, f32); 11] = [
    (-1.25, 0.004),
    (-1.05, 0.006),
    (-0.95, 0.012),
    (-0.8, 0.026),
    (-0.45, 0.037),
    (0.0, 0.043),
    (0.45, 0.052),
    (0.8, 0.040),
    (0.95, 0.022),
    (1.05, 0.008),
    (1.25, 0.004),
];

/// Where the fringe ends (see `EDGE_KEYS`), scaled to the head.
fn edge_height(head: &Head, phi: f32) -> f32 {
    smooth_keys(&EDGE_KEYS, phi) * head.half_size.y / 0.115
}

/// How far (metres) the fringe hangs below the hairline at azimuth `phi`
/// (0 in front, positive towards the role's left, where the parting is).
pub fn fringe_dip(head: &Head, phi: f32) -> f32 {
    if head.style != HairStyle::Bob {
        return 0.0;
    }
    // Behind the temples the side hair hangs as the curtain.
    let front = 1.0 - smoothstep(1.15, 1.3, phi.abs());
    (head.hairline(phi, 0.0) - edge_height(head, phi)).max(0.0) * front
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

/// How much the hair's edge at `p` is the fringe's cut (0..1): 1 wherever
/// the fringe hangs below the hairline by more than a few millimetres, 0
/// where the edge is the hairline (a crop, or behind the temples). Keyed
/// by azimuth alone, so the cut is one line all along the fringe: keyed
/// by how far `p` lies below the hairline, the end beside the parting
/// (where the fringe hangs just below it) thinned into strands and ended
/// higher, a step along the cut.
pub fn cut_share(head: &Head, p: Vec3) -> f32 {
    smoothstep(0.0, 0.004, fringe_dip(head, head.azimuth(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fringe_covers_the_forehead_down_to_above_the_brows() {
        let h = Head::for_tests(HairStyle::Bob);
        // Where the fringe ends, metres above eye level.
        let ends = |phi: f32| h.hairline(phi, 0.0) - fringe_dip(&h, phi);
        // No bare skin between the fringe and the side hair on either side.
        for i in -22..=22 {
            let phi = i as f32 * 0.05;
            assert!(fringe_dip(&h, phi) > 0.005, "bare at {phi}");
        }
        // Swept across the forehead: high beside the parting, a
        // centimetre or so above the far brow (the brows are 2-3 cm above
        // eye level).
        for i in -9..=9 {
            let end = ends(i as f32 * 0.05);
            assert!((0.035..0.055).contains(&end), "{end}");
        }
        assert!(ends(-0.45) < ends(0.45) - 0.01);
        // Down over the temples, and gone behind them.
        assert!(ends(1.1) < 0.02 && ends(-1.1) < 0.02);
        assert_eq!(fringe_dip(&h, 1.35), 0.0);
        assert_eq!(fringe_dip(&h, -1.35), 0.0);
        // A point on the forehead below the hairline is covered under the
        // fringe on either side of the parting; the brows below are not.
        let under = Vec3::new(-0.05, 1.55, 0.09);
        for p in [under, Vec3::new(0.05, 1.561, 0.09)] {
            assert!(cover(&h, p, 0.0) > 0.99, "{}", cover(&h, p, 0.0));
        }
        for x in [-0.03, 0.03] {
            assert_eq!(cover(&h, Vec3::new(x, 1.52, 0.1), 0.0), 0.0);
        }
        assert!(over_forehead(&h, under, 0.0) > 0.5);
        // The whole width of the fringe is cut, beside the parting too,
        // where it hangs only just below the hairline; behind the temples
        // the edge is the hairline.
        for i in -22..=22 {
            let phi = i as f32 * 0.05;
            let p = h.center + Vec3::new(phi.sin(), 0.0, phi.cos()) * 0.09;
            assert_eq!(cut_share(&h, p), 1.0, "at {phi}");
        }
        let behind = h.center + Vec3::new(0.09, 0.0, -0.02);
        assert_eq!(cut_share(&h, behind), 0.0);
        // A crop has no fringe: the edge is the hairline.
        let crop = Head::for_tests(HairStyle::Crop);
        assert_eq!(fringe_dip(&crop, -0.5), 0.0);
        assert_eq!(cut_share(&crop, under), 0.0);
        assert_eq!(
            above_edge(&crop, under, 1.0),
            crop.above_hairline(under, 1.0)
        );
    }
}
