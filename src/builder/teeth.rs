//! Teeth and gums. MakeHuman's teeth helpers are two plain horseshoe bands
//! with no single tooth in them: an open mouth showed a white slab. This
//! builds real dentition along the same arches: seven crowns per quadrant
//! (incisors thin at the edge, pointed canines, broad premolars and molars)
//! with gaps between them, and a scalloped gum line (`gums`), sized from
//! the helper so every body shape keeps its bite.
//!
//! Each tooth follows one helper vertex of its own arch (its skin weights
//! and morph deltas), so it moves with the jaw as a rigid unit instead of
//! being torn between neighbouring deltas.

use glam::{Vec2, Vec3};

use super::gums::add_gums;
use super::part::{Part, grid_triangles};
use super::raster::Canvas;

/// Crown widths along the arch, from the midline back, in millimetres
/// (adult averages: central and lateral incisor, canine, two premolars,
/// two molars).
const UPPER_WIDTH_MM: [f32; 7] = [8.6, 6.6, 7.6, 7.0, 6.6, 10.2, 9.0];
const LOWER_WIDTH_MM: [f32; 7] = [5.4, 5.9, 6.9, 7.0, 7.1, 11.0, 10.4];
/// How far the upper incisors' edges reach below the upper helper's lowest
/// point. The helper ends behind the upper lip's line, where crowns
/// hide whenever the mouth opens; a young adult's upper incisors show a
/// few millimetres below a relaxed upper lip, as in "aa" or "f".
const UPPER_BELOW_HELPER_M: f32 = 0.0025;
/// Visible crown heights, gum line to edge.
const UPPER_HEIGHT_MM: [f32; 7] = [10.4, 9.0, 10.0, 8.4, 7.8, 7.0, 6.6];
const LOWER_HEIGHT_MM: [f32; 7] = [9.0, 9.2, 10.4, 8.4, 8.0, 7.6, 7.2];
/// Thickness front to back.
const UPPER_DEPTH_MM: [f32; 7] = [7.0, 6.2, 8.0, 9.2, 9.0, 11.0, 10.6];
const LOWER_DEPTH_MM: [f32; 7] = [5.8, 6.2, 7.6, 7.8, 8.4, 10.6, 10.2];

/// Rings from the gum line to the edge and segments around a crown.
const RINGS: usize = 4;
const SEGMENTS: usize = 12;

/// How far the crowns' outer faces sit inside the helper's, in metres.
const INSET_M: f32 = 0.001;
/// Crowns built per quadrant: up to the first molar; the second molar
/// never shows and would reach into the cheek.
pub(super) const CROWNS_SHOWN: usize = 6;

/// Where the baked texture keeps the gums (v ≥ this); teeth above it.
pub(super) const GUM_V: f32 = 0.5;

/// One dental arch fitted to its helper: a centre line along the labial
/// (outer) surface, with the edge height and the direction the crowns grow.
pub(super) struct Arch {
    /// Outer surface points from the midline to the back of one side, at
    /// x ≥ 0, with their arc length in metres.
    outline: Vec<(Vec2, f32)>,
    /// Height of the biting edge at the midline.
    pub(super) edge_y: f32,
    /// +1 when crowns grow downwards from the gum (upper arch), -1 upwards.
    down: f32,
    /// Millimetres to metres, times the arch's size relative to the
    /// average crowns above.
    pub(super) scale: f32,
    /// A point inside the arch, about which it curves.
    centre: Vec2,
}

