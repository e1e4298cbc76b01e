//! CPU-side texture work shared by the renderers that upload one avatar.
//!
//! Mip chains (and packed normal + roughness maps) are the dearest part of
//! an upload: ~0.15 s of CPU for a default role. [`RenderLanes`](super::RenderLanes)
//! opens several renderers for the same avatar at the same time; with one
//! cache between them each chain is built once, by whichever renderer asks
//! first, while the other waits for it or builds a different one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::textures::{Encoding, MipChain};
use crate::avatar::Avatar;

/// Which chain: an avatar texture as uploaded in one encoding, or a packed
/// normal + metallic-roughness pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChainKey {
    Texture(usize, Encoding),
    Packed {
        normal: usize,
        metallic_roughness: usize,
    },
}

type Slot = Arc<OnceLock<Result<Arc<MipChain>, String>>>;

/// Built mip chains of one avatar, keyed by texture index. Keys mean
/// nothing for another avatar, so the cache remembers the first avatar it
/// serves and builds afresh (without caching) for any other.
#[derive(Default)]
pub struct UploadCache {
    avatar: OnceLock<usize>,
    chains: Mutex<HashMap<ChainKey, Slot>>,
}

impl UploadCache {
    pub fn get_or_build(
        &self,
        avatar: &Avatar,
        key: ChainKey,
        build: impl FnOnce() -> Result<MipChain, String>,
    ) -> Result<Arc<MipChain>, String> {
        // Identity by address: the cache's owner keeps the avatar alive
        // (RenderLanes holds it in an Arc) while renderers upload it.
        let address = avatar as *const Avatar as usize;
        if *self.avatar.get_or_init(|| address) != address {
            return build().map(Arc::new);
        }
        let slot = {
            // A panic while holding the lock cannot leave the map half-written.
            let mut chains = self.chains.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(chains.entry(key).or_default())
        };
        slot.get_or_init(|| build().map(Arc::new)).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(byte: u8) -> MipChain {
        MipChain::build(vec![byte; 16], 2, 2, Encoding::Linear)
    }

    #[test]
    fn each_chain_is_built_once_per_key() {
        let avatar = Avatar::default();
        let cache = UploadCache::default();
        let mut builds = 0;
        let key = ChainKey::Texture(0, Encoding::Linear);
        for _ in 0..3 {
            let got = cache
                .get_or_build(&avatar, key, || {
                    builds += 1;
                    Ok(chain(7))
                })
                .expect("builds");
            assert_eq!(got.levels[0].0[0], 7);
        }
        assert_eq!(builds, 1);
        let other = cache
            .get_or_build(&avatar, ChainKey::Texture(0, Encoding::Srgb), || {
                Ok(chain(9))
            })
            .expect("builds");
        assert_eq!(other.levels[0].0[0], 9, "another encoding is another chain");
    }

    #[test]
    fn another_avatar_never_sees_the_first_ones_chains() {
        let (first, second) = (Avatar::default(), Avatar::default());
        let cache = UploadCache::default();
        let key = ChainKey::Texture(0, Encoding::Linear);
        cache
            .get_or_build(&first, key, || Ok(chain(1)))
            .expect("builds");
        let got = cache
            .get_or_build(&second, key, || Ok(chain(2)))
            .expect("builds");
        assert_eq!(got.levels[0].0[0], 2);
    }

    #[test]
    fn mip_chains_go_down_to_one_texel() {
        let c = MipChain::build(vec![0; 8 * 2 * 4], 8, 2, Encoding::Linear);
        let sizes: Vec<(u32, u32)> = c.levels.iter().map(|(_, w, h)| (*w, *h)).collect();
        assert_eq!(sizes, vec![(8, 2), (4, 1), (2, 1), (1, 1)]);
    }
}
