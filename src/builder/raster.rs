//! Texture baking in UV space: rasterise a part's triangles into an image,
//! interpolating per-vertex attributes (3D position, normal, ...) so any
//! procedural function of the surface can be painted into a texture.

/// An image being baked: `channels` floats per texel, plus a coverage flag
/// used to dilate colours over UV seams afterwards.
pub struct Canvas {
    pub size: u32,
    pub channels: usize,
    pub data: Vec<f32>,
    pub covered: Vec<bool>,
}

impl Canvas {
    pub fn new(size: u32, channels: usize, fill: &[f32]) -> Canvas {
        let n = (size * size) as usize;
        let mut data = Vec::with_capacity(n * channels);
        for _ in 0..n {
            data.extend_from_slice(&fill[..channels]);
        }
        Canvas {
            size,
            channels,
            data,
            covered: vec![false; n],
        }
    }

    /// A 3-channel image painted texel by texel from its UV (texel centres,
    /// 0..1, v down): for textures drawn in UV space rather than baked over
    /// a mesh (teeth, badge, placket).
    pub fn paint(size: u32, mut colour: impl FnMut(f32, f32) -> [f32; 3]) -> Canvas {
        let mut canvas = Canvas::new(size, 3, &[0.0; 3]);
        for y in 0..size {
            let v = (y as f32 + 0.5) / size as f32;
            for x in 0..size {
                let u = (x as f32 + 0.5) / size as f32;
                let i = (y * size + x) as usize;
                canvas.data[i * 3..i * 3 + 3].copy_from_slice(&colour(u, v));
            }
        }
        canvas.covered.fill(true);
        canvas
    }

    /// Rasterises triangles given by `indices` over `uvs` (glTF convention,
    /// 0..1, v down). For each covered texel centre, `shade` gets the
    /// interpolated attributes (`stride` floats per vertex in `attrs`) and
    /// writes the texel's channels.
    pub fn bake(
        &mut self,
        indices: &[u32],
        uvs: &[[f32; 2]],
        attrs: &[f32],
        stride: usize,
        mut shade: impl FnMut(&[f32], &mut [f32]),
    ) {
        let size = self.size as f32;
        let mut interp = vec![0.0f32; stride];
        for tri in indices.chunks_exact(3) {
            let [a, b, c] = [tri[0] as usize, tri[1] as usize, tri[2] as usize];
            let pa = [uvs[a][0] * size, uvs[a][1] * size];
            let pb = [uvs[b][0] * size, uvs[b][1] * size];
            let pc = [uvs[c][0] * size, uvs[c][1] * size];
            let area = (pb[0] - pa[0]) * (pc[1] - pa[1]) - (pc[0] - pa[0]) * (pb[1] - pa[1]);
            if area.abs() < 1e-9 {
                continue;
            }
            let min_x = pa[0].min(pb[0]).min(pc[0]).floor().max(0.0) as u32;
            let max_x = (pa[0].max(pb[0]).max(pc[0]).ceil() as u32).min(self.size);
            let min_y = pa[1].min(pb[1]).min(pc[1]).floor().max(0.0) as u32;
            let max_y = (pa[1].max(pb[1]).max(pc[1]).ceil() as u32).min(self.size);
            for y in min_y..max_y {
                for x in min_x..max_x {
                    let p = [x as f32 + 0.5, y as f32 + 0.5];
                    let w0 =
                        ((pb[0] - p[0]) * (pc[1] - p[1]) - (pc[0] - p[0]) * (pb[1] - p[1])) / area;
                    let w1 =
                        ((pc[0] - p[0]) * (pa[1] - p[1]) - (pa[0] - p[0]) * (pc[1] - p[1])) / area;
                    let w2 = 1.0 - w0 - w1;
                    // A small tolerance closes hairline cracks between triangles.
                    if w0 < -1e-4 || w1 < -1e-4 || w2 < -1e-4 {
                        continue;
                    }
                    for k in 0..stride {
                        interp[k] = attrs[a * stride + k] * w0
                            + attrs[b * stride + k] * w1
                            + attrs[c * stride + k] * w2;
                    }
                    let i = (y * self.size + x) as usize;
                    let texel = &mut self.data[i * self.channels..(i + 1) * self.channels];
                    shade(&interp, texel);
                    self.covered[i] = true;
                }
            }
        }
    }

