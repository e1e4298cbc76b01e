//! The hair's textures, baked over its UVs from the 3D surface and the
//! combing direction: locks (clumps a few millimetres wide, shaded dark in
//! the gaps between them), fine strands, darker roots and lighter tips, a
//! few sun-lightened strands, a baked anisotropic sheen band, and alpha that
//! thins into single strands at the hairline and at the ends. A height map
//! of the same locks becomes a coiled crop's normal map, so the key light
//! picks out the clumps instead of shading a smooth helmet; straight hair
//! gets a map of its strands' directions instead, for a live anisotropic
//! highlight.

use glam::Vec3;

use super::hair::Hair;
use super::hair_curtain::CURTAIN_MIN_AZIMUTH;
use super::hair_flow::{Comb, Strands};
use super::hair_fringe as fringe;
use super::noise::{smoothstep, value3};
use super::raster::Canvas;
use super::regions::{HairStyle, Head};
use super::skin_tex::height_to_normal;

/// Per-vertex bake inputs: position (3), combing direction (3), normal (3),
/// curtain parameter (1, -1 on the cap), on the bun (1: 0 or 1), the skin's
/// texture coordinates under it (2).
const STRIDE: usize = 13;

/// Direction the baked sheen is lit from and seen from: the studio key and
/// camera in front of and above the face (see render/lighting.rs), made
/// symmetric so the band does not favour one side.
const SHEEN_LIGHT: Vec3 = Vec3::new(0.0, 0.5, 0.866);
const SHEEN_VIEW: Vec3 = Vec3::new(0.0, 0.0, 1.0);

/// How far above eye level long hair's cap ends at the back and sides,
/// where the curtain hangs from it, for a head of the base mesh's height
/// (see `Head::hairline`).
const LONG_CAP_EDGE_M: f32 = 0.042;

/// How much less anisotropic single strands are than the rest (the B of
/// the strand-direction map). A strand with a narrower lobe glints
/// brighter at the heart of the highlight, so the band breaks up into
/// strands; with one strength everywhere it read as a smooth grey stripe
/// painted over the hair.
const STRAND_GLINT: f32 = 0.4;

/// What a role's hair looks like, beyond its mesh.
#[derive(Debug, Clone, Copy)]
pub struct HairLook {
    /// Linear RGB of the hair's mid-lengths.
    pub colour: [f32; 3],
    /// 0 = straight locks (long styles), 1 = a short, tightly textured crop.
    pub coil: f32,
    pub male: f32,
}

/// Strand noises at one point.
#[derive(Debug, Clone, Copy)]
struct Fields {
    /// Which lock (clumps ~5 mm wide, ~10 cm long), 0..1.
    lock: f32,
    /// 1 on a lock's crest, 0 in the gaps between locks.
    ridge: f32,
    /// Slow colour variation between groups of locks.
    tone: f32,
    /// Single strands, ~0.7 mm and ~0.4 mm apart.
    strand: f32,
    strand2: f32,
    /// Sparse lighter strands, 0 or 1 mostly.
    light: f32,
    tangent: Vec3,
}

impl Fields {
    /// Long hair: streaks along the comb.
    fn combed(s: Strands) -> Fields {
        Fields {
            lock: s.lock,
            ridge: 1.0 - (2.0 * s.lock - 1.0).abs(),
            tone: s.tone,
            strand: s.fine,
            strand2: s.fine,
            // A few lighter strands where a strand and its lock stand out.
            light: smoothstep(0.72, 0.9, s.fine) * smoothstep(0.62, 0.8, s.lock),
            tangent: s.tangent,
        }
    }

    /// A short, tightly coiled crop: fine grains with no direction (the
    /// coils), in small clumps, rather than strands.
    fn coiled(local: Vec3, tangent: Vec3) -> Fields {
        let lock = value3(local * 260.0, 101);
        Fields {
            lock,
            ridge: 1.0 - (2.0 * lock - 1.0).abs(),
            tone: value3(local * 60.0, 103),
            strand: value3(local * 1100.0, 127),
            strand2: value3(local * 2300.0, 131),
            light: 0.0,
            tangent,
        }
    }
}

