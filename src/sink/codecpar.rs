//! Codec parameters of the MP4 streams, filled in by hand where no libav
//! encoder context exists (the H.264 stream is stream-copied from
//! openh264) or where libavformat's defaults do not suit players.

use ffmpeg::ffi;
use ffmpeg_next as ffmpeg;

use crate::encode::annexb::ParameterSets;

/// Describes the stream-copied H.264 track: size, profile and level from
/// the SPS, the `avcC` record as extradata, and the colour description
/// that the SPS VUI carries too (BT.601 limited range).
///
/// # Safety
/// `par` must point to valid codec parameters.
pub(crate) unsafe fn set_h264(
    par: *mut ffi::AVCodecParameters,
    (width, height): (u32, u32),
    bitrate_bps: u32,
    sets: &ParameterSets,
) -> Result<(), ffmpeg::Error> {
    let avcc = sets.to_avcc();
    // SAFETY: the caller guarantees `par`. Extradata is allocated with
    // av_mallocz plus the padding libavformat requires, so libavformat can
    // free it with av_free; the old extradata is freed the same way.
    unsafe {
        (*par).codec_type = ffi::AVMediaType::AVMEDIA_TYPE_VIDEO;
        (*par).codec_id = ffi::AVCodecID::AV_CODEC_ID_H264;
        (*par).width = width as i32;
        (*par).height = height as i32;
        (*par).format = ffi::AVPixelFormat::AV_PIX_FMT_YUV420P as i32;
        let constrained = if sets.sps[2] & 0x40 != 0 {
            ffi::FF_PROFILE_H264_CONSTRAINED
        } else {
            0
        };
        (*par).profile = i32::from(sets.profile_idc()) | constrained;
        (*par).level = i32::from(sets.level_idc());
        (*par).bit_rate = i64::from(bitrate_bps);
        (*par).color_range = ffi::AVColorRange::AVCOL_RANGE_MPEG;
        (*par).color_primaries = ffi::AVColorPrimaries::AVCOL_PRI_SMPTE170M;
        (*par).color_trc = ffi::AVColorTransferCharacteristic::AVCOL_TRC_SMPTE170M;
        (*par).color_space = ffi::AVColorSpace::AVCOL_SPC_SMPTE170M;
        (*par).chroma_location = ffi::AVChromaLocation::AVCHROMA_LOC_LEFT;
        (*par).field_order = ffi::AVFieldOrder::AV_FIELD_PROGRESSIVE;
        (*par).sample_aspect_ratio = ffi::AVRational { num: 1, den: 1 };
        let padding = ffi::AV_INPUT_BUFFER_PADDING_SIZE as usize;
        let extradata = ffi::av_mallocz(avcc.len() + padding).cast::<u8>();
        if extradata.is_null() {
            return Err(ffmpeg::Error::Other {
                errno: ffmpeg::util::error::ENOMEM,
            });
        }
        std::ptr::copy_nonoverlapping(avcc.as_ptr(), extradata, avcc.len());
        ffi::av_freep((&raw mut (*par).extradata).cast());
        (*par).extradata = extradata;
        (*par).extradata_size = avcc.len() as i32;
    }
    Ok(())
}

/// Sets the pre-skip of an `OpusHead` extradata (which the muxer copies
/// into `dOps`) to zero, leaving the edit list as the only signal of the
/// encoder delay.
///
/// libavformat signals Opus priming twice: `elst` media_time = 312 and
/// `dOps` PreSkip = 312. ffmpeg applies it once, but Chromium 156 applies
/// both (the media element and `decodeAudioData` alike), so audio played
/// 312 samples (6.5 ms) early. With PreSkip = 0, players that honour the
/// edit list (ffmpeg, Chromium; verified) are sample-exact, and one that
/// honoured only PreSkip would be 6.5 ms late, which nobody hears.
///
/// # Safety
/// `par` must point to valid codec parameters.
pub(crate) unsafe fn clear_opus_pre_skip(par: *mut ffi::AVCodecParameters) {
    // OpusHead (RFC 7845 5.1): magic[8] version[1] channels[1] pre_skip[2 LE] ...
    const PRE_SKIP_AT: usize = 10;
    // SAFETY: the caller guarantees `par`; the length is checked before writing.
    unsafe {
        let extradata = (*par).extradata;
        let len = usize::try_from((*par).extradata_size).unwrap_or(0);
        if extradata.is_null() || len < 19 {
            return;
        }
        let head = std::slice::from_raw_parts_mut(extradata, len);
        if &head[..8] == b"OpusHead" {
            head[PRE_SKIP_AT..PRE_SKIP_AT + 2].fill(0);
        }
    }
}
