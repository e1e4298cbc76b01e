//! The skin textures baked over the body UVs: base colour (tone, lips,
//! cheeks, brows, darker scalp under the hair), roughness, and a pore-scale
//! normal map so the skin does not look like plastic.

use glam::Vec3;

use super::cavity::vertex_cavity;
use super::data::{Mask, Masks};
use super::hair_fringe as fringe;
use super::lash_line::LashLine;
use super::noise::{fbm3, smoothstep, value3};
use super::occlusion::vertex_occlusion;
use super::part::Part;
use super::raster::Canvas;
use super::regions::{HairStyle, Head};
use super::role::RoleSpec;

/// Per-vertex bake inputs: position (3), normal (3), hair coverage (1),
/// OBJ-convention UV (2) for the region masks, cavity (1), the fraction
/// of the sky open to it (1).
const STRIDE: usize = 11;

/// How much darker (and warmer: light that reaches into a fold has been
/// through the skin) a point hidden from the whole sky is.
const OCCLUDED: Vec3 = Vec3::new(0.62, 0.5, 0.48);
/// How much of that a point gets for each part of its sky it cannot see.
const OCCLUSION_STRENGTH: f32 = 0.75;

fn attributes(body: &Part, head: &Head, male: f32) -> Vec<f32> {
    let cavity = vertex_cavity(body, 2);
    let open = vertex_occlusion(body, head);
    let mut attrs = Vec::with_capacity(body.positions.len() * STRIDE);
    for ((((p, n), uv), cav), open) in body
        .positions
        .iter()
        .zip(&body.normals)
        .zip(&body.uvs)
        .zip(&cavity)
        .zip(&open)
    {
        let cover = head.hair_coverage(*p, male);
        attrs.extend_from_slice(&[
            p.x,
            p.y,
            p.z,
            n.x,
            n.y,
            n.z,
            cover,
            uv[0],
            1.0 - uv[1],
            *cav,
            *open,
        ]);
    }
    attrs
}

/// Folds and hollows are darker and a little redder (light scatters
/// through the skin before it gets out), ridges a touch lighter.
fn occlude(c: Vec3, cavity: f32) -> Vec3 {
    let hollow = smoothstep(0.005, 0.09, cavity);
    let ridge = smoothstep(0.01, 0.1, -cavity);
    c * Vec3::ONE.lerp(Vec3::new(0.72, 0.6, 0.58), hollow * 0.85) * (1.0 + 0.06 * ridge)
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
        // A man's brows sit lower and flatter, and are fuller: set high
        // and arched they gave leo a surprised look.
        let centre_y =
            eye.y + r * (1.45 - 0.04 * male) + r * (0.32 - 0.16 * male) * arch - r * 0.25 * tc;
        let half = r * (0.25 + 0.22 * male) * (1.0 - 0.6 * tc) + r * 0.05;
        let dy = (p.y - centre_y).abs();
        let along = smoothstep(-0.05, 0.06, t) * (1.0 - smoothstep(0.93, 1.05, t));
        // A woman's brows have crisp, groomed edges: with a man's soft
        // falloff a review saw blurry paint with a halo.
        let woman = 1.0 - male;
        let edge = (half * (0.3 + 0.3 * woman), half * (1.25 - 0.2 * woman));
        let body = (1.0 - smoothstep(edge.0, edge.1, dy)) * along;
        if body <= 0.0 {
            continue;
        }
        // Hairs grow up and out at the inner end, then flatten and turn
        // down along the tail: noise stretched along that direction (~4 mm
        // hairs, ~0.7 mm apart), so the brow reads as strokes, not a smudge.
        // Two layers of hairs a little apart in angle cross each other, as
        // real brow hairs do; strokes narrower than a texel would alias
        // into even stripes. `lengthwise` and `across` are measured
        // outwards from the nose on either side, so the brows mirror.
        let (dx, dy_) = (p.x - eye.x, p.y - eye.y);
        let mut hairs: f32 = 0.0;
        for (k, turn) in [(0u32, 0.12f32), (1, -0.12)] {
            let angle = 1.3 - 1.2 * tc + turn;
            let (sin, cos) = angle.sin_cos();
            let lengthwise = dx * cos * side + dy_ * sin;
            let across = -dx * sin * side + dy_ * cos;
            let strokes = value3(
                Vec3::new(lengthwise * 380.0, across * 1500.0, p.z * 300.0),
                17 + 2 * k,
            );
            hairs = hairs.max(smoothstep(0.45, 0.8, strokes));
        }
        // Dense in the middle of the brow, single hairs at its edges.
        // Gaps between the strokes let the skin through: at 0.45 a
        // woman's brows read as pale and grey at portrait size.
        let solid = 0.82 - 0.17 * male;
        let density =
            body * (solid + (1.0 - solid) * hairs) * smoothstep(0.0, 0.45, body + hairs * 0.3);
        best = best.max(density);
    }
    best
}