impl Arch {
    /// Fits an arch to a helper band. None when the band is empty or flat.
    fn fit(helper: &Part, upper: bool, widths_mm: &[f32]) -> Option<Arch> {
        if helper.positions.len() < 8 {
            return None;
        }
        let (lo, hi) = bounds(&helper.positions);
        // The outline is the outermost helper vertex in each angular bin
        // around a point inside the arch, mirrored to x ≥ 0 (the helpers are
        // symmetric; averaging both sides removes mesh noise).
        let centre = Vec2::new(0.0, lo.z + (hi.z - lo.z) * 0.35);
        const BINS: usize = 10;
        const QUARTER: f32 = std::f32::consts::FRAC_PI_2;
        let mut radius = [0.0f32; BINS];
        for (p, n) in helper.positions.iter().zip(&helper.normals) {
            let q = Vec2::new(p.x.abs(), p.z) - centre;
            // Only the outer (labial and buccal) surface: its normal points
            // away from the inside of the arch.
            let normal = Vec2::new(n.x * p.x.signum(), n.z);
            if normal.dot(q.normalize_or_zero()) < 0.3 {
                continue;
            }
            // 0 at the front (+z), π/2 at the side.
            let angle = q.x.atan2(q.y).clamp(0.0, QUARTER - 1e-4);
            let bin = (angle / QUARTER * BINS as f32) as usize;
            radius[bin] = radius[bin].max(q.length());
        }
        // Empty bins take their neighbours' radius; then a light smoothing
        // removes the helper's facets.
        let filled: Vec<(usize, f32)> = radius
            .iter()
            .enumerate()
            .filter(|(_, r)| **r > 0.0)
            .map(|(i, r)| (i, *r))
            .collect();
        if filled.len() < 4 {
            return None;
        }
        for (i, r) in radius.iter_mut().enumerate() {
            if *r == 0.0 {
                *r = filled
                    .iter()
                    .min_by_key(|(j, _)| j.abs_diff(i))
                    .map_or(0.0, |(_, r)| *r);
            }
        }
        let smooth: Vec<f32> = (0..BINS)
            .map(|i| {
                let prev = radius[i.saturating_sub(1)];
                let next = radius[(i + 1).min(BINS - 1)];
                0.25 * prev + 0.5 * radius[i] + 0.25 * next
            })
            .collect();
        let mut points: Vec<Vec2> = (0..=BINS)
            .map(|i| {
                let angle = QUARTER * i as f32 / BINS as f32;
                let r = smooth[i.min(BINS - 1)];
                centre + Vec2::new(angle.sin(), angle.cos()) * r
            })
            .collect();
        // Starts exactly on the midline so the two central incisors meet.
        points[0].x = 0.0;
        // Crowns stand a little inside the helper's outer surface and never
        // wider than it: lips and cheeks lie close over the helper.
        let half_width = lo.x.abs().min(hi.x.abs());
        for p in points.iter_mut() {
            let inward = (centre - *p).normalize_or_zero();
            *p += inward * INSET_M;
            p.x = p.x.min(half_width - INSET_M);
        }
        let mut outline = Vec::with_capacity(points.len());
        let mut s = 0.0;
        for (i, p) in points.iter().enumerate() {
            if i > 0 {
                s += p.distance(points[i - 1]);
            }
            outline.push((*p, s));
        }
        let front: Vec<&Vec3> = helper
            .positions
            .iter()
            .filter(|p| p.x.abs() < (hi.x - lo.x) * 0.1)
            .collect();
        let edge_y = if upper {
            front.iter().map(|p| p.y).fold(f32::INFINITY, f32::min) - UPPER_BELOW_HELPER_M
        } else {
            front.iter().map(|p| p.y).fold(f32::NEG_INFINITY, f32::max)
        };
        let crowns_mm: f32 = widths_mm.iter().sum();
        Some(Arch {
            scale: s / crowns_mm,
            outline,
            edge_y,
            down: if upper { 1.0 } else { -1.0 },
            centre,
        })
    }

    /// Point on the outline at arc length `s` (clamped), and the outward
    /// normal there (in x, z).
    pub(super) fn at(&self, s: f32) -> (Vec2, Vec2) {
        let last = self.outline.len() - 1;
        let i = self
            .outline
            .iter()
            .position(|(_, t)| *t >= s)
            .unwrap_or(last)
            .clamp(1, last);
        let ((a, sa), (b, sb)) = (self.outline[i - 1], self.outline[i]);
        let f = ((s - sa) / (sb - sa).max(1e-6)).clamp(0.0, 1.0);
        let tangent = (b - a).normalize_or(Vec2::X);
        (a.lerp(b, f), Vec2::new(-tangent.y, tangent.x))
    }

    fn length(&self) -> f32 {
        self.outline.last().map_or(0.0, |(_, s)| *s)
    }
}

fn bounds(points: &[Vec3]) -> (Vec3, Vec3) {
    points.iter().fold(
        (Vec3::splat(f32::MAX), Vec3::splat(f32::MIN)),
        |(lo, hi), p| (lo.min(*p), hi.max(*p)),
    )
}

