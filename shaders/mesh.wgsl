// The avatar's surface shader: GPU skinning in the vertex stage, glTF
// metallic-roughness shading under studio portrait lighting in the fragment
// stage, tone mapped with Khronos PBR Neutral into an sRGB target.
//
// Structs mirror the `#[repr(C)]` structs of the same names in
// src/render/uniforms.rs.

const PI: f32 = 3.14159265;

// Pipeline constants (src/render/pipelines.rs): which optional textures the
// material has, so absent ones are never sampled.
override HAS_METALLIC_ROUGHNESS_TEXTURE: bool = true;
override HAS_NORMAL_TEXTURE: bool = true;
override HAS_OCCLUSION_TEXTURE: bool = true;
override HAS_EMISSIVE_TEXTURE: bool = true;
// The normal map holds normal XY in RG and roughness, metallic in B, A
// (src/render/packed_maps.rs): one sample instead of two.
override NORMAL_PACKS_ROUGHNESS: bool = false;
// KHR_materials_anisotropy: the key's highlight is drawn by an anisotropic
// GGX lobe (hair), not the isotropic one.
override HAS_ANISOTROPY: bool = false;
// ...its direction (RG) and strength (B) from a texture (hair strands).
override HAS_ANISOTROPY_TEXTURE: bool = false;

struct FrameUniforms {
    clip_from_world: mat4x4<f32>,
    camera_position: vec4<f32>,
    // Unit world up, for the sky/ground ambient.
    world_up: vec4<f32>,
    // Each light: xyz = unit direction from the surface towards the light;
    // the matching radiance is linear RGB irradiance at normal incidence.
    key_direction: vec4<f32>,
    key_radiance: vec4<f32>,
    fill_direction: vec4<f32>,
    fill_radiance: vec4<f32>,
    rim_direction: vec4<f32>,
    rim_radiance: vec4<f32>,
    sky_radiance: vec4<f32>,
    ground_radiance: vec4<f32>,
    // Orthographic projection of the key light's shadow map.
    light_clip_from_world: mat4x4<f32>,
    // x = one shadow-map texel in uv, y = normal offset (metres) against
    // acne, z = 1 when the shadow map is in use, w unused.
    shadow_params: vec4<f32>,
    // x = 1 when alpha-masked materials use alpha to coverage (MSAA on).
    options: vec4<f32>,
}

struct MaterialUniforms {
    base_color_factor: vec4<f32>,
    // xyz = emissive factor, w unused.
    emissive_factor: vec4<f32>,
    metallic_factor: f32,
    roughness_factor: f32,
    normal_scale: f32,
    occlusion_strength: f32,
    alpha_cutoff: f32,
    // 0 = opaque, 1 = mask, 2 = blend.
    alpha_mode: u32,
    // 0..1: how much light wraps around the terminator (skin), see `diffuse_weight`.
    skin: f32,
    // Multiplies all light reaching surfaces inside the mouth (teeth,
    // tongue), which lips and cheeks shadow; 1 elsewhere. See material.rs.
    cavity_occlusion: f32,
    // KHR_materials_anisotropy: strength, cos and sin of the rotation from
    // the tangent; w unused.
    anisotropy: vec4<f32>,
}

struct DrawUniforms {
    // Index of this draw's first matrix in `matrices`: the node's world
    // matrix, or the skin's first joint matrix.
    matrix_offset: u32,
    skinned: u32,
    // -1 when the node's world matrix mirrors (negative determinant), else 1.
    mirror_sign: f32,
    _pad: f32,
}

@group(0) @binding(0) var<uniform> frame: FrameUniforms;

