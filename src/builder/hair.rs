//! Short hair: an offset shell over the scalp, thick on the crown and thin
//! at a soft, irregular hairline, with a baked strand texture whose alpha
//! breaks the hairline into wisps.

use glam::Vec3;

use super::data::Masks;
use super::eye_tex::fit_uvs;
use super::noise::{fbm3, smoothstep, value3};
use super::part::Part;
use super::raster::Canvas;
use super::regions::Head;
use super::shell::offset_shell;

/// The hair shell over the body part, or `None` for a bald role.
pub fn hair_shell(
    body: &Part,
    head: &Head,
    masks: &Masks,
    male: f32,
    volume_m: f32,
) -> Option<Part> {
    let coverage: Vec<f32> = body
        .positions
        .iter()
        .zip(&body.uvs)
        .map(|(p, uv)| {
            // Hair never grows on the ears.
            let ears = masks.ears.sample([uv[0], 1.0 - uv[1]]);
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
        .map(|p| {
            let above = head.above_hairline(*p, male);
            // Fuller on top than over the ears and nape.
            let top = smoothstep(-0.6, 0.9, (p.y - head.center.y) / head.half_size.y);
            0.0012 + volume_m * smoothstep(0.0, 0.035, above) * (0.45 + 0.55 * top)
        })
        .collect();
    let (mut shell, _) = offset_shell(body, &tris, &offset, false, "hair");
    fit_uvs(&mut shell);
    Some(shell)
}

/// Direction short hair is combed: back over the top, down at the back and sides.
fn flow(p: Vec3, n: Vec3, head: &Head) -> Vec3 {
    let q = (p - head.center) / head.half_size;
    let wanted = Vec3::new(q.x * 0.6, -0.35 - 0.6 * (-q.z).max(0.0), -1.0);
    (wanted - n * n.dot(wanted)).normalize_or(Vec3::NEG_Z)
}

/// RGBA strand texture over the hair shell's (fitted) UVs.
pub fn bake_hair(hair: &Part, head: &Head, colour: [f32; 3], male: f32, size: u32) -> Canvas {
    let colour = Vec3::from_array(colour);
    let attrs: Vec<f32> = hair
        .positions
        .iter()
        .zip(&hair.normals)
        .flat_map(|(p, n)| {
            let f = flow(*p, *n, head);
            [p.x, p.y, p.z, f.x, f.y, f.z]
        })
        .collect();
    let mut canvas = Canvas::new(size, 4, &[colour.x, colour.y, colour.z, 0.0]);
    canvas.bake(&hair.indices, &hair.uvs, &attrs, 6, |a, texel| {
        let p = Vec3::new(a[0], a[1], a[2]);
        let f = Vec3::new(a[3], a[4], a[5]).normalize_or(Vec3::NEG_Z);
        // Anisotropic noise: fine across the strands, long along them.
        let along = p.dot(f);
        let across = p - f * along;
        let q = across * 2600.0 + f * (along * 110.0);
        let strands = value3(q, 71) * 0.65 + value3(q * 2.1, 73) * 0.35;
        let clumps = fbm3(p * 90.0, 2, 79);
        let c = colour * (0.45 + 0.9 * strands) * (0.8 + 0.4 * clumps);
        let above = head.above_hairline(p, male);
        let edge = smoothstep(-0.003, 0.009, above + (strands - 0.5) * 0.008);
        texel.copy_from_slice(&[c.x, c.y, c.z, edge]);
    });
    canvas.dilate(4);
    canvas
}
