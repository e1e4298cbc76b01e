//! sRGB RGBA8 to I420 with BT.601 coefficients in limited (16..235) range,
//! rounded to nearest.
//!
//! openh264's own converter (`YUVBuffer::read_rgba8`) uses the same matrix
//! but truncates, which biases U and V down by half a level on average and
//! turned a saturated blue (40, 60, 220) into (40, 60, 216) in Chromium.
//! Rounding halves the worst error. Chroma is the mean of each 2x2 block
//! (centred siting is close enough to MPEG-2's left siting at 4:2:0 for
//! flat and smooth content, and what openh264 and libswscale's fast path do).

/// Fixed-point BT.601 limited-range coefficients, scaled by 2^16 (Rec. 601
/// Kr = 0.299, Kb = 0.114; luma scaled by 219/255, chroma by 224/255).
const Y_R: i32 = 16_829; // 0.256788
const Y_G: i32 = 33_039; // 0.504129
const Y_B: i32 = 6_416; // 0.097906
const U_R: i32 = -9_714; // -0.148223
const U_G: i32 = -19_070; // -0.290993
const U_B: i32 = 28_784; // 0.439216
const V_R: i32 = 28_784; // 0.439216
const V_G: i32 = -24_103; // -0.367788
const V_B: i32 = -4_681; // -0.071427

/// Converts `rgba` (tightly packed, `width * height * 4` bytes, even
/// dimensions; alpha ignored) into the three I420 planes, which must hold
/// `width * height` and `width * height / 4` bytes.
pub fn rgba_to_i420(
    rgba: &[u8],
    width: usize,
    height: usize,
    y: &mut [u8],
    u: &mut [u8],
    v: &mut [u8],
) {
    // The encoder checks sizes before calling; these are invariants here.
    assert!(width % 2 == 0 && height % 2 == 0, "even dimensions");
    assert_eq!(rgba.len(), width * height * 4, "RGBA size");
    assert_eq!(y.len(), width * height, "Y plane size");
    assert_eq!(u.len(), width * height / 4, "U plane size");
    assert_eq!(v.len(), width * height / 4, "V plane size");
    let half_width = width / 2;
    let rows = rgba.chunks_exact(width * 8);
    let y_rows = y.chunks_exact_mut(width * 2);
    let uv_rows = u
        .chunks_exact_mut(half_width)
        .zip(v.chunks_exact_mut(half_width));
    for ((pair, y_pair), (u_row, v_row)) in rows.zip(y_rows).zip(uv_rows) {
        let (top, bottom) = pair.split_at(width * 4);
        let (y_top, y_bottom) = y_pair.split_at_mut(width);
        convert_row_pair(top, bottom, y_top, y_bottom, u_row, v_row);
    }
}

#[inline(always)]
fn luma(r: i32, g: i32, b: i32) -> u8 {
    ((Y_R * r + Y_G * g + Y_B * b + (16 << 16) + (1 << 15)) >> 16) as u8
}

