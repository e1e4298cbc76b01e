//! GPU morph targets: per-target delta buffers over the primitive's morph
//! region (the vertices some target moves) uploaded once, a list of active
//! targets written each frame, and a compute pass (shaders/morph.wgsl) that
//! rewrites the region of the morphed vertices the draw reads.

use bytemuck::{Pod, Zeroable};
use wgpu::util::DeviceExt;

use crate::avatar::Primitive;

/// Targets with a smaller |weight| are skipped: they move a vertex by less
/// than a micrometre on a human-sized avatar and cost a full pass each.
pub const ACTIVE_WEIGHT_EPSILON: f32 = 1e-4;

const WORKGROUP_SIZE: u32 = 64;

/// Mirrors `MorphParams` in shaders/morph.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct MorphParams {
    pub region_count: u32,
    pub active_count: u32,
    pub has_normal_deltas: u32,
    pub _pad: u32,
}

/// Mirrors `ActiveTarget` in shaders/morph.wgsl.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable, PartialEq)]
pub struct ActiveTarget {
    pub index: u32,
    pub weight: f32,
}

/// The GPU side of one primitive's morph targets.
pub struct MorphResources {
    pub target_count: usize,
    /// Vertices some target moves; only these are recomputed each frame.
    region_count: u32,
    has_normal_deltas: bool,
    params: wgpu::Buffer,
    active: wgpu::Buffer,
    /// Output of the compute pass; the draw's vertex buffer 0 when any target is active.
    pub morphed: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    /// Targets active in the last `prepare`; 0 means draw the rest vertices.
    pub active_count: u32,
    /// The targets `morphed` was last computed with: when a frame's are
    /// the same (an idle face between blinks), the compute pass skips this
    /// primitive and the frame draws the buffer as it is.
    computed: Vec<ActiveTarget>,
    /// Whether this frame's targets differ from `computed`.
    stale: bool,
}

/// The vertices that at least one target moves (by position or normal), in
/// ascending order.
pub fn morph_region(primitive: &Primitive) -> Vec<u32> {
    let moves = |d: &[f32; 3]| d.iter().any(|c| *c != 0.0);
    (0..primitive.positions.len())
        .filter(|&v| {
            primitive
                .targets
                .iter()
                .any(|t| moves(&t.positions[v]) || t.normals.as_ref().is_some_and(|n| moves(&n[v])))
        })
        .map(|v| v as u32)
        .collect()
}

/// Packs the region's deltas target-major as xyz triplets (the layout
/// morph.wgsl reads); a missing target (no normals) packs as zeros.
fn pack_deltas<'a>(
    per_target: impl Iterator<Item = Option<&'a [[f32; 3]]>>,
    region: &[u32],
) -> Vec<f32> {
    let mut packed = Vec::new();
    for deltas in per_target {
        match deltas {
            Some(d) => packed.extend(region.iter().flat_map(|&v| d[v as usize])),
            None => packed.extend(std::iter::repeat_n(0.0, region.len() * 3)),
        }
    }
    packed
}

/// The targets with |weight| above [`ACTIVE_WEIGHT_EPSILON`], in index order
/// so that the sum (and so the image) is the same for the same weights.
pub fn active_targets(weights: &[f32], target_count: usize) -> Vec<ActiveTarget> {
    weights
        .iter()
        .take(target_count)
        .enumerate()
        .filter(|(_, w)| w.abs() > ACTIVE_WEIGHT_EPSILON)
        .map(|(i, &w)| ActiveTarget {
            index: i as u32,
            weight: w,
        })
        .collect()
}