/// One texel of the pattern: colour (linear), alpha and bump height.
struct Sample {
    colour: Vec3,
    alpha: f32,
    height: f32,
}

fn attributes(hair: &Hair) -> Vec<f32> {
    let part = &hair.part;
    let bun = hair
        .bun
        .as_ref()
        .map_or(0..0, |(_, vertices)| vertices.clone());
    let mut attrs = Vec::with_capacity(part.positions.len() * STRIDE);
    for (v, (((p, f), n), t)) in part
        .positions
        .iter()
        .zip(&hair.flow)
        .zip(&part.normals)
        .zip(&hair.along)
        .enumerate()
    {
        let on_bun = if bun.contains(&v) { 1.0 } else { 0.0 };
        let [u, w] = hair.skin_uv[v];
        attrs.extend_from_slice(&[
            p.x, p.y, p.z, f.x, f.y, f.z, n.x, n.y, n.z, *t, on_bun, u, w,
        ]);
    }
    attrs
}

/// Kajiya-Kay sheen of strands along `t` on a surface with normal `n`:
/// bright where the strands are perpendicular to the half vector.
fn sheen(t: Vec3, n: Vec3, shift: f32, exponent: f32) -> f32 {
    let h = (SHEEN_LIGHT + SHEEN_VIEW).normalize();
    let t = (t + n * shift).normalize_or(t);
    let sin_th = (1.0 - t.dot(h).powi(2)).max(0.0).sqrt();
    let facing = smoothstep(0.0, 0.4, n.dot(SHEEN_LIGHT)) * smoothstep(0.0, 0.3, n.dot(SHEEN_VIEW));
    sin_th.powf(exponent) * facing
}

/// What the hair is baked against: the role's look and the skin under it.
struct Bake<'a> {
    hair: &'a Hair,
    head: &'a Head,
    look: &'a HairLook,
    comb: &'a Comb,
    skin: &'a Canvas,
}