pub(super) fn nearest_source(helper: &Part, p: Vec3) -> u32 {
    helper.nearest_source(p).unwrap_or(0)
}

/// The shape of one crown.
struct Crown {
    kind: usize,
    /// Centre of the crown's labial face on the gum line.
    gum: Vec3,
    along: Vec3,
    out: Vec3,
    /// Unit vector from the gum line towards the biting edge.
    grow: Vec3,
    width: f32,
    height: f32,
    depth: f32,
    /// Texture u: 0 at the midline, 1 at the back.
    u: f32,
}

impl Crown {
    /// Surface point at ring parameter `t` (0 gum .. 1 edge) and angle `a`
    /// around the crown (0 facing out).
    fn point(&self, t: f32, a: f32) -> (Vec3, Vec3) {
        let incisor = self.kind < 2;
        let canine = self.kind == 2;
        // Incisors are blades: thick at the gum, thin at the edge; the rest
        // taper a little. All are slightly narrower at the gum (the neck).
        let half_depth = self.depth
            * 0.5
            * if incisor {
                1.0 - 0.7 * t
            } else {
                1.0 - 0.25 * t
            };
        // Neighbours touch over the lower half and part a little towards
        // the gum: the gum band does not reach down between the crowns, so
        // a deeper neck shows the dark mouth through every gap.
        let half_width = self.width * 0.5 * (0.9 + 0.1 * (t / 0.5).min(1.0));
        // A rounded box (superellipse, exponent 4) in cross-section.
        let (s, c) = a.sin_cos();
        let sx = s.signum() * s.abs().sqrt();
        let sz = c.signum() * c.abs().sqrt();
        let across = sx * half_width;
        let outward = sz * half_depth - half_depth;
        // Corners of the edge are rounded; canines come to a point.
        let corner = (across / half_width).powi(2);
        let drop = if canine {
            0.16 * corner
        } else if incisor {
            0.06 * corner.powi(3)
        } else {
            0.12 * corner
        };
        let along_height = self.height * t * (1.0 - drop * t);
        let p = self.gum + self.along * across + self.out * outward + self.grow * along_height;
        // The superellipse's gradient: (x³/a⁴, z³/b⁴) with x = a·sx, z = b·sz.
        let n = (self.along * sx.powi(3) / half_width.max(1e-5)
            + self.out * sz.powi(3) / half_depth.max(1e-5))
        .normalize_or(self.out);
        (p, n)
    }
}

/// Builds the teeth and gums, one part sharing one small texture, from the
/// two helper bands. An arch is left out when its helper is empty (a custom
/// base mesh without teeth).
pub fn dentition(upper: &Part, lower: &Part) -> Part {
    let mut teeth = Part {
        name: "teeth".to_string(),
        ..Part::default()
    };
    let mut gums = Part {
        name: "gums".to_string(),
        ..Part::default()
    };
    let arches = [
        (upper, true, UPPER_WIDTH_MM, UPPER_HEIGHT_MM, UPPER_DEPTH_MM),
        (
            lower,
            false,
            LOWER_WIDTH_MM,
            LOWER_HEIGHT_MM,
            LOWER_DEPTH_MM,
        ),
    ];
    for (helper, is_upper, widths, heights, depths) in arches {
        let Some(arch) = Arch::fit(helper, is_upper, &widths) else {
            continue;
        };
        let grow = Vec3::Y * -arch.down;
        for side in [1.0f32, -1.0] {
            let mut s = 0.0;
            for kind in 0..CROWNS_SHOWN {
                let width = widths[kind] * arch.scale;
                let centre_s = s + width * 0.5;
                s += width;
                let (p, n) = arch.at(centre_s);
                let (ahead, _) = arch.at(centre_s + 1e-3);
                let along =
                    Vec3::new((ahead.x - p.x) * side, 0.0, ahead.y - p.y).normalize_or(Vec3::X);
                let out = Vec3::new(n.x * side, 0.0, n.y).normalize_or(Vec3::Z);
                let height = heights[kind] * arch.scale;
                // Back teeth sit a little higher in the bite (curve of Spee).
                let spee = 0.06 * height * (centre_s / arch.length()).powi(2);
                let edge = arch.edge_y + arch.down * spee;
                // A flat-faced crown on a tangent stands out of the curve at
                // its corners by the sagitta; set it back by that much.
                let sagitta = width * width / (8.0 * p.distance(arch.centre).max(1e-3));
                let gum = Vec3::new(p.x * side, edge, p.y) - grow * height - out * sagitta;
                let crown = Crown {
                    kind,
                    gum,
                    along,
                    out,
                    grow,
                    width,
                    height,
                    depth: depths[kind] * arch.scale,
                    u: centre_s / arch.length(),
                };
                let source = nearest_source(helper, gum + grow * height * 0.5);
                add_crown(&mut teeth, &crown, source, side < 0.0);
            }
        }
        add_gums(&mut gums, helper, &arch, grow, &widths);
    }
    let offset = teeth.positions.len() as u32;
    teeth.positions.extend(gums.positions);
    teeth.normals.extend(gums.normals);
    teeth.uvs.extend(gums.uvs);
    teeth.source.extend(gums.source);
    teeth
        .indices
        .extend(gums.indices.iter().map(|i| i + offset));
    teeth
}

