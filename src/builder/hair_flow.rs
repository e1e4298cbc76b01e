//! Long hair's combing direction over the whole head, and the strand
//! pattern drawn along it.
//!
//! Strands radiate from a whorl at the back of the crown, fall to either
//! side of the parting in front of it, sweep across the forehead away from
//! the parting (a side fringe) and hang straight below the skull.
//!
//! The pattern at a point is noise averaged along the point's streamline
//! (line integral convolution): the streaks follow the direction field
//! wherever it turns, without the shear that stretching noise along a
//! turning direction gives (see `hair_strands`), and without seams between
//! the cap and the curtain, because both sample the same 3D field. The
//! streamlines are traced over a smooth proxy of the skull (an ellipsoid on
//! top of a vertical cylinder), not over the hair mesh's centimetre-sized
//! flat triangles, whose kinks would otherwise show in every strand.

use glam::Vec3;

use super::noise::{hash, smoothstep, value3};
use super::regions::Head;

/// The averaging windows, each way from a point: fine strands over 1 cm,
/// locks over 2.5 cm, so neighbouring texels along a strand share most of
/// their samples and the streaks run long. Samples are at most 0.6 of a
/// noise cell apart: further apart, the pattern pulses along the strand
/// with the step's period.
const FINE_REACH_M: f32 = 0.010;
const LOCK_REACH_M: f32 = 0.025;
const FINE_STEP_M: f32 = 0.0006;
/// Every fifth fine step, and every step beyond the fine window.
const LOCK_STEP_M: f32 = 0.003;
/// How often the streamline turns (the direction is looked up) and is put
/// back on the proxy: it curves gently, except at the parting, where it
/// then overshoots by 3 mm at most.
const TURN_M: f32 = 0.003;
/// Single strands, about 1 mm apart: two texels of the hair texture, the
/// finest it can hold without aliasing into moiré.
const STRAND_PER_M: f32 = 1000.0;
/// Locks (clumps of strands), about 3.5 mm apart.
const LOCK_PER_M: f32 = 290.0;
/// Where hair hangs, the noises' cells are three times taller than wide,
/// which lengthens the streaks well beyond the window. (Elsewhere the
/// stretch would run across the strands, and break them into blotches.)
const UPRIGHT: Vec3 = Vec3::new(1.0, 1.0 / 3.0, 1.0);
/// Broad colour variation between groups of locks, about 1.5 cm.
const TONE_PER_M: f32 = 65.0;
/// Clumps hang: their tone varies five times slower down than across.
const TONE_UPRIGHT: Vec3 = Vec3::new(1.0, 0.2, 1.0);
/// Width of the parting, metres: the direction flips across it.
const PARTING_WIDTH_M: f32 = 0.003;

/// The combing of one head.
#[derive(Debug, Clone, Copy)]
pub struct Comb {
    center: Vec3,
    half_size: Vec3,
    parting_x: f32,
    whorl: Vec3,
    /// Where hair tied back is gathered (a bun), if it is.
    gather: Option<Vec3>,
}

/// Strand noises at a point (each 0..1, mean about 0.5) and the combing
/// direction there.
#[derive(Debug, Clone, Copy)]
pub struct Strands {
    /// Single strands: streaks along the combing direction.
    pub fine: f32,
    /// Locks: wider, longer streaks.
    pub lock: f32,
    /// Slow variation between groups of locks.
    pub tone: f32,
    /// Unit direction root to tip.
    pub tangent: Vec3,
}

impl Comb {
    /// Hair gathered at `gather` (a bun) is combed towards it from
    /// everywhere; loose hair falls from a whorl on the crown.
    pub fn new(head: &Head, parting_x: f32, gather: Option<Vec3>) -> Comb {
        // The parting runs forwards from the whorl: hair either side of it
        // then falls alike (and catches the light alike).
        let mut whorl = head.center + head.half_size * Vec3::new(0.0, 0.95, -0.45);
        whorl.x = parting_x;
        Comb {
            center: head.center,
            half_size: head.half_size,
            parting_x,
            whorl,
            gather,
        }
    }

    /// Skull coordinates: the head's box is -1..1 on each axis.
    fn local(&self, p: Vec3) -> Vec3 {
        (p - self.center) / self.half_size
    }

    /// "Radius" of `p` on the proxy: 1 on the skull's box-fitted ellipsoid
    /// above its centre, and on the vertical cylinder below.
    fn proxy_radius(&self, p: Vec3) -> f32 {
        let q = self.local(p);
        if q.y > 0.0 {
            q.length()
        } else {
            Vec3::new(q.x, 0.0, q.z).length()
        }
    }

