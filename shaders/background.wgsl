// Background image behind the avatar: one full-screen triangle sampling an
// sRGB texture, scaled to cover the frame. Mirrors `BackgroundUniforms` in
// src/render/background.rs. Not tone mapped: the image is shown as stored.

struct BackgroundUniforms {
    // uv = screen_uv * uv_scale + uv_offset, screen_uv in 0..1 with y down.
    uv_scale: vec2<f32>,
    uv_offset: vec2<f32>,
}

@group(0) @binding(0) var<uniform> background: BackgroundUniforms;
@group(0) @binding(1) var background_texture: texture_2d<f32>;
@group(0) @binding(2) var background_sampler: sampler;

struct VertexOutput {
    @builtin(position) clip_position: vec4<f32>,
    @location(0) screen_uv: vec2<f32>,
}

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> VertexOutput {
    // (0,0), (2,0), (0,2) in uv: one triangle covering the whole viewport.
    let uv = vec2<f32>(f32((index << 1u) & 2u), f32(index & 2u));
    var out: VertexOutput;
    out.clip_position = vec4<f32>(uv.x * 2.0 - 1.0, 1.0 - uv.y * 2.0, 0.0, 1.0);
    out.screen_uv = uv;
    return out;
}

@fragment
fn fs_main(in: VertexOutput) -> @location(0) vec4<f32> {
    let uv = in.screen_uv * background.uv_scale + background.uv_offset;
    return vec4<f32>(textureSample(background_texture, background_sampler, uv).rgb, 1.0);
}
