//! Per-frame H.264 encode cost (RGBA -> I420 -> openh264) at 512x512 and
//! 1280x720 on a face-like picture that moves, and the cost of encoding one
//! second of speech-like audio to AAC.

use std::hint::black_box;

use avatarcast::clock::FrameRate;
use avatarcast::encode::{AudioCodec, AudioEncoder, H264Encoder, H264Settings, yuv};
use criterion::{Criterion, criterion_group, criterion_main};

/// A portrait-like frame: smooth background gradient, a shaded skin ellipse,
/// dark eyes and a mouth that opens with `index`, plus fine moving texture
/// (hair-like stripes) so motion estimation has real work to do.
fn face_frame(width: u32, height: u32, index: u32) -> Vec<u8> {
    let (w, h) = (width as f32, height as f32);
    let (cx, cy) = (w * 0.5 + (index as f32 * 0.21).sin() * w * 0.02, h * 0.48);
    let (rx, ry) = (w.min(h) * 0.28, w.min(h) * 0.36);
    let mouth_open = 0.02 + 0.03 * ((index as f32 * 0.5).sin() * 0.5 + 0.5);
    let mut rgba = Vec::with_capacity((width * height * 4) as usize);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (x as f32, y as f32);
            let (dx, dy) = ((fx - cx) / rx, (fy - cy) / ry);
            let d2 = dx * dx + dy * dy;
            let mut rgb = if d2 < 1.0 {
                let shade = 1.0 - 0.35 * d2 - 0.1 * dx;
                [224.0 * shade, 172.0 * shade, 150.0 * shade]
            } else {
                let stripes = ((fx * 0.7 + fy * 0.3 + index as f32 * 3.0).sin() * 12.0).max(-12.0);
                [
                    40.0 + fy / h * 60.0 + stripes,
                    60.0 + stripes,
                    90.0 + fx / w * 50.0,
                ]
            };
            let eye =
                |ex: f32| ((fx - ex).powi(2) + (fy - (cy - ry * 0.2)).powi(2)).sqrt() < rx * 0.09;
            if eye(cx - rx * 0.38) || eye(cx + rx * 0.38) {
                rgb = [30.0, 25.0, 25.0];
            }
            let (mx, my) = (
                (fx - cx) / (rx * 0.35),
                (fy - (cy + ry * 0.45)) / (ry * mouth_open * 4.0),
            );
            if mx * mx + my * my < 1.0 {
                rgb = [120.0, 30.0, 40.0];
            }
            rgba.extend(rgb.map(|c| c.clamp(0.0, 255.0) as u8));
            rgba.push(255);
        }
    }
    rgba
}

fn bench_h264(c: &mut Criterion) {
    let mut group = c.benchmark_group("h264_encode_frame");
    for (width, height, bitrate_bps) in [(512, 512, 1_500_000), (1280, 720, 2_000_000)] {
        let frames: Vec<Vec<u8>> = (0..30).map(|i| face_frame(width, height, i)).collect();
        let mut encoder = H264Encoder::new(H264Settings {
            width,
            height,
            fps: FrameRate::new(30, 1),
            bitrate_bps,
            keyframe_interval_frames: 60,
        })
        .expect("valid settings");
        let mut index = 0usize;
        group.bench_function(format!("{width}x{height}"), |b| {
            b.iter(|| {
                let frame = &frames[index % frames.len()];
                index += 1;
                black_box(
                    encoder
                        .encode_rgba(black_box(frame), false)
                        .expect("encodes"),
                )
            })
        });
    }
    group.finish();
}

fn bench_aac(c: &mut Criterion) {
    // A voiced-speech stand-in: 140 Hz pulse train through a crude formant.
    let pcm: Vec<f32> = (0..48_000)
        .map(|i| {
            let t = i as f32 / 48_000.0;
            let glottal = (t * 140.0 * std::f32::consts::TAU).sin().powi(9);
            0.4 * glottal * (t * 700.0 * std::f32::consts::TAU).sin() * (t * 3.0).sin().abs()
        })
        .collect();
    c.bench_function("aac_encode_1s_mono_48k", |b| {
        b.iter(|| {
            let mut encoder = AudioEncoder::new(AudioCodec::Aac, 96_000).expect("aac available");
            let mut packets = encoder.encode(black_box(&pcm)).expect("encodes");
            packets.extend(encoder.finish().expect("flushes"));
            black_box(packets)
        })
    });
}

fn bench_rgba_to_i420(c: &mut Criterion) {
    let (width, height) = (1280usize, 720usize);
    let rgba = face_frame(width as u32, height as u32, 0);
    let mut y = vec![0; width * height];
    let mut u = vec![0; width * height / 4];
    let mut v = vec![0; width * height / 4];
    c.bench_function("rgba_to_i420_1280x720", |b| {
        b.iter(|| yuv::rgba_to_i420(black_box(&rgba), width, height, &mut y, &mut u, &mut v))
    });
}

criterion_group!(benches, bench_h264, bench_aac, bench_rgba_to_i420);
criterion_main!(benches);