@group(1) @binding(0) var<uniform> material: MaterialUniforms;
@group(1) @binding(1) var base_color_texture: texture_2d<f32>;
@group(1) @binding(2) var metallic_roughness_texture: texture_2d<f32>;
@group(1) @binding(3) var normal_texture: texture_2d<f32>;
@group(1) @binding(4) var occlusion_texture: texture_2d<f32>;
@group(1) @binding(5) var emissive_texture: texture_2d<f32>;
@group(1) @binding(6) var anisotropy_texture: texture_2d<f32>;
@group(1) @binding(7) var base_color_sampler: sampler;
@group(1) @binding(8) var metallic_roughness_sampler: sampler;
@group(1) @binding(9) var normal_sampler: sampler;
@group(1) @binding(10) var occlusion_sampler: sampler;
@group(1) @binding(11) var emissive_sampler: sampler;
@group(1) @binding(12) var anisotropy_sampler: sampler;

@group(2) @binding(0) var<uniform> draw: DrawUniforms;
// World matrices of mesh nodes and joint matrices (world × inverse bind) of
// skins, rewritten every frame.
@group(2) @binding(1) var<storage, read> matrices: array<mat4x4<f32>>;

// The key light's depth, rendered by vs_shadow/fs_shadow before the main
// pass. Only the main pipeline binds group 3.
@group(3) @binding(0) var shadow_map: texture_depth_2d;
@group(3) @binding(1) var shadow_sampler: sampler_comparison;

struct VertexInput {
    // Morphed (or rest) position and normal: `MorphedVertex` in morph.wgsl.
    @location(0) position: vec4<f32>,
    @location(1) normal: vec4<f32>,
    @location(2) uv: vec2<f32>,
    @location(3) tangent: vec4<f32>,
    @location(4) joints: vec4<u32>,
    @location(5) weights: vec4<f32>,
}

struct VertexOutput {
    @builtin(position) clip_position: vec4<f32>,
    @location(0) world_position: vec3<f32>,
    @location(1) world_normal: vec3<f32>,
    @location(2) uv: vec2<f32>,
    @location(3) world_tangent: vec4<f32>,
}

// Normals transform by the cofactor matrix (determinant × inverse
// transpose), which stays right under non-uniform scale; the sign undoes
// the determinant's flip for mirroring matrices.
fn normal_matrix(m: mat4x4<f32>) -> mat3x3<f32> {
    let c0 = m[0].xyz;
    let c1 = m[1].xyz;
    let c2 = m[2].xyz;
    let cofactor = mat3x3<f32>(cross(c1, c2), cross(c2, c0), cross(c0, c1));
    return cofactor * sign(dot(c0, cross(c1, c2)));
}

// Linear blend skinning, or the node's world matrix for unskinned meshes.
fn world_from_local_matrix(joints: vec4<u32>, weights: vec4<f32>) -> mat4x4<f32> {
    if draw.skinned != 0u {
        let o = draw.matrix_offset;
        return weights.x * matrices[o + joints.x]
            + weights.y * matrices[o + joints.y]
            + weights.z * matrices[o + joints.z]
            + weights.w * matrices[o + joints.w];
    }
    return matrices[draw.matrix_offset];
}

struct ShadowVertexOutput {
    @builtin(position) clip_position: vec4<f32>,
    @location(0) uv: vec2<f32>,
}

@vertex
fn vs_shadow(in: VertexInput) -> ShadowVertexOutput {
    let world_from_local = world_from_local_matrix(in.joints, in.weights);
    var out: ShadowVertexOutput;
    out.clip_position = frame.light_clip_from_world * (world_from_local * vec4<f32>(in.position.xyz, 1.0));
    out.uv = in.uv;
    return out;
}

// Alpha-masked cards (hair, lashes) cast the shadow of their opaque texels,
// not of the whole quad. Opaque materials use a depth-only pipeline with no
// fragment stage, which rasterises faster.
@fragment
fn fs_shadow(in: ShadowVertexOutput) {
    if material.alpha_mode == 1u {
        let alpha = material.base_color_factor.a * textureSampleLevel(base_color_texture, base_color_sampler, in.uv, 0.0).a;
        if alpha < material.alpha_cutoff {
            discard;
        }
    }
}

