//! Short hair: an offset shell over the scalp, thick on the crown and thin
//! at a soft, irregular hairline, with a baked strand texture whose alpha
//! breaks the hairline into wisps.

use glam::Vec3;

use super::data::Masks;
use super::eye_tex::fit_uvs;
use super::hair_curtain::{CAP_V_RANGE, CURTAIN_MIN_AZIMUTH, add_curtain};
use super::noise::{fbm3, smoothstep, value3};
use super::part::Part;
use super::raster::Canvas;
use super::regions::Head;
use super::shell::offset_shell;

/// A hair mesh: the cap over the scalp plus, for longer styles, a curtain;
/// `along[v]` is -1 on the cap and 0..1 down the curtain.
pub struct Hair {
    pub part: Part,
    pub along: Vec<f32>,
    /// Whether there is a curtain (the cap's side and back edges stay opaque).
    pub long: bool,
}

/// The hair over the body part, or `None` for a bald role. `length_m` is
/// how far below eye level the hair reaches at the sides (0: short crop).
pub fn hair_shell(
    body: &Part,
    head: &Head,
    masks: &Masks,
    male: f32,
    volume_m: f32,
    length_m: f32,
) -> Option<Hair> {
    let coverage: Vec<f32> = body
        .positions
        .iter()
        .zip(&body.uvs)
        .map(|(p, uv)| {
            // Hair never grows on the ears (long hair's cap ends above them).
            let ears = if head.long_hair {
                0.0
            } else {
                masks.ears.sample([uv[0], 1.0 - uv[1]])
            };
            head.hair_coverage(*p, male) * (1.0 - smoothstep(0.2, 0.5, ears))
        })
        .collect();
    let tris: Vec<usize> = (0..body.indices.len() / 3)
        .filter(|&t| {
            let vs = [0, 1, 2].map(|k| body.indices[t * 3 + k] as usize);
            vs.iter().all(|&v| coverage[v] > 0.0) && vs.iter().any(|&v| coverage[v] > 0.05)
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
    fit_uvs(&mut shell);
    let long = length_m > 0.01;
    if !long {
        let along = vec![-1.0; shell.positions.len()];
        return Some(Hair {
            part: shell,
            along,
            long,
        });
    }
    for uv in &mut shell.uvs {
        uv[1] = CAP_V_RANGE.0 + (CAP_V_RANGE.1 - CAP_V_RANGE.0) * (uv[1] - 0.02) / 0.96;
    }
    let head_points: Vec<Vec3> = body
        .positions
        .iter()
        .filter(|p| (**p - head.center).length() < 0.2)
        .copied()
        .collect();
    let along = add_curtain(&mut shell, head, &head_points, head.eye_y() - length_m);
    Some(Hair {
        part: shell,
        along,
        long,
    })
}

/// Where the parting runs (x, metres from the head's centre line): off to
/// the role's left, as most people part their hair.
fn parting_x(head: &Head) -> f32 {
    head.center.x + head.half_size.x * 0.35
}

/// Shell thickness: a thin layer at the hairline growing to `volume_m` on
/// the crown, flatter over the ears and nape, dipping along the parting.
fn hair_thickness(p: Vec3, head: &Head, male: f32, volume_m: f32) -> f32 {
    let above = head.above_hairline(p, male);
    let top = smoothstep(-0.3, 0.95, (p.y - head.center.y) / head.half_size.y);
    let front = smoothstep(-0.2, 0.8, (p.z - head.center.z) / head.half_size.z);
    let parting = 1.0 - 0.55 * (-((p.x - parting_x(head)) / 0.007).powi(2)).exp() * front * top;
    // Long hair stands off the sides of the head to fall clear of the ears.
    let sides = if head.long_hair {
        0.014 * smoothstep(0.8, 1.4, head.azimuth(p).abs()) * (1.0 - top)
    } else {
        0.0
    };
    sides + 0.0012 + volume_m * smoothstep(0.0, 0.07, above) * (0.15 + 0.85 * top) * parting
}

/// Direction short hair is combed: back over the top, down at the back and sides.
fn flow(p: Vec3, n: Vec3, head: &Head) -> Vec3 {
    let q = (p - head.center) / head.half_size;
    let side = (p.x - parting_x(head)).signum();
    let wanted = Vec3::new(side * 0.9 + q.x * 0.3, -0.35 - 0.6 * (-q.z).max(0.0), -0.7);
    (wanted - n * n.dot(wanted)).normalize_or(Vec3::NEG_Z)
}

/// RGBA strand texture over the hair's UVs: strands follow the combing
/// direction on the cap and hang straight down the curtain.
pub fn bake_hair(hair: &Hair, head: &Head, colour: [f32; 3], male: f32, size: u32) -> Canvas {
    let colour = Vec3::from_array(colour);
    let part = &hair.part;
    let attrs: Vec<f32> = part
        .positions
        .iter()
        .zip(&part.normals)
        .zip(&hair.along)
        .flat_map(|((p, n), &t)| {
            let f = if t >= 0.0 {
                Vec3::NEG_Y
            } else {
                flow(*p, *n, head)
            };
            [p.x, p.y, p.z, f.x, f.y, f.z, t]
        })
        .collect();
    let mut canvas = Canvas::new(size, 4, &[colour.x, colour.y, colour.z, 0.0]);
    canvas.bake(&part.indices, &part.uvs, &attrs, 7, |a, texel| {
        let p = Vec3::new(a[0], a[1], a[2]);
        let f = Vec3::new(a[3], a[4], a[5]).normalize_or(Vec3::NEG_Z);
        // Anisotropic noise: fine across the strands, long along them.
        let along = p.dot(f);
        let across = p - f * along;
        let q = across * 2600.0 + f * (along * 110.0);
        let strands = value3(q, 71) * 0.65 + value3(q * 2.1, 73) * 0.35;
        let clumps = fbm3(p * 90.0, 2, 79);
        let c = colour * (0.45 + 0.9 * strands) * (0.8 + 0.4 * clumps);
        let alpha = if a[6] >= 0.0 {
            // Curtain: opaque, with ragged ends.
            1.0 - smoothstep(0.8, 1.0, a[6] + (strands - 0.5) * 0.25)
        } else {
            let above = head.above_hairline(p, male);
            let wisps = value3(p * 400.0, 83) - 0.5;
            // Short hair thins out over a wider band: skin shows between
            // strands near the hairline instead of a hard cap edge.
            let (band, grain) = if hair.long {
                (0.012, 0.010)
            } else {
                (0.02, 0.018)
            };
            let edge = smoothstep(
                -0.004,
                band,
                above + (strands - 0.5) * grain + wisps * 0.008,
            );
            // Where a curtain hangs from the cap's edge, the edge stays opaque.
            let hangs = if hair.long {
                smoothstep(
                    CURTAIN_MIN_AZIMUTH - 0.1,
                    CURTAIN_MIN_AZIMUTH + 0.1,
                    head.azimuth(p).abs(),
                )
            } else {
                0.0
            };
            edge.max(hangs)
        };
        texel.copy_from_slice(&[c.x, c.y, c.z, alpha]);
    });
    canvas.dilate(4);
    canvas
}
