//! Server metrics in Prometheus text format (`GET /metrics`). Lock-free
//! counters and fixed-bucket histograms, shared by every session thread.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Bucket upper bounds in seconds: 5 ms .. 10 s, enough resolution around
/// the 100 ms latency target and the 40 ms frame budget.
const BOUNDS_S: [f64; 14] = [
    0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A cumulative histogram of durations.
#[derive(Debug, Default)]
pub struct Histogram {
    /// Per-bucket counts (not cumulative); the last is `+Inf`.
    buckets: [AtomicU64; BOUNDS_S.len() + 1],
    sum_us: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, d: Duration) {
        let s = d.as_secs_f64();
        let i = BOUNDS_S
            .iter()
            .position(|b| s <= *b)
            .unwrap_or(BOUNDS_S.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.sum_us
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// The mean of everything observed (zero before the first observation).
    pub fn mean(&self) -> Duration {
        let n = self.count().max(1);
        Duration::from_micros(self.sum_us.load(Ordering::Relaxed) / n)
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (i, bucket) in self.buckets.iter().enumerate() {
            cumulative += bucket.load(Ordering::Relaxed);
            let le = BOUNDS_S
                .get(i)
                .map_or("+Inf".to_string(), |b| b.to_string());
            let _ = writeln!(out, "{name}_bucket{{le=\"{le}\"}} {cumulative}");
        }
        let sum = self.sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {}", self.count());
    }
}

/// Everything `/metrics` reports.
#[derive(Debug, Default)]
pub struct Metrics {
    pub active_sessions: AtomicI64,
    pub sessions_total: AtomicU64,
    pub sessions_rejected: AtomicU64,
    pub frames_encoded: AtomicU64,
    pub frames_dropped: AtomicU64,
    pub audio_packets: AtomicU64,
    pub text_to_first_audio: Histogram,
    pub text_to_first_video: Histogram,
    pub render_time: Histogram,
    pub encode_time: Histogram,
}

impl Metrics {
    pub fn active(&self) -> i64 {
        self.active_sessions.load(Ordering::Relaxed)
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The Prometheus text exposition (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let gauge = |out: &mut String, name: &str, help: &str, v: i64| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        };
        let counter = |out: &mut String, name: &str, help: &str, v: &AtomicU64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                v.load(Ordering::Relaxed)
            );
        };
        gauge(
            &mut out,
            "avatarcast_active_sessions",
            "Live WebRTC sessions.",
            self.active(),
        );
        counter(
            &mut out,
            "avatarcast_sessions_total",
            "Sessions opened.",
            &self.sessions_total,
        );
        counter(
            &mut out,
            "avatarcast_sessions_rejected_total",
            "Offers refused because the session cap was reached.",
            &self.sessions_rejected,
        );
        counter(
            &mut out,
            "avatarcast_frames_encoded_total",
            "Video frames encoded and sent.",
            &self.frames_encoded,
        );
        counter(
            &mut out,
            "avatarcast_frames_dropped_total",
            "Video frames skipped because rendering fell behind the audio clock.",
            &self.frames_dropped,
        );
        counter(
            &mut out,
            "avatarcast_audio_packets_total",
            "Opus packets sent.",
            &self.audio_packets,
        );
        self.text_to_first_audio.render(
            &mut out,
            "avatarcast_text_to_first_audio_seconds",
            "From a chat text message to the first audio packet of its answer.",
        );
        self.text_to_first_video.render(
            &mut out,
            "avatarcast_text_to_first_video_seconds",
            "From a chat text message to the first encoded frame showing its answer.",
        );
        self.render_time.render(
            &mut out,
            "avatarcast_render_seconds",
            "Render and readback time per frame.",
        );
        self.encode_time.render(
            &mut out,
            "avatarcast_encode_seconds",
            "H.264 encode time per frame.",
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_text_is_prometheus() {
        let m = Metrics::default();
        m.render_time.observe(Duration::from_millis(3));
        m.render_time.observe(Duration::from_millis(30));
        m.render_time.observe(Duration::from_secs(20));
        m.active_sessions.fetch_add(1, Ordering::Relaxed);
        Metrics::add(&m.frames_dropped, 2);
        let text = m.render();
        assert!(text.contains("avatarcast_active_sessions 1\n"), "{text}");
        assert!(text.contains("avatarcast_frames_dropped_total 2\n"));
        assert!(text.contains("avatarcast_render_seconds_bucket{le=\"0.005\"} 1\n"));
        assert!(text.contains("avatarcast_render_seconds_bucket{le=\"0.04\"} 2\n"));
        assert!(text.contains("avatarcast_render_seconds_bucket{le=\"+Inf\"} 3\n"));
        assert!(text.contains("avatarcast_render_seconds_count 3\n"));
        assert!(text.contains("# TYPE avatarcast_encode_seconds histogram\n"));
    }
}
