//! One WebRTC peer connection per session (webrtc 0.21): H.264 + Opus out
//! in one MediaStream, the client's `chat` data channel in, keyframe
//! requests delivered to the application. Loopback-friendly settings from
//! shared/notes/webrtc-loopback.md: no mDNS, fast ICE checks.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rtc::interceptor::{Attribute, Interceptor, Packet, Slot, StreamInfo, TaggedPacket};
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_H264, MIME_TYPE_OPUS};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters,
    RTCRtpEncodingParameters, RtpCodecKind,
};
use tokio::sync::mpsc;
use webrtc::data_channel::DataChannel;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    RTCIceGatheringState, RTCPeerConnectionState, RTCSessionDescription, Registry,
    SettingEngineBuilder, register_default_interceptors,
};

use super::ServeError;

/// What the connection tells its session.
pub enum PeerEvent {
    State(RTCPeerConnectionState),
    DataChannel(Arc<dyn DataChannel>),
}

/// A connected-or-connecting peer with its two outgoing tracks.
pub struct Peer {
    pub pc: Arc<dyn PeerConnection>,
    pub video: Arc<TrackLocalStaticRTP>,
    pub audio: Arc<TrackLocalStaticRTP>,
    pub video_ssrc: u32,
    pub audio_ssrc: u32,
    pub video_pt: u8,
    pub audio_pt: u8,
    pub events: mpsc::UnboundedReceiver<PeerEvent>,
}

struct Handler {
    events: mpsc::UnboundedSender<PeerEvent>,
    gathered: mpsc::UnboundedSender<()>,
}

// Callbacks run on the connection's driver task: only forward, never block
// or call back into the connection here.
#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            let _ = self.gathered.send(());
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self.events.send(PeerEvent::State(state));
    }

    async fn on_data_channel(&self, data_channel: Arc<dyn DataChannel>) {
        let _ = self.events.send(PeerEvent::DataChannel(data_channel));
    }
}

fn h264_codec() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_H264.to_owned(),
        clock_rate: 90_000,
        channels: 0,
        // Constrained Baseline 3.1, what openh264 produces here.
        sdp_fmtp_line: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"
            .to_owned(),
        rtcp_feedback: vec![
            feedback("nack", ""),
            feedback("nack", "pli"),
            feedback("ccm", "fir"),
        ],
    }
}

fn opus_codec() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_OPUS.to_owned(),
        clock_rate: 48_000,
        channels: 2,
        sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
        rtcp_feedback: vec![],
    }
}

fn feedback(typ: &str, parameter: &str) -> RTCPFeedback {
    RTCPFeedback {
        typ: typ.to_owned(),
        parameter: parameter.to_owned(),
    }
}

fn track(
    kind: RtpCodecKind,
    stream_id: &str,
    ssrc: u32,
    codec: RTCRtpCodec,
) -> TrackLocalStaticRTP {
    TrackLocalStaticRTP::new(MediaStreamTrack::new(
        stream_id.to_owned(),
        format!("{stream_id}-{kind}"),
        format!("avatarcast {kind}"),
        kind,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                ssrc: Some(ssrc),
                ..Default::default()
            },
            codec,
            ..Default::default()
        }],
    ))
}

/// Answers `offer_sdp`: a peer bound to `ip` (port chosen by the OS) whose
/// audio and video share the MediaStream `stream_id`, and the answer SDP
/// with its ICE candidates (no trickle: WHEP returns one answer).
pub async fn answer(
    offer_sdp: &str,
    stream_id: &str,
    ip: IpAddr,
) -> Result<(Peer, String), ServeError> {
    let bad_offer = |reason: String| ServeError::BadOffer(reason);
    let offer = RTCSessionDescription::offer(offer_sdp.to_owned())
        .map_err(|e| bad_offer(format!("the SDP does not parse: {e}")))?;

    let mut media = MediaEngine::default();
    let webrtc_err = |what: &'static str| {
        move |e: webrtc::error::Error| ServeError::WebRtc {
            what,
            reason: e.to_string(),
        }
    };
    media
        .register_codec(
            RTCRtpCodecParameters {
                rtp_codec: h264_codec(),
                payload_type: 102,
            },
            RtpCodecKind::Video,
        )
        .map_err(webrtc_err("register H.264"))?;
    media
        .register_codec(
            RTCRtpCodecParameters {
                rtp_codec: opus_codec(),
                payload_type: 111,
            },
            RtpCodecKind::Audio,
        )
        .map_err(webrtc_err("register Opus"))?;
    let registry = register_default_interceptors(Registry::new(), &mut media)
        .map_err(webrtc_err("set up interceptors"))?
        .with(Slot::from(14_000), KeyframeRequests::default());
    let settings = SettingEngineBuilder::new()
        .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
        .with_ice_connection_attempts(Some(Duration::from_millis(20)), Some(25))
        // A viewer that vanishes without DELETE (tab closed, network gone)
        // frees its slot after ~12 s instead of the default 25 s.
        .with_ice_timeouts(
            Some(Duration::from_secs(5)),
            Some(Duration::from_secs(12)),
            Some(Duration::from_secs(2)),
        )
        .build();

    let (events_tx, events) = mpsc::unbounded_channel();
    let (gathered_tx, mut gathered) = mpsc::unbounded_channel();
    let pc = PeerConnectionBuilder::new()
        .with_media_engine(media)
        .with_setting_engine(settings)
        .with_interceptor_registry(registry)
        .with_handler(Arc::new(Handler {
            events: events_tx,
            gathered: gathered_tx,
        }))
        .with_udp_addrs(vec![std::net::SocketAddr::new(ip, 0)])
        .build()
        .await
        .map_err(webrtc_err("create the peer connection"))?;
    let pc: Arc<dyn PeerConnection> = Arc::new(pc);

    let (video_ssrc, audio_ssrc) = (super::random_u32(), super::random_u32());
    let video = Arc::new(track(
        RtpCodecKind::Video,
        stream_id,
        video_ssrc,
        h264_codec(),
    ));
    let audio = Arc::new(track(
        RtpCodecKind::Audio,
        stream_id,
        audio_ssrc,
        opus_codec(),
    ));
    let result = negotiate(&pc, &offer, &video, &audio, &mut gathered).await;
    let (video_pt, audio_pt, sdp) = match result {
        Ok(v) => v,
        Err(e) => {
            let _ = pc.close().await;
            return Err(e);
        }
    };
    Ok((
        Peer {
            pc,
            video,
            audio,
            video_ssrc,
            audio_ssrc,
            video_pt,
            audio_pt,
            events,
        },
        sdp,
    ))
}

