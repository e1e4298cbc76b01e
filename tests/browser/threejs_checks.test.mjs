// Unit tests for the pass/fail rules of threejs_load.mjs (no browser needed):
//   node --test tests/browser/
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checksFor } from './threejs_checks.mjs';

// A report as the page returns it for a healthy avatar.
function healthy() {
  return {
    load: { ok: true, millis: 200 },
    meshes: [
      { name: 'body', skinned: true, bones: 53, vertices: 8000, triangles: 14000, morphTargets: ['jawOpen', 'viseme_aa'] },
    ],
    textures: [{ name: 'skin', width: 1024, height: 1024 }],
    morphs: { jawOpen: { meshes: ['body'], movedMetres: 0.04 }, viseme_aa: { meshes: ['body'], movedMetres: 0.02 } },
    render: { status: 'rendered', sizePx: 256, triangles: 14000, firstFrameMillis: 300, coveredPixels: 30000, changedPixels: { jawOpen: 4000, viseme_aa: 3000 } },
    consoleErrors: [],
    consoleWarnings: ['[.WebGL-0x1]GL Driver Message (OpenGL, Performance, GL_CLOSE_PATH_NV, High): GPU stall due to ReadPixels'],
    pageErrors: [],
    failedRequests: [],
    abortedRequests: [],
  };
}

function outcome(entry) {
  return Object.fromEntries(checksFor(entry).map((check) => [check.name, check.ok]));
}

test('a healthy avatar passes every check', () => {
  const checks = checksFor(healthy());
  assert.equal(checks.length, 10);
  assert.deepEqual(checks.filter((check) => check.ok !== true), []);
});

test('a failed load stops after the error checks', () => {
  const entry = { ...healthy(), load: { ok: false, error: 'SyntaxError: not JSON' } };
  assert.deepEqual(outcome(entry), { 'loads in GLTFLoader': false, 'no page errors': true, 'no console errors': true });
});

test('three.js warnings fail, driver chatter does not', () => {
  const entry = healthy();
  entry.consoleWarnings.push('THREE.GLTFLoader: Invalid extras.targetNames length. Ignoring names.');
  assert.equal(outcome(entry)['no three.js warnings'], false);
});

test('a failed request counts as a console error', () => {
  const entry = { ...healthy(), failedRequests: ['http://127.0.0.1:1/glb/0: HTTP 404'] };
  assert.equal(outcome(entry)['no console errors'], false);
});

test('a skinned mesh without bones fails', () => {
  const entry = healthy();
  entry.meshes.push({ name: 'hair', skinned: true, bones: 0, vertices: 10, triangles: 4, morphTargets: [] });
  const check = checksFor(entry).find((c) => c.name === 'skinned meshes have bones');
  assert.equal(check.ok, false);
  assert.match(check.detail, /hair/);
});

test('an undecoded texture fails', () => {
  const entry = { ...healthy(), textures: [{ name: 'skin', width: 0, height: 0 }] };
  assert.equal(outcome(entry)['textures decode'], false);
});

test('no mouth morph at all fails, as does a morph that moves nothing', () => {
  const none = { ...healthy(), morphs: { jawOpen: { meshes: [], movedMetres: 0 }, viseme_aa: { meshes: [], movedMetres: 0 } } };
  assert.equal(outcome(none)['mouth morphs move vertices'], false);
  const still = { ...healthy(), morphs: { jawOpen: { meshes: ['body'], movedMetres: 0 } } };
  assert.equal(outcome(still)['mouth morphs move vertices'], false);
  // One of the two is enough when the other is absent.
  const jawOnly = { ...healthy(), morphs: { jawOpen: { meshes: ['body'], movedMetres: 0.04 }, viseme_aa: { meshes: [], movedMetres: 0 } } };
  assert.equal(outcome(jawOnly)['mouth morphs move vertices'], true);
});

test('without WebGL the render is neither passed nor failed', () => {
  const entry = { ...healthy(), render: { status: 'skipped', reason: 'no WebGL2 context' } };
  const check = checksFor(entry).find((c) => c.name === 'renders the face');
  assert.equal(check.ok, null);
  assert.match(check.detail, /^skipped: no WebGL2/);
  assert.equal(outcome(entry)['mouth morphs change the frame'], undefined);
});

test('an empty frame or a morph that changes no pixel fails', () => {
  const empty = healthy();
  empty.render = { ...empty.render, coveredPixels: 100 };
  assert.equal(outcome(empty)['renders the face'], false);
  const frozen = healthy();
  frozen.render = { ...frozen.render, changedPixels: { jawOpen: 0, viseme_aa: 3000 } };
  assert.equal(outcome(frozen)['mouth morphs change the frame'], false);
});