@vertex
fn vs_main(in: VertexInput) -> VertexOutput {
    let world_from_local = world_from_local_matrix(in.joints, in.weights);
    let world_position = world_from_local * vec4<f32>(in.position.xyz, 1.0);
    let n = normal_matrix(world_from_local);
    var out: VertexOutput;
    out.clip_position = frame.clip_from_world * world_position;
    out.world_position = world_position.xyz;
    out.world_normal = n * in.normal.xyz;
    out.uv = in.uv;
    out.world_tangent = vec4<f32>((world_from_local * vec4<f32>(in.tangent.xyz, 0.0)).xyz, in.tangent.w);
    return out;
}

fn safe_normalize(v: vec3<f32>, fallback: vec3<f32>) -> vec3<f32> {
    let len2 = dot(v, v);
    if len2 > 1e-12 {
        return v * inverseSqrt(len2);
    }
    return fallback;
}

// GGX / Trowbridge-Reitz normal distribution, alpha = roughness².
fn distribution_ggx(n_dot_h: f32, alpha: f32) -> f32 {
    let a2 = alpha * alpha;
    let d = n_dot_h * n_dot_h * (a2 - 1.0) + 1.0;
    return a2 / (PI * d * d);
}

// Height-correlated Smith visibility for GGX (includes the 1/(4 n·l n·v)).
fn visibility_smith_ggx(n_dot_l: f32, n_dot_v: f32, alpha: f32) -> f32 {
    let a2 = alpha * alpha;
    let gv = n_dot_l * sqrt(n_dot_v * n_dot_v * (1.0 - a2) + a2);
    let gl = n_dot_v * sqrt(n_dot_l * n_dot_l * (1.0 - a2) + a2);
    return 0.5 / max(gv + gl, 1e-5);
}

fn fresnel_schlick(f0: vec3<f32>, v_dot_h: f32) -> vec3<f32> {
    // x^5 by multiplication: llvmpipe calls libm's powf for pow().
    let x = 1.0 - v_dot_h;
    let x2 = x * x;
    return f0 + (vec3<f32>(1.0) - f0) * (x2 * x2 * x);
}

// Lambert's cosine, or for skin a wrapped cosine that lets light reach past
// the terminator, wider in red than in blue: a cheap stand-in for
// subsurface scattering (Green, GPU Gems 1 ch. 16). The 1/(1+w) keeps the
// integral over the hemisphere equal to Lambert's.
fn diffuse_weight(n_dot_l_signed: f32, skin: f32) -> vec3<f32> {
    let wrap = skin * vec3<f32>(0.5, 0.3, 0.25);
    return clamp((vec3<f32>(n_dot_l_signed) + wrap) / (vec3<f32>(1.0) + wrap), vec3<f32>(0.0), vec3<f32>(1.0))
        / (vec3<f32>(1.0) + wrap);
}

struct Surface {
    normal: vec3<f32>,
    view: vec3<f32>,
    albedo: vec3<f32>,
    f0: vec3<f32>,
    alpha: f32,
    metallic: f32,
    skin: f32,
    // Unit direction along which roughness rises to 1 with `anisotropy`
    // (0 = isotropic). Only set where HAS_ANISOTROPY.
    anisotropy_direction: vec3<f32>,
    anisotropy: f32,
}

// Anisotropic GGX distribution times visibility (Burley 2012, in the form
// the KHR_materials_anisotropy reference uses): roughness `at` along `t`,
// `ab` across it. Hair's cuticles make a lobe that is narrow along the
// strands and wide across them, so the key draws a band across the hair,
// not a round blob.
fn specular_anisotropic(s: Surface, l: vec3<f32>, h: vec3<f32>, n_dot_l: f32, n_dot_v: f32, n_dot_h: f32) -> f32 {
    let t = s.anisotropy_direction;
    let b = cross(s.normal, t);
    let at = mix(s.alpha, 1.0, s.anisotropy * s.anisotropy);
    let ab = s.alpha;
    let a2 = at * ab;
    let f = vec3<f32>(ab * dot(t, h), at * dot(b, h), a2 * n_dot_h);
    let w2 = a2 / max(dot(f, f), 1e-12);
    let distribution = a2 * w2 * w2 / PI;
    let gv = n_dot_l * length(vec3<f32>(at * dot(t, s.view), ab * dot(b, s.view), n_dot_v));
    let gl = n_dot_v * length(vec3<f32>(at * dot(t, l), ab * dot(b, l), n_dot_l));
    return distribution * 0.5 / max(gv + gl, 1e-5);
}

