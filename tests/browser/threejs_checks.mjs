// The pass/fail checks threejs_load.mjs applies to one file's report. A check is
// `{ name, ok, detail }`; `ok` is null when the check could not run here (no
// WebGL), which counts as neither passed nor failed.

// Below this share of the frame the camera missed the face.
const MIN_COVERED_SHARE = 0.05;

function check(name, ok, detail) {
  return { name, ok, detail };
}

/// Checks for one file, from its report plus the page's console and errors.
export function checksFor(entry) {
  const checks = [check('loads in GLTFLoader', entry.load?.ok === true, entry.load?.error ?? `${entry.load?.millis} ms`)];
  checks.push(check('no page errors', entry.pageErrors.length === 0, entry.pageErrors.join('\n') || 'none'));
  const errors = [...entry.consoleErrors, ...entry.failedRequests];
  checks.push(check('no console errors', errors.length === 0, errors.join('\n') || 'none'));
  if (entry.load?.ok !== true) return checks;

  // GLTFLoader warns (and carries on) when a file breaks the spec: target names
  // that do not match the targets, joints it cannot find, POSITION without min/max.
  const threeWarnings = entry.consoleWarnings.filter((text) => text.startsWith('THREE.'));
  checks.push(check('no three.js warnings', threeWarnings.length === 0, threeWarnings.join('\n') || 'none'));

  const vertices = entry.meshes.reduce((sum, mesh) => sum + mesh.vertices, 0);
  checks.push(check('has meshes', entry.meshes.length > 0 && vertices > 0, `${entry.meshes.length} meshes, ${vertices} vertices`));

  const skinned = entry.meshes.filter((mesh) => mesh.skinned);
  const boneless = skinned.filter((mesh) => mesh.bones === 0).map((mesh) => mesh.name);
  checks.push(
    check(
      'skinned meshes have bones',
      boneless.length === 0,
      boneless.length ? `no bones: ${boneless.join(', ')}` : `${skinned.length} skinned meshes`,
    ),
  );

  const undecoded = entry.textures.filter((texture) => !(texture.width > 0)).map((texture) => texture.name);
  checks.push(
    check(
      'textures decode',
      undecoded.length === 0,
      undecoded.length ? `not decoded: ${undecoded.join(', ')}` : `${entry.textures.length} textures`,
    ),
  );

  if (entry.morphError) {
    checks.push(check('mouth morphs move vertices', false, entry.morphError));
    return checks;
  }
  const morphs = Object.entries(entry.morphs);
  const present = morphs.filter(([, morph]) => morph.meshes.length > 0);
  const still = present.filter(([, morph]) => !(morph.movedMetres > 0)).map(([name]) => name);
  checks.push(
    check(
      'mouth morphs move vertices',
      present.length > 0 && still.length === 0,
      present.length === 0
        ? `none of ${morphs.map(([name]) => name).join(', ')} is a morph target`
        : still.length
          ? `influence 1 moves nothing: ${still.join(', ')}`
          : present.map(([name, morph]) => `${name} ${(morph.movedMetres * 1000).toFixed(1)} mm`).join(', '),
    ),
  );

  const render = entry.render;
  if (render.status === 'skipped') {
    checks.push(check('renders the face', null, `skipped: ${render.reason}`));
  } else if (render.status === 'error') {
    checks.push(check('renders the face', false, render.error));
  } else {
    const share = render.coveredPixels / (render.sizePx * render.sizePx);
    checks.push(
      check(
        'renders the face',
        share >= MIN_COVERED_SHARE,
        `${(share * 100).toFixed(1)}% of the frame covered, ${render.triangles} triangles, ${render.firstFrameMillis} ms`,
      ),
    );
    const changed = Object.entries(render.changedPixels);
    const unchanged = changed.filter(([, pixels]) => !(pixels > 0)).map(([name]) => name);
    checks.push(
      check(
        'mouth morphs change the frame',
        changed.length > 0 && unchanged.length === 0,
        unchanged.length
          ? `no pixel changes: ${unchanged.join(', ')}`
          : changed.map(([name, pixels]) => `${name} ${pixels} px`).join(', '),
      ),
    );
  }
  return checks;
}
