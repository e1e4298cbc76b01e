//! A bun: long hair combed back from the face and wound into a coil low on
//! the back of the head, as front-of-house staff often wear it.
//!
//! The bun is a rounded dome whose flat back faces away from the head; the
//! hair winds around its axis (which points back), so its strands run in
//! circles around the middle and the surface rises and falls in a spiral,
//! one coil of the wound rope to the next. Its front sinks into the hair
//! cap, which is combed towards it (see `hair_flow`).

use std::f32::consts::{PI, TAU};
use std::ops::Range;

use glam::Vec3;

use super::hair_flow::Strands;
use super::noise::value3;
use super::part::{Part, grid_triangles};
use super::regions::Head;

/// Rings from the back pole to the rim, and columns around the axis.
const ROWS: u32 = 24;
const COLUMNS: u32 = 48;
/// How far round from the back pole the surface runs (π would close it at
/// the front): the rest is buried in the hair cap.
const REACH: f32 = 0.78 * PI;
/// Height and depth of the bun for its width.
const HEIGHT_PER_WIDTH: f32 = 0.8;
const DEPTH_PER_WIDTH: f32 = 0.6;
/// How much of its depth the bun sinks into the hair cap.
const SUNK: f32 = 0.4;
/// The wound rope: turns of the spiral from the middle to the rim, and how
/// deep (a fraction of the radius) its coils stand out.
const COILS: f32 = 2.5;
const COIL_DEPTH: f32 = 0.025;
/// Strands across one coil of the rope, and how long their streaks run.
const STRANDS_PER_COIL: f32 = 16.0;
const STREAK_M: f32 = 0.03;
/// Texture margin around the bun's island, UV units.
const MARGIN: f32 = 0.02;

/// Where a bun sits and how large it is; its axis points straight back.
#[derive(Debug, Clone, Copy)]
pub struct Bun {
    pub center: Vec3,
    /// Half width, half height, depth.
    pub radii: Vec3,
}

impl Bun {
    /// A bun `width_m` wide, sunk into the back of `cap` (the hair cap)
    /// low on the back of the head, at eye level, where the skull starts
    /// curving in towards the nape.
    pub fn place(head: &Head, cap: &Part, width_m: f32) -> Bun {
        let y = head.eye_y();
        // The back of the hair at that height, in the middle.
        let back = cap
            .positions
            .iter()
            .filter(|p| (p.x - head.center.x).abs() < 0.015 && (p.y - y).abs() < 0.015)
            .map(|p| p.z)
            .fold(f32::INFINITY, f32::min);
        let back = if back.is_finite() {
            back
        } else {
            head.center.z - head.half_size.z
        };
        let radii = Vec3::new(
            width_m * 0.5,
            width_m * 0.5 * HEIGHT_PER_WIDTH,
            width_m * DEPTH_PER_WIDTH * 0.5,
        );
        Bun {
            center: Vec3::new(head.center.x, y, back - radii.z * (1.0 - 2.0 * SUNK)),
            radii,
        }
    }

    /// The surface at `phi` round from the back pole and `theta` around
    /// the axis. The back is flattened (a dome, not an egg), and the
    /// coils of the wound rope stand out in a spiral.
    fn surface(&self, phi: f32, theta: f32) -> Vec3 {
        let (s, c) = phi.sin_cos();
        let spiral = (TAU * coil_phase(s, theta)).sin();
        let coil = 1.0 + COIL_DEPTH * spiral * s;
        let back = c.signum() * c.abs().powf(0.6);
        self.center
            + Vec3::new(
                self.radii.x * s * theta.cos() * coil,
                self.radii.y * s * theta.sin() * coil,
                -self.radii.z * back * coil,
            )
    }

    /// Unit direction the hair is wound at `p` (surface normal `n`):
    /// around the axis.
    pub fn direction(&self, p: Vec3, n: Vec3) -> Vec3 {
        let d = (p - self.center) / self.radii;
        let around = Vec3::new(-d.y * self.radii.x, d.x * self.radii.y, 0.0);
        let t = around - n * n.dot(around);
        t.normalize_or(Vec3::X)
    }

