// Loads a GLB with three.js's GLTFLoader (as a browser would, minus image
// decoding, which needs a DOM) and prints what three.js made of it as JSON:
// meshes, morph target names and counts, skin joints. Exit status 1 when
// three.js reports an error.
// Usage: node tests/js/three_load.mjs FILE.glb
import { readFile } from 'node:fs/promises';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: node three_load.mjs FILE.glb');
  process.exit(2);
}

// Drop textures: node has no image decoder for three.js. Geometry, morphs,
// skins and materials still go through three's full parser.
function withoutTextures(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(12, true);
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength)));
  for (const m of json.materials ?? []) {
    const pbr = m.pbrMetallicRoughness ?? {};
    delete pbr.baseColorTexture;
    delete pbr.metallicRoughnessTexture;
    delete m.normalTexture;
    delete m.occlusionTexture;
    delete m.emissiveTexture;
    // Extensions' maps too (KHR_materials_anisotropy's anisotropyTexture).
    for (const ext of Object.values(m.extensions ?? {})) {
      for (const key of Object.keys(ext)) {
        if (key.endsWith('Texture')) delete ext[key];
      }
    }
  }
  delete json.textures;
  delete json.images;
  delete json.samplers;
  let text = JSON.stringify(json);
  while (text.length % 4 !== 0) text += ' ';
  const jsonBytes = new TextEncoder().encode(text);
  const rest = bytes.subarray(20 + jsonLength);
  const out = new Uint8Array(20 + jsonBytes.length + rest.length);
  const outView = new DataView(out.buffer);
  out.set(bytes.subarray(0, 12));
  outView.setUint32(8, out.length, true);
  outView.setUint32(12, jsonBytes.length, true);
  outView.setUint32(16, 0x4e4f534a, true);
  out.set(jsonBytes, 20);
  out.set(rest, 20 + jsonBytes.length);
  return out.buffer;
}

const bytes = new Uint8Array(await readFile(file));
new GLTFLoader().parse(
  withoutTextures(bytes),
  '',
  (gltf) => {
    const meshes = [];
    let joints = 0;
    gltf.scene.traverse((o) => {
      if (o.isSkinnedMesh || o.isMesh) {
        const morphs = o.morphTargetDictionary ?? {};
        meshes.push({
          name: o.name,
          skinned: !!o.isSkinnedMesh,
          vertices: o.geometry.attributes.position.count,
          morphTargets: Object.keys(morphs).length,
          morphNames: Object.keys(morphs),
        });
        if (o.isSkinnedMesh) joints = o.skeleton.bones.length;
      }
    });
    console.log(JSON.stringify({ meshes, joints }, null, 2));
  },
  (err) => {
    console.error(`three.js could not load ${file}: ${err}`);
    process.exit(1);
  },
);