pub struct SkinMaps {
    pub base_color: Canvas,
    pub roughness: Canvas,
    pub normal: Canvas,
}

pub fn bake(
    body: &Part,
    head: &Head,
    masks: &Masks,
    lash_line: &LashLine,
    role: &RoleSpec,
    sizes: [u32; 3],
) -> SkinMaps {
    let male = role.gender;
    let attrs = attributes(body, head, male);
    let skin = Vec3::from_array(role.skin_tone.linear());
    let lip = Vec3::from_array(role.lip_color.linear());
    let hair = Vec3::from_array(role.hair_color.linear());
    let blush_tint = Vec3::new(1.10, 0.86, 0.84);
    let r = head.eye_radius;
    let seam_y = lip_seam_height(&attrs, masks);
    // A bob's curtain hangs a centimetre or two outside the ears: they lie
    // in its deep shade. Lit like the cheek, they showed as pale slivers
    // between the cheek and the hair; in shade they read as the shadow
    // inside the hair.
    let ear_shade = if head.style == HairStyle::Bob {
        EAR_UNDER_BOB_SHADE
    } else {
        0.0
    };

    let mut base = Canvas::new(sizes[0], 3, &skin.to_array());
    base.bake(&body.indices, &body.uvs, &attrs, STRIDE, |a, texel| {
        let p = Vec3::new(a[0], a[1], a[2]);
        let n = Vec3::new(a[3], a[4], a[5]);
        let cover = a[6];
        let uv = [a[7], a[8]];
        let mut c = skin;
        // Low-frequency mottling: real skin is never one flat colour.
        let mottle = fbm3(p * 60.0, 3, 5) - 0.5;
        c *= 1.0 + mottle * 0.2;
        let redness = fbm3(p * 25.0, 2, 9);
        c = c.lerp(c * blush_tint, redness * 0.25);
        // Fine pigment: freckle-scale blotches a few millimetres across.
        c *= 1.0 + (value3(p * 420.0, 13) - 0.5) * 0.07 + (value3(p * 1300.0, 15) - 0.5) * 0.04;
        // Nose, chin and ears carry more blood than the rest of the face.
        c = c.lerp(
            c * blush_tint,
            face_redness(p, n, head) * (0.6 - 0.3 * male),
        );
        // Cheeks and nose tip carry more blood.
        for (eye, side) in [(head.eye_left, 1.0f32), (head.eye_right, -1.0)] {
            let cheek = eye + Vec3::new(side * 0.35 * r, -2.1 * r, 0.2 * r);
            let d = ((p.x - cheek.x).powi(2) + (p.y - cheek.y).powi(2)).sqrt();
            if n.z > 0.0 && p.z > cheek.z - 2.0 * r {
                c = c.lerp(
                    c * blush_tint,
                    // A woman's cheeks a little rosier, as with blush.
                    (0.30 + 0.25 * (1.0 - male))
                        * (1.0 - male * 0.5)
                        * (-d * d / (2.0 * (1.7 * r).powi(2))).exp(),
                );
            }
        }
        c = shade_face_regions(c, p, n, head, male);
        c = occlude(c, a[9]);
        c = c.lerp(c * OCCLUDED, (1.0 - a[10]) * OCCLUSION_STRENGTH);
        c = apply_masks(c, uv, masks, lip, p, seam_y, ear_shade);
        // Scalp shows dark through the hair.
        c = c.lerp(hair * 0.6 + c * 0.15, cover * 0.85);
        c = hairline_fuzz(c, p, head, male, hair);
        c *= 1.0 - FRINGE_SHADOW * fringe_shadow(p, head, male);
        let b = brow(p, n, head, male);
        c = c.lerp(hair * 0.7, b * 0.96);
        if let Some(d) = lash_line.distance(p) {
            // A woman's line a little bolder, as with a touch of liner.
            let width = LASH_LINE_M * (1.0 - 0.4 * male);
            let line = 1.0 - smoothstep(0.4 * width, width, d);
            c = c.lerp(
                hair * 0.35 + Vec3::splat(0.005),
                line * (0.85 - 0.25 * male),
            );
        }
        texel.copy_from_slice(&c.to_array());
    });
    base.dilate(6);

    let mut rough = Canvas::new(sizes[1], 3, &[1.0, 0.55, 0.0]);
    rough.bake(&body.indices, &body.uvs, &attrs, STRIDE, |a, texel| {
        let p = Vec3::new(a[0], a[1], a[2]);
        let n = Vec3::new(a[3], a[4], a[5]);
        // Skin's oils give it a soft sheen: at 0.63 it was matte, and a
        // review called the darker role's skin muddy; at 0.52, oily.
        let mut g = 0.57 + (fbm3(p * 40.0, 2, 21) - 0.5) * 0.14;
        // The T-zone (forehead, nose, chin) is oilier, so shinier.
        g *= 1.0 - 0.12 * t_zone(p, n, head);
        // Lips are glossier (moist, a highlight along the lower lip; a
        // man's less, or it reads as lip gloss); brow hair and the scalp
        // under the hair are matte.
        let lips = masks.lips.sample([a[7], a[8]]);
        g *= 1.0 - lips * (0.3 - 0.12 * male);
        let hairy = brow(p, n, head, male).max(a[6]);
        g += (0.85 - g) * hairy;
        texel.copy_from_slice(&[1.0, g, 0.0]);
    });
    rough.dilate(4);

    let mut height = Canvas::new(sizes[2], 1, &[0.5]);
    height.bake(&body.indices, &body.uvs, &attrs, STRIDE, |a, texel| {
        let p = Vec3::new(a[0], a[1], a[2]);
        let n = Vec3::new(a[3], a[4], a[5]);
        // Pores: small dimples, denser and deeper on the nose and cheeks;
        // fine creases between them. Nothing large enough to catch the
        // light as lumps.
        let pores = smoothstep(0.55, 0.85, value3(p * 1400.0, 31));
        let deep = 0.5 + 0.5 * t_zone(p, n, head).max(cheeks(p, n, head));
        let fine = value3(p * 1700.0, 37);
        let soft = value3(p * 250.0, 41);
        let mut h = 0.55 - pores * 0.12 * deep + fine * 0.1 + soft * 0.08;
        // Lips: fine vertical lines.
        let lips = masks.lips.sample([a[7], a[8]]);
        if lips > 0.05 {
            let wobble = value3(p * 300.0, 43) * 2.5;
            let lines = ((p.x * std::f32::consts::TAU / 0.0016 + wobble).sin() * 0.5 + 0.5).powi(3);
            h -= lines * 0.07 * smoothstep(0.05, 0.5, lips);
        }
        texel[0] = h;
    });
    height.dilate(4);
    let normal = height_to_normal(&height, 0.8);
    SkinMaps {
        base_color: base,
        roughness: rough,
        normal,
    }
}

