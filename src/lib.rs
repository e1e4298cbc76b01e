//! avatarcast: a digital human for customer service.
//!
//! ```text
//!  dialog ──▶ speech ──▶ visemes ──▶ animation ──▶ render ──▶ encode ──▶ sink
//! ```
//! Each stage is a function of time and input; threads, sockets and clocks
//! live in `engine`'s callers and the sinks. Audio is the master clock
//! ([`clock::SampleTime`]).

pub mod animation;
pub mod avatar;
pub mod bench;
pub mod builder;
pub mod clock;
pub mod dialog;
pub mod encode;
pub mod engine;
mod net;
pub mod onnx;
pub mod render;
pub mod serve;
pub mod sink;
pub mod speech;
pub mod visemes;