fn convert_row_pair(
    top: &[u8],
    bottom: &[u8],
    y_top: &mut [u8],
    y_bottom: &mut [u8],
    u_row: &mut [u8],
    v_row: &mut [u8],
) {
    let blocks = top
        .chunks_exact(8)
        .zip(bottom.chunks_exact(8))
        .zip(y_top.chunks_exact_mut(2).zip(y_bottom.chunks_exact_mut(2)))
        .zip(u_row.iter_mut().zip(v_row.iter_mut()));
    for (((t, b), (yt, yb)), (u, v)) in blocks {
        let px = |p: &[u8], i: usize| {
            (
                i32::from(p[i * 4]),
                i32::from(p[i * 4 + 1]),
                i32::from(p[i * 4 + 2]),
            )
        };
        let (r0, g0, b0) = px(t, 0);
        let (r1, g1, b1) = px(t, 1);
        let (r2, g2, b2) = px(b, 0);
        let (r3, g3, b3) = px(b, 1);
        yt[0] = luma(r0, g0, b0);
        yt[1] = luma(r1, g1, b1);
        yb[0] = luma(r2, g2, b2);
        yb[1] = luma(r3, g3, b3);
        // Sums of four: the mean's division folds into the shift (16 + 2).
        let (rs, gs, bs) = (r0 + r1 + r2 + r3, g0 + g1 + g2 + g3, b0 + b1 + b2 + b3);
        *u = ((U_R * rs + U_G * gs + U_B * bs + (128 << 18) + (1 << 17)) >> 18) as u8;
        *v = ((V_R * rs + V_G * gs + V_B * bs + (128 << 18) + (1 << 17)) >> 18) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BT.601 limited range in floating point, the reference.
    fn reference(r: f64, g: f64, b: f64) -> (f64, f64, f64) {
        let y = 16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0;
        let u = 128.0 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255.0;
        let v = 128.0 + (112.0 * r - 93.786 * g - 18.214 * b) / 255.0;
        (y, u, v)
    }

    fn convert(rgba: &[u8], width: usize, height: usize) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let (mut y, mut u, mut v) = (
            vec![0; width * height],
            vec![0; width * height / 4],
            vec![0; width * height / 4],
        );
        rgba_to_i420(rgba, width, height, &mut y, &mut u, &mut v);
        (y, u, v)
    }

    #[test]
    fn flat_colours_round_to_the_nearest_level() {
        for rgb in [
            [0u8, 0, 0],
            [255, 255, 255],
            [235, 40, 40],
            [40, 60, 220],
            [224, 172, 150],
            [1, 254, 128],
        ] {
            let rgba = [rgb[0], rgb[1], rgb[2], 255].repeat(4);
            let (y, u, v) = convert(&rgba, 2, 2);
            let (ry, ru, rv) = reference(f64::from(rgb[0]), f64::from(rgb[1]), f64::from(rgb[2]));
            assert!(
                (f64::from(y[0]) - ry).abs() <= 0.51,
                "{rgb:?}: Y {} vs {ry}",
                y[0]
            );
            assert!(
                (f64::from(u[0]) - ru).abs() <= 0.51,
                "{rgb:?}: U {} vs {ru}",
                u[0]
            );
            assert!(
                (f64::from(v[0]) - rv).abs() <= 0.51,
                "{rgb:?}: V {} vs {rv}",
                v[0]
            );
        }
        // The nominal range ends exactly: black 16/128/128, white 235/128/128.
        assert_eq!(
            convert(&[0, 0, 0, 255].repeat(4), 2, 2),
            (vec![16; 4], vec![128], vec![128])
        );
        assert_eq!(
            convert(&[255; 16], 2, 2),
            (vec![235; 4], vec![128], vec![128])
        );
    }

    #[test]
    fn chroma_is_the_mean_of_each_two_by_two_block() {
        // 4x2: left block red/green/blue/white, right block all grey.
        let mut rgba = Vec::new();
        for row in [
            [[255, 0, 0], [0, 255, 0], [90, 90, 90], [90, 90, 90]],
            [[0, 0, 255], [255, 255, 255], [90, 90, 90], [90, 90, 90]],
        ] {
            for [r, g, b] in row {
                rgba.extend_from_slice(&[r, g, b, 255]);
            }
        }
        let (y, u, v) = convert(&rgba, 4, 2);
        let (_, ru, rv) = reference(127.5, 127.5, 127.5);
        assert_eq!((u[0], v[0]), (ru.round() as u8, rv.round() as u8));
        assert_eq!((u[1], v[1]), (128, 128));
        let luma_of = |r: f64, g: f64, b: f64| reference(r, g, b).0.round() as u8;
        assert_eq!(
            y,
            vec![
                luma_of(255.0, 0.0, 0.0),
                luma_of(0.0, 255.0, 0.0),
                93,
                93,
                luma_of(0.0, 0.0, 255.0),
                235,
                93,
                93
            ]
        );
    }
}
