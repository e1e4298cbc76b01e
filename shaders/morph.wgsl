// GPU morph targets: morphed = base + sum(weight_i * delta_i) over the active
// targets only. Mirrors `MorphParams` and `ActiveTarget` in src/render/morph.rs.
//
// Only the primitive's morph region is computed: the vertices that some
// target moves (`region[i]` is the i-th one's vertex index). The rest of
// `morphed` holds the rest pose, written once at upload. On a full-body
// avatar the face targets touch a fraction of the vertices, and on a CPU
// adapter every skipped vertex is time saved.
//
// Deltas are packed as xyz f32 triplets, target-major over the region:
// delta(target, i) = deltas[(target * region_count + i) * 3 + 0..3].
// Packing as f32 (not vec3, which pads to 16 bytes) saves a quarter of the
// memory.

struct MorphParams {
    region_count: u32,
    active_count: u32,
    // 1 when the normal delta buffer holds real data, 0 when it is a dummy.
    has_normal_deltas: u32,
    _pad: u32,
}

struct ActiveTarget {
    index: u32,
    weight: f32,
}

// Mirrors `GpuVertex` in src/render/upload.rs: also the vertex buffer layout
// of the draw (locations 0 and 1 in mesh.wgsl).
struct MorphedVertex {
    position: vec4<f32>,
    normal: vec4<f32>,
}

@group(0) @binding(0) var<uniform> params: MorphParams;
@group(0) @binding(1) var<storage, read> active_targets: array<ActiveTarget>;
@group(0) @binding(2) var<storage, read> base_vertices: array<MorphedVertex>;
@group(0) @binding(3) var<storage, read> position_deltas: array<f32>;
@group(0) @binding(4) var<storage, read> normal_deltas: array<f32>;
@group(0) @binding(5) var<storage, read_write> morphed: array<MorphedVertex>;
@group(0) @binding(6) var<storage, read> region: array<u32>;

fn load_delta_position(target_index: u32, i: u32) -> vec3<f32> {
    let at = (target_index * params.region_count + i) * 3u;
    return vec3<f32>(position_deltas[at], position_deltas[at + 1u], position_deltas[at + 2u]);
}

fn load_delta_normal(target_index: u32, i: u32) -> vec3<f32> {
    let at = (target_index * params.region_count + i) * 3u;
    return vec3<f32>(normal_deltas[at], normal_deltas[at + 1u], normal_deltas[at + 2u]);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if i >= params.region_count {
        return;
    }
    let vertex = region[i];
    let base = base_vertices[vertex];
    var position = base.position.xyz;
    var normal = base.normal.xyz;
    for (var k = 0u; k < params.active_count; k = k + 1u) {
        let t = active_targets[k];
        position = position + t.weight * load_delta_position(t.index, i);
        if params.has_normal_deltas != 0u {
            normal = normal + t.weight * load_delta_normal(t.index, i);
        }
    }
    // The vertex shader normalises after skinning; a zero normal stays zero
    // rather than turning into NaN here.
    morphed[vertex] = MorphedVertex(vec4<f32>(position, 1.0), vec4<f32>(normal, 0.0));
}
