//! Golden-image comparison, shared by the render tests: one place owns the
//! tolerances (their rationale is in tests/golden/README.md).

#![allow(dead_code, reason = "each test binary uses a different subset")]

pub mod scenes;

use std::path::{Path, PathBuf};

use avatarcast::render::RenderedFrame;

/// How far a render may drift from its golden before the test fails.
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    /// Mean absolute difference over all RGB channels of all pixels, 0..255.
    pub max_mean_abs_diff: f64,
    /// A pixel "differs" when any channel is off by more than this.
    pub pixel_threshold: u8,
    /// At most this fraction of pixels may differ.
    pub max_differing_fraction: f64,
}

impl Tolerance {
    /// Same adapter family or another rasteriser: lavapipe vs hardware GPUs
    /// differ in edge coverage, texture filtering and transcendental
    /// precision, which moves edge pixels and a little shading.
    /// Bound set on lavapipe (LLVM 15); see tests/golden/README.md.
    pub const RENDER: Tolerance = Tolerance {
        max_mean_abs_diff: 1.5,
        pixel_threshold: 24,
        max_differing_fraction: 0.02,
    };
}

pub fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
}

fn save_png(path: &Path, width: u32, height: u32, rgba: &[u8]) {
    image::save_buffer(path, rgba, width, height, image::ColorType::Rgba8)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

#[derive(Debug)]
pub struct Comparison {
    pub mean_abs_diff: f64,
    pub differing_fraction: f64,
    /// Per pixel: the largest channel difference, scaled up to be visible.
    pub diff_image: Vec<u8>,
}

pub fn compare(actual: &[u8], expected: &[u8], threshold: u8) -> Comparison {
    let pixels = actual.len() / 4;
    let mut total = 0u64;
    let mut differing = 0usize;
    let mut diff_image = Vec::with_capacity(actual.len());
    for (a, e) in actual.chunks_exact(4).zip(expected.chunks_exact(4)) {
        let mut worst = 0u8;
        for c in 0..3 {
            let d = a[c].abs_diff(e[c]);
            total += d as u64;
            worst = worst.max(d);
        }
        if worst > threshold {
            differing += 1;
        }
        let shown = worst.saturating_mul(4);
        // Red where over the threshold, grey below it.
        if worst > threshold {
            diff_image.extend([255, 255 - shown.min(200), 0, 255]);
        } else {
            diff_image.extend([shown, shown, shown, 255]);
        }
    }
    Comparison {
        mean_abs_diff: total as f64 / (pixels.max(1) * 3) as f64,
        differing_fraction: differing as f64 / pixels.max(1) as f64,
        diff_image,
    }
}

/// Compares `frame` with tests/golden/<name>.png. On mismatch writes
/// <name>.actual.png and <name>.diff.png next to it and panics with their
/// paths. `AVATARCAST_BLESS=1` rewrites the golden instead.
pub fn assert_golden(name: &str, frame: &RenderedFrame, tolerance: Tolerance) {
    let dir = golden_dir();
    let golden = dir.join(format!("{name}.png"));
    let actual_path = dir.join(format!("{name}.actual.png"));
    let diff_path = dir.join(format!("{name}.diff.png"));
    if std::env::var("AVATARCAST_BLESS").as_deref() == Ok("1") {
        save_png(&golden, frame.width, frame.height, &frame.rgba);
        let _ = std::fs::remove_file(&actual_path);
        let _ = std::fs::remove_file(&diff_path);
        eprintln!("blessed {}", golden.display());
        return;
    }
    let expected = match image::open(&golden) {
        Ok(image) => image.to_rgba8(),
        Err(e) => {
            save_png(&actual_path, frame.width, frame.height, &frame.rgba);
            panic!(
                "golden {name} cannot be read ({e}); look at {} and run with AVATARCAST_BLESS=1 \
                 to accept it: {}",
                actual_path.display(),
                golden.display()
            );
        }
    };
    if expected.dimensions() != (frame.width, frame.height) {
        save_png(&actual_path, frame.width, frame.height, &frame.rgba);
        panic!(
            "golden {name} is {:?} but the render is {}x{}; see {}",
            expected.dimensions(),
            frame.width,
            frame.height,
            actual_path.display()
        );
    }
    let c = compare(&frame.rgba, expected.as_raw(), tolerance.pixel_threshold);
    if c.mean_abs_diff > tolerance.max_mean_abs_diff
        || c.differing_fraction > tolerance.max_differing_fraction
    {
        save_png(&actual_path, frame.width, frame.height, &frame.rgba);
        save_png(&diff_path, frame.width, frame.height, &c.diff_image);
        panic!(
            "render {name} differs from its golden: mean abs diff {:.3} (max {}), {:.3}% of pixels \
             off by more than {} (max {:.3}%); compare {} and {} with {}",
            c.mean_abs_diff,
            tolerance.max_mean_abs_diff,
            c.differing_fraction * 100.0,
            tolerance.pixel_threshold,
            tolerance.max_differing_fraction * 100.0,
            actual_path.display(),
            diff_path.display(),
            golden.display()
        );
    }
    let _ = std::fs::remove_file(&actual_path);
    let _ = std::fs::remove_file(&diff_path);
}

/// Writes a frame as PNG for a human to look at (tests write into
/// target/render-previews, which git ignores).
pub fn write_preview(name: &str, frame: &RenderedFrame) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("render-previews");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{name}.png"));
    save_png(&path, frame.width, frame.height, &frame.rgba);
    path
}