    /// `p` moved along the proxy's radial direction to radius `r`.
    fn at_radius(&self, p: Vec3, r: f32) -> Vec3 {
        let q = self.local(p);
        let scaled = if q.y > 0.0 {
            q * (r / q.length().max(1e-4))
        } else {
            let s = r / Vec3::new(q.x, 0.0, q.z).length().max(1e-4);
            Vec3::new(q.x * s, q.y, q.z * s)
        };
        self.center + scaled * self.half_size
    }

    fn proxy_normal(&self, p: Vec3) -> Vec3 {
        let q = self.local(p);
        let g = if q.y > 0.0 {
            q
        } else {
            Vec3::new(q.x, 0.0, q.z)
        };
        (g / self.half_size).normalize_or(Vec3::Y)
    }

    /// Unit combing direction (root to tip) at `p` on a surface with unit
    /// normal `n`.
    pub fn direction(&self, p: Vec3, n: Vec3) -> Vec3 {
        let q = self.local(p);
        let tangential = |d: Vec3| d - n * n.dot(d);
        if let Some(gather) = self.gather {
            // Sleek, with no parting: straight back towards the bun, along
            // the great circle through it on the skull's
            // ellipsoid (the straight line to it cuts through the head, and
            // its projection turns sideways on the top of the head).
            let (from, to) = (
                q.normalize_or_zero(),
                self.local(gather).normalize_or_zero(),
            );
            let great_circle = (to - from * from.dot(to)) * self.half_size;
            return tangential(great_circle)
                .normalize_or(tangential(Vec3::NEG_Z).normalize_or(Vec3::NEG_Z));
        }
        // Away from the whorl: forwards over the top, backwards and down
        // behind it.
        let radial = tangential(p - self.whorl).normalize_or_zero();
        // Either side of the parting, which runs forwards from the whorl,
        // the hair falls away from it; on the forehead it keeps going
        // sideways, sweeping across it as a side fringe.
        let side = ((p.x - self.parting_x) / PARTING_WIDTH_M).tanh();
        let ahead = smoothstep(-0.5, -0.1, q.z);
        let top = smoothstep(-0.3, 0.6, q.y);
        let forehead = smoothstep(0.3, 0.85, q.z) * smoothstep(-0.6, 0.1, q.y);
        let away = Vec3::X * side * ahead * (top * 0.9 + forehead * 1.1);
        // Gravity wins lower down: the sides and the back hang.
        let down = Vec3::NEG_Y * (0.25 + 1.2 * (1.0 - top));
        let d = tangential(radial * 0.8 + away + down);
        d.normalize_or(tangential(Vec3::NEG_Y).normalize_or(Vec3::NEG_Y))
    }

