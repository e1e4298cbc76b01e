//! Hair: an offset shell over the scalp, thick on the crown and thin at the
//! hairline, plus a curtain for longer styles (`hair_curtain`). The strand
//! textures are baked in `hair_tex` along the combing direction kept here.

use std::ops::Range;

use glam::Vec3;

use super::data::Masks;
use super::hair_bun::{Bun, add_bun};
use super::hair_curtain::{CAP_V_RANGE, add_curtain};
use super::hair_fringe as fringe;
use super::hair_uv::spherical_uvs;
use super::noise::{fbm3, smoothstep};
use super::part::Part;
use super::regions::{HairStyle, Head};
use super::shell::offset_shell;
use super::subdivide::subdivide_where;

/// Hair triangles whose normal's component towards a camera in front is
/// at most this are refined: they make the crown's outline.
const SILHOUETTE_MAX_FACING: f32 = 0.55;

/// How far below the hair's edge the hair mesh reaches, metres.
const EDGE_REACH_M: f32 = 0.01;

/// A hair mesh: the cap over the scalp plus, for longer styles, a curtain;
/// `along[v]` is -1 on the cap and 0..1 down the curtain.
pub struct Hair {
    pub part: Part,
    pub along: Vec<f32>,
    /// Per vertex: the unit direction the hair is combed (root to tip).
    pub flow: Vec<Vec3>,
    /// Where a visible parting runs (x, metres), if the style has one.
    pub parting_x: Option<f32>,
    /// The bun the hair is gathered into, and its vertices (after the cap's).
    pub bun: Option<(Bun, Range<usize>)>,
    /// Per vertex: where the skin under it is in the skin's texture, so the
    /// hair's edge can take on the skin's colour.
    pub skin_uv: Vec<[f32; 2]>,
}

impl Hair {
    /// Whether the inside of the hair can be seen at vertex `v`: all down
    /// the curtain (beside the cheeks, behind the neck), and along the
    /// cap's lower edge over the temples and above the ears, where it
    /// stands off the head and a camera a little below sees up under it.
    pub fn inside_shows(&self, v: usize, head: &Head, male: f32) -> bool {
        if self.along[v] >= 0.0 {
            return true;
        }
        let p = self.part.positions[v];
        head.style == HairStyle::Bob
            && head.azimuth(p).abs() > INSIDE_SHOWS_MIN_AZIMUTH
            && fringe::above_edge(head, p, male) < INSIDE_SHOWS_ABOVE_EDGE_M
    }
}

/// Where the cap's inside shows along its edge: from the temples back...
const INSIDE_SHOWS_MIN_AZIMUTH: f32 = 0.55;
/// ...within this height (metres) of the edge.
const INSIDE_SHOWS_ABOVE_EDGE_M: f32 = 0.02;

/// Where the cap's UVs go when a bun shares the texture: the bun gets the
/// bottom strip.
const BUN_CAP_V_RANGE: (f32, f32) = (0.0, 0.8);
const BUN_V_RANGE: (f32, f32) = (0.8, 1.0);

/// Scalp this far inside the hair's edge (metres) lies under the opaque
/// bulk of every style, clear of the hairline's thinning strands and of
/// the cap's edge, under which a camera below eye level looks.
const SCALP_HIDDEN_M: f32 = 0.03;

/// Leaves out of `body` the triangles the hair hides from every side:
/// every pixel of them would be shaded (the body is drawn first) and then
/// painted over by the hair.
pub fn leave_out_hidden_scalp(body: &mut Part, head: &Head, male: f32) {
    let hidden: Vec<bool> = body
        .positions
        .iter()
        .map(|&p| p.y > head.eye_y() && fringe::above_edge(head, p, male) > SCALP_HIDDEN_M)
        .collect();
    body.indices = body
        .indices
        .chunks_exact(3)
        .filter(|t| !t.iter().all(|&v| hidden[v as usize]))
        .flatten()
        .copied()
        .collect();
    body.compact();
}