fn pattern(a: &[f32], bake: &Bake) -> Sample {
    let Bake {
        hair,
        head,
        look,
        comb,
        skin,
    } = *bake;
    let p = Vec3::new(a[0], a[1], a[2]);
    let f = Vec3::new(a[3], a[4], a[5]).normalize_or(Vec3::NEG_Y);
    let n = Vec3::new(a[6], a[7], a[8]).normalize_or(Vec3::Y);
    let curtain = a[9];
    let bun = hair
        .bun
        .as_ref()
        .map(|(bun, _)| bun)
        .filter(|_| a[10] > 0.5);
    let colour = Vec3::from_array(look.colour);
    let coil = look.coil;

    // Long hair follows its comb (see hair_flow) over the cap and the
    // curtain alike; a coiled crop has no direction to speak of.
    let local = p - head.center;
    let fields = match bun {
        Some(bun) => Fields::combed(bun.strands(p, n)),
        None if coil <= 0.5 => Fields::combed(comb.strands(p, n)),
        _ => Fields::coiled(local, f),
    };
    let f = fields.tangent;
    let Fields {
        ridge,
        tone: lock_tone,
        strand,
        strand2,
        light,
        ..
    } = fields;
    let light_strands = light * (1.0 - coil);

    // Where along the hair this texel is: 0 at the roots, 1 at the tips.
    let lengthwise = if let Some(bun) = bun {
        // The wound mid-lengths and ends, dark in the grooves between the
        // coils.
        0.5 + 0.25 * bun.crest(p)
    } else if curtain >= 0.0 {
        0.45 + 0.55 * curtain
    } else if head.style == HairStyle::Bob {
        // From the crown down to where the curtain hangs from the cap,
        // which it continues without a seam.
        let crown_y = head.center.y + head.half_size.y;
        let cap_edge_y = head.eye_y() + LONG_CAP_EDGE_M * head.half_size.y / 0.115;
        0.15 + 0.3 * smoothstep(0.0, 1.0, (crown_y - p.y) / (crown_y - cap_edge_y))
    } else {
        let above = fringe::above_edge(head, p, look.male);
        0.15 + 0.3 * smoothstep(0.0, 0.08, above)
    };
    let root_to_tip = 0.72 + 0.5 * lengthwise;
    let mut c = colour * root_to_tip;
    // Tips are a little warmer and lighter (weathered).
    c = c.lerp(
        c * Vec3::new(1.12, 1.03, 0.92),
        smoothstep(0.6, 1.0, lengthwise),
    );

    let fine = strand * 0.6 + strand2 * 0.4;
    // Fine strands carry most of the contrast; locks only a little, or
    // the hair reads as wood grain. Long hair is smoother than a crop: its
    // strands lie side by side, each catching the light.
    let shade = if coil > 0.5 {
        (0.85 + 0.15 * ridge) * (0.62 + 0.76 * fine * fine) * (0.9 + 0.2 * lock_tone)
    } else {
        // Lock-sized blotches read as noise at portrait size: keep them
        // faint, and the fine strands (which average out) stronger.
        (0.94 + 0.06 * ridge) * (0.76 + 0.48 * fine) * (0.95 + 0.1 * lock_tone)
    };
    c *= shade;
    let light_mix = if coil > 0.5 { 0.4 } else { 0.2 };
    c = c.lerp(colour * 1.7 + Vec3::splat(0.003), light_strands * light_mix);

    // No line is painted along the parting: the strands part there (see
    // `hair_flow`), and that is enough to show it. A line of scalp
    // colour, at any width that shows at portrait size, was read by
    // reviews as a seam in the hair.

    // Baked sheen: a primary band on the crests of the locks, a weaker,
    // hair-coloured one towards the tips. Straight hair's primary band is
    // not baked: its material reflects the key in an anisotropic lobe
    // (see `bake_strand_directions`), which moves as the head turns. Only
    // its secondary, hair-coloured band (light that has passed through the
    // strand), which that lobe does not model, is baked, broad and soft.
    let (primary, secondary) = if coil > 0.5 {
        (sheen(f, n, 0.08, 50.0), sheen(f, n, -0.12, 24.0))
    } else {
        (0.0, sheen(f, n, -0.12, 10.0) * 0.6)
    };
    let sheen_strength = 1.0 - 0.8 * coil;
    let lum = colour.dot(Vec3::new(0.2126, 0.7152, 0.0722)).max(1e-4);
    let tint = colour / lum;
    // Strand by strand: the band breaks up along the fine strands.
    // A long style's band is broad and even: only a little of it is
    // carried by the locks' crests.
    let (glints, crests) = if coil > 0.5 {
        (smoothstep(0.3, 0.8, fine), [0.5 + 0.5 * ridge, ridge])
    } else {
        (
            0.55 + 0.45 * smoothstep(0.15, 0.85, fine),
            [0.75 + 0.25 * ridge, 0.6 + 0.4 * ridge],
        )
    };
    let band = (Vec3::splat(0.034) + tint * 0.016) * primary * crests[0]
        + tint * lum * 0.8 * secondary * crests[1];
    c += band * sheen_strength * glints;

    let alpha = if bun.is_some() {
        1.0
    } else if curtain >= 0.0 {
        curtain_alpha(curtain, &fields)
    } else if head.style == HairStyle::Bun {
        // Hair combed back lies on the skin and thins out into it: the
        // skin shows between the strands, in the hair's own texture, so
        // the alpha cut falls where hair and skin already match and draws
        // no line (see `soft_strands`). A fringe cannot: it stands off the
        // forehead and shades it, and skin blended into its ends drew a
        // pale band along them.
        // Combed back: no fringe.
        let density = cap_density(p, head, look, &fields, 0.0);
        let under = Vec3::from_array(skin.sample3([a[11], a[12]])) * SKIN_ON_HAIR;
        c = under.lerp(c, soft_strands(density, strand));
        smoothstep(0.02, 0.12, density)
    } else {
        // A crop's and a bob's strands are alpha-tested where they thin
        // out; the cap's edge stays opaque where a curtain hangs from it.
        // A fringe's cut is one clean line, its coverage itself: thinned
        // into strands a texel wide, it drew a stair-stepped, torn edge
        // across the forehead at portrait size.
        let fringe_cut = fringe::cut_share(head, p);
        let density = cap_density(p, head, look, &fields, fringe_cut);
        let strands = thin(density, strand);
        (strands + (density - strands) * fringe_cut).max(hangs(p, head))
    };

    let height = 0.55 * ridge + 0.3 * fine + 0.15 * lock_tone;
    Sample {
        colour: c,
        alpha,
        height,
    }
}