/// How much darker the ears are under a bob's curtain.
const EAR_UNDER_BOB_SHADE: f32 = 0.85;

/// How far above and below the lips' seam the wetter, deeper-coloured inner
/// lip shows, metres.
const LIP_INNER_M: f32 = 0.004;

/// How far from the lashes' roots the dark line along the upper lid
/// reaches, metres.
const LASH_LINE_M: f32 = 0.0016;

/// How much darker the skin is just under a fringe's ends.
const FRINGE_SHADOW: f32 = 0.3;

/// The soft shadow a fringe casts on the forehead under it and just below
/// its ends (0..1): it hangs a few millimetres off the skin, under a light
/// from above. The key light's shadow map is too coarse to draw it, and
/// without it the fringe looked pasted on. (The fringe is cut 4 mm below
/// its edge line; see `hair_tex::cap_density`.)
fn fringe_shadow(p: Vec3, head: &Head, male: f32) -> f32 {
    if fringe::fringe_dip(head, head.azimuth(p)) <= 0.0 {
        return 0.0;
    }
    let above = fringe::above_edge(head, p, male);
    smoothstep(-0.003, 0.005, above) * (1.0 - head.hair_coverage(p, male))
}

/// Below the hair's edge the hairline does not stop dead: fine short hairs
/// (upright strokes) thin out over a few millimetres, and a short crop
/// fades into stubble dots over a wider band.
fn hairline_fuzz(c: Vec3, p: Vec3, head: &Head, male: f32, hair: Vec3) -> Vec3 {
    // Hair combed back thins out on its own mesh, taking on the skin's
    // colour (see `hair_tex`): hairs painted below it drew a dark line.
    if head.style == HairStyle::Bun {
        return c;
    }
    // Sideburns: dense short hair, nearly the crop's colour where they
    // leave it (a lighter brown drew a step at the temple), in
    // millimetre-sized tufts; finer marks alias into blocks on the skin's
    // texels.
    let burn = sideburn(p, head, male);
    let c = if burn > 0.0 {
        let tufts = value3(p * 900.0, 99);
        c.lerp(hair * 0.85 + c * 0.1, burn * (0.6 + 0.35 * tufts))
    } else {
        c
    };
    let fuzz = head.hair_fuzz(p, male);
    if fuzz <= 0.0 {
        return c;
    }
    let marks = if head.style.combed() {
        value3(Vec3::new(p.x * 2600.0, p.y * 500.0, p.z * 2600.0), 95)
    } else {
        value3(p * 2200.0, 97)
    };
    let density = fuzz * fuzz;
    let hairs = smoothstep(1.0 - density, 1.15 - density, marks);
    c.lerp(hair * 0.7 + c * 0.2, hairs * 0.35 + fuzz * 0.55)
}

