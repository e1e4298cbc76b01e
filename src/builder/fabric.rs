//! A small tileable twill-weave normal map for the uniform, and the UV
//! scale that makes one tile about 4 mm of cloth.

use std::f32::consts::TAU;

use super::raster::Canvas;
use super::skin_tex::height_to_normal;

/// Body UVs are multiplied by this for garments (0..1 spans roughly 1.6 m).
pub const FABRIC_UV_REPEAT: f32 = 120.0;

pub fn bake_weave(size: u32) -> Canvas {
    let threads = 8.0;
    let mut height = Canvas::new(size, 1, &[0.5]);
    let s = size as usize;
    for y in 0..s {
        for x in 0..s {
            let (u, v) = (x as f32 / size as f32, y as f32 / size as f32);
            // Twill: warp floats shift by one thread per row.
            let warp = (TAU * threads * u).sin();
            let weft = (TAU * threads * v).sin();
            let row = (threads * v).floor();
            let over = ((threads * u + row) / 2.0).fract() < 0.5;
            let h = if over {
                0.5 + 0.35 * warp.abs()
            } else {
                0.5 + 0.35 * weft.abs()
            };
            height.data[y * s + x] = h;
        }
    }
    height.covered.fill(true);
    height_to_normal(&height, 1.5)
}
