#!/usr/bin/env node
// Benchmark: page load → first decoded frame of `avatarcast serve` in headless
// Chromium (issue 6 target ≤ 500 ms). Each round starts a fresh Chromium (a
// "cold" visitor: new browser process, decoder and network stack) and then
// loads the page once more in it ("warm": a second tab). Prints one JSON line
// per page with the breakdown, then medians and p95 per kind.
//
// Usage (inside a loopback-only namespace, server running): see
// scripts/bench-first-frame.sh, which does both.
//   node tests/browser/first_frame_bench.mjs http://127.0.0.1:18080 [rounds]

import { launchChromium } from './chromium.mjs';
import { installProbe } from './serve_e2e_probe.mjs';

const [origin, roundsArg] = process.argv.slice(2);
if (!origin) {
  console.error('usage: first_frame_bench.mjs SERVER_URL [rounds]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 5);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function waitForServer() {
  for (let i = 0; i < 600; i += 1) {
    try {
      if ((await fetch(new URL('/healthz', origin))).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`no server at ${origin}`);
}

/// Loads the page in a new tab; returns the breakdown in ms since navigation start.
async function loadOnce(context) {
  const page = await context.newPage();
  try {
    await page.addInitScript(installProbe);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${origin}/?lang=en`);
    for (let i = 0; i < 500; i += 1) {
      if (await page.evaluate(() => window.__e2e.firstFrameMs !== null)) break;
      await sleep(10);
    }
    return await page.evaluate(() => {
      const round = (v) => (v === undefined || v === null ? null : Math.round(v));
      const nav = performance.getEntriesByType('navigation')[0];
      const post = window.__e2e.whep.find((w) => w.method === 'POST');
      const state = (s) => round(window.__e2e.connection.find((c) => c.state === s)?.at);
      return {
        domContentLoaded: round(nav?.domContentLoadedEventEnd),
        offerSent: round(post?.sentAt),
        answered: round(post?.at),
        connected: state('connected'),
        firstFrame: round(window.__e2e.firstFrameMs),
      };
    });
  } finally {
    await page.close();
    // Let the server see the DELETE before the next visitor.
    await sleep(1000);
  }
}

const quantile = (values, q) => {
  const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : null;
};

await waitForServer();
const results = { cold: [], warm: [] };
for (let round = 0; round < rounds; round += 1) {
  const browser = await launchChromium({
    extraArgs: ['--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    await browser.context.grantPermissions(['camera', 'microphone'], { origin });
    for (const kind of ['cold', 'warm']) {
      const breakdown = await loadOnce(browser.context);
      results[kind].push(breakdown);
      console.log(JSON.stringify({ kind, ...breakdown }));
    }
  } finally {
    await browser.close();
  }
}
for (const kind of ['cold', 'warm']) {
  const first = results[kind].map((r) => r.firstFrame);
  console.log(`${kind}: page load → first decoded frame p50 ${quantile(first, 0.5)} ms, p95 ${quantile(first, 0.95)} ms (${first.length} pages)`);
}
