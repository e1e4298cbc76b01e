//! [`RenderLanes`]: a stream of frames rendered round-robin on independent
//! devices, returned in submission order.
//!
//! Why: on lavapipe one device is one serial machine. Its queue thread
//! transforms and bins frame n+1 only after the rasteriser threads have
//! finished frame n (wgpu chains every submission to the one before, and
//! batching frames into one submission did not overlap them either), so
//! about a quarter of each frame one core idles. A second device, with its
//! own queue and rasteriser threads, fills that gap: +10 % frames per second
//! for a whole file on 2 cores (BENCHMARKS.md). A hardware GPU gains nothing
//! from this, so it gets one lane.
//!
//! Each lavapipe device starts one rasteriser thread per core. Two lanes
//! on two cores then run six busy threads; with one rasteriser thread per
//! lane a whole 512² file renders ~6 % faster (4.28 s against 4.53 s, idle
//! 2-core machine). Mesa reads that count (`LP_NUM_THREADS`) from the
//! process environment when a device opens, which only the program's
//! `main` can set safely: [`lavapipe_threads_per_lane`] says what to set,
//! and `avatarcast render` sets it.
//!
//! The second lane is built on a helper thread at the same time as the
//! first: opening a device, compiling pipelines and uploading the avatar
//! take ~0.3 s of CPU on one core, and the other core would idle meanwhile.

use std::collections::VecDeque;
use std::sync::Arc;
use std::thread::JoinHandle;

use super::{Camera, GpuAvatar, RenderError, RenderSettings, RenderedFrame, Renderer, UploadCache};
use crate::animation::AvatarPose;
use crate::avatar::Avatar;

/// Frames each lane may have in flight: one rendering, one being read back.
pub const FRAMES_IN_FLIGHT_PER_LANE: usize = 2;

struct Lane {
    renderer: Renderer,
    avatar: GpuAvatar,
}

impl Lane {
    fn open(
        settings: RenderSettings,
        avatar: &Avatar,
        cache: &UploadCache,
    ) -> Result<Lane, RenderError> {
        let mut renderer = Renderer::new(settings)?;
        let avatar = renderer.upload_with(avatar, cache)?;
        Ok(Lane { renderer, avatar })
    }
}

pub struct RenderLanes {
    lanes: Vec<Lane>,
    /// The lane of each frame in flight, oldest first.
    order: VecDeque<usize>,
    next_lane: usize,
    /// Lanes still being built, each on its helper thread.
    building: Vec<JoinHandle<Result<Lane, RenderError>>>,
}

impl RenderLanes {
    /// Opens the first lane now and, on a CPU adapter, a second alongside it
    /// on a helper thread, so both cores work from the start
    /// (`AVATARCAST_RENDER_LANES`, 1 to 4, sets the number of lanes instead).
    pub fn new(settings: RenderSettings, avatar: Arc<Avatar>) -> Result<RenderLanes, RenderError> {
        let count = lanes_from_env().unwrap_or_else(|| {
            if super::device::preferred_adapter_is_cpu() {
                cpu_lanes_wanted()
            } else {
                1
            }
        });
        Self::with_lanes(settings, avatar, count)
    }

    /// Exactly `count` lanes (at least one): the first opened on this
    /// thread while the others are built on helper threads.
    pub fn with_lanes(
        settings: RenderSettings,
        avatar: Arc<Avatar>,
        count: usize,
    ) -> Result<RenderLanes, RenderError> {
        // The lanes share their mip chains: each is built once, and two
        // lanes building at once split the work between them.
        let cache = Arc::new(UploadCache::default());
        let building = spawn_lanes(&settings, &avatar, &cache, count.max(1) - 1);
        let first = Lane::open(settings, &avatar, &cache)?;
        Ok(RenderLanes::from_parts(first, building))
    }

    fn from_parts(
        first: Lane,
        building: Vec<JoinHandle<Result<Lane, RenderError>>>,
    ) -> RenderLanes {
        RenderLanes {
            lanes: vec![first],
            order: VecDeque::new(),
            next_lane: 0,
            building,
        }
    }

    /// Waits until every lane still being built has joined (or failed).
    pub fn wait_for_lanes(&mut self) {
        for handle in std::mem::take(&mut self.building) {
            self.add_built(handle.join());
        }
    }

    /// Adapter name, backend, type and driver of the first lane.
    pub fn adapter_description(&self) -> String {
        self.lanes[0].renderer.adapter_description()
    }

    /// Lanes rendering now (those built in the background join when ready).
    pub fn lane_count(&self) -> usize {
        self.lanes.len()
    }

