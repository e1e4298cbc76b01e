//! Eyes and lashes: MakeHuman's eyeballs carry no texture of their own, so
//! sclera, iris and pupil are painted by angle from each eye's forward axis;
//! the lash cards get an alpha comb of thin tapering hairs.

use glam::Vec3;

use super::noise::{smoothstep, value3};
use super::part::Part;
use super::raster::Canvas;
use super::regions::Head;

/// Rescales a part's UVs to fill 0..1, so a small texture covers only the
/// island the part uses (eyes and lashes use a sliver of the body layout).
pub fn fit_uvs(part: &mut Part) {
    let (mut lo, mut hi) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
    for uv in &part.uvs {
        for k in 0..2 {
            lo[k] = lo[k].min(uv[k]);
            hi[k] = hi[k].max(uv[k]);
        }
    }
    for uv in &mut part.uvs {
        for k in 0..2 {
            let span = (hi[k] - lo[k]).max(1e-6);
            // A 2% margin keeps mipmaps from sampling the far edge.
            uv[k] = 0.02 + 0.96 * (uv[k] - lo[k]) / span;
        }
    }
}

/// Each vertex's direction from its own eye centre, for the bakes below.
fn eye_directions(part: &Part, head: &Head) -> Vec<f32> {
    part.positions
        .iter()
        .flat_map(|p| {
            let centre = if p.x > 0.0 {
                head.eye_left
            } else {
                head.eye_right
            };
            let d = (*p - centre) / head.eye_radius;
            [d.x, d.y, d.z, if p.x > 0.0 { 1.0 } else { -1.0 }]
        })
        .collect()
}

/// Where on the eye (unit direction from its centre, gaze along +z) the
/// key light's catchlight is painted: up and to the role's left, where
/// the key (above and to that side of the camera) reflects in the cornea,
/// kept inside the iris and below the upper lid's rim (also where the rest
/// lids are lowered, `RoleSpec::rest_upper_lids`).
const CATCHLIGHT: Vec3 = Vec3::new(0.2, 0.1, 0.9747);
/// Its angular radius, radians (about a millimetre and a half across).
const CATCHLIGHT_RADIUS: f32 = 0.085;

pub fn bake_eyes(eyes: &Part, head: &Head, iris: [f32; 3], size: u32) -> Canvas {
    let iris = Vec3::from_array(iris);
    // Sclera is never paper white: a little grey and warm. (Brighter, it
    // glared as a white wedge in a three-quarter view under the key.)
    let sclera = Vec3::new(0.49, 0.45, 0.4);
    let attrs = eye_directions(eyes, head);
    let mut canvas = Canvas::new(size, 3, &sclera.to_array());
    canvas.bake(&eyes.indices, &eyes.uvs, &attrs, 4, |a, texel| {
        let d = Vec3::new(a[0], a[1], a[2]).normalize_or_zero();
        // Angle from the gaze axis. The iris spans ~30 degrees, the
        // anatomical 29 (11.7 mm on a 24 mm globe) and a little: at 32 a
        // review called the irises too large, the eyes doll-like.
        let theta = d.z.clamp(-1.0, 1.0).acos();
        let around = d.y.atan2(d.x);
        let (iris_edge, pupil_edge) = (0.52, 0.18);
        let radial = ((theta - pupil_edge) / (iris_edge - pupil_edge)).clamp(0.0, 1.0);
        // Radial fibres at two scales, and a few darker crypts.
        let fibres = value3(Vec3::new(around * 18.0, theta * 10.0, a[3] * 3.0), 51) * 0.6
            + value3(Vec3::new(around * 45.0, theta * 4.0, a[3] * 3.0), 55) * 0.4;
        let crypts = smoothstep(
            0.7,
            0.85,
            value3(Vec3::new(around * 9.0, theta * 14.0, a[3]), 57),
        );
        let mut iris_c = iris * (0.5 + 0.9 * fibres) * (1.0 - 0.35 * crypts);
        // A lighter, warmer collarette around the pupil...
        let collarette = (1.0 - smoothstep(0.1, 0.4, radial)) * smoothstep(0.0, 0.08, radial);
        iris_c = iris_c.lerp(iris_c * Vec3::new(1.9, 1.6, 1.1), collarette * 0.6);
        // ...and a dark limbal ring at the edge.
        iris_c *= 1.0 - 0.8 * smoothstep(0.72, 0.97, radial);
        let vessels = value3(d * 9.0, 53);
        let mut sclera_c = sclera.lerp(
            Vec3::new(0.62, 0.38, 0.34),
            smoothstep(0.9, 2.2, theta) * 0.3 * vessels,
        );
        // The sclera greys towards the corners of the eye, in the socket's shade.
        sclera_c *= 1.0 - 0.3 * smoothstep(0.7, 1.4, theta);
        let mut c = sclera_c.lerp(
            iris_c,
            1.0 - smoothstep(iris_edge - 0.025, iris_edge + 0.025, theta),
        );
        c = c.lerp(
            Vec3::splat(0.006),
            1.0 - smoothstep(pupil_edge - 0.02, pupil_edge + 0.01, theta),
        );
        // The upper lid and lashes shade the top of the eye, down to the
        // pupil's level: without it the visible white is flat and the eye
        // looks bulging and staring. The lower lid shades it a little too.
        c *= 1.0 - 0.45 * smoothstep(-0.15, 0.35, d.y);
        c *= 1.0 - 0.2 * smoothstep(-0.2, -0.45, d.y);
        // A catchlight where the studio key reflects for a camera in front
        // (see render/lighting.rs): the rendered highlight is a pixel or
        // two at portrait size, and three reviews called the eyes lifeless
        // without a visible one. Painted, it turns with the eye, which
        // only moves a few degrees while the face is on camera.
        let spot = 1.0
            - smoothstep(
                CATCHLIGHT_RADIUS * 0.6,
                CATCHLIGHT_RADIUS,
                d.dot(CATCHLIGHT).clamp(-1.0, 1.0).acos(),
            );
        c = c.lerp(Vec3::splat(1.0), spot);
        texel.copy_from_slice(&c.to_array());
    });
    canvas.dilate(8);
    canvas
}

