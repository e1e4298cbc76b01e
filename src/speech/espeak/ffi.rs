//! Hand-written bindings to libespeak-ng 1.51 (`/usr/include/espeak-ng/speak_lib.h`,
//! API revision 12). Only what the worker uses. Layouts are checked by the
//! tests below against the x86-64/aarch64 LP64 ABI of the header.

use std::ffi::{c_char, c_int, c_short, c_uint, c_void};

/// `espeak_AUDIO_OUTPUT::AUDIO_OUTPUT_SYNCHRONOUS`: `espeak_Synth` returns
/// after the whole text has gone through the callback.
pub const AUDIO_OUTPUT_SYNCHRONOUS: c_int = 2;
/// `espeakINITIALIZE_PHONEME_EVENTS`: emit `espeakEVENT_PHONEME` events.
pub const INITIALIZE_PHONEME_EVENTS: c_int = 0x0001;
/// `espeakINITIALIZE_DONT_EXIT`: return an error instead of calling exit()
/// when the data directory is missing.
pub const INITIALIZE_DONT_EXIT: c_int = 0x8000;
/// `espeakCHARS_UTF8`.
pub const CHARS_UTF8: c_uint = 1;
/// `espeak_POSITION_TYPE::POS_CHARACTER`.
pub const POS_CHARACTER: c_int = 1;

/// `espeak_EVENT_TYPE` values we look at.
pub const EVENT_LIST_TERMINATED: c_int = 0;
pub const EVENT_PHONEME: c_int = 7;

/// `espeak_PARAMETER` values.
pub const PARAM_RATE: c_int = 1;
pub const PARAM_PITCH: c_int = 3;

/// `espeakPHONEMES_IPA`: `espeak_TextToPhonemes` answers in IPA.
pub const PHONEMES_IPA: c_int = 0x02;

/// `espeak_ERROR::EE_OK`.
pub const EE_OK: c_int = 0;

/// `espeak_EVENT` (40 bytes on LP64).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct EspeakEvent {
    /// `espeak_EVENT_TYPE` (a C enum, int-sized).
    pub kind: c_int,
    pub unique_identifier: c_uint,
    pub text_position: c_int,
    pub length: c_int,
    /// Milliseconds since the start of this `espeak_Synth` call's audio.
    pub audio_position: c_int,
    /// Sample index since the start of this `espeak_Synth` call's audio.
    pub sample: c_int,
    pub user_data: *mut c_void,
    pub id: EventId,
}

/// The `id` union of `espeak_EVENT`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union EventId {
    pub number: c_int,
    pub name: *const c_char,
    /// Phoneme mnemonic, NUL-terminated unless it needs all 8 bytes.
    pub string: [u8; 8],
}

/// `espeak_VOICE`.
#[repr(C)]
pub struct EspeakVoice {
    pub name: *const c_char,
    /// Pairs of (priority byte, NUL-terminated language), ending with an empty string.
    pub languages: *const c_char,
    pub identifier: *const c_char,
    pub gender: u8,
    pub age: u8,
    pub variant: u8,
    pub xx1: u8,
    pub score: c_int,
    pub spare: *mut c_void,
}

/// `t_espeak_callback`: return 0 to continue, 1 to abort.
pub type SynthCallback =
    unsafe extern "C" fn(wav: *mut c_short, numsamples: c_int, events: *mut EspeakEvent) -> c_int;

#[link(name = "espeak-ng")]
unsafe extern "C" {
    pub fn espeak_Initialize(
        output: c_int,
        buflength: c_int,
        path: *const c_char,
        options: c_int,
    ) -> c_int;
    pub fn espeak_SetSynthCallback(callback: SynthCallback);
    pub fn espeak_SetVoiceByName(name: *const c_char) -> c_int;
    pub fn espeak_SetParameter(parameter: c_int, value: c_int, relative: c_int) -> c_int;
    pub fn espeak_Synth(
        text: *const c_void,
        size: usize,
        position: c_uint,
        position_type: c_int,
        end_position: c_uint,
        flags: c_uint,
        unique_identifier: *mut c_uint,
        user_data: *mut c_void,
    ) -> c_int;
    pub fn espeak_Synchronize() -> c_int;
    pub fn espeak_TextToPhonemes(
        textptr: *mut *const c_void,
        textmode: c_int,
        phonememode: c_int,
    ) -> *const c_char;
    pub fn espeak_ListVoices(voice_spec: *mut EspeakVoice) -> *const *const EspeakVoice;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    #[test]
    fn struct_layouts_match_speak_lib_h() {
        // From speak_lib.h on LP64: 6 ints, a pointer, an 8-byte union.
        assert_eq!(size_of::<EspeakEvent>(), 40);
        assert_eq!(offset_of!(EspeakEvent, audio_position), 16);
        assert_eq!(offset_of!(EspeakEvent, sample), 20);
        assert_eq!(offset_of!(EspeakEvent, user_data), 24);
        assert_eq!(offset_of!(EspeakEvent, id), 32);
        assert_eq!(size_of::<EventId>(), 8);
        assert_eq!(align_of::<EspeakEvent>(), 8);
        // 3 pointers, 4 bytes, an int, a pointer.
        assert_eq!(offset_of!(EspeakVoice, gender), 24);
        assert_eq!(offset_of!(EspeakVoice, score), 28);
        assert_eq!(offset_of!(EspeakVoice, spare), 32);
        assert_eq!(size_of::<EspeakVoice>(), 40);
    }
}