fn direct_light(s: Surface, to_light: vec3<f32>, radiance: vec3<f32>) -> vec3<f32> {
    let n_dot_l_signed = dot(s.normal, to_light);
    let n_dot_l = max(n_dot_l_signed, 0.0);
    let n_dot_v = max(dot(s.normal, s.view), 1e-4);
    let h = safe_normalize(to_light + s.view, s.normal);
    let n_dot_h = max(dot(s.normal, h), 0.0);
    let v_dot_h = max(dot(s.view, h), 0.0);
    let f = fresnel_schlick(s.f0, v_dot_h);
    var lobe: f32;
    if HAS_ANISOTROPY {
        lobe = specular_anisotropic(s, to_light, h, n_dot_l, n_dot_v, n_dot_h);
    } else {
        lobe = distribution_ggx(n_dot_h, s.alpha) * visibility_smith_ggx(n_dot_l, n_dot_v, s.alpha);
    }
    let specular = f * lobe * n_dot_l;
    let diffuse = (vec3<f32>(1.0) - f) * (1.0 - s.metallic) * s.albedo / PI * diffuse_weight(n_dot_l_signed, s.skin);
    return (diffuse * PI + specular * PI) * radiance;
}

// Fill and rim are broad, dim sources: their highlights are faint and
// blurred, so they add diffuse light only (the sky term carries their
// share of reflections). One GGX evaluation per pixel instead of three.
fn diffuse_light(s: Surface, to_light: vec3<f32>, radiance: vec3<f32>) -> vec3<f32> {
    let n_dot_l_signed = dot(s.normal, to_light);
    return (1.0 - s.metallic) * s.albedo * diffuse_weight(n_dot_l_signed, s.skin) * radiance;
}

// Karis' analytic fit of the split-sum environment BRDF (Unreal, 2014).
fn env_brdf_approx(f0: vec3<f32>, roughness: f32, n_dot_v: f32) -> vec3<f32> {
    let c0 = vec4<f32>(-1.0, -0.0275, -0.572, 0.022);
    let c1 = vec4<f32>(1.0, 0.0425, 1.04, -0.04);
    let r = roughness * c0 + c1;
    let a004 = min(r.x * r.x, exp2(-9.28 * n_dot_v)) * r.x + r.y;
    let ab = vec2<f32>(-1.04, 1.04) * a004 + r.zw;
    return f0 * ab.x + vec3<f32>(ab.y);
}

// Fraction of the key light reaching `world_position`: four hardware-filtered
// comparisons one texel apart, which together weigh a 3×3-texel tent (~6 mm,
// the soft edge of a softbox key). No per-pixel noise, which the video
// encoder would pay for. Four taps, not nine: on llvmpipe every tap is paid
// by every pixel (branches are predicated), and this is the priciest part
// of the shader.
fn key_light_visibility(world_position: vec3<f32>, normal: vec3<f32>) -> f32 {
    if frame.shadow_params.z == 0.0 {
        return 1.0;
    }
    let offset_position = world_position + normal * frame.shadow_params.y;
    let clip = frame.light_clip_from_world * vec4<f32>(offset_position, 1.0);
    let ndc = clip.xyz / clip.w;
    let uv = vec2<f32>(0.5 + 0.5 * ndc.x, 0.5 - 0.5 * ndc.y);
    if any(uv < vec2<f32>(0.0)) || any(uv > vec2<f32>(1.0)) || ndc.z > 1.0 {
        return 1.0;
    }
    // Taps half a texel either side: together with the bilinear comparison
    // a ~3-texel penumbra. Taps a whole texel apart looked a little softer
    // but cost 3-4 % of the frame on lavapipe (scattered texel fetches).
    // Hair (the anisotropic material) takes one tap, a 2-texel penumbra:
    // it pays for its strand-direction sample, and light falls on hair
    // from above, so shadow edges on it are rare and its strands hide them.
    if HAS_ANISOTROPY {
        return textureSampleCompareLevel(shadow_map, shadow_sampler, uv, ndc.z);
    }
    let tap_offset = 0.5 * frame.shadow_params.x;
    var lit = textureSampleCompareLevel(shadow_map, shadow_sampler, uv + vec2<f32>(-tap_offset, -tap_offset), ndc.z);
    lit = lit + textureSampleCompareLevel(shadow_map, shadow_sampler, uv + vec2<f32>(tap_offset, -tap_offset), ndc.z);
    lit = lit + textureSampleCompareLevel(shadow_map, shadow_sampler, uv + vec2<f32>(-tap_offset, tap_offset), ndc.z);
    lit = lit + textureSampleCompareLevel(shadow_map, shadow_sampler, uv + vec2<f32>(tap_offset, tap_offset), ndc.z);
    return 0.25 * lit;
}