    /// Where `p` is on the bun's face: its distance out from the axis (0
    /// in the middle, about 1 at the rim) and its angle around it (0..τ).
    fn polar(&self, p: Vec3) -> (f32, f32) {
        let d = p - self.center;
        let e = Vec3::new(d.x / self.radii.x, d.y / self.radii.y, 0.0);
        (e.length(), e.y.atan2(e.x).rem_euclid(TAU))
    }

    /// 1 on the crest of a coil of the wound rope, 0 in the groove
    /// between two coils (which the light hardly reaches).
    pub fn crest(&self, p: Vec3) -> f32 {
        let (rho, theta) = self.polar(p);
        0.5 + 0.5 * (TAU * coil_phase(rho, theta)).sin()
    }

    /// The strand pattern at `p`: streaks along the coils of the rope.
    /// Across them the noise follows the spiral's phase; along them it is
    /// sampled on a circle, so the streaks close around the axis. The
    /// phase itself steps by one coil once around: the pattern is faded
    /// from one side of that step to the other, so it shows no seam.
    pub fn strands(&self, p: Vec3, n: Vec3) -> Strands {
        let (rho, theta) = self.polar(p);
        let phase = coil_phase(rho, theta);
        let turn = theta / TAU;
        let mean = (self.radii.x + self.radii.y) * 0.5;
        let around = rho * mean / STREAK_M;
        let noise = |per_coil: f32, stretch: f32, seed: u32| {
            let at = |phase: f32| {
                let q = Vec3::new(
                    phase * per_coil,
                    theta.cos() * around / stretch,
                    theta.sin() * around / stretch,
                );
                value3(q, seed) - 0.5
            };
            let v = (1.0 - turn) * at(phase) + turn * at(phase + 1.0);
            // Fading two noises together flattens them: keep the contrast.
            v / ((1.0 - turn).powi(2) + turn * turn).sqrt()
        };
        let fine =
            0.6 * noise(STRANDS_PER_COIL, 1.0, 331) + 0.4 * noise(2.0 * STRANDS_PER_COIL, 1.0, 337);
        Strands {
            // Two octaves average towards 0.5: stretch back to the
            // combed cap's contrast.
            fine: (0.5 + 1.5 * fine).clamp(0.0, 1.0),
            lock: (0.5 + noise(4.0, 2.0, 347)).clamp(0.0, 1.0),
            tone: value3(p * 65.0, 353),
            tangent: self.direction(p, n),
        }
    }
}

/// The spiral's phase at `rho` out from the axis and `theta` around it:
/// whole numbers run along one groove of the wound rope.
fn coil_phase(rho: f32, theta: f32) -> f32 {
    rho * COILS - theta / TAU
}

