//! The one clock of the pipeline: audio samples at 48 kHz.
//!
//! Audio is the master clock. Every video frame is stamped with the
//! [`SampleTime`] of the audio sample it shows; video frame indices, RTP
//! ticks (90 kHz) and MP4 timestamps are derived from it at the edges and
//! never kept as a second source of truth.

use std::ops::{Add, Sub};

/// Output audio sample rate of the whole pipeline. Speech backends resample to it.
pub const SAMPLE_RATE_HZ: u32 = 48_000;

/// A point on the audio clock: the number of 48 kHz samples since the stream
/// (or file) began. 64 bits never roll over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SampleTime(pub u64);

impl SampleTime {
    pub const ZERO: SampleTime = SampleTime(0);

    pub fn from_secs_f64(secs: f64) -> Self {
        SampleTime((secs.max(0.0) * f64::from(SAMPLE_RATE_HZ)).round() as u64)
    }

    pub fn from_millis(millis: u64) -> Self {
        SampleTime(millis * u64::from(SAMPLE_RATE_HZ) / 1000)
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / f64::from(SAMPLE_RATE_HZ)
    }

    pub fn as_millis(self) -> u64 {
        self.0 * 1000 / u64::from(SAMPLE_RATE_HZ)
    }

    /// Time in 90 kHz RTP video ticks (exact: 90 000 / 48 000 = 15 / 8).
    pub fn as_rtp_video_ticks(self) -> u64 {
        self.0 * 15 / 8
    }

    pub fn saturating_sub(self, other: SampleTime) -> SampleTime {
        SampleTime(self.0.saturating_sub(other.0))
    }

    /// Signed distance `self - other` in seconds.
    pub fn secs_since(self, other: SampleTime) -> f64 {
        (self.0 as f64 - other.0 as f64) / f64::from(SAMPLE_RATE_HZ)
    }
}

impl Add for SampleTime {
    type Output = SampleTime;
    fn add(self, rhs: SampleTime) -> SampleTime {
        SampleTime(self.0 + rhs.0)
    }
}

impl Sub for SampleTime {
    type Output = SampleTime;
    /// Saturates at zero: a time before the stream began is the start.
    fn sub(self, rhs: SampleTime) -> SampleTime {
        self.saturating_sub(rhs)
    }
}

/// A video frame rate as an exact ratio, so frame `n` maps to a sample
/// without drift over long streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRate {
    pub num: u32,
    pub den: u32,
}

impl FrameRate {
    pub const fn new(num: u32, den: u32) -> Self {
        FrameRate { num, den }
    }

    pub fn fps(self) -> f64 {
        f64::from(self.num) / f64::from(self.den)
    }

    /// The audio sample that frame `index` shows (frame 0 shows sample 0).
    /// Rounded down, so the frame never shows audio that has not been heard yet.
    pub fn frame_time(self, index: u64) -> SampleTime {
        SampleTime(index * u64::from(SAMPLE_RATE_HZ) * u64::from(self.den) / u64::from(self.num))
    }

    /// Number of frames needed to cover `duration` (the last frame starts before it ends).
    pub fn frames_covering(self, duration: SampleTime) -> u64 {
        let per = u64::from(SAMPLE_RATE_HZ) * u64::from(self.den);
        (duration.0 * u64::from(self.num)).div_ceil(per)
    }

    /// Index of the frame on screen at `t`.
    pub fn frame_at(self, t: SampleTime) -> u64 {
        t.0 * u64::from(self.num) / (u64::from(SAMPLE_RATE_HZ) * u64::from(self.den))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_times_are_exact_at_30_and_25_fps() {
        let fps30 = FrameRate::new(30, 1);
        assert_eq!(fps30.frame_time(0), SampleTime(0));
        assert_eq!(fps30.frame_time(1), SampleTime(1600));
        assert_eq!(fps30.frame_time(30), SampleTime(48_000));
        let fps25 = FrameRate::new(25, 1);
        assert_eq!(fps25.frame_time(25 * 3600), SampleTime(48_000 * 3600));
        let ntsc = FrameRate::new(30_000, 1001);
        assert_eq!(ntsc.frame_time(30_000), SampleTime(48_000 * 1001));
    }

    #[test]
    fn frames_covering_rounds_up_and_frame_at_inverts_frame_time() {
        let fps = FrameRate::new(30, 1);
        assert_eq!(fps.frames_covering(SampleTime(48_000)), 30);
        assert_eq!(fps.frames_covering(SampleTime(48_001)), 31);
        assert_eq!(fps.frames_covering(SampleTime(0)), 0);
        for n in [0u64, 1, 29, 30, 1000] {
            assert_eq!(fps.frame_at(fps.frame_time(n)), n);
        }
    }

    #[test]
    fn rtp_ticks_follow_the_audio_clock() {
        assert_eq!(SampleTime(48_000).as_rtp_video_ticks(), 90_000);
        assert_eq!(SampleTime::from_millis(20).0, 960);
        assert_eq!(SampleTime(96_000) - SampleTime(100_000), SampleTime::ZERO);
    }
}