fn hemisphere(direction: vec3<f32>) -> vec3<f32> {
    let t = 0.5 + 0.5 * dot(direction, frame.world_up.xyz);
    return mix(frame.ground_radiance.rgb, frame.sky_radiance.rgb, t);
}

// Khronos PBR Neutral tone mapper (2024): keeps base colours as authored up
// to 0.8 and rolls highlights off towards white without a hue shift.
fn tone_map_pbr_neutral(color_in: vec3<f32>) -> vec3<f32> {
    let start_compression = 0.8 - 0.04;
    let desaturation = 0.15;
    let x = min(color_in.r, min(color_in.g, color_in.b));
    let offset = select(0.04, x - 6.25 * x * x, x < 0.08);
    var color = color_in - vec3<f32>(offset);
    let peak = max(color.r, max(color.g, color.b));
    if peak < start_compression {
        return color;
    }
    let d = 1.0 - start_compression;
    let new_peak = 1.0 - d * d / (peak + d - start_compression);
    color = color * (new_peak / peak);
    let g = 1.0 - 1.0 / (desaturation * (peak - new_peak) + 1.0);
    return mix(color, vec3<f32>(new_peak), g);
}

// What is left of the light inside the mouth: `cavity_occlusion` of it
// (the lips and cheeks block the rest), and warmer, as most of it has
// bounced off the lips, tongue and palate. Under the scene's bluish sky
// term alone, teeth in the lips' shadow turned a cold grey.
fn cavity_light(occlusion: f32) -> vec3<f32> {
    let bounced = clamp((1.0 - occlusion) / 0.3, 0.0, 1.0);
    return occlusion * mix(vec3<f32>(1.0), vec3<f32>(1.0, 0.87, 0.78), bounced);
}

