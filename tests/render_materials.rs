//! Material and background behaviour on tiny scenes: blending order,
//! double-sided faces, emissive, normal maps and image backgrounds.

mod golden;

use avatarcast::animation::AvatarPose;
use avatarcast::avatar::{AlphaMode, Anisotropy, Avatar, Texture, TextureRef};
use avatarcast::render::{Background, Camera, RenderSettings, RenderedFrame};
use glam::Vec3;
use golden::scenes::*;

const BACKGROUND: [u8; 3] = [20, 20, 20];

fn front_camera() -> Camera {
    Camera {
        eye: Vec3::new(0.0, 0.0, 1.0),
        target: Vec3::ZERO,
        up: Vec3::Y,
        fov_y_radians: 2.0 * 1f32.atan(),
        near: 0.1,
        far: 10.0,
    }
}

fn pixel(frame: &RenderedFrame, x: u32, y: u32) -> [u8; 4] {
    let i = ((y * frame.width + x) * 4) as usize;
    frame.rgba[i..i + 4].try_into().expect("4 bytes per pixel")
}

/// The largest difference of any channel of any pixel between two frames.
fn largest_difference(a: &RenderedFrame, b: &RenderedFrame) -> u8 {
    a.rgba
        .iter()
        .zip(&b.rgba)
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap_or(0)
}

fn render_once(avatar: &Avatar, settings: RenderSettings) -> Option<RenderedFrame> {
    let mut renderer = renderer_or_skip(settings)?;
    let mut gpu = renderer.upload(avatar).expect("uploads");
    Some(
        renderer
            .render(&mut gpu, &AvatarPose::rest(avatar), &front_camera())
            .expect("renders"),
    )
}

#[test]
fn blended_primitives_draw_back_to_front_whatever_their_file_order() {
    let mut red = material("red glass", [1.0, 0.0, 0.0], 0.5);
    red.base_color_factor[3] = 0.6;
    red.alpha_mode = AlphaMode::Blend;
    let mut blue = material("blue glass", [0.0, 0.0, 1.0], 0.5);
    blue.base_color_factor[3] = 0.6;
    blue.alpha_mode = AlphaMode::Blend;
    // The front (red) quad comes first in the file: drawn in file order, the
    // blue one behind it would end up on top.
    let avatar = single_mesh(
        vec![
            quad([-0.5, -0.5], [0.5, 0.5], 0.2, 0),
            quad([-0.5, -0.5], [0.5, 0.5], -0.2, 1),
        ],
        vec![red, blue],
        vec![],
    );
    let Some(frame) = render_once(&avatar, settings(32, 32, 1, BACKGROUND)) else {
        return;
    };
    let [r, g, b, a] = pixel(&frame, 16, 16);
    assert!(r > b + 20, "red over blue: {:?}", [r, g, b, a]);
    assert!(
        b > BACKGROUND[2] + 10,
        "blue shows through: {:?}",
        [r, g, b, a]
    );
    assert_eq!(a, 255, "frames stay opaque under blending");
}

#[test]
fn back_faces_show_only_on_double_sided_materials() {
    // A quad facing away from the camera (-Z).
    let mut away = quad([-0.5, -0.5], [0.5, 0.5], 0.0, 0);
    away.indices = vec![0, 2, 1, 0, 3, 2];
    for n in &mut away.normals {
        *n = [0.0, 0.0, -1.0];
    }
    let single = material("single", [0.8, 0.8, 0.8], 0.5);
    let mut double = single.clone();
    double.double_sided = true;
    let bg = [BACKGROUND[0], BACKGROUND[1], BACKGROUND[2], 255];
    let Some(culled) = render_once(
        &single_mesh(vec![away.clone()], vec![single], vec![]),
        settings(32, 32, 1, BACKGROUND),
    ) else {
        return;
    };
    assert_eq!(
        pixel(&culled, 16, 16),
        bg,
        "single-sided back face is culled"
    );
    let Some(shown) = render_once(
        &single_mesh(vec![away], vec![double], vec![]),
        settings(32, 32, 1, BACKGROUND),
    ) else {
        return;
    };
    let p = pixel(&shown, 16, 16);
    // Lit with the flipped normal, so it faces the camera's lights.
    assert!(p[0] > 100, "double-sided back face is drawn and lit: {p:?}");
}

#[test]
fn emissive_glows_without_light() {
    let mut lamp = material("lamp", [0.0, 0.0, 0.0], 1.0);
    lamp.emissive_factor = [0.0, 0.8, 0.0];
    let Some(frame) = render_once(
        &single_mesh(
            vec![quad([-0.5, -0.5], [0.5, 0.5], 0.0, 0)],
            vec![lamp],
            vec![],
        ),
        settings(32, 32, 1, BACKGROUND),
    ) else {
        return;
    };
    let [r, g, b, _] = pixel(&frame, 16, 16);
    assert!(g > 180 && r < 40 && b < 40, "{:?}", [r, g, b]);
}

