#!/usr/bin/env node
// Does a GLB load in three.js? Serves a page, three.js from node_modules and the
// given GLB files from 127.0.0.1, loads each in headless Chromium with GLTFLoader
// (+ MeshoptDecoder), drives the mouth morphs, renders the face with software
// WebGL when the browser has it, and prints one JSON line with a report per file,
// then `N passed, N failed`. Exit status: 0 all checks passed, 1 a check failed,
// 2 the run itself failed (bad arguments, no browser).
//
// Usage (inside a loopback-only network namespace, see docs/testing-browser.md):
//   unshare -n sh -c 'ip link set lo up; node tests/browser/threejs_load.mjs a.glb b.glb'
// Options: --png-dir DIR   write each face frame as DIR/<file>.<state>.png
//          --timeout-secs N  per file (default 45)
//          --no-webgl      start Chromium with WebGL off (exercises the skip path)

import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOFTWARE_WEBGL_ARGS, launchChromium, outsideInterfaces } from './chromium.mjs';
import { checksFor } from './threejs_checks.mjs';
import { startStaticServer } from './static_server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const THREE_DIR = join(HERE, 'node_modules', 'three');

function parseArgs(argv) {
  const options = { files: [], pngDir: null, timeoutSecs: 45, webgl: true };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--png-dir') options.pngDir = argv[++i];
    else if (arg === '--timeout-secs') options.timeoutSecs = Number(argv[++i]);
    else if (arg === '--no-webgl') options.webgl = false;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}; see the usage at the top of ${basename(fileURLToPath(import.meta.url))}`);
    else options.files.push(resolve(arg));
  }
  if (options.files.length === 0) throw new Error('no GLB given; usage: threejs_load.mjs [--png-dir DIR] FILE.glb [...]');
  if (!(options.timeoutSecs > 0)) throw new Error('--timeout-secs needs a positive number');
  if (options.pngDir === undefined) throw new Error('--png-dir needs a folder');
  return options;
}

function withTimeout(promise, millis, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${millis / 1000} s`)), millis);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function writeImages(pngDir, file, images) {
  mkdirSync(pngDir, { recursive: true });
  const written = [];
  for (const [state, dataUrl] of Object.entries(images)) {
    const path = join(pngDir, `${basename(file)}.${state}.png`);
    writeFileSync(path, Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
    written.push(path);
  }
  return written;
}

// Loads one file in a fresh page, so each file's console and page errors are its own.
async function inspectFile(context, origin, index, file, options) {
  const messages = { consoleErrors: [], consoleWarnings: [], pageErrors: [], failedRequests: [], abortedRequests: [] };
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') messages.consoleErrors.push(message.text());
    if (message.type() === 'warning') messages.consoleWarnings.push(message.text());
  });
  page.on('pageerror', (error) => messages.pageErrors.push(String(error?.stack ?? error)));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText;
    // Chromium reports a fetch whose body was read to the end through a stream
    // reader (three.js's FileLoader does this for progress events) as ERR_ABORTED
    // now and then, after every byte arrived. A truly missing file still shows as
    // an HTTP error or a load error, so this one is only recorded.
    if (reason === 'net::ERR_ABORTED') messages.abortedRequests.push(request.url());
    else messages.failedRequests.push(`${request.url()}: ${reason}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) messages.failedRequests.push(`${response.url()}: HTTP ${response.status()}`);
  });
  const timeoutMillis = options.timeoutSecs * 1000;
  let report;
  try {
    report = await withTimeout(
      (async () => {
        await page.goto(`${origin}/`);
        await page.waitForFunction(() => window.avatarPageReady === true, null, { timeout: timeoutMillis });
        return page.evaluate(
          ([url, wantImages]) => window.inspectAvatar(url, { wantImages }),
          [`/glb/${index}`, options.pngDir !== null],
        );
      })(),
      timeoutMillis,
      `loading ${file}`,
    );
  } catch (error) {
    report = { load: { ok: false, error: String(error?.message ?? error) } };
  } finally {
    await page.close();
  }
  if (report.render?.images) {
    report.render.pngs = writeImages(options.pngDir, file, report.render.images);
    delete report.render.images;
  }
  const entry = { path: file, sizeBytes: statSync(file).size, ...report, ...messages };
  entry.checks = checksFor(entry);
  return entry;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  for (const file of options.files) {
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) throw new Error(`GLB not found; check the path: ${file}`);
  }
  const routes = {
    '/': join(HERE, 'threejs_load.html'),
    '/threejs_load_page.mjs': join(HERE, 'threejs_load_page.mjs'),
    '/three/': THREE_DIR,
  };
  options.files.forEach((file, index) => {
    routes[`/glb/${index}`] = file;
  });
  const server = await startStaticServer(routes);
  const browser = await launchChromium({ extraArgs: options.webgl ? SOFTWARE_WEBGL_ARGS : ['--disable-3d-apis'] });
  const files = [];
  let userAgent = null;
  try {
    for (const [index, file] of options.files.entries()) {
      files.push(await inspectFile(browser.context, server.origin, index, file, options));
    }
    const page = await browser.context.newPage();
    userAgent = await page.evaluate(() => navigator.userAgent);
  } finally {
    await browser.close();
    await server.close();
  }
  const checks = files.flatMap((file) => file.checks);
  const passed = checks.filter((check) => check.ok === true).length;
  const failed = checks.filter((check) => check.ok === false).length;
  const summary = {
    userAgent,
    three: JSON.parse(readFileSync(join(THREE_DIR, 'package.json'), 'utf8')).version,
    outsideInterfaces: outsideInterfaces(),
    files,
    passed,
    failed,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  for (const file of files) {
    for (const check of file.checks.filter((c) => c.ok === false)) {
      process.stderr.write(`FAIL ${basename(file.path)}: ${check.name}: ${check.detail}\n`);
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

try {
  if (outsideInterfaces().length > 0) {
    process.stderr.write(
      `warning: network interfaces ${outsideInterfaces().join(', ')} are up; run inside ` +
        "`unshare -n sh -c 'ip link set lo up; node ...'` so the browser can reach only 127.0.0.1\n",
    );
  }
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`threejs_load: ${error?.message ?? error}\n`);
  process.exitCode = 2;
}
