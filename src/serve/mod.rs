//! `avatarcast serve`: the live avatar over WebRTC (see docs/protocol.md).

pub mod static_assets;
