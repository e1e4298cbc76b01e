//! Corrupt inputs never panic.

use avatarcast::avatar::{Avatar, build_glb};
use proptest::prelude::*;

use crate::tiny::{tiny_glb, tiny_gltf};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    /// Any truncation or byte corruption of a valid GLB is an error or a
    /// model, never a panic.
    #[test]
    fn corrupt_glb_never_panics(
        cut in 0usize..4096,
        flips in proptest::collection::vec((0usize..4096, any::<u8>()), 0..8),
    ) {
        let mut glb = tiny_glb(|_| {});
        for (at, byte) in flips {
            let at = at % glb.len();
            glb[at] = byte;
        }
        glb.truncate(cut.min(glb.len()));
        let _ = Avatar::from_glb_bytes(&glb, "fuzz");
    }

    /// Digits in the JSON changed at random (indices, counts, offsets).
    #[test]
    fn corrupt_json_numbers_never_panic(seed in proptest::collection::vec(any::<(u16, u8)>(), 1..6)) {
        let (json, bin) = tiny_gltf(|_| {});
        let mut text = json.to_string().into_bytes();
        let digits: Vec<usize> = text.iter().enumerate().filter(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i).collect();
        for (at, value) in seed {
            let i = digits[at as usize % digits.len()];
            text[i] = b"0123456789"[value as usize % 10];
        }
        let text = String::from_utf8(text).expect("still ASCII");
        let _ = Avatar::from_glb_bytes(&build_glb(&text, &bin), "fuzz");
    }
}