/// How densely strands cover a texel of the cap near its edge (0..1): 1
/// on the bulk of the hair, thinning out towards the visible edge (the
/// hairline, or a fringe's cut, where `fringe_cut` is
/// `fringe::cut_share` at `p`).
fn cap_density(p: Vec3, head: &Head, look: &HairLook, fields: &Fields, fringe_cut: f32) -> f32 {
    let Fields {
        lock: lock_noise,
        ridge,
        tone: lock_tone,
        ..
    } = *fields;
    let above = fringe::above_edge(head, p, look.male);
    if head.style == HairStyle::Bun {
        // Combed back, the strands thin out over a centimetre and a half.
        return smoothstep(-0.002, 0.016, above + (lock_noise - 0.5) * 0.003);
    }
    // At the hairline the strands thin out over a band about a centimetre
    // wide. A crop's fade into stubble is painted on the skin below
    // (`skin_tex`), smoothly filtered: thinning its alpha-tested strands
    // over a wider band drew a speckled, shimmering edge.
    let hairline = smoothstep(
        -0.003 - 0.001 * look.coil,
        0.012 - 0.002 * look.coil,
        above + (lock_noise - 0.5) * 0.004,
    );
    // A fringe is cut: it ends along a smooth line, broken only at the
    // scale of single strands. Lock-sized points (2-6 mm) read as torn
    // paper at portrait size in every review, even as clean shapes.
    let tips = 0.0006 * ridge * (0.5 + 0.5 * lock_tone) * fringe_cut;
    let cut = smoothstep(-0.0006, 0.001, above + tips - 0.004);
    hairline + (cut - hairline) * fringe_cut
}

/// A curtain's alpha: a bob is cut blunt. The ends follow one line, broken
/// only by locks a millimetre longer than their neighbours, and fade over
/// the last millimetre or two. (Ends staggered by a centimetre or two read
/// as torn at portrait size, reviews still called 3-4 mm ragged, and
/// thinned into strands a texel wide they were called a sawtooth. The band
/// is short: every curtain row it reaches is drawn masked.)
fn curtain_alpha(curtain: f32, fields: &Fields) -> f32 {
    let end = 1.0 - 0.006 * (1.0 - fields.ridge) - 0.004 * fields.tone;
    1.0 - smoothstep(end - 0.012, end, curtain)
}

/// Where a curtain hangs from the cap's edge (0..1): there the edge stays
/// opaque.
fn hangs(p: Vec3, head: &Head) -> f32 {
    if head.style != HairStyle::Bob {
        return 0.0;
    }
    smoothstep(
        CURTAIN_MIN_AZIMUTH - 0.1,
        CURTAIN_MIN_AZIMUTH + 0.1,
        head.azimuth(p).abs(),
    )
}

/// Whether a strand covers a texel where the hair's density is `density`
/// (0..1), given the strand noise there: the fraction of texels covered
/// follows the density.
fn thin(density: f32, noise: f32) -> f32 {
    smoothstep(1.0 - 1.25 * density, 1.12 - 1.25 * density, noise)
}

/// How much of a texel the strands cover where their density is
/// `density`, given the strand noise there. The strands are soft-edged,
/// not cut by a threshold as alpha must be: single strands are a texel or
/// two wide, and thresholded they broke up into jagged clumps.
fn soft_strands(density: f32, noise: f32) -> f32 {
    smoothstep(1.0 - 1.4 * density, 1.4 - 1.4 * density, noise)
}

/// The skin's colour on the hair's mesh, for the same brightness as on the
/// skin (measured on renders of the forehead): the hair's material lacks
/// the skin's pores and the light that wraps under it.
const SKIN_ON_HAIR: f32 = 0.92;

/// The hair's colour (RGBA, alpha = coverage) and normal maps.
pub struct HairMaps {
    pub colour: Canvas,
    pub normal: Canvas,
}