    /// The strand pattern at `p` (surface normal `n`): noise averaged along
    /// the streamline through `p`, a tent-weighted window each way. The
    /// window stops at a parting or a whorl, where the direction turns
    /// back, so strands there start instead of blurring across.
    pub fn strands(&self, p: Vec3, n: Vec3) -> Strands {
        let tangent = self.direction(p, n);
        let radius = self.proxy_radius(p);
        // Hanging hair samples noise with tall cells, hair running any
        // other way noise with round ones; in between, both.
        let hang = smoothstep(0.75, 0.95, tangent.y.abs());
        let spread = (hang * hang + (1.0 - hang) * (1.0 - hang)).sqrt();
        let blend = |x: Vec3, per_m: f32, seed: u32| {
            let mut v = 0.0;
            if hang > 0.0 {
                // Tall cells: more samples fall in one, more contrast.
                v += hang * 0.64 * (lattice_noise(x * per_m * UPRIGHT, seed) - 0.5);
            }
            if hang < 1.0 {
                v += (1.0 - hang) * 0.92 * (lattice_noise(x * per_m, seed + 1) - 0.5);
            }
            v / spread
        };
        let fine_noise = |x: Vec3| blend(x, STRAND_PER_M, 307);
        let lock_noise = |x: Vec3| blend(x, LOCK_PER_M, 311);
        let mut fine = Window::new(fine_noise(p));
        let mut lock = Window::new(lock_noise(p));
        let per_lock_step = (LOCK_STEP_M / FINE_STEP_M).round() as usize;
        let per_turn = (TURN_M / FINE_STEP_M).round() as usize;
        let fine_steps = (FINE_REACH_M / FINE_STEP_M).round() as usize;
        let lock_steps = ((LOCK_REACH_M - FINE_REACH_M) / LOCK_STEP_M).round() as usize;
        for way in [1.0f32, -1.0] {
            let (mut x, mut heading) = (p, tangent * way);
            // Turns the streamline; false where it turns back.
            let turn = |x: &mut Vec3, heading: &mut Vec3| {
                *x = self.at_radius(*x, radius);
                let next = self.direction(*x, self.proxy_normal(*x)) * way;
                let onwards = next.dot(*heading) >= 0.0;
                *heading = next;
                onwards
            };
            let mut ended = false;
            for k in 1..=fine_steps {
                x += heading * FINE_STEP_M;
                let travelled = k as f32 * FINE_STEP_M;
                fine.add(fine_noise(x), 1.0 - travelled / FINE_REACH_M);
                if k % per_lock_step == 0 {
                    lock.add(lock_noise(x), 1.0 - travelled / LOCK_REACH_M);
                }
                if k % per_turn == 0 && !turn(&mut x, &mut heading) {
                    ended = true;
                    break;
                }
            }
            for k in 1..=lock_steps {
                if ended {
                    break;
                }
                x += heading * LOCK_STEP_M;
                let travelled = FINE_REACH_M + k as f32 * LOCK_STEP_M;
                lock.add(lock_noise(x), 1.0 - travelled / LOCK_REACH_M);
                ended = !turn(&mut x, &mut heading);
            }
        }
        // Averaging flattens the noise: scale both back to a standard
        // deviation of about 0.17 (measured over the head), so the
        // strands keep their contrast wherever the window is cut short.
        Strands {
            fine: (0.5 + 0.61 * fine.independent()).clamp(0.0, 1.0),
            lock: (0.5 + 2.6 * lock.mean()).clamp(0.0, 1.0),
            tone: value3(p * TONE_PER_M * TONE_UPRIGHT, 313),
            tangent,
        }
    }
}

/// Smooth value noise in 0..=1 with unit lattice spacing, like
/// `noise::value3` but hashing each lattice point once rather than once per
/// axis: the streamline windows take a hundred samples per texel.
fn lattice_noise(p: Vec3, seed: u32) -> f32 {
    let f = p.floor();
    let (x, y, z) = (f.x as i32 as u32, f.y as i32 as u32, f.z as i32 as u32);
    let t = p - f;
    let fade = |t: f32| t * t * (3.0 - 2.0 * t);
    let (u, v, w) = (fade(t.x), fade(t.y), fade(t.z));
    let corner = |dx: u32, dy: u32, dz: u32| {
        let key = (x.wrapping_add(dx)).wrapping_mul(0x8da6_b343)
            ^ (y.wrapping_add(dy)).wrapping_mul(0xd816_3841)
            ^ (z.wrapping_add(dz)).wrapping_mul(0xcb1a_b31f)
            ^ seed;
        hash(key) as f32 / u32::MAX as f32
    };
    let lerp = |a: f32, b: f32, t: f32| a + (b - a) * t;
    let face = |dz: u32| {
        lerp(
            lerp(corner(0, 0, dz), corner(1, 0, dz), u),
            lerp(corner(0, 1, dz), corner(1, 1, dz), u),
            v,
        )
    };
    lerp(face(0), face(1), w)
}

/// A weighted sum of centred noise samples along a streamline.
struct Window {
    sum: f32,
    weights: f32,
    squares: f32,
}

impl Window {
    fn new(centre: f32) -> Window {
        Window {
            sum: centre,
            weights: 1.0,
            squares: 1.0,
        }
    }

    fn add(&mut self, sample: f32, weight: f32) {
        self.sum += sample * weight;
        self.weights += weight;
        self.squares += weight * weight;
    }

    fn mean(&self) -> f32 {
        self.sum / self.weights
    }

