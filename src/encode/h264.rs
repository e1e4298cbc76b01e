//! H.264 video encoding with openh264 (Constrained Baseline, Annex B out).

use openh264::OpenH264API;
use openh264::Timestamp;
use openh264::encoder::{
    BitRate, Encoder, EncoderConfig, FrameRate as H264FrameRate, FrameType, IntraFramePeriod,
    Profile, RateControlMode, UsageType, VuiConfig,
};
use openh264::formats::YUVSlices;

use super::EncodeError;
use super::{annexb, yuv};
use crate::clock::FrameRate;

/// What the H.264 encoder is asked to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct H264Settings {
    /// Picture width in pixels; must be even (4:2:0 chroma).
    pub width: u32,
    /// Picture height in pixels; must be even (4:2:0 chroma).
    pub height: u32,
    pub fps: FrameRate,
    /// Target bit rate of the rate control.
    pub bitrate_bps: u32,
    /// An IDR every this many frames (0: only the first frame and forced ones).
    pub keyframe_interval_frames: u32,
}

/// One encoded access unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedVideo {
    /// The access unit as an Annex B byte stream. IDR access units start
    /// with their SPS and PPS.
    pub annexb: Vec<u8>,
    /// Whether this access unit is an IDR (a random-access point).
    pub keyframe: bool,
}

/// Encodes tightly packed sRGB RGBA8 frames to H.264 Constrained Baseline.
///
/// Colour: RGBA is converted to I420 with BT.601 coefficients in limited
/// ("video", 16..235) range, rounded ([`yuv::rgba_to_i420`]), and the SPS
/// carries a matching VUI (SMPTE 170M primaries, transfer and matrix,
/// `video_full_range_flag = 0`), so decoders do not have to guess; BT.601
/// is also what they assume when the VUI is missing. Every call yields one access unit: frame skipping
/// is off, because the MP4 sink and the live pacer both need a picture per
/// frame slot.
pub struct H264Encoder {
    settings: H264Settings,
    encoder: Encoder,
    /// I420 planes of the frame being encoded, reused between frames.
    y_plane: Vec<u8>,
    u_plane: Vec<u8>,
    v_plane: Vec<u8>,
    frames_encoded: u64,
}

impl H264Encoder {
    /// Creates an encoder; fails on odd or zero dimensions or a zero frame rate.
    pub fn new(settings: H264Settings) -> Result<Self, EncodeError> {
        let H264Settings {
            width, height, fps, ..
        } = settings;
        if width == 0 || height == 0 || width % 2 != 0 || height % 2 != 0 {
            return Err(EncodeError::OddDimensions { width, height });
        }
        // openh264 caps the picture at level 5.2 (3840x2160 either way).
        if width.max(height) > 3840 || width.min(height) > 2160 {
            return Err(EncodeError::TooLarge { width, height });
        }
        if fps.num == 0 || fps.den == 0 {
            return Err(EncodeError::ZeroFrameRate);
        }
        let config = EncoderConfig::new()
            .usage_type(UsageType::CameraVideoRealTime)
            .profile(Profile::Baseline)
            .rate_control_mode(RateControlMode::Bitrate)
            .bitrate(BitRate::from_bps(settings.bitrate_bps))
            .max_frame_rate(H264FrameRate::from_hz(fps.fps() as f32))
            .intra_frame_period(IntraFramePeriod::from_num_frames(
                settings.keyframe_interval_frames,
            ))
            .skip_frames(false)
            // One thread: the pipeline budgets its cores in `runtime/`, and a
            // single-threaded encoder gives the same bytes on every machine.
            .num_threads(1)
            .vui(VuiConfig::bt601());
        let mut encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
            .map_err(|e| EncodeError::OpenH264(e.to_string()))?;
        quiet_openh264_warnings(&mut encoder);
        Ok(H264Encoder {
            settings,
            encoder,
            y_plane: vec![0; (width * height) as usize],
            u_plane: vec![0; (width * height / 4) as usize],
            v_plane: vec![0; (width * height / 4) as usize],
            frames_encoded: 0,
        })
    }

    pub fn settings(&self) -> &H264Settings {
        &self.settings
    }