/// A role's haircut, in metres.
#[derive(Debug, Clone, Copy)]
pub struct Haircut {
    /// Thickness on the crown.
    pub volume_m: f32,
    /// How far below eye level the hair reaches at the sides (0: short crop).
    pub length_m: f32,
    /// Width of the bun a `HairStyle::Bun` is gathered into.
    pub bun_m: f32,
}

/// The hair over the body part, or `None` for a bald role.
pub fn hair_shell(
    body: &Part,
    head: &Head,
    masks: &Masks,
    male: f32,
    cut: Haircut,
) -> Option<Hair> {
    let Haircut {
        volume_m,
        length_m,
        bun_m,
    } = cut;
    let coverage: Vec<f32> = body
        .positions
        .iter()
        .zip(&body.uvs)
        .map(|(p, uv)| {
            // Hair never grows on the ears: long hair's cap ends above
            // them, and hair combed back passes above and behind them.
            let ears = if head.style != HairStyle::Crop {
                0.0
            } else {
                masks.ears.sample([uv[0], 1.0 - uv[1]])
            };
            fringe::cover(head, *p, male) * (1.0 - smoothstep(0.2, 0.5, ears))
        })
        .collect();
    // The mesh reaches a little past the hair's edge, where the strand
    // texture thins to nothing: ending it at the edge would cut the strands
    // off along the base mesh's centimetre-sized triangles.
    let reaches: Vec<bool> = body
        .positions
        .iter()
        .zip(&coverage)
        .map(|(p, &c)| {
            // Only over the forehead and the temples above eye level:
            // lower down, at the sideburns, the skin moves with the jaw and
            // would show through a mesh reaching down over it.
            // Hair combed back clears the ears and the jaw everywhere.
            let a = head.azimuth(*p).abs();
            let front = a < 0.75 || (a < 1.3 && p.y > head.eye_y()) || head.style == HairStyle::Bun;
            c > 0.0 || (front && fringe::above_edge(head, *p, male) > -EDGE_REACH_M)
        })
        .collect();
    let tris: Vec<usize> = (0..body.indices.len() / 3)
        .filter(|&t| {
            let vs = [0, 1, 2].map(|k| body.indices[t * 3 + k] as usize);
            vs.iter().all(|&v| reaches[v]) && vs.iter().any(|&v| coverage[v] > 0.05)
        })
        .collect();
    if tris.is_empty() {
        return None;
    }
    let offset: Vec<f32> = body
        .positions
        .iter()
        .map(|p| hair_thickness(*p, head, male, volume_m))
        .collect();
    let (mut shell, _) = offset_shell(body, &tris, &offset, "hair");
    let long = head.style == HairStyle::Bob;
    // The skull's centimetre-sized triangles show as corners along the
    // crown's outline, long hair or short: one level of curved subdivision
    // rounds them. Only there (the top of the head, turned sideways to a
    // camera in front), as every triangle costs render time.
    let crown_y = head.center.y + 0.2 * head.half_size.y;
    subdivide_where(&mut shell, |part, t| {
        let [a, b, c] = t.map(|v| v as usize);
        let centroid = (part.positions[a] + part.positions[b] + part.positions[c]) / 3.0;
        let facing = (part.normals[a] + part.normals[b] + part.normals[c]).normalize_or_zero();
        centroid.y > crown_y && facing.z.abs() < SILHOUETTE_MAX_FACING
    });
    // A curtain takes the bottom strip of the texture.
    let cap_v_range = match head.style {
        HairStyle::Bob => CAP_V_RANGE,
        HairStyle::Bun => BUN_CAP_V_RANGE,
        HairStyle::Crop => (0.0, 1.0),
    };
    // Each vertex's place in the skin's texture, from the body vertex it
    // was made from (before the cap gets its own UVs).
    let body_uvs = shell.uvs.clone();
    let origin = spherical_uvs(&mut shell, head, cap_v_range);
    let mut skin_uv: Vec<[f32; 2]> = origin.iter().map(|&v| body_uvs[v as usize]).collect();
    // A bob shows its parting; hair combed back sleek into a bun has none,
    // and a short crop none to speak of.
    let parting_x = (head.style == HairStyle::Bob).then(|| parting_x(head));
    let cap_flow = |shell: &Part| -> Vec<Vec3> {
        shell
            .positions
            .iter()
            .zip(&shell.normals)
            .map(|(p, n)| flow(*p, *n, head))
            .collect()
    };
    if !long {
        let mut flow = cap_flow(&shell);
        let bun = (head.style == HairStyle::Bun).then(|| {
            let bun = Bun::place(head, &shell, bun_m);
            let added = add_bun(&mut shell, &bun, BUN_V_RANGE);
            flow.extend(
                added
                    .clone()
                    .map(|v| bun.direction(shell.positions[v], shell.normals[v])),
            );
            (bun, added)
        });
        let along = vec![-1.0; shell.positions.len()];
        skin_uv.resize(shell.positions.len(), [0.0; 2]);
        return Some(Hair {
            skin_uv,
            part: shell,
            along,
            flow,
            parting_x,
            bun,
        });
    }
    let head_points: Vec<Vec3> = body
        .positions
        .iter()
        .filter(|p| (**p - head.center).length() < 0.2)
        .copied()
        .collect();
    let mut flow = cap_flow(&shell);
    let curtain = add_curtain(&mut shell, head, &head_points, head.eye_y() - length_m);
    flow.extend(curtain.flow);
    skin_uv.resize(shell.positions.len(), [0.0; 2]);
    Some(Hair {
        skin_uv,
        part: shell,
        along: curtain.along,
        flow,
        parting_x,
        bun: None,
    })
}