/// How `hair` is combed: the strands its textures follow.
fn comb(hair: &Hair, head: &Head) -> Comb {
    Comb::new(
        head,
        hair.parting_x.unwrap_or(head.center.x),
        hair.bun.as_ref().map(|(bun, _)| bun.center),
    )
}

/// Straight hair's strand directions for KHR_materials_anisotropy: per
/// texel, the combing direction (as baked into the colour map) in the
/// tangent frame of the UVs (RG, mapped from -1..1), and a strength (B)
/// that varies strand by strand (`STRAND_GLINT`). Sharp where the strands
/// part: tangents along the strands, as vertex attributes, blurred the
/// parting over a triangle and drew a bright streak along it.
pub fn bake_strand_directions(hair: &Hair, head: &Head, size: u32) -> Canvas {
    const STRIDE: usize = 10;
    let part = &hair.part;
    let comb = comb(hair, head);
    let tangents = part.compute_tangents();
    let attrs: Vec<f32> = part
        .positions
        .iter()
        .zip(&part.normals)
        .zip(&tangents)
        .flat_map(|((p, n), t)| [p.x, p.y, p.z, n.x, n.y, n.z, t[0], t[1], t[2], t[3]])
        .collect();
    let mut directions = Canvas::new(size, 3, &[1.0, 0.5, 1.0]);
    directions.bake(&part.indices, &part.uvs, &attrs, STRIDE, |a, texel| {
        let p = Vec3::new(a[0], a[1], a[2]);
        let n = Vec3::new(a[3], a[4], a[5]).normalize_or(Vec3::Y);
        let t = Vec3::new(a[6], a[7], a[8]);
        let t = (t - n * n.dot(t)).normalize_or(n.any_orthonormal_vector());
        let b = n.cross(t) * a[9].signum();
        let strands = comb.strands(p, n);
        let strand = strands.tangent;
        let d = glam::Vec2::new(strand.dot(t), strand.dot(b)).normalize_or(glam::Vec2::X);
        let strength = 1.0 - STRAND_GLINT * smoothstep(0.3, 0.7, strands.fine);
        texel.copy_from_slice(&[0.5 + 0.5 * d.x, 0.5 + 0.5 * d.y, strength]);
    });
    directions.dilate(4);
    directions
}

/// `skin` is the skin's base colour, which the hair's edge blends into.
pub fn bake_hair(
    hair: &Hair,
    head: &Head,
    look: &HairLook,
    skin: &Canvas,
    sizes: [u32; 2],
) -> HairMaps {
    let part = &hair.part;
    let comb = comb(hair, head);
    let bake = Bake {
        hair,
        head,
        look,
        comb: &comb,
        skin,
    };
    let attrs = attributes(hair);
    let c = look.colour;
    let mut colour = Canvas::new(sizes[0], 4, &[c[0], c[1], c[2], 0.0]);
    colour.bake(&part.indices, &part.uvs, &attrs, STRIDE, |a, texel| {
        let s = pattern(a, &bake);
        texel.copy_from_slice(&[s.colour.x, s.colour.y, s.colour.z, s.alpha]);
    });
    colour.dilate(4);
    let mut height = Canvas::new(sizes[1], 1, &[0.5]);
    // Only a coiled crop gets a normal map (straight locks are shaded in
    // the colour map): spare long hair the streamline tracing here.
    if look.coil > 0.5 {
        height.bake(&part.indices, &part.uvs, &attrs, STRIDE, |a, texel| {
            texel[0] = pattern(a, &bake).height;
        });
        height.dilate(4);
    }
    HairMaps {
        colour,
        normal: height_to_normal(&height, 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheen_peaks_where_strands_cross_the_half_vector() {
        let n = Vec3::new(0.0, 0.5, 0.866).normalize();
        // Strands running across the half vector (sideways) shine...
        let across = sheen(Vec3::X, n, 0.0, 60.0);
        // ...strands running towards it (front to back over the crown) far less.
        let towards = sheen(Vec3::new(0.0, 0.866, -0.5), n, 0.0, 60.0);
        assert!(across > 0.5, "{across}");
        assert!(towards < across * 0.5, "{towards} vs {across}");
        // Facing away from the light: nothing.
        assert_eq!(sheen(Vec3::X, -n, 0.0, 60.0), 0.0);
    }
}