impl MorphResources {
    /// `base_vertices` holds the rest `GpuVertex`es, `base_bytes` their
    /// contents (the morphed buffer starts as a copy); `None` when the
    /// primitive has no targets or none of them moves anything.
    pub fn new(
        device: &wgpu::Device,
        layout: &wgpu::BindGroupLayout,
        primitive: &Primitive,
        base_vertices: &wgpu::Buffer,
        base_bytes: &[u8],
        max_binding_bytes: u64,
    ) -> Result<Option<MorphResources>, String> {
        let target_count = primitive.targets.len();
        if target_count == 0 {
            return Ok(None);
        }
        let vertex_count = primitive.positions.len();
        for (t, target) in primitive.targets.iter().enumerate() {
            let normals_ok = target
                .normals
                .as_ref()
                .is_none_or(|n| n.len() == vertex_count);
            if target.positions.len() != vertex_count || !normals_ok {
                return Err(format!(
                    "morph target {t} has {} deltas for {vertex_count} vertices",
                    target.positions.len()
                ));
            }
        }
        let region = morph_region(primitive);
        if region.is_empty() {
            return Ok(None);
        }
        let delta_bytes = (target_count * region.len() * 12) as u64;
        if delta_bytes > max_binding_bytes {
            return Err(format!(
                "{target_count} morph targets × {} moving vertices need {delta_bytes} bytes, \
                 more than the adapter's storage binding limit of {max_binding_bytes}",
                region.len()
            ));
        }
        let positions = pack_deltas(
            primitive
                .targets
                .iter()
                .map(|t| Some(t.positions.as_slice())),
            &region,
        );
        let has_normal_deltas = primitive.targets.iter().any(|t| t.normals.is_some());
        let normals = if has_normal_deltas {
            pack_deltas(
                primitive.targets.iter().map(|t| t.normals.as_deref()),
                &region,
            )
        } else {
            // A binding must exist; the shader ignores it (has_normal_deltas = 0).
            vec![0.0; 3]
        };
        let storage = wgpu::BufferUsages::STORAGE;
        let position_deltas = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("morph position deltas"),
            contents: bytemuck::cast_slice(&positions),
            usage: storage,
        });
        let normal_deltas = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("morph normal deltas"),
            contents: bytemuck::cast_slice(&normals),
            usage: storage,
        });
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("morph params"),
            size: size_of::<MorphParams>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let active = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("morph active targets"),
            size: (target_count * size_of::<ActiveTarget>()) as u64,
            usage: storage | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        // Vertices outside the region never change: they keep these rest values.
        let morphed = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("morphed vertices"),
            contents: base_bytes,
            usage: storage | wgpu::BufferUsages::VERTEX,
        });
        let region_indices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("morph region"),
            contents: bytemuck::cast_slice(&region),
            usage: storage,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("morph"),
            layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: params.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: active.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: base_vertices.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: position_deltas.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 4,
                    resource: normal_deltas.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 5,
                    resource: morphed.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 6,
                    resource: region_indices.as_entire_binding(),
                },
            ],
        });
        Ok(Some(MorphResources {
            target_count,
            region_count: region.len() as u32,
            has_normal_deltas,
            params,
            active,
            morphed,
            bind_group,
            active_count: 0,
            computed: Vec::new(),
            stale: false,
        }))
    }

    /// Writes this frame's active targets; queue writes land before the next
    /// submit, after earlier submits, so frames in flight keep their weights.
    /// Nothing is written when they equal those `morphed` already holds.
    pub fn prepare(&mut self, queue: &wgpu::Queue, weights: &[f32]) {
        let active = active_targets(weights, self.target_count);
        self.active_count = active.len() as u32;
        self.stale = !active.is_empty() && active != self.computed;
        if !self.stale {
            return;
        }
        queue.write_buffer(&self.active, 0, bytemuck::cast_slice(&active));
        let params = MorphParams {
            region_count: self.region_count,
            active_count: self.active_count,
            has_normal_deltas: self.has_normal_deltas as u32,
            _pad: 0,
        };
        queue.write_buffer(&self.params, 0, bytemuck::bytes_of(&params));
        self.computed = active;
    }

    /// Whether [`Self::dispatch`] has work this frame.
    pub fn needs_dispatch(&self) -> bool {
        self.stale
    }

    /// Records the compute dispatch; a no-op when no target is active or
    /// the targets have not changed.
    pub fn dispatch(&self, pass: &mut wgpu::ComputePass<'_>) {
        if !self.stale {
            return;
        }
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.dispatch_workgroups(self.region_count.div_ceil(WORKGROUP_SIZE), 1, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_targets_above_epsilon_are_active() {
        let active = active_targets(&[0.0, 0.5, 1e-5, -0.3, 0.9], 4);
        assert_eq!(
            active,
            vec![
                ActiveTarget {
                    index: 1,
                    weight: 0.5
                },
                ActiveTarget {
                    index: 3,
                    weight: -0.3
                }
            ]
        );
    }

    #[test]
    fn deltas_pack_target_major_over_the_region_with_zeros_for_missing_normals() {
        let a = [[1.0, 2.0, 3.0], [7.0, 8.0, 9.0], [4.0, 5.0, 6.0]];
        let packed = pack_deltas([Some(&a[..]), None].into_iter(), &[0, 2]);
        assert_eq!(
            packed,
            vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        );
    }
}