/// Where the parting runs (x, metres): off to the role's left, as most
/// people part their hair. Long hair parts above the middle of the eye,
/// deep enough that the side fringe (see `hair_fringe`) sweeps across most
/// of the forehead; a crop shows no parting, but is combed apart nearer
/// the middle (this shapes its thickness and combing).
fn parting_x(head: &Head) -> f32 {
    let side = if head.style == HairStyle::Bob {
        0.5
    } else {
        0.35
    };
    head.center.x + head.half_size.x * side
}

/// Shell thickness: a thin layer at the hairline growing to `volume_m` on
/// the crown, flatter over the ears and nape, dipping along the parting.
fn hair_thickness(p: Vec3, head: &Head, male: f32, volume_m: f32) -> f32 {
    let above = fringe::above_edge(head, p, male);
    let top = smoothstep(-0.3, 0.95, (p.y - head.center.y) / head.half_size.y);
    let front = smoothstep(-0.2, 0.8, (p.z - head.center.z) / head.half_size.z);
    // Hair combed back sleek has no parting.
    let parting = if head.style == HairStyle::Bun {
        1.0
    } else {
        1.0 - 0.15 * (-((p.x - parting_x(head)) / 0.008).powi(2)).exp() * front * top
    };
    // Long hair stands off the sides of the head to fall clear of the ears.
    let sides = if head.style == HairStyle::Bob {
        0.014 * smoothstep(0.8, 1.4, head.azimuth(p).abs()) * (1.0 - top)
    } else {
        0.0
    };
    // Tufts: the thickness varies by a fifth over a few centimetres, so the
    // silhouette is not a smooth helmet.
    let tufts = 0.9 + 0.2 * fbm3(p * 45.0, 2, 141);
    // A fringe lies on the forehead, a few millimetres off it (the brows
    // rise under it).
    let fringe = 0.0025 * fringe::over_forehead(head, p, male);
    sides
        + fringe
        + 0.0012
        + volume_m * smoothstep(0.0, 0.07, above) * (0.15 + 0.85 * top) * parting * tufts
}

/// Direction short hair is combed: back over the top, down at the back and sides.
fn flow(p: Vec3, n: Vec3, head: &Head) -> Vec3 {
    let q = (p - head.center) / head.half_size;
    let side = (p.x - parting_x(head)).signum();
    let wanted = Vec3::new(side * 0.9 + q.x * 0.3, -0.35 - 0.6 * (-q.z).max(0.0), -0.7);
    (wanted - n * n.dot(wanted)).normalize_or(Vec3::NEG_Z)
}
