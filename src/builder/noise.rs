//! Deterministic procedural noise (integer hashing, no RNG state): value
//! noise in 3D and its fractal sum, used to bake skin, hair and fabric.

use glam::Vec3;

/// A 32-bit integer hash (lowbias32 by Chris Wellons): good avalanche, cheap.
pub fn hash(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^= x >> 16;
    x
}

fn lattice(x: i32, y: i32, z: i32, seed: u32) -> f32 {
    let h = hash(hash(hash(x as u32 ^ seed).wrapping_add(y as u32)).wrapping_add(z as u32));
    h as f32 / u32::MAX as f32
}

fn fade(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

/// Smooth value noise in 0..=1 with unit lattice spacing.
pub fn value3(p: Vec3, seed: u32) -> f32 {
    let f = p.floor();
    let (x, y, z) = (f.x as i32, f.y as i32, f.z as i32);
    let t = p - f;
    let (u, v, w) = (fade(t.x), fade(t.y), fade(t.z));
    let mut acc = 0.0;
    for (dz, wz) in [(0, 1.0 - w), (1, w)] {
        for (dy, wy) in [(0, 1.0 - v), (1, v)] {
            for (dx, wx) in [(0, 1.0 - u), (1, u)] {
                acc += lattice(x + dx, y + dy, z + dz, seed) * wx * wy * wz;
            }
        }
    }
    acc
}

/// Fractal sum of `octaves` value noises, each twice the frequency and half
/// the amplitude of the last; normalised to 0..=1.
pub fn fbm3(p: Vec3, octaves: u32, seed: u32) -> f32 {
    let (mut sum, mut amp, mut norm, mut freq) = (0.0, 1.0, 0.0, 1.0);
    for o in 0..octaves {
        sum += value3(p * freq, seed.wrapping_add(o * 7919)) * amp;
        norm += amp;
        amp *= 0.5;
        freq *= 2.03;
    }
    sum / norm
}

pub fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// The curve through `keys` (ascending in x) at `x`: eased from key to
/// key by `smoothstep`, flat before the first and after the last.
pub fn smooth_keys(keys: &[(f32, f32)], x: f32) -> f32 {
    for w in keys.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if x <= x1 {
            return y0 + (y1 - y0) * smoothstep(0.0, 1.0, (x - x0) / (x1 - x0));
        }
    }
    keys.last().map_or(0.0, |k| k.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smooth_keys_pass_through_their_keys_and_hold_beyond_them() {
        let keys = [(0.0, 1.0), (1.0, 3.0), (2.0, 2.0)];
        for (x, y) in [
            (-1.0, 1.0),
            (0.0, 1.0),
            (0.5, 2.0),
            (1.0, 3.0),
            (2.0, 2.0),
            (5.0, 2.0),
        ] {
            assert!((smooth_keys(&keys, x) - y).abs() < 1e-6, "{x}");
        }
    }

    #[test]
    fn noise_is_deterministic_and_bounded() {
        for i in 0..200 {
            let p = Vec3::new(i as f32 * 0.37, i as f32 * -1.3, 2.0 + i as f32 * 0.11);
            let a = fbm3(p, 4, 3);
            assert!((0.0..=1.0).contains(&a));
            assert_eq!(a, fbm3(p, 4, 3));
        }
        assert_ne!(value3(Vec3::splat(0.5), 1), value3(Vec3::splat(0.5), 2));
    }
}