// Lit, tone-mapped colour of a surface point. The entry points below differ
// only in how they treat alpha: a `discard` anywhere in a fragment shader
// turns off early depth testing for every draw that uses it (llvmpipe then
// shades each hidden fragment too), so only masked materials get one.
fn shade(in: VertexOutput, front_facing: bool, base_color: vec4<f32>) -> vec3<f32> {
    let view = safe_normalize(frame.camera_position.xyz - in.world_position, vec3<f32>(0.0, 0.0, 1.0));
    var geometric_normal = safe_normalize(in.world_normal, view);
    // Double-sided materials light their back faces with the flipped normal;
    // single-sided back faces are culled and never reach this point.
    if !front_facing {
        geometric_normal = -geometric_normal;
    }

    // Sampled outside the branch below: its result also carries roughness
    // when packed, and llvmpipe samples inside a divergent branch anyway.
    var normal_sample = vec4<f32>(0.5, 0.5, 1.0, 1.0);
    if HAS_NORMAL_TEXTURE {
        normal_sample = textureSample(normal_texture, normal_sampler, in.uv);
    }
    var tangent_normal = normal_sample.xyz * 2.0 - vec3<f32>(1.0);
    if NORMAL_PACKS_ROUGHNESS {
        tangent_normal.z = sqrt(max(1.0 - dot(tangent_normal.xy, tangent_normal.xy), 0.0));
    }

    // Tangent frame: Gram-Schmidt against the interpolated normal.
    let tangent = in.world_tangent.xyz - geometric_normal * dot(geometric_normal, in.world_tangent.xyz);
    let handedness = select(-1.0, 1.0, in.world_tangent.w >= 0.0);
    var normal = geometric_normal;
    if HAS_NORMAL_TEXTURE && dot(tangent, tangent) > 1e-12 {
        let t = normalize(tangent);
        let b = cross(geometric_normal, t) * handedness;
        let scaled = vec3<f32>(tangent_normal.xy * material.normal_scale, tangent_normal.z);
        normal = safe_normalize(t * scaled.x + b * scaled.y + geometric_normal * scaled.z, geometric_normal);
    }

    var metallic_roughness = vec4<f32>(1.0);
    if HAS_METALLIC_ROUGHNESS_TEXTURE {
        metallic_roughness = textureSample(metallic_roughness_texture, metallic_roughness_sampler, in.uv);
    }
    if NORMAL_PACKS_ROUGHNESS {
        metallic_roughness = vec4<f32>(1.0, normal_sample.z, normal_sample.w, 1.0);
    }
    let metallic = clamp(material.metallic_factor * metallic_roughness.b, 0.0, 1.0);
    let roughness = clamp(material.roughness_factor * metallic_roughness.g, 0.05, 1.0);
    var occlusion_sample = 1.0;
    if HAS_OCCLUSION_TEXTURE {
        occlusion_sample = textureSample(occlusion_texture, occlusion_sampler, in.uv).r;
    }
    let occlusion = 1.0 + material.occlusion_strength * (occlusion_sample - 1.0);
    var emissive = material.emissive_factor.rgb;
    if HAS_EMISSIVE_TEXTURE {
        emissive = emissive * srgb_to_linear(textureSample(emissive_texture, emissive_sampler, in.uv).rgb);
    }

    var s: Surface;
    s.normal = normal;
    s.view = view;
    s.albedo = base_color.rgb;
    // Skin reflects less than the generic dielectric's 4 %: its index of
    // refraction is about 1.4, so F0 = ((1.4 - 1) / (1.4 + 1))^2 = 2.8 %
    // (d'Eon and Luebke, GPU Gems 3, ch. 14). At 4 % a dark complexion
    // looks powdered.
    let dielectric_f0 = mix(0.04, 0.028, material.skin);
    s.f0 = mix(vec3<f32>(dielectric_f0), base_color.rgb, metallic);
    s.alpha = roughness * roughness;
    s.metallic = metallic;
    s.skin = material.skin;
    s.anisotropy = 0.0;
    s.anisotropy_direction = vec3<f32>(0.0);
    if HAS_ANISOTROPY {
        // KHR_materials_anisotropy: the texture's direction in tangent
        // space (or the tangent), turned by `rotation`, kept in the plane
        // of the shading normal.
        var direction = vec2<f32>(1.0, 0.0);
        var strength = material.anisotropy.x;
        if HAS_ANISOTROPY_TEXTURE {
            let texel = textureSample(anisotropy_texture, anisotropy_sampler, in.uv).rgb;
            direction = texel.rg * 2.0 - vec2<f32>(1.0);
            strength = strength * texel.b;
        }
        let turn = material.anisotropy.yz;
        direction = vec2<f32>(turn.x * direction.x - turn.y * direction.y, turn.y * direction.x + turn.x * direction.y);
        let t_shading = tangent - normal * dot(normal, tangent);
        if dot(t_shading, t_shading) > 1e-12 && dot(direction, direction) > 1e-6 {
            let t = normalize(t_shading);
            let b = cross(normal, t) * handedness;
            s.anisotropy_direction = normalize(t * direction.x + b * direction.y);
            s.anisotropy = strength;
        }
    }

    let key_visibility = key_light_visibility(in.world_position, geometric_normal);
    // Specular occlusion: only the key light has a shadow map, but a point
    // the key cannot see (inside the mouth, under the chin) is mostly hidden
    // from the sky too. Sky reflections there read as wet plastic, so they
    // fade with the key's visibility; diffuse fill stays, so shadows never
    // go black.
    let specular_occlusion = mix(0.2, 1.0, key_visibility);
    // Skin's shadow edges are red: light scattered under the skin comes
    // out a few millimetres inside the shadow, red travelling furthest
    // (Jimenez et al., 2010). Without this, soft penumbrae under the lip
    // and jaw read as grey smudges on the skin.
    let skin_visibility = vec3<f32>(mix(key_visibility, sqrt(key_visibility), 0.5), key_visibility, mix(key_visibility, key_visibility * key_visibility, 0.5));
    let key_transmitted = mix(vec3<f32>(key_visibility), skin_visibility, s.skin);
    var color = direct_light(s, frame.key_direction.xyz, frame.key_radiance.rgb * key_transmitted);
    color = color + diffuse_light(s, frame.fill_direction.xyz, frame.fill_radiance.rgb);
    color = color + diffuse_light(s, frame.rim_direction.xyz, frame.rim_radiance.rgb);

    let n_dot_v = max(dot(normal, view), 1e-4);
    let ambient_diffuse = hemisphere(normal) * s.albedo * (1.0 - metallic);
    let reflected = reflect(-view, normal);
    let ambient_specular = hemisphere(reflected) * env_brdf_approx(s.f0, roughness, n_dot_v) * specular_occlusion;
    color = color + (ambient_diffuse + ambient_specular) * occlusion;
    color = color * cavity_light(material.cavity_occlusion) + emissive;
    return tone_map_pbr_neutral(color);
}

