//! Where things are on the shaped body: head landmarks (eyes, crown), the
//! hair coverage over the scalp, and which skin is under which garment.

use glam::Vec3;

use super::data::BaseData;
use super::noise::{smooth_keys, smoothstep};
use super::shaped::Shaped;
use super::skeleton::{Influence, Skeleton};

/// Head landmarks in metres, world space at rest.
#[derive(Debug, Clone, Copy)]
pub struct Head {
    pub eye_left: Vec3,
    pub eye_right: Vec3,
    pub eye_radius: f32,
    /// Centre of the skull (between the ears, a little above the eyes).
    pub center: Vec3,
    /// Half extents of the skull's bounding box.
    pub half_size: Vec3,
    pub style: HairStyle,
}

/// How the role wears its hair: it decides where the hair's edge runs and
/// how it is combed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HairStyle {
    /// A short crop following the hairline, tightly textured.
    Crop,
    /// Hair hanging to the jaw from the widest part of the skull (its cap
    /// ends higher at the sides and back, see `hair_curtain`), with a side
    /// fringe (`hair_fringe`).
    Bob,
    /// Long hair combed back from the hairline into a bun at the back of
    /// the head (`hair_bun`): the face, the ears and the natural hairline
    /// show.
    Bun,
}

impl HairStyle {
    /// Straight strands that show where they are combed: a natural
    /// hairline of fine hairs, and a parting.
    pub fn combed(self) -> bool {
        self != HairStyle::Crop
    }
}

impl Head {
    /// A head of the base mesh's proportions for unit tests: eyes 6 cm
    /// apart at 1.5 m, its centre 3 cm above them.
    #[cfg(test)]
    pub fn for_tests(style: HairStyle) -> Head {
        Head {
            eye_left: Vec3::new(0.03, 1.5, 0.1),
            eye_right: Vec3::new(-0.03, 1.5, 0.1),
            eye_radius: 0.012,
            center: Vec3::new(0.0, 1.53, 0.0),
            half_size: Vec3::new(0.075, 0.115, 0.1),
            style,
        }
    }

    pub fn new(
        base: &BaseData,
        shaped: &Shaped,
        skeleton: &Skeleton,
        influences: &[Influence],
    ) -> Head {
        let eye = |group: &str| -> (Vec3, f32) {
            let verts = base.group_vertices(group);
            let n = verts.len().max(1) as f32;
            let c: Vec3 = verts
                .iter()
                .map(|&v| shaped.positions[v as usize])
                .sum::<Vec3>()
                / n;
            let r = verts
                .iter()
                .map(|&v| shaped.positions[v as usize].distance(c))
                .sum::<f32>()
                / n;
            (c, r)
        };
        let (eye_left, r_left) = eye("helper-l-eye");
        let (eye_right, r_right) = eye("helper-r-eye");
        let head_joint = skeleton.index("mixamorig:Head").unwrap_or(0) as u8;
        let eye_y = (eye_left.y + eye_right.y) * 0.5;
        // The skull: body vertices bound to the head joint, above the mouth.
        let (mut lo, mut hi) = (Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY));
        for range in base.vertex_groups.get("body").into_iter().flatten() {
            for v in range[0]..=range[1] {
                let inf = influences[v as usize];
                let p = shaped.positions[v as usize];
                if inf.joints[0] == head_joint && inf.weights[0] > 0.9 && p.y > eye_y - 0.04 {
                    lo = lo.min(p);
                    hi = hi.max(p);
                }
            }
        }
        if !lo.is_finite() {
            lo = eye_left.min(eye_right) - Vec3::splat(0.09);
            hi = eye_left.max(eye_right) + Vec3::splat(0.09);
        }
        Head {
            eye_left,
            eye_right,
            eye_radius: (r_left + r_right) * 0.5,
            center: (lo + hi) * 0.5,
            half_size: (hi - lo) * 0.5,
            style: HairStyle::Crop,
        }
    }

    pub fn eye_y(&self) -> f32 {
        (self.eye_left.y + self.eye_right.y) * 0.5
    }

    /// Azimuth around the vertical axis: 0 in front, ±π at the back.
    pub fn azimuth(&self, p: Vec3) -> f32 {
        let d = p - self.center;
        d.x.atan2(d.z)
    }

    /// Height of the hairline above eye level at azimuth `phi`, metres.
    pub fn hairline(&self, phi: f32, male: f32) -> f32 {
        let a = phi.abs();
        // Front, temple, sideburn, above ear, behind ear, back, nape. A
        // woman's hairline is rounder: it falls off earlier towards the
        // temples, where a man's stays squarer.
        let female = 1.0 - male;
        // Hair combed back into a bun shows the whole natural hairline: a
        // high, rounded forehead, clear of the ears, down to the nape.
        let tied_back: [(f32, f32); 9] = [
            (0.0, 0.078),
            (0.40, 0.073),
            (0.80, 0.054),
            (1.15, 0.030),
            (1.45, 0.038),
            (1.75, 0.018),
            (2.05, -0.035),
            (2.50, -0.062),
            (std::f32::consts::PI, -0.070),
        ];
        let keys: [(f32, f32); 8] = [
            (0.0, 0.074 + 0.002 * male),
            (0.40, 0.071 + 0.006 * male - 0.005 * female),
            (0.80, 0.058 + 0.006 * male - 0.007 * female),
            (1.15, 0.022),
            (1.45, 0.028),
            (1.95, 0.000),
            (2.50, -0.040),
            (std::f32::consts::PI, -0.052),
        ];
        let scale = self.half_size.y / 0.115;
        let keys: &[(f32, f32)] = if self.style == HairStyle::Bun {
            &tied_back
        } else {
            &keys
        };
        let mut h = smooth_keys(keys, a);
        if self.style == HairStyle::Bob {
            h = h.max(0.042 * smoothstep(0.85, 1.25, a));
        }
        h * scale
    }

    /// How much hair covers the scalp at `p`: 0 on the face, 1 well above
    /// the hairline; `male` lifts the hairline a little at the temples.
    pub fn hair_coverage(&self, p: Vec3, male: f32) -> f32 {
        let h = self.hairline(self.azimuth(p), male);
        smoothstep(h - 0.003, h + 0.006, p.y - self.eye_y())
    }

    /// A soft band just below the hairline (0..1, 1 at the line): where a
    /// natural hairline has fine short hairs, and a faded crop (short
    /// hair) its stubble, over a wider band.
    pub fn hair_fuzz(&self, p: Vec3, male: f32) -> f32 {
        let h = self.hairline(self.azimuth(p), male);
        let width = if self.style.combed() { 0.006 } else { 0.016 };
        smoothstep(h - width, h + 0.003, p.y - self.eye_y())
    }

    /// Height above the hairline, metres (negative below it).
    pub fn above_hairline(&self, p: Vec3, male: f32) -> f32 {
        p.y - self.eye_y() - self.hairline(self.azimuth(p), male)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hair_combed_back_shows_the_forehead_and_covers_the_nape() {
        let crop = Head::for_tests(HairStyle::Crop);
        let bun = Head::for_tests(HairStyle::Bun);
        let bob = Head::for_tests(HairStyle::Bob);
        // A woman's forehead shows more of itself with her hair combed back.
        assert!(bun.hairline(0.0, 0.0) > crop.hairline(0.0, 0.0));
        // Above the ear it clears the ear's top (about 2.5 cm above the
        // eyes), where a bob's cap ends higher still.
        assert!(bun.hairline(1.45, 0.0) > 0.033);
        assert!(bob.hairline(1.45, 0.0) > bun.hairline(1.45, 0.0));
        // At the back it comes down to the nape, further than a crop.
        assert!(bun.hairline(std::f32::consts::PI, 0.0) < -0.06);
        assert!(bun.hairline(3.0, 0.0) < crop.hairline(3.0, 0.0));
        // Combed styles have a natural hairline's narrow band of fine hairs.
        assert!(bun.style.combed() && bob.style.combed() && !crop.style.combed());
    }
}

