// Launches the system Chromium for tests, the way it must run on this machine.
//
// Playwright cannot download browsers here, so we drive Debian's /usr/bin/chromium
// with playwright-core. Playwright refuses `--user-data-dir` in `launch()`, so a
// persistent context on a fresh temporary profile gives the same isolation.
// See docs/testing-browser.md and shared/notes/webrtc-loopback.md.

import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.AVATARCAST_CHROMIUM || '/usr/bin/chromium';

// No sandbox because tests run as root; the rest stops Chromium from calling home
// (it cannot anyway inside `unshare -n`, but then it fails fast instead of retrying).
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// WebGL without a GPU: ANGLE on SwiftShader (Vulkan on the CPU, shipped with
// Chromium). Recent Chromium only falls back to it when asked explicitly.
export const SOFTWARE_WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/// Names of network interfaces other than loopback. Tests run inside
/// `unshare -n`, where this is empty; anything else means the browser could reach
/// the outside world.
export function outsideInterfaces() {
  return Object.keys(networkInterfaces()).filter((name) => name !== 'lo');
}

/// Starts headless Chromium on a throwaway profile. `close()` also deletes the profile.
export async function launchChromium({ extraArgs = [] } = {}) {
  const profileDir = mkdtempSync(join(tmpdir(), 'avatarcast-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, ...extraArgs],
    });
  } catch (error) {
    rmSync(profileDir, { recursive: true, force: true });
    throw error;
  }
  const close = async () => {
    await context.close();
    rmSync(profileDir, { recursive: true, force: true });
  };
  return { context, close };
}