    /// Frames that may be in flight before the caller should collect one.
    pub fn depth(&self) -> usize {
        FRAMES_IN_FLIGHT_PER_LANE * self.lanes.len()
    }

    /// Queues a frame on the next lane. Frames come back from
    /// [`Self::next_frame`] in the order they were submitted.
    pub fn submit(
        &mut self,
        pose: &AvatarPose,
        camera: &Camera,
        tag: u64,
    ) -> Result<(), RenderError> {
        self.join_finished_lanes();
        let index = self.next_lane % self.lanes.len();
        self.next_lane = self.next_lane.wrapping_add(1);
        let lane = &mut self.lanes[index];
        lane.renderer.submit(&mut lane.avatar, pose, camera, tag)?;
        self.order.push_back(index);
        Ok(())
    }

    pub fn in_flight(&self) -> usize {
        self.order.len()
    }

    /// The oldest frame in flight, waiting for it; `None` when none is.
    pub fn next_frame(&mut self) -> Result<Option<RenderedFrame>, RenderError> {
        let Some(index) = self.order.pop_front() else {
            return Ok(None);
        };
        match self.lanes[index].renderer.next_frame()? {
            Some(frame) => Ok(Some(frame)),
            None => Err(RenderError::Readback(
                "a render lane had no frame although one was submitted to it".into(),
            )),
        }
    }

    /// Adds lanes built in the background once they are ready, without
    /// waiting for them. A lane that failed to build is logged and left
    /// out: the lanes already there render correctly, only slower.
    fn join_finished_lanes(&mut self) {
        let mut index = 0;
        while index < self.building.len() {
            if self.building[index].is_finished() {
                let built = self.building.swap_remove(index).join();
                self.add_built(built);
            } else {
                index += 1;
            }
        }
    }

    fn add_built(&mut self, built: std::thread::Result<Result<Lane, RenderError>>) {
        match built {
            Ok(Ok(lane)) => {
                tracing::debug!(lanes = self.lanes.len() + 1, "render lane ready");
                // Continue round-robin from the new lane, so all fill evenly.
                self.next_lane = self.lanes.len();
                self.lanes.push(lane);
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "a render lane failed to build"),
            Err(_) => tracing::warn!("a render lane's builder panicked"),
        }
    }
}

impl Drop for RenderLanes {
    fn drop(&mut self) {
        // Do not leave a device half-built behind the caller's back.
        for handle in self.building.drain(..) {
            let _ = handle.join();
        }
    }
}

/// Starts building `count` lanes, each on its own helper thread.
fn spawn_lanes(
    settings: &RenderSettings,
    avatar: &Arc<Avatar>,
    cache: &Arc<UploadCache>,
    count: usize,
) -> Vec<JoinHandle<Result<Lane, RenderError>>> {
    let mut building = Vec::new();
    for _ in 0..count {
        let settings = settings.clone();
        let avatar = Arc::clone(avatar);
        let cache = Arc::clone(cache);
        match std::thread::Builder::new()
            .name("avatarcast:lane".into())
            .spawn(move || Lane::open(settings, &avatar, &cache))
        {
            Ok(handle) => building.push(handle),
            // No thread, no extra lane: the others still render everything.
            Err(e) => tracing::warn!(error = %e, "could not start building a render lane"),
        }
    }
    building
}

/// The `LP_NUM_THREADS` that suits `lanes` lavapipe devices rendering at
/// once on `cores` cores: the cores shared out, at least one each. `None`
/// for a single lane, which should keep Mesa's default of one per core.
pub fn lavapipe_threads_per_lane(lanes: usize, cores: usize) -> Option<usize> {
    (lanes > 1).then(|| (cores / lanes).max(1))
}

/// The lanes [`RenderLanes::new`] opens on a CPU adapter, unless
/// `AVATARCAST_RENDER_LANES` says otherwise.
pub fn cpu_lanes_wanted() -> usize {
    lanes_from_env().unwrap_or(2)
}

/// `AVATARCAST_RENDER_LANES` (1 to 4), when set to a number.
fn lanes_from_env() -> Option<usize> {
    std::env::var("AVATARCAST_RENDER_LANES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .map(|n| n.clamp(1, 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_share_the_cores_out() {
        assert_eq!(lavapipe_threads_per_lane(1, 2), None);
        assert_eq!(lavapipe_threads_per_lane(2, 2), Some(1));
        assert_eq!(lavapipe_threads_per_lane(2, 16), Some(8));
        assert_eq!(lavapipe_threads_per_lane(3, 2), Some(1));
    }
}
