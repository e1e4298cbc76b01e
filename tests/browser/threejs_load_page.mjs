// Runs inside headless Chromium (served by threejs_load.mjs): loads one GLB with
// three.js's GLTFLoader, describes what three.js made of it, drives the mouth
// morphs a lip-sync player would drive, and renders the face with WebGL when the
// browser has a (software) WebGL2 context.

import * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { MeshoptDecoder } from 'three/addons/libs/meshopt_decoder.module.js';

// The first shapes a lip-sync player sets: ARKit's jaw and the Oculus "aa" viseme.
const DRIVEN_MORPHS = ['jawOpen', 'viseme_aa'];
const FRAME_SIZE_PX = 256;
const BACKGROUND_RGB = [32, 48, 64];
// Channel differences at or below this are rasteriser noise, not content.
const PIXEL_TOLERANCE = 8;
// A vertex belongs to the mouth region when the morph moves it at least this
// share of the morph's largest displacement.
const REGION_SHARE = 0.1;

function describeMeshes(root) {
  const meshes = [];
  root.traverse((object) => {
    if (!object.isMesh) return;
    const geometry = object.geometry;
    const position = geometry.getAttribute('position');
    const vertices = position ? position.count : 0;
    const indexCount = geometry.index ? geometry.index.count : vertices;
    const dictionary = object.morphTargetDictionary ?? {};
    meshes.push({
      name: object.name,
      skinned: object.isSkinnedMesh === true,
      bones: object.isSkinnedMesh ? object.skeleton.bones.length : 0,
      vertices,
      triangles: Math.floor(indexCount / 3),
      // In target order, as the file lists them.
      morphTargets: Object.keys(dictionary).sort((a, b) => dictionary[a] - dictionary[b]),
    });
  });
  return meshes;
}

function describeTextures(root) {
  const textures = new Set();
  root.traverse((object) => {
    if (!object.isMesh) return;
    const materials = Array.isArray(object.material) ? object.material : [object.material];
    for (const material of materials) {
      for (const value of Object.values(material)) {
        if (value && value.isTexture) textures.add(value);
      }
    }
  });
  return [...textures].map((texture) => ({
    name: texture.name,
    width: texture.image?.width ?? 0,
    height: texture.image?.height ?? 0,
  }));
}

// World-space position of a vertex as three.js would draw it: morphs, then
// skinning (for skinned meshes), then the node transform.
function worldVertex(mesh, index) {
  const point = new THREE.Vector3();
  mesh.getVertexPosition(index, point);
  return point.applyMatrix4(mesh.matrixWorld);
}

function meshesWithMorph(root, name) {
  const found = [];
  root.traverse((object) => {
    if (object.isMesh && object.morphTargetDictionary && name in object.morphTargetDictionary) {
      found.push(object);
    }
  });
  return found;
}

function setMorph(meshes, name, influence) {
  for (const mesh of meshes) mesh.morphTargetInfluences[mesh.morphTargetDictionary[name]] = influence;
}

// Moves each driven morph to 1 on every mesh that has it and measures, on the CPU
// with three.js's own morph and skinning code, how far its most displaced vertex
// travels. Also returns the world-space box of the vertices the morphs move on the
// face mesh, which the renderer frames.
function driveMorphs(root) {
  root.updateMatrixWorld(true);
  const morphs = {};
  const region = new THREE.Box3();
  for (const name of DRIVEN_MORPHS) {
    const meshes = meshesWithMorph(root, name);
    let movedMetres = 0;
    for (const mesh of meshes) {
      const target = mesh.geometry.morphAttributes.position?.[mesh.morphTargetDictionary[name]];
      if (!target) continue;
      const deltas = [];
      let largest = 0;
      let largestIndex = -1;
      for (let i = 0; i < target.count; i += 1) {
        const delta = Math.hypot(target.getX(i), target.getY(i), target.getZ(i));
        deltas.push(delta);
        if (delta > largest) [largest, largestIndex] = [delta, i];
      }
      if (largestIndex < 0) continue;
      const before = worldVertex(mesh, largestIndex);
      setMorph([mesh], name, 1);
      const after = worldVertex(mesh, largestIndex);
      setMorph([mesh], name, 0);
      movedMetres = Math.max(movedMetres, before.distanceTo(after));
      for (let i = 0; i < deltas.length; i += 1) {
        if (deltas[i] >= largest * REGION_SHARE) region.expandByPoint(worldVertex(mesh, i));
      }
    }
    morphs[name] = { meshes: meshes.map((mesh) => mesh.name), movedMetres };
  }
  return { morphs, region };
}

