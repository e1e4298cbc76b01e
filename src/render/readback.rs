//! A ring of MAP_READ buffers: frame N maps while frame N+1 renders. Frames
//! come out in submission order.

use std::collections::VecDeque;
use std::sync::mpsc;

use super::{RenderError, RenderedFrame};

/// Frames in flight at most; a third slot gained 10 % on lavapipe in
/// shared/notes/render-encode.md, a fourth only adds latency.
pub const RING_SIZE: usize = 3;

/// wgpu copies texture rows in multiples of 256 bytes: 1280 px happens to
/// align, 854 px does not.
pub fn padded_bytes_per_row(width: u32) -> u32 {
    (width * 4).div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT) * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT
}

/// Drops the row padding.
pub fn unpad_rows(padded: &[u8], width: u32, height: u32) -> Vec<u8> {
    let row = (width * 4) as usize;
    let stride = padded_bytes_per_row(width) as usize;
    let mut rgba = Vec::with_capacity(row * height as usize);
    for y in 0..height as usize {
        rgba.extend_from_slice(&padded[y * stride..y * stride + row]);
    }
    rgba
}

struct InFlight {
    slot: usize,
    tag: u64,
    submission: wgpu::SubmissionIndex,
    mapped: mpsc::Receiver<Result<(), wgpu::BufferAsyncError>>,
}

pub struct ReadbackRing {
    buffers: Vec<wgpu::Buffer>,
    free: Vec<usize>,
    in_flight: VecDeque<InFlight>,
    width: u32,
    height: u32,
}

impl ReadbackRing {
    pub fn new(device: &wgpu::Device, width: u32, height: u32) -> ReadbackRing {
        let size = padded_bytes_per_row(width) as u64 * height as u64;
        let buffers = (0..RING_SIZE)
            .map(|_| {
                device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("frame readback"),
                    size,
                    usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                })
            })
            .collect();
        ReadbackRing {
            buffers,
            free: (0..RING_SIZE).rev().collect(),
            in_flight: VecDeque::new(),
            width,
            height,
        }
    }

    pub fn is_full(&self) -> bool {
        self.free.is_empty()
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// The slot the next frame copies into. Call only when not full.
    pub fn next_slot(&self) -> Option<usize> {
        self.free.last().copied()
    }

    pub fn copy_destination(&self, slot: usize) -> wgpu::TexelCopyBufferInfo<'_> {
        wgpu::TexelCopyBufferInfo {
            buffer: &self.buffers[slot],
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(padded_bytes_per_row(self.width)),
                rows_per_image: Some(self.height),
            },
        }
    }

    /// Records that `slot` was submitted and asks for it to be mapped.
    pub fn submitted(&mut self, slot: usize, tag: u64, submission: wgpu::SubmissionIndex) {
        self.free.retain(|&s| s != slot);
        let (sender, receiver) = mpsc::channel();
        self.buffers[slot].map_async(wgpu::MapMode::Read, .., move |result| {
            // The receiver lives until the frame is collected; if the ring
            // was dropped first nobody wants the result.
            let _ = sender.send(result);
        });
        self.in_flight.push_back(InFlight {
            slot,
            tag,
            submission,
            mapped: receiver,
        });
    }

    /// Waits for the oldest frame in flight and returns it.
    pub fn wait_oldest(
        &mut self,
        device: &wgpu::Device,
    ) -> Result<Option<RenderedFrame>, RenderError> {
        let Some(frame) = self.in_flight.pop_front() else {
            return Ok(None);
        };
        // The slot is reusable whatever happens below.
        self.free.push(frame.slot);
        device
            .poll(wgpu::PollType::Wait {
                submission_index: Some(frame.submission),
                timeout: None,
            })
            .map_err(|e| RenderError::Readback(e.to_string()))?;
        let mapped = frame.mapped.try_recv().map_err(|_| {
            RenderError::Readback("the buffer was not mapped after the GPU finished".into())
        })?;
        mapped.map_err(|e| RenderError::Readback(e.to_string()))?;
        let buffer = &self.buffers[frame.slot];
        let rgba = {
            let view = buffer
                .get_mapped_range(..)
                .map_err(|e| RenderError::Readback(e.to_string()))?;
            unpad_rows(&view, self.width, self.height)
        };
        buffer.unmap();
        Ok(Some(RenderedFrame {
            tag: frame.tag,
            width: self.width,
            height: self.height,
            rgba,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_pad_to_256_bytes() {
        assert_eq!(padded_bytes_per_row(1280), 5120);
        assert_eq!(padded_bytes_per_row(854), 3584);
        assert_eq!(padded_bytes_per_row(1), 256);
    }

    #[test]
    fn unpadding_keeps_each_row_in_order() {
        let (w, h) = (3u32, 2u32);
        let stride = padded_bytes_per_row(w) as usize;
        let mut padded = vec![0xEEu8; stride * h as usize];
        for y in 0..h as usize {
            for i in 0..(w * 4) as usize {
                padded[y * stride + i] = (y * 100 + i) as u8;
            }
        }
        let rgba = unpad_rows(&padded, w, h);
        assert_eq!(rgba.len(), 24);
        assert_eq!(rgba[0], 0);
        assert_eq!(rgba[12], 100);
        assert!(!rgba.contains(&0xEE));
    }
}