async fn negotiate(
    pc: &Arc<dyn PeerConnection>,
    offer: &RTCSessionDescription,
    video: &Arc<TrackLocalStaticRTP>,
    audio: &Arc<TrackLocalStaticRTP>,
    gathered: &mut mpsc::UnboundedReceiver<()>,
) -> Result<(u8, u8, String), ServeError> {
    let video_sender = pc
        .add_track(Arc::clone(video) as Arc<dyn TrackLocal>)
        .await
        .map_err(|e| ServeError::WebRtc {
            what: "add the video track",
            reason: e.to_string(),
        })?;
    let audio_sender = pc
        .add_track(Arc::clone(audio) as Arc<dyn TrackLocal>)
        .await
        .map_err(|e| ServeError::WebRtc {
            what: "add the audio track",
            reason: e.to_string(),
        })?;
    pc.set_remote_description(offer.clone())
        .await
        .map_err(|e| ServeError::BadOffer(format!("the offer was refused: {e}")))?;
    let answer = pc
        .create_answer(None)
        .await
        .map_err(|e| ServeError::BadOffer(format!("no answer fits the offer: {e}")))?;
    pc.set_local_description(answer)
        .await
        .map_err(|e| ServeError::WebRtc {
            what: "set the local description",
            reason: e.to_string(),
        })?;
    let video_pt = negotiated_pt(&video_sender, "H.264 video (packetization-mode=1)").await?;
    let audio_pt = negotiated_pt(&audio_sender, "Opus audio").await?;
    // Host candidates on one address gather in milliseconds; the cap only
    // guards against a stuck gatherer.
    let _ = tokio::time::timeout(Duration::from_secs(2), gathered.recv()).await;
    let local = pc.local_description().await.ok_or(ServeError::WebRtc {
        what: "read the local description",
        reason: "none was set".into(),
    })?;
    Ok((video_pt, audio_pt, local.sdp))
}

async fn negotiated_pt(
    sender: &Arc<dyn webrtc::rtp_transceiver::RtpSender>,
    what: &str,
) -> Result<u8, ServeError> {
    let params = sender
        .get_parameters()
        .await
        .map_err(|e| ServeError::BadOffer(format!("the offer does not receive {what}: {e}")))?;
    params
        .rtp_parameters
        .codecs
        .first()
        .map(|c| c.payload_type)
        .ok_or_else(|| {
            ServeError::BadOffer(format!(
                "the offer does not receive {what}; offer a recvonly transceiver for it"
            ))
        })
}

/// Passes PLI and FIR from the receiver up to the application (webrtc 0.21
/// stops inbound RTCP inside the interceptor chain by default), where the
/// session turns them into a forced IDR.
#[derive(Default)]
struct KeyframeRequests {
    read: VecDeque<TaggedPacket>,
    write: VecDeque<TaggedPacket>,
}

fn is_keyframe_request(packet: &dyn rtc::rtcp::Packet) -> bool {
    let any = packet.as_any();
    any.is::<PictureLossIndication>() || any.is::<FullIntraRequest>()
}

impl rtc::sansio::Protocol<TaggedPacket, TaggedPacket, ()> for KeyframeRequests {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = rtc::shared::error::Error;
    type Time = Instant;

    fn handle_read(&mut self, mut msg: TaggedPacket) -> Result<(), Self::Error> {
        if let Packet::Rtcp(packets) = &msg.message.packet
            && packets.iter().any(|p| is_keyframe_request(p.as_ref()))
        {
            msg.message.add(Attribute::DeliverToApplication);
        }
        self.read.push_back(msg);
        Ok(())
    }

    fn poll_read(&mut self) -> Option<TaggedPacket> {
        self.read.pop_front()
    }

    fn handle_write(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        self.write.push_back(msg);
        Ok(())
    }

    fn poll_write(&mut self) -> Option<TaggedPacket> {
        self.write.pop_front()
    }
}

impl Interceptor for KeyframeRequests {
    fn bind_local_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _info: &StreamInfo) {}
    fn bind_remote_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _info: &StreamInfo) {}
}

/// Whether a track event is a keyframe request.
pub fn wants_keyframe(event: &webrtc::media_stream::track_local::TrackLocalEvent) -> bool {
    match event {
        webrtc::media_stream::track_local::TrackLocalEvent::OnRtcpPacket(packets) => {
            packets.iter().any(|p| is_keyframe_request(p.as_ref()))
        }
        #[allow(unreachable_patterns)]
        _ => false,
    }
}