    /// Spreads covered texels into uncovered neighbours `passes` times, so
    /// bilinear filtering and mipmaps at UV seams do not pull in background.
    pub fn dilate(&mut self, passes: u32) {
        let s = self.size as usize;
        let ch = self.channels;
        for _ in 0..passes {
            let covered = self.covered.clone();
            let mut changed = false;
            for y in 0..s {
                for x in 0..s {
                    let i = y * s + x;
                    if covered[i] {
                        continue;
                    }
                    let mut sum = [0.0f32; 4];
                    let mut n = 0.0;
                    for (dx, dy) in [(-1i64, 0i64), (1, 0), (0, -1), (0, 1)] {
                        let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                        if nx < 0 || ny < 0 || nx >= s as i64 || ny >= s as i64 {
                            continue;
                        }
                        let j = ny as usize * s + nx as usize;
                        if covered[j] {
                            for (acc, v) in sum.iter_mut().zip(&self.data[j * ch..(j + 1) * ch]) {
                                *acc += v;
                            }
                            n += 1.0;
                        }
                    }
                    if n > 0.0 {
                        for (out, acc) in self.data[i * ch..(i + 1) * ch].iter_mut().zip(&sum) {
                            *out = acc / n;
                        }
                        self.covered[i] = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// The first three channels at `uv` (0..1, v down), filtered
    /// bilinearly, clamped at the edges.
    pub fn sample3(&self, uv: [f32; 2]) -> [f32; 3] {
        let s = self.size as f32;
        let x = (uv[0] * s - 0.5).clamp(0.0, s - 1.0);
        let y = (uv[1] * s - 0.5).clamp(0.0, s - 1.0);
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = (
            (x0 + 1).min(self.size as usize - 1),
            (y0 + 1).min(self.size as usize - 1),
        );
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let at = |x: usize, y: usize, k: usize| {
            self.data[(y * self.size as usize + x) * self.channels + k]
        };
        [0, 1, 2].map(|k| {
            let top = at(x0, y0, k) * (1.0 - fx) + at(x1, y0, k) * fx;
            let bottom = at(x0, y1, k) * (1.0 - fx) + at(x1, y1, k) * fx;
            top * (1.0 - fy) + bottom * fy
        })
    }

    /// 8-bit texels; colour channels in `srgb` are encoded with the sRGB curve.
    pub fn to_u8(&self, srgb: &[bool]) -> Vec<u8> {
        let ch = self.channels;
        self.data
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let v = if srgb[i % ch] {
                    super::role::linear_to_srgb(v)
                } else {
                    v.clamp(0.0, 1.0)
                };
                (v * 255.0 + 0.5) as u8
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bakes_interpolated_attributes_and_dilates() {
        let mut canvas = Canvas::new(8, 1, &[0.0]);
        // One triangle over the top-left half, attribute = x position.
        let uvs = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]];
        let attrs = [0.0, 1.0, 0.0];
        canvas.bake(&[0, 1, 2], &uvs, &attrs, 1, |a, t| t[0] = a[0]);
        assert!(canvas.covered[0] && !canvas.covered[63]);
        assert!((canvas.data[3] - 3.5 / 8.0).abs() < 1e-5);
        canvas.dilate(16);
        assert!(canvas.covered.iter().all(|&c| c));
        // Bilinear: half way between two texel centres, their mean.
        let mut ramp = Canvas::paint(4, |u, _| [u, 0.0, 1.0]);
        ramp.covered.fill(true);
        let mid = ramp.sample3([0.25, 0.5]);
        assert!((mid[0] - 0.25).abs() < 1e-5 && mid[2] == 1.0, "{mid:?}");
    }
}