/// Adds the bun's surface to `cap`, its texture coordinates in `v_range`
/// (the whole width of the texture); returns the vertices added. Each
/// vertex follows the skin nearest to it on the back of the head.
pub fn add_bun(cap: &mut Part, bun: &Bun, v_range: (f32, f32)) -> Range<usize> {
    let first = cap.positions.len();
    let rows = ROWS + 1;
    let columns = COLUMNS + 1;
    for i in 0..rows {
        let phi = REACH * i as f32 / ROWS as f32;
        for j in 0..columns {
            let theta = TAU * j as f32 / COLUMNS as f32;
            let p = bun.surface(phi, theta);
            // The normal from the surface's partial derivatives (at the
            // pole, where they vanish around it, the axis).
            let h = 1e-3;
            let dphi = bun.surface(phi + h, theta) - bun.surface((phi - h).max(0.0), theta);
            let dtheta = bun.surface(phi.max(h), theta + h) - bun.surface(phi.max(h), theta - h);
            let mut n = dphi.cross(dtheta).normalize_or(Vec3::NEG_Z);
            if n.dot(p - bun.center) < 0.0 {
                n = -n;
            }
            if i == 0 {
                n = Vec3::NEG_Z;
            }
            let source = cap.nearest_source(p).unwrap_or(0);
            cap.positions.push(p);
            cap.normals.push(n);
            cap.uvs.push([
                MARGIN + (1.0 - 2.0 * MARGIN) * j as f32 / COLUMNS as f32,
                v_range.0
                    + MARGIN * 0.5
                    + (v_range.1 - v_range.0 - MARGIN) * i as f32 / ROWS as f32,
            ]);
            cap.source.push(source);
            if !cap.midpoint_of.is_empty() {
                cap.midpoint_of.push(None);
            }
        }
    }
    // Wind the triangles so they face out: the first cell off the pole
    // (whose own row is degenerate) tells which way the grid's go.
    let mut tris = grid_triangles(first as u32, ROWS, COLUMNS, false);
    let [a, b, c] = [0, 1, 2].map(|k| cap.positions[tris[k + 6 * COLUMNS as usize] as usize]);
    if (b - a).cross(c - a).dot(a - bun.center) < 0.0 {
        for t in tris.chunks_exact_mut(3) {
            t.swap(1, 2);
        }
    }
    cap.indices.extend(tris);
    first..cap.positions.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::regions::HairStyle;

    fn bun() -> (Head, Bun) {
        let head = Head::for_tests(HairStyle::Bun);
        let cap = Part {
            positions: vec![head.center - Vec3::Z * 0.11 + Vec3::Y * 0.0],
            normals: vec![Vec3::NEG_Z],
            uvs: vec![[0.0; 2]],
            source: vec![7],
            ..Part::default()
        };
        let bun = Bun::place(&head, &cap, 0.075);
        (head, bun)
    }

    #[test]
    fn bun_sits_behind_the_head_and_faces_out() {
        let (head, bun) = bun();
        assert!(bun.center.z < head.center.z - head.half_size.z * 0.9);
        assert!((bun.center.y - head.eye_y()).abs() < 0.002);
        let mut part = Part::default();
        let added = add_bun(&mut part, &bun, (0.8, 1.0));
        assert_eq!(added.len(), ((ROWS + 1) * (COLUMNS + 1)) as usize);
        // Every triangle faces away from the bun's centre.
        for t in part.indices.chunks(3) {
            let [a, b, c] = [0, 1, 2].map(|k| part.positions[t[k] as usize]);
            let normal = (b - a).cross(c - a);
            if normal.length() > 1e-9 {
                assert!(normal.dot((a + b + c) / 3.0 - bun.center) > 0.0);
            }
        }
        // 7.5 cm wide, reaching back at most its depth from the hair.
        let xs = part.positions.iter().map(|p| p.x);
        let width = xs.clone().fold(f32::MIN, f32::max) - xs.fold(f32::MAX, f32::min);
        assert!((width - 0.075).abs() < 0.006, "{width}");
        assert!(part.uvs.iter().all(|uv| uv[1] >= 0.8 && uv[1] <= 1.0));
    }

    #[test]
    fn strands_wind_around_the_axis() {
        let (_, bun) = bun();
        // On the back face, right of the middle: wound up or down, not
        // out from the middle.
        let p = bun.surface(0.6, 0.0);
        let t = bun.direction(p, Vec3::NEG_Z);
        assert!(t.y.abs() > 0.9, "{t:?}");
        // The pattern changes faster across the strands (out from the
        // middle) than along them (around).
        let (mut across, mut along) = (0.0, 0.0);
        for k in 0..40 {
            let theta = k as f32 * 0.15 - 0.01;
            let base = bun.strands(bun.surface(0.9, theta), Vec3::NEG_Z).fine;
            across += (bun.strands(bun.surface(0.92, theta), Vec3::NEG_Z).fine - base).abs();
            along += (bun
                .strands(bun.surface(0.9, theta + 0.02), Vec3::NEG_Z)
                .fine
                - base)
                .abs();
        }
        assert!(across > 2.0 * along, "across {across} along {along}");
    }
}