/// A man's short crop has sideburns: in front of the ear, from the
/// hairline down to about two centimetres below eye level, slanting back
/// and narrowing to a point as they run down (0..1). Painted on the skin,
/// not grown on the hair mesh, so they move with the jaw's skin. Without
/// them the crop ended above the ear like a cap; cut square, a review read
/// them as blocks.
fn sideburn(p: Vec3, head: &Head, male: f32) -> f32 {
    if head.style != HairStyle::Crop || male < 0.5 {
        return 0.0;
    }
    let a = head.azimuth(p).abs();
    let below_eye = p.y - head.eye_y();
    let down = (-below_eye).max(0.0);
    let taper = 1.0 - (down / 0.02).min(1.0);
    let half_width = 0.08 * taper;
    if half_width <= 0.0 {
        return 0.0;
    }
    let centre = 1.33 + 1.5 * down;
    let across = 1.0 - smoothstep(0.5 * half_width, half_width, (a - centre).abs());
    let fade = smoothstep(-0.02, 0.004, below_eye);
    across * fade * smoothstep(0.5, 1.0, male)
}

/// Gaussian falloff of distance `d` with width `w`.
fn bell(d: f32, w: f32) -> f32 {
    (-d * d / (2.0 * w * w)).exp()
}

/// Front of the face only (not the back of the head at the same height).
fn facing_front(p: Vec3, n: Vec3, head: &Head) -> f32 {
    smoothstep(0.0, 0.3, n.z) * smoothstep(-0.2, 0.4, (p.z - head.center.z) / head.half_size.z)
}

/// Forehead centre, nose and chin: 0..1.
fn t_zone(p: Vec3, n: Vec3, head: &Head) -> f32 {
    let r = head.eye_radius;
    let (x, y) = (p.x - head.center.x, p.y - head.eye_y());
    let forehead = bell(x, 2.2 * r)
        * smoothstep(1.8 * r, 3.0 * r, y)
        * (1.0 - smoothstep(5.0 * r, 6.5 * r, y));
    let nose =
        bell(x, 0.9 * r) * smoothstep(-3.6 * r, -2.8 * r, y) * (1.0 - smoothstep(0.0, 1.2 * r, y));
    let chin = bell(x, 1.6 * r) * bell(y + 7.2 * r, 1.0 * r);
    forehead.max(nose).max(chin) * facing_front(p, n, head)
}