#[test]
fn normal_map_tilts_the_shading() {
    // Normal maps tilting every normal towards -X, not at all, and towards
    // +X. The key light sits to the camera's right (+X), the weaker fill to
    // its left: turning away from the key darkens clearly, turning towards it
    // trades fill for key and ends a little brighter.
    let flat_and_tilted = |tilt: f32| {
        let n = Vec3::new(tilt, 0.0, 1.0).normalize();
        let enc = |c: f32| ((c * 0.5 + 0.5) * 255.0).round() as u8;
        one_texel("normal", [enc(n.x), enc(n.y), enc(n.z), 255])
    };
    let mut brightness = Vec::new();
    for tilt in [-0.8, 0.0, 0.8] {
        let mut m = material("bumpy", [0.1, 0.1, 0.1], 0.9);
        m.normal_texture = Some(TextureRef {
            texture: 0,
            tex_coord: 0,
        });
        let avatar = single_mesh(
            vec![quad([-0.5, -0.5], [0.5, 0.5], 0.0, 0)],
            vec![m],
            vec![flat_and_tilted(tilt)],
        );
        let Some(frame) = render_once(&avatar, settings(32, 32, 1, BACKGROUND)) else {
            return;
        };
        brightness.push(pixel(&frame, 16, 16)[0]);
    }
    assert!(
        brightness[0] + 15 < brightness[1] && brightness[1] <= brightness[2],
        "{brightness:?}"
    );
}

/// Width and height (pixels) of the key's highlight on a dark glossy plane
/// filling the frame, its tangents (from u) running along x: the pixels
/// along the brightest one's row and column that are at least half as
/// bright.
fn highlight_extent(anisotropy: Option<Anisotropy>, textures: Vec<Texture>) -> Option<(u32, u32)> {
    let mut m = material("glossy", [0.02, 0.02, 0.02], 0.4);
    m.anisotropy = anisotropy;
    let avatar = single_mesh(
        vec![quad([-1.0, -1.0], [1.0, 1.0], 0.0, 0)],
        vec![m],
        textures,
    );
    let frame = render_once(&avatar, settings(128, 128, 1, BACKGROUND))?;
    let red = |x: u32, y: u32| pixel(&frame, x, y)[0];
    let (mut peak, mut at) = (0, (0, 0));
    for y in 0..128 {
        for x in 0..128 {
            if red(x, y) > peak {
                (peak, at) = (red(x, y), (x, y));
            }
        }
    }
    // Above halfway from the sphere's dark base to the peak.
    let lit = |v: u8| 2 * u32::from(v) > u32::from(peak) + 20;
    let width = (0..128).filter(|&x| lit(red(x, at.1))).count() as u32;
    let height = (0..128).filter(|&y| lit(red(at.0, y))).count() as u32;
    Some((width, height))
}

#[test]
fn anisotropy_stretches_the_highlight_along_its_direction() {
    let Some(round) = highlight_extent(None, vec![]) else {
        return;
    };
    let along_tangent = Anisotropy {
        strength: 0.9,
        rotation: 0.0,
        texture: None,
    };
    let Some(wide) = highlight_extent(Some(along_tangent), vec![]) else {
        return;
    };
    // Turned a quarter turn, by the rotation or by a texture holding the
    // bitangent direction (0, 1): stretched up and down instead.
    let turned = Anisotropy {
        rotation: std::f32::consts::FRAC_PI_2,
        ..along_tangent
    };
    let Some(tall) = highlight_extent(Some(turned), vec![]) else {
        return;
    };
    let bitangent_map = one_texel("directions", [128, 255, 255, 255]);
    let textured = Anisotropy {
        texture: Some(TextureRef {
            texture: 0,
            tex_coord: 0,
        }),
        ..along_tangent
    };
    let Some(tall_by_map) = highlight_extent(Some(textured), vec![bitangent_map]) else {
        return;
    };
    let ratio = |(w, h): (u32, u32)| w as f32 / h as f32;
    assert!((0.6..1.6).contains(&ratio(round)), "round: {round:?}");
    assert!(
        ratio(wide) > 2.0 * ratio(round),
        "wide: {wide:?} vs {round:?}"
    );
    assert!(
        ratio(tall) < 0.5 * ratio(round),
        "tall: {tall:?} vs {round:?}"
    );
    assert!(
        ratio(tall_by_map) < 0.5 * ratio(round),
        "map: {tall_by_map:?}"
    );
}

