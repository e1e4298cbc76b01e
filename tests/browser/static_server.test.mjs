// Unit tests for the static server's routing (no browser needed):
//   node --test tests/browser/
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveRoute, startStaticServer } from './static_server.mjs';

const ROUTES = { '/': '/srv/page.html', '/glb/0': '/data/a.glb', '/three/': '/srv/three' };

test('exact paths and folder prefixes map to files', () => {
  assert.equal(resolveRoute(ROUTES, '/'), '/srv/page.html');
  assert.equal(resolveRoute(ROUTES, '/glb/0'), '/data/a.glb');
  assert.equal(resolveRoute(ROUTES, '/three/build/three.module.js'), '/srv/three/build/three.module.js');
});

test('nothing outside the routes is served', () => {
  assert.equal(resolveRoute(ROUTES, '/glb/1'), null);
  assert.equal(resolveRoute(ROUTES, '/etc/passwd'), null);
  assert.equal(resolveRoute(ROUTES, '/three/../../etc/passwd'), null);
  assert.equal(resolveRoute(ROUTES, '/three/%2e%2e/%2e%2e/etc/passwd'), null);
  assert.equal(resolveRoute(ROUTES, '/three/'), null);
  assert.equal(resolveRoute(ROUTES, '/three/%E0%A4%A'), null);
});

test('the server answers on loopback with the file or a 404', async () => {
  const here = new URL('.', import.meta.url).pathname;
  const server = await startStaticServer({ '/pkg.json': `${here}package.json` });
  try {
    assert.match(server.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
    const found = await fetch(`${server.origin}/pkg.json`);
    assert.equal(found.status, 200);
    assert.equal(found.headers.get('content-type'), 'application/json');
    assert.equal((await found.json()).name, 'avatarcast-browser-tests');
    const missing = await fetch(`${server.origin}/other`);
    assert.equal(missing.status, 404);
    await missing.text();
  } finally {
    await server.close();
  }
});
