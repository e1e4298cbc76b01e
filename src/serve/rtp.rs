//! RTP packets built here rather than by a sample track, so that both
//! tracks' timestamps come from the one audio clock: video ticks are
//! `SampleTime::as_rtp_video_ticks` (90 kHz), audio ticks are 48 kHz input
//! samples, each plus a random per-track offset (RFC 3550).

use bytes::Bytes;
use rtc::rtp::codec::h264::H264Payloader;
use rtc::rtp::codec::opus::OpusPayloader;
use rtc::rtp::packetizer::Payloader;
use rtc::rtp::{Header, Packet};

use crate::clock::SampleTime;

/// Payloads up to this size keep every packet under a 1280-byte path MTU
/// with SRTP and header room to spare.
const MTU_BYTES: usize = 1200;

/// The packetizer of one outgoing track.
pub struct RtpStream {
    payloader: Box<dyn Payloader>,
    ssrc: u32,
    payload_type: u8,
    sequence: u16,
    timestamp_offset: u32,
}

impl RtpStream {
    pub fn h264(ssrc: u32, payload_type: u8, sequence: u16, timestamp_offset: u32) -> Self {
        Self::new(
            Box::new(H264Payloader::default()),
            ssrc,
            payload_type,
            sequence,
            timestamp_offset,
        )
    }

    pub fn opus(ssrc: u32, payload_type: u8, sequence: u16, timestamp_offset: u32) -> Self {
        Self::new(
            Box::new(OpusPayloader),
            ssrc,
            payload_type,
            sequence,
            timestamp_offset,
        )
    }

    fn new(
        payloader: Box<dyn Payloader>,
        ssrc: u32,
        payload_type: u8,
        sequence: u16,
        timestamp_offset: u32,
    ) -> Self {
        RtpStream {
            payloader,
            ssrc,
            payload_type,
            sequence,
            timestamp_offset,
        }
    }

    /// Packets of one H.264 access unit showing audio sample `time`; the
    /// marker bit is set on its last packet.
    pub fn video_frame(&mut self, annexb: Vec<u8>, time: SampleTime) -> Vec<Packet> {
        // RTP time wraps at 2^32 ticks by design (13 h at 90 kHz).
        let ticks = time.as_rtp_video_ticks() as u32;
        self.packetize(annexb, ticks, true)
    }

    /// Packets of one Opus frame whose first decoded sample is input sample
    /// `pts` (negative during the encoder's priming).
    pub fn audio_frame(&mut self, opus: Vec<u8>, pts: i64) -> Vec<Packet> {
        self.packetize(opus, pts as u32, false)
    }

    fn packetize(&mut self, data: Vec<u8>, ticks: u32, mark_last: bool) -> Vec<Packet> {
        let payloads = match self.payloader.payload(MTU_BYTES, &Bytes::from(data)) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!("dropping a frame that cannot be packetised: {e}");
                return Vec::new();
            }
        };
        let last = payloads.len().saturating_sub(1);
        payloads
            .into_iter()
            .enumerate()
            .map(|(i, payload)| {
                let sequence_number = self.sequence;
                self.sequence = self.sequence.wrapping_add(1);
                Packet {
                    header: Header {
                        version: 2,
                        marker: mark_last && i == last,
                        payload_type: self.payload_type,
                        sequence_number,
                        timestamp: self.timestamp_offset.wrapping_add(ticks),
                        ssrc: self.ssrc,
                        ..Header::default()
                    },
                    payload,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tracks_follow_the_audio_clock_and_frames_end_with_a_marker() {
        let mut video = RtpStream::h264(1, 102, u16::MAX, 1000);
        // A big IDR slice: SPS, PPS and a 3000-byte NAL split into FU-A.
        let mut au = vec![
            0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1f, 0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80,
        ];
        au.extend([0, 0, 0, 1, 0x65]);
        au.extend(std::iter::repeat_n(0x11, 3000));
        let t = SampleTime(48_000);
        let packets = video.video_frame(au, t);
        assert!(packets.len() >= 3, "{}", packets.len());
        for p in &packets {
            assert_eq!(p.header.timestamp, 1000 + 90_000);
            assert_eq!(p.header.payload_type, 102);
        }
        let markers: Vec<bool> = packets.iter().map(|p| p.header.marker).collect();
        assert_eq!(markers.iter().filter(|m| **m).count(), 1);
        assert_eq!(markers.last(), Some(&true));
        assert_eq!(packets[0].header.sequence_number, u16::MAX);
        assert_eq!(
            packets[1].header.sequence_number, 0,
            "sequence numbers wrap"
        );

        let mut audio = RtpStream::opus(2, 111, 7, 5);
        let first = audio.audio_frame(vec![0xfc, 1, 2], -312);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].header.timestamp, 5u32.wrapping_sub(312));
        let second = audio.audio_frame(vec![0xfc, 1, 2], 960 - 312);
        assert_eq!(
            second[0]
                .header
                .timestamp
                .wrapping_sub(first[0].header.timestamp),
            960
        );
        assert_eq!(second[0].header.sequence_number, 8);
    }
}