/// The cheeks below the eyes: 0..1.
fn cheeks(p: Vec3, n: Vec3, head: &Head) -> f32 {
    let r = head.eye_radius;
    let x = (p.x - head.center.x).abs();
    bell(x - 2.6 * r, 1.3 * r)
        * bell(p.y - head.eye_y() + 2.3 * r, 1.3 * r)
        * facing_front(p, n, head)
}

/// Where the skin is redder: the nose tip and wings, the chin, the ears.
fn face_redness(p: Vec3, n: Vec3, head: &Head) -> f32 {
    let r = head.eye_radius;
    let (x, y) = (p.x - head.center.x, p.y - head.eye_y());
    let nose = bell(x, 1.2 * r) * bell(y + 3.2 * r, 0.9 * r) * facing_front(p, n, head);
    let chin = bell(x, 1.4 * r) * bell(y + 7.3 * r, 0.9 * r) * facing_front(p, n, head) * 0.5;
    // Ears: beside the head, at eye to nose height.
    let side = smoothstep(0.6, 0.95, x.abs() / head.half_size.x);
    let ears = side * bell(y + 1.5 * r, 2.2 * r) * (1.0 - facing_front(p, n, head));
    nose.max(chin).max(ears * 0.8)
}

/// Darker, cooler skin around the eyes (thin skin over the orbit) and, for
/// men, a faint shaved-beard shadow over the chin, jaw and upper lip.
fn shade_face_regions(c: Vec3, p: Vec3, n: Vec3, head: &Head, male: f32) -> Vec3 {
    if n.z < -0.3 {
        return c;
    }
    let r = head.eye_radius;
    let female = 1.0 - male;
    let mut c = c;
    for eye in [head.eye_left, head.eye_right] {
        let d = Vec3::new(p.x - eye.x, (p.y - eye.y) * 1.4, 0.0).length();
        if p.z > eye.z - 2.0 * r {
            let w = (-d * d / (2.0 * (1.5 * r).powi(2))).exp();
            // A woman's eyes are framed a little more (a soft, warm
            // shadow over the lids and sockets), as with light make-up.
            let tint = Vec3::new(0.86, 0.82, 0.84) - Vec3::new(0.06, 0.08, 0.08) * female;
            c = c.lerp(c * tint, w * (0.45 + 0.2 * female));
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

/// `mask` blurred over `radius` of UV (~1.5 mm at 0.0012 on the face), so
/// a region's colour fades into the skin instead of ending at a drawn line.
fn soft(mask: &Mask, uv: [f32; 2], radius: f32) -> f32 {
    let mut sum = mask.sample(uv) * 2.0;
    for (dx, dy) in [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)] {
        sum += mask.sample([uv[0] + dx * radius, uv[1] + dy * radius]);
    }
    for (dx, dy) in [(0.7, 0.7), (-0.7, 0.7), (0.7, -0.7), (-0.7, -0.7)] {
        sum += mask.sample([uv[0] + dx * 2.0 * radius, uv[1] + dy * 2.0 * radius]) * 0.5;
    }
    sum / 8.0
}

/// The height of the line where the lips meet, at the mouth's middle: the
/// deepest point of the lips' profile along the midline (each lip bulges
/// forward on either side of it).
fn lip_seam_height(attrs: &[f32], masks: &Masks) -> Option<f32> {
    attrs
        .chunks_exact(STRIDE)
        .filter(|a| a[0].abs() < 0.004 && masks.lips.sample([a[7], a[8]]) > 0.5)
        .min_by(|a, b| a[2].total_cmp(&b[2]))
        .map(|a| a[1])
}

/// Lips, eyelids, ears and nails from MakeHuman's region masks (OBJ UVs);
/// `ear_shade` darkens the ears (0..1) where hair hangs over them.
fn apply_masks(
    c: Vec3,
    uv: [f32; 2],
    masks: &Masks,
    lip: Vec3,
    p: Vec3,
    seam_y: Option<f32>,
    ear_shade: f32,
) -> Vec3 {
    let lips = soft(&masks.lips, uv, 0.0022);
    // Lip colour varies along fine vertical lines.
    let lines = value3(Vec3::new(p.x * 1800.0, p.y * 120.0, p.z * 300.0), 45);
    let mut lip = lip * (0.95 + 0.1 * lines);
    // Lips are not one flat colour: the upper lip is darker than the
    // lower, and both deepen and redden towards where they meet, the
    // wetter inner lip showing. One flat tint read as pasted on.
    if let Some(seam_y) = seam_y {
        let upper = smoothstep(seam_y - 0.0008, seam_y + 0.0015, p.y);
        let inner = 1.0 - smoothstep(0.0, LIP_INNER_M, (p.y - seam_y).abs());
        lip *= 1.0 - 0.25 * upper;
        lip = lip.lerp(lip * Vec3::new(0.8, 0.55, 0.58), inner * 0.8);
    }
    let lids = masks.eyelids.sample(uv);
    let ears = masks.ears.sample(uv);
    let nails = masks.fingernails.sample(uv);
    let mouth = masks.inside_mouth.sample(uv);
    let mut c = c.lerp(lip, smoothstep(0.05, 0.9, lips) * 0.8);
    // Where the lips meet (next to the mouth's inside) they are in each
    // other's shade: a darker line between them, which at portrait size
    // the geometry's crease alone did not draw.
    let seam = soft(&masks.inside_mouth, uv, 0.0008);
    c *= 1.0 - 0.4 * smoothstep(0.02, 0.25, seam) * smoothstep(0.2, 0.6, lips);
    c = c.lerp(c * Vec3::new(0.95, 0.86, 0.86), lids * 0.5);
    c = c.lerp(c * Vec3::new(1.08, 0.88, 0.86), ears * 0.3);
    c = c.lerp(c * 0.55 + Vec3::new(0.35, 0.25, 0.25), nails * 0.6);
    // The mouth cavity is dark and red, not skin coloured.
    let c = c.lerp(Vec3::new(0.16, 0.035, 0.035), smoothstep(0.05, 0.6, mouth));
    c * (1.0 - ear_shade * ears)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brows_mirror_each_other() {
        let head = Head::for_tests(HairStyle::Crop);
        let mirror = |v: Vec3| Vec3::new(-v.x, v.y, v.z);
        let (mut hairs, mut differ) = (0, 0);
        // A grid over the left brow and its mirror image over the right.
        for i in 0..60 {
            for j in 0..30 {
                let p = Vec3::new(0.015 + i as f32 * 0.0006, 1.512 + j as f32 * 0.0005, 0.115);
                let n = Vec3::new(0.2, 0.1, 1.0).normalize();
                let left = brow(p, n, &head, 1.0);
                let right = brow(mirror(p), mirror(n), &head, 1.0);
                hairs += usize::from(left > 0.5);
                differ += usize::from((left - right).abs() > 1e-4);
            }
        }
        assert!(hairs > 100, "the grid misses the brow: {hairs}");
        assert_eq!(differ, 0);
    }

    #[test]
    fn a_mans_crop_has_sideburns_in_front_of_the_ears() {
        let mut head = Head::for_tests(HairStyle::Crop);
        // A point on the side of the head at `azimuth`, `below` the eyes.
        let at = |azimuth: f32, below: f32| {
            Vec3::new(azimuth.sin() * 0.08, 1.5 - below, azimuth.cos() * 0.08)
        };
        for side in [-1.0f32, 1.0] {
            // In front of the ear at eye level: full; lower down, further
            // back: thinning; below the ear's middle: none.
            assert!(sideburn(at(side * 1.32, 0.0), &head, 1.0) > 0.9);
            let low = sideburn(at(side * 1.35, 0.014), &head, 1.0);
            assert!(low > 0.0 && low < 0.5, "{low}");
            assert_eq!(sideburn(at(side * 1.32, 0.025), &head, 1.0), 0.0);
            // Narrower lower down: tapered, not cut square.
            assert!(sideburn(at(side * 1.38, 0.0), &head, 1.0) > 0.0);
            assert_eq!(sideburn(at(side * 1.395, 0.01), &head, 1.0), 0.0);
            // Not on the cheek, not on the ear.
            assert_eq!(sideburn(at(side * 0.9, 0.0), &head, 1.0), 0.0);
            assert_eq!(sideburn(at(side * 1.5, 0.0), &head, 1.0), 0.0);
        }
        // A woman's crop and long hair have none.
        assert_eq!(sideburn(at(1.32, 0.0), &head, 0.0), 0.0);
        head.style = HairStyle::Bob;
        assert_eq!(sideburn(at(1.32, 0.0), &head, 1.0), 0.0);
    }
}
