//! Draw order: opaque, then alpha-masked, then blended primitives sorted back
//! to front so that what is behind shows through what is in front.

use glam::{Mat4, Vec3};

use super::pipelines::AlphaKind;
use super::upload::GpuAvatar;

/// Indices into `avatar.draws` in the order to draw them. `world` holds the
/// posed node world matrices.
pub fn draw_order(avatar: &GpuAvatar, world: &[Mat4], view_from_world: Mat4) -> Vec<usize> {
    let of_kind = |kind: AlphaKind| {
        avatar
            .draws
            .iter()
            .enumerate()
            .filter(move |(_, d)| d.key.alpha == kind)
            .map(|(i, _)| i)
    };
    let mut order: Vec<usize> = of_kind(AlphaKind::Opaque)
        .chain(of_kind(AlphaKind::Mask))
        .collect();
    let mut blended: Vec<(f32, usize)> = of_kind(AlphaKind::Blend)
        .map(|i| {
            let draw = &avatar.draws[i];
            let center = avatar.primitives[draw.primitive].local_center;
            // Skinned vertices are in bind space, which is world space at rest
            // for the exporters we know; good enough to order whole primitives.
            let world_center = if draw.skinned {
                center
            } else {
                world
                    .get(draw.node)
                    .copied()
                    .unwrap_or(Mat4::IDENTITY)
                    .transform_point3(center)
            };
            (view_depth(view_from_world, world_center), i)
        })
        .collect();
    // Farthest (most negative view z) first; ties keep upload order so the
    // image is deterministic.
    blended.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    order.extend(blended.into_iter().map(|(_, i)| i));
    order
}

fn view_depth(view_from_world: Mat4, point: Vec3) -> f32 {
    view_from_world.transform_point3(point).z
}
