//! The skin textures baked over the body UVs: base colour (tone, lips,
//! cheeks, brows, darker scalp under the hair), roughness, and a pore-scale
//! normal map so the skin does not look like plastic.

use glam::Vec3;

use super::data::Masks;
use super::noise::{fbm3, smoothstep, value3};
use super::part::Part;
use super::raster::Canvas;
use super::regions::Head;
use super::role::RoleSpec;

/// Per-vertex bake inputs: position (3), normal (3), hair coverage (1),
/// OBJ-convention UV (2) for the region masks.
const STRIDE: usize = 9;

fn attributes(body: &Part, head: &Head, male: f32) -> Vec<f32> {
    let mut attrs = Vec::with_capacity(body.positions.len() * STRIDE);
    for ((p, n), uv) in body.positions.iter().zip(&body.normals).zip(&body.uvs) {
        let cover = head.hair_coverage(*p, male);
        attrs.extend_from_slice(&[p.x, p.y, p.z, n.x, n.y, n.z, cover, uv[0], 1.0 - uv[1]]);
    }
    attrs
}

/// Brow density at `p` (0..=1): a tapered arch above each eye, broken into
/// hair-like strokes.
fn brow(p: Vec3, n: Vec3, head: &Head, male: f32) -> f32 {
    if n.z < 0.15 {
        return 0.0;
    }
    let r = head.eye_radius;
    let mut best: f32 = 0.0;
    for (eye, side) in [(head.eye_left, 1.0f32), (head.eye_right, -1.0)] {
        if p.z < eye.z - 1.5 * r {
            continue;
        }
        // Inner end near the nose, outer end past the eye corner.
        let lateral = (p.x - eye.x) * side;
        let t = (lateral + 1.05 * r) / (2.55 * r);
        if !(-0.05..=1.05).contains(&t) {
            continue;
        }
        let tc = t.clamp(0.0, 1.0);
        let arch = (std::f32::consts::PI * tc.powf(0.8)).sin();
        let centre_y = eye.y + r * (1.55 + 0.12 * male) + r * 0.32 * arch - r * 0.25 * tc;
        let half = r * (0.30 + 0.12 * male) * (1.0 - 0.65 * tc) + r * 0.05;
        let dy = (p.y - centre_y).abs();
        let along = smoothstep(-0.05, 0.06, t) * (1.0 - smoothstep(0.93, 1.05, t));
        let body = (1.0 - smoothstep(half * 0.55, half, dy)) * along;
        // Strokes: fine noise stretched along the brow direction.
        let strokes = value3(Vec3::new(p.x * 900.0, p.y * 5200.0, p.z * 900.0), 17);
        best = best.max(body * (0.6 + 0.4 * strokes));
    }
    best
}

pub struct SkinMaps {
    pub base_color: Canvas,
    pub roughness: Canvas,
    pub normal: Canvas,
}

pub fn bake(body: &Part, head: &Head, masks: &Masks, role: &RoleSpec, sizes: [u32; 3]) -> SkinMaps {
    let male = role.gender;
    let attrs = attributes(body, head, male);
    let skin = Vec3::from_array(role.skin_tone.linear());
    let lip = Vec3::from_array(role.lip_color.linear());
    let hair = Vec3::from_array(role.hair_color.linear());
    let blush_tint = Vec3::new(1.10, 0.86, 0.84);
    let r = head.eye_radius;

    let mut base = Canvas::new(sizes[0], 3, &skin.to_array());
    base.bake(&body.indices, &body.uvs, &attrs, STRIDE, |a, texel| {
        let p = Vec3::new(a[0], a[1], a[2]);
        let n = Vec3::new(a[3], a[4], a[5]);
        let cover = a[6];
        let uv = [a[7], a[8]];
        let mut c = skin;
        // Low-frequency mottling: real skin is never one flat colour.
        let mottle = fbm3(p * 60.0, 3, 5) - 0.5;
        c *= 1.0 + mottle * 0.16;
        let redness = fbm3(p * 25.0, 2, 9);
        c = c.lerp(c * blush_tint, redness * 0.25);
        // Cheeks and nose tip carry more blood.
        for (eye, side) in [(head.eye_left, 1.0f32), (head.eye_right, -1.0)] {
            let cheek = eye + Vec3::new(side * 0.35 * r, -2.1 * r, 0.2 * r);
            let d = ((p.x - cheek.x).powi(2) + (p.y - cheek.y).powi(2)).sqrt();
            if n.z > 0.0 && p.z > cheek.z - 2.0 * r {
                c = c.lerp(
                    c * blush_tint,
                    0.30 * (1.0 - male * 0.5) * (-d * d / (2.0 * (1.7 * r).powi(2))).exp(),
                );
            }
        }
        c = shade_face_regions(c, p, n, head, male);
        c = apply_masks(c, uv, masks, lip);
        // Scalp shows dark through the hair.
        c = c.lerp(hair * 0.6 + c * 0.15, cover * 0.85);
        c = hairline_fuzz(c, p, head, male, hair);
        let b = brow(p, n, head, male);
        c = c.lerp(hair * 0.55, b * 0.95);
        texel.copy_from_slice(&c.to_array());
    });
    base.dilate(6);

    let mut rough = Canvas::new(sizes[1], 3, &[1.0, 0.55, 0.0]);
    rough.bake(&body.indices, &body.uvs, &attrs, STRIDE, |a, texel| {
        let p = Vec3::new(a[0], a[1], a[2]);
        let n = Vec3::new(a[3], a[4], a[5]);
        let mut g = 0.58 + (fbm3(p * 40.0, 2, 21) - 0.5) * 0.14;
        // Lips are glossier; brow hair and the scalp under the hair are matte.
        let lips = masks.lips.sample([a[7], a[8]]);
        g *= 1.0 - lips * 0.2;
        let hairy = brow(p, n, head, male).max(a[6]);
        g += (0.85 - g) * hairy;
        texel.copy_from_slice(&[1.0, g, 0.0]);
    });
    rough.dilate(4);

    let mut height = Canvas::new(sizes[2], 1, &[0.5]);
    height.bake(&body.indices, &body.uvs, &attrs, STRIDE, |a, texel| {
        let p = Vec3::new(a[0], a[1], a[2]);
        // Pores and fine creases at 1-2 texels; no bumps large enough to
        // catch the light as lumps.
        let pores = value3(p * 800.0, 31);
        let fine = value3(p * 1700.0, 37);
        let soft = value3(p * 250.0, 41);
        texel[0] = pores * 0.6 + fine * 0.34 + soft * 0.06;
    });
    height.dilate(4);
    let normal = height_to_normal(&height, 1.2);
    SkinMaps {
        base_color: base,
        roughness: rough,
        normal,
    }
}