fn add_crown(part: &mut Part, crown: &Crown, source: u32, mirrored: bool) {
    let first = part.positions.len() as u32;
    let row = SEGMENTS as u32 + 1;
    for ring in 0..=RINGS {
        let t = ring as f32 / RINGS as f32;
        for seg in 0..=SEGMENTS {
            let a = std::f32::consts::TAU * seg as f32 / SEGMENTS as f32;
            let (p, n) = crown.point(t, a);
            part.positions.push(p);
            part.normals.push(n);
            // Teeth darken towards the back of the mouth and the gum.
            part.uvs.push([crown.u, GUM_V * (0.05 + 0.9 * (1.0 - t))]);
            part.source.push(source);
        }
    }
    // The biting edge: a fan closing the last ring around its centre.
    let edge_ring = &part.positions[part.positions.len() - SEGMENTS - 1..part.positions.len() - 1];
    let tip = edge_ring.iter().copied().sum::<Vec3>() / SEGMENTS as f32;
    let centre = part.positions.len() as u32;
    part.positions.push(tip);
    part.normals.push(crown.grow);
    part.uvs.push([crown.u, GUM_V * 0.05]);
    part.source.push(source);
    // Counter-clockwise seen from outside; the mirror image and the lower
    // arch (crowns growing upwards) flip the winding.
    let flip = mirrored != (crown.grow.y > 0.0);
    part.indices
        .extend(grid_triangles(first, RINGS as u32, SEGMENTS as u32, flip));
    let last = first + RINGS as u32 * row;
    for seg in 0..SEGMENTS as u32 {
        let (a, b) = (last + seg, last + seg + 1);
        part.indices
            .extend(if flip { [a, b, centre] } else { [a, centre, b] });
    }
}

