// A tiny static file server on 127.0.0.1 for browser tests: no CDN, no network,
// every byte the page loads comes from this checkout or from a file named on the
// command line.

import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, resolve, sep } from 'node:path';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.glb': 'model/gltf-binary',
  '.vrm': 'model/gltf-binary',
  '.wasm': 'application/wasm',
};

/// Maps a URL path to a file: `routes` has exact paths (`'/': 'page.html'`) and
/// folder prefixes ending in `/` (`'/three/': 'node_modules/three'`). Returns null
/// for anything else, including attempts to climb out of a folder with `..`.
export function resolveRoute(routes, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (Object.hasOwn(routes, path) && !path.endsWith('/')) return resolve(routes[path]);
  if (path === '/' && Object.hasOwn(routes, '/')) return resolve(routes['/']);
  for (const [prefix, dir] of Object.entries(routes)) {
    if (prefix === '/' || !prefix.endsWith('/') || !path.startsWith(prefix)) continue;
    const root = resolve(dir);
    const file = resolve(root, path.slice(prefix.length));
    if (file.startsWith(root + sep)) return file;
  }
  return null;
}

/// Serves `routes` on 127.0.0.1 at a port the OS picks. Resolves to
/// `{ origin, close }` once listening.
export function startStaticServer(routes) {
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    const file = resolveRoute(routes, url.pathname);
    let size = -1;
    try {
      const stat = file && statSync(file);
      if (stat && stat.isFile()) size = stat.size;
    } catch {
      size = -1;
    }
    if (request.method !== 'GET' || size < 0) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end(`not found: ${url.pathname}`);
      return;
    }
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolvePromise({
        origin: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}