    /// Encodes one frame. The first frame is always an IDR; `force_keyframe`
    /// makes this frame one too (a new viewer joined, a packet was lost).
    pub fn encode_rgba(
        &mut self,
        rgba: &[u8],
        force_keyframe: bool,
    ) -> Result<EncodedVideo, EncodeError> {
        let (width, height) = (self.settings.width as usize, self.settings.height as usize);
        let expected = width * height * 4;
        if rgba.len() != expected {
            return Err(EncodeError::WrongBufferSize {
                expected_bytes: expected,
                actual_bytes: rgba.len(),
                width: self.settings.width,
                height: self.settings.height,
            });
        }
        yuv::rgba_to_i420(
            rgba,
            width,
            height,
            &mut self.y_plane,
            &mut self.u_plane,
            &mut self.v_plane,
        );
        let half_width = width / 2;
        let planes = YUVSlices::new(
            (&self.y_plane, &self.u_plane, &self.v_plane),
            (width, height),
            (width, half_width, half_width),
        );
        if force_keyframe && self.frames_encoded > 0 {
            self.encoder.force_intra_frame();
        }
        // openh264's rate control reads the timestamps; give it the true
        // frame times so the bit budget per frame matches the frame rate.
        let fps = self.settings.fps;
        let millis = self.frames_encoded * 1000 * u64::from(fps.den) / u64::from(fps.num);
        let bitstream = self
            .encoder
            .encode_at(&planes, Timestamp::from_millis(millis))
            .map_err(|e| EncodeError::OpenH264(e.to_string()))?;
        let frame_type = bitstream.frame_type();
        let annexb = bitstream.to_vec();
        if annexb.is_empty() || matches!(frame_type, FrameType::Skip | FrameType::Invalid) {
            return Err(EncodeError::NoPicture {
                frame_index: self.frames_encoded,
            });
        }
        self.frames_encoded += 1;
        let keyframe = annexb::contains_idr(&annexb);
        Ok(EncodedVideo { annexb, keyframe })
    }
}

/// Lowers openh264's log level to errors before its (lazy) initialisation.
///
/// With frame skipping off, openh264 warns on every initialisation that
/// "bitrate can't be controlled", on stdout. Rate control does follow the
/// target (tests/encode_h264.rs measures it); the warning only clutters
/// the CLI. The crate sets the trace level only after initialising, so it
/// is set here first through the raw API.
fn quiet_openh264_warnings(encoder: &mut Encoder) {
    // codec_app_def.h: ENCODER_OPTION_TRACE_LEVEL = 25, WELS_LOG_ERROR = 1.
    const ENCODER_OPTION_TRACE_LEVEL: i32 = 25;
    let mut level: i32 = 1;
    // SAFETY: SetOption(TRACE_LEVEL) is allowed before initialisation
    // (welsEncoderExt.cpp) and reads one int through the pointer.
    unsafe {
        encoder
            .raw_api()
            .set_option(ENCODER_OPTION_TRACE_LEVEL, (&raw mut level).cast());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::annexb::ParameterSets;

    fn settings(width: u32, height: u32) -> H264Settings {
        H264Settings {
            width,
            height,
            fps: FrameRate::new(30, 1),
            bitrate_bps: 1_000_000,
            keyframe_interval_frames: 10,
        }
    }

    #[test]
    fn rejects_odd_sizes_and_wrong_buffers() {
        let err = H264Encoder::new(settings(321, 240))
            .err()
            .expect("odd width fails");
        assert!(err.to_string().contains("321x240"), "{err}");
        assert!(H264Encoder::new(settings(320, 0)).is_err());
        let mut encoder = H264Encoder::new(settings(64, 48)).expect("valid size");
        let err = encoder
            .encode_rgba(&[0; 10], false)
            .expect_err("short buffer");
        assert!(err.to_string().contains("12288"), "{err}");
    }

    #[test]
    fn first_frame_is_an_idr_with_constrained_baseline_parameter_sets() {
        let mut encoder = H264Encoder::new(settings(64, 48)).expect("valid size");
        let frame = vec![128u8; 64 * 48 * 4];
        let first = encoder.encode_rgba(&frame, false).expect("encodes");
        assert!(first.keyframe);
        let sets = ParameterSets::from_annexb(&first.annexb).expect("IDR carries SPS/PPS");
        assert_eq!(sets.profile_idc(), 66, "Baseline");
        assert_ne!(
            sets.sps[2] & 0x40,
            0,
            "constraint_set1_flag: Constrained Baseline"
        );

        let second = encoder.encode_rgba(&frame, false).expect("encodes");
        assert!(!second.keyframe);
        let forced = encoder.encode_rgba(&frame, true).expect("encodes");
        assert!(forced.keyframe);
        // keyframe_interval_frames = 10: frame 10 is an IDR again.
        let mut keyframes = Vec::new();
        for index in 3..21 {
            if encoder
                .encode_rgba(&frame, false)
                .expect("encodes")
                .keyframe
            {
                keyframes.push(index);
            }
        }
        assert!(!keyframes.is_empty(), "periodic IDRs: {keyframes:?}");
    }
}