/// RGBA: dark brown hairs, alpha 1 on a hair and 0 between them.
pub fn bake_lashes(lashes: &Part, head: &Head, hair: [f32; 3], male: f32, size: u32) -> Canvas {
    let colour = Vec3::from_array(hair) * 0.35 + Vec3::splat(0.005);
    let attrs = eye_directions(lashes, head);
    let mut canvas = Canvas::new(size, 4, &[colour.x, colour.y, colour.z, 0.0]);
    canvas.bake(&lashes.indices, &lashes.uvs, &attrs, 4, |a, texel| {
        let d = Vec3::new(a[0], a[1], a[2]);
        // Distance from the eye centre: roots near 1 radius, tips further out.
        let reach = smoothstep(1.0, 1.6, d.length());
        // Lower lashes (below the eye centre) are sparser and shorter. A
        // man's lashes are shorter, finer and sparser than a woman's: at
        // her density and length they read as mascara and eyeliner.
        let lower = d.y < -0.2;
        let density = if lower { 16.0 } else { 42.0 - 12.0 * male };
        let along = d.x * a[3] * density + value3(d * 6.0, 61) * 0.8;
        let comb = (along.fract() - 0.5).abs() * 2.0; // 0 at a hair's centre
        let width = if lower {
            0.35 * (1.0 - reach) + 0.1 - 0.03 * male
        } else {
            (0.8 - 0.45 * male) * (1.0 - reach) + 0.25 - 0.13 * male
        };
        let length = if lower {
            0.32 - 0.08 * male
        } else {
            0.9 - 0.4 * male
        };
        let hairs = 1.0 - smoothstep(width * 0.8, width, comb);
        // At the roots the hairs merge into a dark lash line along the lid,
        // a fine one along the lower lid.
        let line_width = if lower {
            0.1 - 0.04 * male
        } else {
            0.2 - 0.06 * male
        };
        let line = 1.0 - smoothstep(0.4 * line_width, line_width, reach);
        let mut alpha = hairs.max(line) * (1.0 - smoothstep(length - 0.25, length, reach));
        // Past the corners, below their level, the cards run on beyond the
        // lids: their dark roots drew a wedge under the outer corner, like
        // an eyeliner flick. Lashes thin out there.
        let past_corner = smoothstep(0.65, 0.8, d.x.abs()) * (1.0 - smoothstep(-0.1, 0.05, d.y));
        alpha *= 1.0 - past_corner;
        if lower {
            alpha *= 1.0 - smoothstep(0.6, 0.85, d.x.abs());
        }
        texel.copy_from_slice(&[colour.x, colour.y, colour.z, alpha]);
    });
    canvas.dilate(4);
    canvas
}