// Base colour and emissive maps are sRGB bytes in plain Unorm textures
// (src/render/textures.rs, Encoding::SrgbDecodedInShader): decoded here once
// per pixel, not by the sampler for each of the eight texels it reads.
// exp2/log2 because llvmpipe inlines them, where pow() calls libm.
fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    let curve = exp2(2.4 * log2(max((c + vec3<f32>(0.055)) / 1.055, vec3<f32>(1e-6))));
    return select(curve, c / 12.92, c <= vec3<f32>(0.04045));
}

fn sample_base_color(uv: vec2<f32>) -> vec4<f32> {
    let sampled = textureSample(base_color_texture, base_color_sampler, uv);
    return material.base_color_factor * vec4<f32>(srgb_to_linear(sampled.rgb), sampled.a);
}

@fragment
fn fs_opaque(in: VertexOutput, @builtin(front_facing) front_facing: bool) -> @location(0) vec4<f32> {
    return vec4<f32>(shade(in, front_facing, sample_base_color(in.uv)), 1.0);
}

@fragment
fn fs_blend(in: VertexOutput, @builtin(front_facing) front_facing: bool) -> @location(0) vec4<f32> {
    let base_color = sample_base_color(in.uv);
    return vec4<f32>(shade(in, front_facing, base_color), base_color.a);
}

@fragment
fn fs_mask(in: VertexOutput, @builtin(front_facing) front_facing: bool) -> @location(0) vec4<f32> {
    let base_color = sample_base_color(in.uv);
    // Derivatives must be taken before any discard.
    let alpha_width = fwidth(base_color.a);
    var alpha = 1.0;
    if frame.options.x != 0.0 {
        // Sharpened alpha to coverage (Golus, 2017): the cutoff becomes a
        // one-pixel ramp that MSAA turns into sample coverage, so hair cards
        // get smooth strands instead of stair-stepped ones. The pipeline does
        // not write this alpha to the frame.
        alpha = clamp((base_color.a - material.alpha_cutoff) / max(alpha_width, 1e-4) + 0.5, 0.0, 1.0);
        if alpha <= 0.0 {
            discard;
        }
    } else if base_color.a < material.alpha_cutoff {
        discard;
    }
    return vec4<f32>(shade(in, front_facing, base_color), alpha);
}