/// What covers a vertex of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cover {
    Skin,
    Shirt,
    Trousers,
    Shoes,
}

/// The garment over each base vertex, decided by which bones move it.
pub fn cover_by_vertex(skeleton: &Skeleton, influences: &[Influence]) -> Vec<Cover> {
    let cover_of_joint: Vec<Cover> = skeleton
        .names
        .iter()
        .map(|name| {
            let n = name.trim_start_matches("mixamorig:");
            if n.starts_with("Spine")
                || n.ends_with("Shoulder")
                || n.ends_with("Arm")
                || n.ends_with("ForeArm")
            {
                Cover::Shirt
            } else if n == "Hips" || n.ends_with("UpLeg") || n.ends_with("Leg") {
                Cover::Trousers
            } else if n.ends_with("Foot") || n.ends_with("ToeBase") {
                Cover::Shoes
            } else {
                Cover::Skin
            }
        })
        .collect();
    influences
        .iter()
        .map(|inf| {
            let mut sums = [0.0f32; 4];
            for k in 0..4 {
                let c = cover_of_joint
                    .get(inf.joints[k] as usize)
                    .copied()
                    .unwrap_or(Cover::Skin);
                sums[c as usize] += inf.weights[k];
            }
            let best = (0..4)
                .max_by(|&a, &b| sums[a].total_cmp(&sums[b]).then(b.cmp(&a)))
                .unwrap_or(0);
            [Cover::Skin, Cover::Shirt, Cover::Trousers, Cover::Shoes][best]
        })
        .collect()
}

/// Height of the uniform's neckline relative to the neck joint at azimuth
/// `phi` around the neck (0 = front): high at the back, a shallow V in front.
pub fn neckline_offset(phi: f32) -> f32 {
    let c = phi.cos();
    -0.006 + 0.012 * (-c).max(0.0) - 0.045 * c.max(0.0).powi(4)
}

pub fn neck_azimuth(p: Vec3, neck: Vec3) -> f32 {
    (p.x - neck.x).atan2(p.z - neck.z)
}

/// Whether `p` is in the neckline's neighbourhood (the neck and collar bones).
pub fn near_neck(p: Vec3, neck: Vec3) -> bool {
    let radial = Vec3::new(p.x - neck.x, 0.0, p.z - neck.z).length();
    radial < 0.12 && p.y > neck.y - 0.12 && p.y < neck.y + 0.08
}

/// Redraws the shirt's top edge as a smooth neckline around the neck joint,
/// instead of wherever the neck bone's weights happen to end.
pub fn apply_neckline(cover: &mut [Cover], positions: &[Vec3], neck: Vec3) {
    for (c, p) in cover.iter_mut().zip(positions) {
        if !near_neck(*p, neck) || !matches!(c, Cover::Skin | Cover::Shirt) {
            continue;
        }
        let line = neck.y + neckline_offset(neck_azimuth(*p, neck));
        *c = if p.y > line {
            Cover::Skin
        } else {
            Cover::Shirt
        };
    }
}

/// Where the collar's top edge goes for a shirt vertex at `p`: on a smooth
/// curve above the neckline, lower towards the open front.
pub fn collar_top(p: Vec3, neck: Vec3, height: f32) -> f32 {
    let phi = neck_azimuth(p, neck);
    let h = height * smoothstep(0.3, 0.9, phi.abs());
    neck.y + neckline_offset(phi) + h
}
