//! Where long hair's visible edge runs: the hairline, except over the
//! forehead, where a side-swept fringe hangs below it.
//!
//! The fringe falls from the parting (on the role's left) diagonally across
//! the forehead, deepest just above the role's right brow, then rises
//! again at the temple into the hair hanging at the side. A short crop has
//! no fringe: its edge is the hairline.

use glam::Vec3;

use super::noise::{hash, smoothstep, value3};
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

/// Width of the fringe's locks along its cut, metres.
const LOCK_WIDTH_M: f32 = 0.009;
/// How far past the cut line a lock's point reaches, metres: each lock
/// somewhere between these.
const LOCK_REACH_M: (f32, f32) = (0.0015, 0.006);
/// Where across a lock (0..1, from its side towards the parting's far
/// side) its point is.
const LOCK_POINT_AT: f32 = 0.3;

/// How far past the fringe's cut line the lock at `p` reaches, metres: a
/// cut fringe separates into locks a centimetre or so wide, each ending
/// in a rounded point at its own length. A clean profile, not noise:
/// tips drawn from strand noise read as a torn edge.
pub fn lock_tip(head: &Head, p: Vec3) -> f32 {
    let arc = head.azimuth(p) * head.half_size.x;
    let along = arc / LOCK_WIDTH_M + 0.35 * value3(Vec3::new(arc * 60.0, 0.5, 0.5), 61);
    let lock = along.floor();
    let s = along - lock;
    let n = (hash(lock as i32 as u32 ^ 0x9e37_79b9) & 0xffff) as f32 / 65535.0;
    let reach = LOCK_REACH_M.0 + (LOCK_REACH_M.1 - LOCK_REACH_M.0) * n;
    // The fringe is swept away from the parting (towards -azimuth), and
    // so are its points.
    let profile = if s < LOCK_POINT_AT {
        s / LOCK_POINT_AT
    } else {
        (1.0 - s) / (1.0 - LOCK_POINT_AT)
    };
    reach * profile.powf(0.45)
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
    fn the_fringe_ends_in_locks_of_their_own_lengths() {
        let h = Head::for_tests(HairStyle::Bob);
        // Sample the cut across the forehead, a tenth of a millimetre apart.
        let reach: Vec<f32> = (0..800)
            .map(|i| {
                let phi = -0.8 + i as f32 * 0.002;
                let p = h.center + Vec3::new(phi.sin(), 0.3, phi.cos()) * 0.09;
                lock_tip(&h, p)
            })
            .collect();
        assert!(reach.iter().all(|r| (0.0..=LOCK_REACH_M.1).contains(r)));
        // Points (local maxima) and notches between them, a lock apart.
        let points: Vec<f32> = (1..reach.len() - 1)
            .filter(|&i| reach[i] > reach[i - 1] && reach[i] >= reach[i + 1])
            .map(|i| reach[i])
            .collect();
        let notches = (1..reach.len() - 1)
            .filter(|&i| reach[i] < reach[i - 1] && reach[i] <= reach[i + 1])
            .count();
        assert!(points.len() >= 8 && notches >= 8, "{} {notches}", points.len());
        assert!(reach.iter().any(|&r| r < 0.0005), "the locks never separate");
        // Each lock at its own length.
        let (short, long) = points
            .iter()
            .fold((f32::MAX, 0f32), |(s, l), &r| (s.min(r), l.max(r)));
        assert!(long - short > 0.002, "{short} {long}");
    }

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