function createRenderer() {
  const canvas = document.createElement('canvas');
  canvas.width = FRAME_SIZE_PX;
  canvas.height = FRAME_SIZE_PX;
  const gl = canvas.getContext('webgl2', { antialias: false, preserveDrawingBuffer: true });
  if (!gl) {
    return {
      reason:
        'no WebGL2 context in this browser; start Chromium with --use-angle=swiftshader ' +
        '--enable-unsafe-swiftshader for software WebGL',
    };
  }
  const debugInfo = gl.getExtension('WEBGL_debug_renderer_info');
  const adapter = gl.getParameter(debugInfo ? debugInfo.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  const renderer = new THREE.WebGLRenderer({ canvas, context: gl });
  renderer.setSize(FRAME_SIZE_PX, FRAME_SIZE_PX, false);
  renderer.setClearColor(new THREE.Color().setRGB(...BACKGROUND_RGB.map((c) => c / 255), THREE.SRGBColorSpace), 1);
  return { renderer, gl, adapter, canvas };
}

function readPixels(gl) {
  const pixels = new Uint8Array(FRAME_SIZE_PX * FRAME_SIZE_PX * 4);
  gl.readPixels(0, 0, FRAME_SIZE_PX, FRAME_SIZE_PX, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
  return pixels;
}

function countDiffering(a, b) {
  let count = 0;
  for (let i = 0; i < a.length; i += 4) {
    const differs =
      Math.abs(a[i] - b[i]) > PIXEL_TOLERANCE ||
      Math.abs(a[i + 1] - b[i + 1]) > PIXEL_TOLERANCE ||
      Math.abs(a[i + 2] - b[i + 2]) > PIXEL_TOLERANCE;
    if (differs) count += 1;
  }
  return count;
}

// Renders the mouth region from +Z (glTF's front) with the model at rest, then
// with each driven morph at 1, and counts the pixels each morph changes.
function renderFace(root, region, wantImages) {
  const context = createRenderer();
  if (!context.renderer) return { status: 'skipped', reason: context.reason };
  const { renderer, gl, adapter, canvas } = context;
  try {
    const scene = new THREE.Scene();
    scene.add(root);
    scene.add(new THREE.HemisphereLight(0xffffff, 0x404040, 2));
    const center = region.getCenter(new THREE.Vector3());
    const size = region.getSize(new THREE.Vector3());
    // Frame at least 20 cm, so a small mouth region still shows the chin and nose.
    const extentMetres = Math.max(size.x, size.y, 0.2);
    const fovDegrees = 30;
    const distance = (extentMetres * 0.75) / Math.tan(THREE.MathUtils.degToRad(fovDegrees / 2));
    const camera = new THREE.PerspectiveCamera(fovDegrees, 1, distance / 100, distance * 100);
    camera.position.set(center.x, center.y, center.z + distance);
    camera.lookAt(center);
    const light = new THREE.DirectionalLight(0xffffff, 2);
    light.position.copy(camera.position);
    scene.add(light);

    const background = new Uint8Array(FRAME_SIZE_PX * FRAME_SIZE_PX * 4);
    for (let i = 0; i < background.length; i += 4) background.set([...BACKGROUND_RGB, 255], i);

    const images = {};
    const started = performance.now();
    renderer.render(scene, camera);
    const firstFrameMillis = performance.now() - started;
    const rest = readPixels(gl);
    if (wantImages) images.rest = canvas.toDataURL('image/png');
    const result = {
      status: 'rendered',
      adapter,
      sizePx: FRAME_SIZE_PX,
      firstFrameMillis: Math.round(firstFrameMillis),
      triangles: renderer.info.render.triangles,
      coveredPixels: countDiffering(rest, background),
      changedPixels: {},
    };
    for (const name of DRIVEN_MORPHS) {
      const meshes = meshesWithMorph(root, name);
      if (meshes.length === 0) continue;
      setMorph(meshes, name, 1);
      renderer.render(scene, camera);
      const driven = readPixels(gl);
      if (wantImages) images[name] = canvas.toDataURL('image/png');
      setMorph(meshes, name, 0);
      result.changedPixels[name] = countDiffering(rest, driven);
    }
    if (wantImages) result.images = images;
    return result;
  } catch (error) {
    return { status: 'error', adapter, error: String(error?.stack ?? error) };
  } finally {
    renderer.dispose();
  }
}

/// Loads the GLB at `url` and reports what three.js made of it. Never throws:
/// failures are fields of the report.
async function inspectAvatar(url, { wantImages = false } = {}) {
  const loader = new GLTFLoader().setMeshoptDecoder(MeshoptDecoder);
  const started = performance.now();
  let gltf;
  try {
    gltf = await loader.loadAsync(url);
  } catch (error) {
    return { load: { ok: false, error: String(error?.stack ?? error) } };
  }
  const json = gltf.parser.json;
  const report = {
    load: { ok: true, millis: Math.round(performance.now() - started) },
    generator: json.asset?.generator ?? null,
    extensionsUsed: json.extensionsUsed ?? [],
    extensionsRequired: json.extensionsRequired ?? [],
    rootExtensions: Object.keys(gltf.userData?.gltfExtensions ?? {}),
    animations: gltf.animations.length,
    meshes: describeMeshes(gltf.scene),
    textures: describeTextures(gltf.scene),
  };
  try {
    const { morphs, region } = driveMorphs(gltf.scene);
    report.morphs = morphs;
    report.render = region.isEmpty()
      ? { status: 'skipped', reason: `no vertex moves with ${DRIVEN_MORPHS.join(' or ')}, nothing to frame` }
      : renderFace(gltf.scene, region, wantImages);
  } catch (error) {
    report.morphError = String(error?.stack ?? error);
  }
  return report;
}

window.inspectAvatar = inspectAvatar;
window.avatarPageReady = true;