/// Below the hair's edge the hairline does not stop dead: fine short hairs
/// (upright strokes) thin out over a few millimetres, and a short crop
/// fades into stubble dots over a wider band.
fn hairline_fuzz(c: Vec3, p: Vec3, head: &Head, male: f32, hair: Vec3) -> Vec3 {
    let fuzz = head.hair_fuzz(p, male);
    if fuzz <= 0.0 {
        return c;
    }
    let marks = if head.long_hair {
        value3(Vec3::new(p.x * 2600.0, p.y * 500.0, p.z * 2600.0), 95)
    } else {
        value3(p * 2200.0, 97)
    };
    let density = fuzz * fuzz;
    let hairs = smoothstep(1.0 - density, 1.15 - density, marks);
    c.lerp(hair * 0.7 + c * 0.2, hairs * 0.75 + fuzz * 0.2)
}

/// Darker, cooler skin around the eyes (thin skin over the orbit) and, for
/// men, a faint shaved-beard shadow over the chin, jaw and upper lip.
fn shade_face_regions(c: Vec3, p: Vec3, n: Vec3, head: &Head, male: f32) -> Vec3 {
    if n.z < -0.3 {
        return c;
    }
    let r = head.eye_radius;
    let mut c = c;
    for eye in [head.eye_left, head.eye_right] {
        let d = Vec3::new(p.x - eye.x, (p.y - eye.y) * 1.4, 0.0).length();
        if p.z > eye.z - 2.0 * r {
            let w = (-d * d / (2.0 * (1.5 * r).powi(2))).exp();
            c = c.lerp(c * Vec3::new(0.86, 0.82, 0.84), w * 0.35);
        }
    }
    if male > 0.0 {
        let below_eyes = head.eye_y() - p.y;
        let band =
            smoothstep(0.045, 0.06, below_eyes) * (1.0 - smoothstep(0.115, 0.135, below_eyes));
        let lateral = 1.0 - smoothstep(0.05, 0.075, (p.x - head.center.x).abs());
        let front = smoothstep(-0.2, 0.3, n.z);
        let stubble = 0.7 + 0.3 * value3(p * 2500.0, 91);
        c = c.lerp(
            c * Vec3::new(0.78, 0.80, 0.84),
            male * band * lateral * front * stubble * 0.35,
        );
    }
    c
}

/// Lips, eyelids, ears and nails from MakeHuman's region masks (OBJ UVs).
fn apply_masks(c: Vec3, uv: [f32; 2], masks: &Masks, lip: Vec3) -> Vec3 {
    let lips = masks.lips.sample(uv);
    let lids = masks.eyelids.sample(uv);
    let ears = masks.ears.sample(uv);
    let nails = masks.fingernails.sample(uv);
    let mouth = masks.inside_mouth.sample(uv);
    let mut c = c.lerp(lip, smoothstep(0.0, 0.8, lips) * 0.85);
    c = c.lerp(c * Vec3::new(0.95, 0.86, 0.86), lids * 0.5);
    c = c.lerp(c * Vec3::new(1.08, 0.88, 0.86), ears * 0.3);
    c = c.lerp(c * 0.55 + Vec3::new(0.35, 0.25, 0.25), nails * 0.6);
    // The mouth cavity is dark and red, not skin coloured.
    c.lerp(Vec3::new(0.16, 0.035, 0.035), smoothstep(0.05, 0.6, mouth))
}

/// Tangent-space normals from a height field by central differences; X
/// along +u, Y along +v (the builder's tangents follow the same UVs).
pub fn height_to_normal(height: &Canvas, strength: f32) -> Canvas {
    let s = height.size as usize;
    let mut out = Canvas::new(height.size, 3, &[0.5, 0.5, 1.0]);
    let h = |x: usize, y: usize| height.data[y * s + x];
    for y in 0..s {
        for x in 0..s {
            let (xl, xr) = (x.saturating_sub(1), (x + 1).min(s - 1));
            let (yu, yd) = (y.saturating_sub(1), (y + 1).min(s - 1));
            let dx = (h(xr, y) - h(xl, y)) * strength;
            let dy = (h(x, yd) - h(x, yu)) * strength;
            let n = Vec3::new(-dx, -dy, 1.0).normalize();
            let i = (y * s + x) * 3;
            out.data[i..i + 3].copy_from_slice(&[
                n.x * 0.5 + 0.5,
                n.y * 0.5 + 0.5,
                n.z * 0.5 + 0.5,
            ]);
        }
    }
    out
}
