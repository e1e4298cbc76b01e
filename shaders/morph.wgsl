// GPU morph targets: morphed = base + sum(weight_i * delta_i) over the active
// targets only. Mirrors `MorphParams` and `ActiveTarget` in src/render/morph.rs.
//
// Deltas are dense and packed as xyz f32 triplets, target-major:
// delta(target, vertex) = deltas[(target * vertex_count + vertex) * 3 + 0..3].
// Packing as f32 (not vec3, which pads to 16 bytes) saves a quarter of the
// memory: the reference avatar has 66 targets on ~20k vertices.

struct MorphParams {
    vertex_count: u32,
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

fn load_delta_position(target_index: u32, vertex: u32) -> vec3<f32> {
    let i = (target_index * params.vertex_count + vertex) * 3u;
    return vec3<f32>(position_deltas[i], position_deltas[i + 1u], position_deltas[i + 2u]);
}

fn load_delta_normal(target_index: u32, vertex: u32) -> vec3<f32> {
    let i = (target_index * params.vertex_count + vertex) * 3u;
    return vec3<f32>(normal_deltas[i], normal_deltas[i + 1u], normal_deltas[i + 2u]);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let vertex = id.x;
    if vertex >= params.vertex_count {
        return;
    }
    let base = base_vertices[vertex];
    var position = base.position.xyz;
    var normal = base.normal.xyz;
    for (var k = 0u; k < params.active_count; k = k + 1u) {
        let t = active_targets[k];
        position = position + t.weight * load_delta_position(t.index, vertex);
        if params.has_normal_deltas != 0u {
            normal = normal + t.weight * load_delta_normal(t.index, vertex);
        }
    }
    // The vertex shader normalises after skinning; a zero normal stays zero
    // rather than turning into NaN here.
    morphed[vertex] = MorphedVertex(vec4<f32>(position, 1.0), vec4<f32>(normal, 0.0));
}