    /// The sum scaled to the variance of one sample, were the samples
    /// independent.
    fn independent(&self) -> f32 {
        self.sum / self.squares.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::regions::HairStyle;

    fn head() -> Head {
        Head {
            eye_left: Vec3::new(0.03, 1.5, 0.1),
            eye_right: Vec3::new(-0.03, 1.5, 0.1),
            eye_radius: 0.012,
            center: Vec3::new(0.0, 1.53, 0.02),
            half_size: Vec3::new(0.075, 0.11, 0.1),
            style: HairStyle::Bob,
        }
    }

    /// A point on the proxy in direction `d` from the centre, with its normal.
    fn on_skull(comb: &Comb, d: Vec3) -> (Vec3, Vec3) {
        let p = comb.at_radius(comb.center + d * comb.half_size, 1.02);
        (p, comb.proxy_normal(p))
    }

    #[test]
    fn hair_parts_sweeps_over_the_forehead_and_hangs_behind() {
        let h = head();
        let comb = Comb::new(&h, 0.025, None);
        // On top, in front of the whorl, either side of the parting.
        let (p, n) = on_skull(&comb, Vec3::new(0.5, 0.8, 0.3));
        assert!(comb.direction(p, n).x > 0.5, "{:?}", comb.direction(p, n));
        let (p, n) = on_skull(&comb, Vec3::new(0.2, 0.8, 0.3));
        assert!(comb.direction(p, n).x < -0.5, "{:?}", comb.direction(p, n));
        // On the forehead, away from the parting: down and sideways.
        let (p, n) = on_skull(&comb, Vec3::new(-0.3, 0.3, 0.9));
        let d = comb.direction(p, n);
        assert!(d.x < -0.4 && d.y < -0.3, "{d:?}");
        // At the back and below the skull: hanging.
        for q in [Vec3::new(0.0, -0.3, -1.0), Vec3::new(1.0, -0.6, 0.0)] {
            let (p, n) = on_skull(&comb, q);
            assert!(
                comb.direction(p, n).y < -0.9,
                "{q}: {:?}",
                comb.direction(p, n)
            );
        }
        // Always tangent to the surface.
        let (p, n) = on_skull(&comb, Vec3::new(0.7, 0.2, 0.6));
        assert!(comb.direction(p, n).dot(n).abs() < 1e-4);
    }

    #[test]
    fn tied_back_hair_is_combed_towards_the_bun() {
        let h = head();
        let bun = h.center + Vec3::new(0.0, -0.03, -0.13);
        let comb = Comb::new(&h, 0.03, Some(bun));
        // From the forehead up, over the top back; from the temples back;
        // from the nape up.
        for (q, check) in [
            (Vec3::new(0.0, 0.3, 0.95), Vec3::Y),
            (Vec3::new(0.0, 0.95, 0.2), Vec3::NEG_Z),
            (Vec3::new(-0.9, 0.0, 0.4), Vec3::NEG_Z),
            (Vec3::new(0.0, -0.8, -0.9), Vec3::Y),
        ] {
            let (p, n) = on_skull(&comb, q);
            let d = comb.direction(p, n);
            assert!(d.dot(check) > 0.5, "{q}: {d:?}");
            assert!(d.dot(n).abs() < 1e-4);
        }
        // Either side of the middle on top, straight back: no parting.
        for x in [-0.3, 0.3] {
            let (p, n) = on_skull(&comb, Vec3::new(x, 0.8, 0.4));
            let d = comb.direction(p, n);
            assert!(d.x.abs() < 0.25 && d.z < -0.8, "{x}: {d:?}");
        }
    }

    #[test]
    fn strands_streak_along_the_combing_direction() {
        let h = head();
        let comb = Comb::new(&h, 0.025, None);
        // Around the side and back of the head the hair hangs; the pattern
        // changes far more across the strands (around the head) than along
        // them (down), over 3 mm, under a third of the averaging window.
        let (mut along, mut across) = (0.0f32, 0.0f32);
        for i in 0..24 {
            let phi = 0.9 + i as f32 * 0.1;
            let (p, n) = on_skull(&comb, Vec3::new(phi.sin(), -0.3, phi.cos()));
            let base = comb.strands(p, n).fine;
            let mut down = p;
            for _ in 0..15 {
                down += comb.direction(down, comb.proxy_normal(down)) * 0.0002;
            }
            along += (comb.strands(down, comb.proxy_normal(down)).fine - base).abs();
            let side = comb.at_radius(p + n.cross(Vec3::Y) * 0.003, comb.proxy_radius(p));
            across += (comb.strands(side, n).fine - base).abs();
        }
        assert!(across > 2.5 * along, "across {across} along {along}");
        let (p, n) = on_skull(&comb, Vec3::new(1.0, -0.3, 0.0));
        // The fine pattern has contrast, not a flat average.
        let values: Vec<f32> = (0..200)
            .map(|k| {
                let side = comb.at_radius(p + Vec3::Z * (k as f32 * 0.0003), 1.0);
                comb.strands(side, n).fine
            })
            .collect();
        let mean = values.iter().sum::<f32>() / values.len() as f32;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / 200.0).sqrt();
        assert!((0.35..0.65).contains(&mean), "mean {mean}");
        assert!(sd > 0.12, "sd {sd}");
    }
}