/// Base colour maps hold sRGB bytes; the shader decodes them after
/// filtering (src/render/textures.rs, `Encoding::SrgbDecodedInShader`). A map
/// of one sRGB colour must shade like that colour given, in linear, as the
/// factor, across the whole range (dark hair to pale skin).
#[test]
fn srgb_base_colour_maps_shade_like_their_linear_factors() {
    let srgb_to_linear = |byte: u8| {
        let c = byte as f32 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    for rgb in [
        [12u8, 30, 60],
        [90, 60, 40],
        [128, 128, 128],
        [240, 200, 180],
    ] {
        let mut mapped = material("mapped", [1.0, 1.0, 1.0], 0.6);
        mapped.base_color_texture = Some(TextureRef {
            texture: 0,
            tex_coord: 0,
        });
        let map = Texture {
            name: "colour".into(),
            width: 2,
            height: 2,
            rgba8: [rgb[0], rgb[1], rgb[2], 255].repeat(4),
            ..Texture::default()
        };
        let factor = material("factor", rgb.map(srgb_to_linear), 0.6);
        let frames: Vec<RenderedFrame> = [(mapped, vec![map]), (factor, vec![])]
            .into_iter()
            .filter_map(|(m, textures)| {
                let avatar = single_mesh(
                    vec![quad([-0.5, -0.5], [0.5, 0.5], 0.0, 0)],
                    vec![m],
                    textures,
                );
                render_once(&avatar, settings(32, 32, 1, BACKGROUND))
            })
            .collect();
        let [a, b] = frames.as_slice() else {
            return;
        };
        let worst = largest_difference(a, b);
        assert!(worst <= 1, "sRGB {rgb:?}: map and factor differ by {worst}");
    }
}

/// The renderer packs a normal map and a metallic-roughness map that share
/// UVs into one texture (src/render/packed_maps.rs). Roughness and metallic
/// read from that texture must shade exactly like the same values given as
/// factors.
#[test]
fn roughness_and_metallic_maps_beside_a_normal_map_shade_like_their_factors() {
    // normalize(0.4, 0, 1), encoded: unit length like any real normal map,
    // whose Z the packed form rebuilds from X and Y.
    let tilted_normal = one_texel("normal", [175, 128, 246, 255]);
    let normal_ref = Some(TextureRef {
        texture: 0,
        tex_coord: 0,
    });
    let render = |roughness: f32, metallic: f32, as_map: bool| {
        let mut m = material("packed", [0.6, 0.3, 0.2], 1.0);
        m.normal_texture = normal_ref;
        let mut textures = vec![tilted_normal.clone()];
        if as_map {
            let byte = |v: f32| (v * 255.0).round() as u8;
            textures.push(one_texel(
                "metallic roughness",
                [255, byte(roughness), byte(metallic), 255],
            ));
            m.metallic_roughness_texture = Some(TextureRef {
                texture: 1,
                tex_coord: 0,
            });
            m.roughness_factor = 1.0;
            m.metallic_factor = 1.0;
        } else {
            m.roughness_factor = (roughness * 255.0).round() / 255.0;
            m.metallic_factor = (metallic * 255.0).round() / 255.0;
        }
        let avatar = single_mesh(
            vec![quad([-0.5, -0.5], [0.5, 0.5], 0.0, 0)],
            vec![m],
            textures,
        );
        render_once(&avatar, settings(32, 32, 1, BACKGROUND))
    };
    let mut frames = Vec::new();
    for (roughness, metallic) in [(0.3, 0.0), (0.9, 0.0), (0.3, 1.0)] {
        let (Some(map), Some(factor)) = (
            render(roughness, metallic, true),
            render(roughness, metallic, false),
        ) else {
            return;
        };
        let worst = largest_difference(&map, &factor);
        assert!(
            worst <= 2,
            "roughness {roughness}, metallic {metallic}: map and factor differ by {worst}"
        );
        frames.push(map);
    }
    // The values matter, so the comparison above is not vacuous.
    assert!(
        largest_difference(&frames[0], &frames[1]) >= 4,
        "roughness changes nothing"
    );
    assert!(
        largest_difference(&frames[0], &frames[2]) >= 20,
        "metallic changes nothing"
    );
}

#[test]
fn image_background_covers_the_frame_without_stretching() {
    // 4 × 1 image: red, green, green, blue. A square frame crops the sides
    // and shows only the middle (green) half.
    let image = image::RgbaImage::from_raw(
        4,
        1,
        vec![
            255, 0, 0, 255, 0, 255, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255,
        ],
    )
    .expect("4x1 RGBA");
    let settings = RenderSettings {
        width: 32,
        height: 32,
        msaa_samples: 4,
        background: Background::Image(image),
    };
    let Some(frame) = render_once(&Avatar::default(), settings) else {
        return;
    };
    for (x, y) in [(0, 0), (31, 31), (16, 16)] {
        let [r, g, b, a] = pixel(&frame, x, y);
        assert!(
            g > 200 && r < 60 && b < 60 && a == 255,
            "({x},{y}) {:?}",
            [r, g, b, a]
        );
    }
}