/// The colour of teeth and gums over their UVs: ivory crowns, a little
/// translucent grey at the edges of the front teeth, darkening towards the
/// back of the mouth and the gum line (the mouth's occlusion), and pink
/// gums.
pub fn bake_teeth(size: u32) -> Canvas {
    Canvas::paint(size, |u, v| {
        // Deeper in the mouth the teeth are shaded by the cheeks and lips;
        // lit like the incisors, the far side's molars showed through an
        // open mouth as a white block.
        let back = 1.0 - 0.7 * u.powf(0.9);
        let rgb = if v < GUM_V {
            let t = v / GUM_V;
            // t: 0.05 at the edge .. 0.95 at the gum.
            // Warm but not yellow: in the mouth's shade a yellow ivory turns olive.
            let ivory = Vec3::new(0.9, 0.84, 0.76);
            let edge_grey = Vec3::new(0.62, 0.6, 0.6);
            let edge = (1.0 - t / 0.25).clamp(0.0, 1.0) * (1.0 - u * 3.0).clamp(0.0, 1.0);
            let neck = ((t - 0.7) / 0.3).clamp(0.0, 1.0);
            ivory.lerp(edge_grey, edge * 0.35) * (1.0 - 0.2 * neck) * back
        } else {
            let gum = Vec3::new(0.50, 0.16, 0.16);
            gum * back
        };
        rgb.to_array()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A horseshoe band like MakeHuman's teeth helpers: outer and inner
    /// walls of a U, 25 mm across, `y0..y1` high, vertices sourced from
    /// `first_source` on.
    fn helper(y0: f32, y1: f32, first_source: u32) -> Part {
        let mut part = Part::default();
        let centre = Vec3::new(0.0, 0.0, 0.10);
        for wall in [0.025f32, 0.017] {
            for step in 0..=20 {
                let angle = (step as f32 / 20.0 - 0.5) * 2.0 * 1.7;
                let out = Vec3::new(angle.sin(), 0.0, angle.cos());
                for y in [y0, y1] {
                    part.positions.push(centre + out * wall + Vec3::Y * y);
                    part.normals.push(if wall > 0.02 { out } else { -out });
                    part.source.push(first_source + part.source.len() as u32);
                }
            }
        }
        part
    }

    #[test]
    fn crowns_follow_their_own_arch_inside_the_helper() {
        let (upper, lower) = (helper(1.50, 1.52, 0), helper(1.48, 1.50, 1000));
        let teeth = dentition(&upper, &lower);
        let crown_vertices = (RINGS + 1) * (SEGMENTS + 1) + 1;
        let crowns = 2 * 2 * CROWNS_SHOWN;
        assert!(teeth.positions.len() > crowns * crown_vertices);
        for (i, p) in teeth
            .positions
            .iter()
            .enumerate()
            .take(crowns * crown_vertices)
        {
            let crown = i / crown_vertices;
            let source = teeth.source[i];
            // The first half of the crowns is the upper arch.
            let upper_crown = crown < crowns / 2;
            assert_eq!(
                source < 1000,
                upper_crown,
                "crown {crown} follows the wrong arch"
            );
            // One source per crown: it moves as a rigid unit.
            assert_eq!(source, teeth.source[crown * crown_vertices]);
            // Within a fifth of a millimetre of the outer wall (flat crown
            // faces on this tight test curve); lips and cheeks lie several
            // millimetres outside the helpers.
            let radial = Vec3::new(p.x, 0.0, p.z - 0.10).length();
            assert!(
                radial < 0.0252,
                "crown {crown} pokes out of the helper: {p}"
            );
            assert!(p.x.abs() < 0.025, "{p}");
            // Upper crowns hang from 1.52 down past the helper's edge at
            // 1.50, to show below the upper lip.
            if upper_crown {
                let bite = 1.50 - UPPER_BELOW_HELPER_M;
                assert!(p.y >= bite - 1e-4 && p.y < 1.52, "{p}");
            } else {
                assert!(p.y <= 1.50 + 1e-4 && p.y > 1.48, "{p}");
            }
        }
    }

    #[test]
    fn triangles_face_the_way_their_normals_do() {
        let teeth = dentition(&helper(1.50, 1.52, 0), &helper(1.48, 1.50, 1000));
        let (mut agree, mut total) = (0, 0);
        for t in teeth.indices.chunks_exact(3) {
            let [a, b, c] = [t[0], t[1], t[2]].map(|i| teeth.positions[i as usize]);
            let face = (b - a).cross(c - a);
            if face.length() < 1e-12 {
                continue;
            }
            let normal: Vec3 = t.iter().map(|&i| teeth.normals[i as usize]).sum();
            total += 1;
            agree += usize::from(face.dot(normal) > 0.0);
        }
        // Back-face culling would hide any crown wound the wrong way.
        assert!(agree * 100 >= total * 97, "{agree} of {total}");
    }

    #[test]
    fn no_helper_no_teeth() {
        let teeth = dentition(&Part::default(), &Part::default());
        assert!(teeth.indices.is_empty() && teeth.positions.is_empty());
    }

    #[test]
    fn front_teeth_are_lighter_than_back_teeth_and_gums_are_pink() {
        let canvas = bake_teeth(64);
        let texel = |u: f32, v: f32| {
            let (x, y) = ((u * 63.0) as usize, (v * 63.0) as usize);
            let i = (y * 64 + x) * 3;
            Vec3::from_slice(&canvas.data[i..i + 3])
        };
        let front = texel(0.05, GUM_V * 0.5);
        let back = texel(0.95, GUM_V * 0.5);
        let gum = texel(0.1, 0.8);
        assert!(
            front.element_sum() > back.element_sum() * 1.4,
            "{front} {back}"
        );
        assert!(front.min_element() > 0.6, "{front}");
        assert!(gum.x > gum.y * 2.0, "{gum}");
    }
}
