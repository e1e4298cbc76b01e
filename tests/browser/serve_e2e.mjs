#!/usr/bin/env node
// End-to-end check of `avatarcast serve` in real headless Chromium: the product
// page at `/` as a visitor uses it (types, clicks send and stop), measured from
// outside (serve_e2e_probe.mjs: getStats, requestVideoFrameCallback, the chat
// channel). Prints one JSON line with the measurements and every check, then
// `N passed, N failed`. Exit status: 0 all passed, 1 a check failed, 2 the run
// itself broke (bad arguments, no browser, no server).
//
// Usage (inside a loopback-only network namespace, with the server running):
//   unshare -n sh -c 'ip link set lo up; avatarcast serve --bind 127.0.0.1:18080 &
//     node tests/browser/serve_e2e.mjs --server http://127.0.0.1:18080 --mouth-box 226,300,290,336'
// Options: --mouth-box x0,y0,x1,y1  where the mouth is in the 512×512 frame
//          (tests/serve_browser.rs finds it from the known framing)
//          --avatar ID  --wait-secs N (server start, default 120)

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, outsideInterfaces } from './chromium.mjs';
import {
  check,
  decodedFps,
  firstMessage,
  metricValue,
  mouthIn,
  mouthVerdict,
  parseBox,
  revealedProgressively,
  worstWindowFps,
} from './serve_e2e_checks.mjs';
import { installProbe } from './serve_e2e_probe.mjs';
import { startStaticServer } from './static_server.mjs';

const SIZE = 512;
const FIRST_FRAME_LIMIT_MS = 2000;
const MIN_FPS = 24;
const FPS_WINDOW_MS = 5000;
/// A short FAQ answer (two sentences) for lip-sync, and a long one to interrupt.
const QUESTION = 'How do I get to the Downtown store by public transport?';
const LONG_QUESTION = 'What are your opening hours?';
const HANDOFF_QUESTION = 'I want to talk to a human.';
const ACTIVE_SESSIONS = 'avatarcast_active_sessions';

function parseArgs(argv) {
  const options = { server: null, mouthBox: null, avatar: null, waitSecs: 120 };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--server') options.server = argv[++i];
    else if (arg === '--mouth-box') options.mouthBox = parseBox(argv[++i]);
    else if (arg === '--avatar') options.avatar = argv[++i];
    else if (arg === '--wait-secs') options.waitSecs = Number(argv[++i]);
    else throw new Error(`unknown argument ${arg}; see the usage at the top of serve_e2e.mjs`);
  }
  if (!options.server) throw new Error('--server URL is required');
  if (!options.mouthBox) throw new Error('--mouth-box x0,y0,x1,y1 is required');
  return options;
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function waitForServer(server, secs) {
  const deadline = Date.now() + secs * 1000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(new URL('/healthz', server));
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(250);
  }
  throw new Error(`the server did not answer /healthz within ${secs} s (${last}): ${server}`);
}

/// Server-side figures behind a frame rate: frames encoded and dropped, and
/// mean render and encode time per frame (ms), from /metrics.
async function serverFrameFigures(server) {
  const text = await (await fetch(new URL('/metrics', server))).text();
  const mean = (name) => {
    const sum = metricValue(text, `${name}_sum`);
    const count = metricValue(text, `${name}_count`);
    return sum !== null && count ? Number(((1000 * sum) / count).toFixed(1)) : null;
  };
  return {
    framesEncoded: metricValue(text, 'avatarcast_frames_encoded_total'),
    framesDropped: metricValue(text, 'avatarcast_frames_dropped_total'),
    renderMs: mean('avatarcast_render_seconds'),
    encodeMs: mean('avatarcast_encode_seconds'),
  };
}

async function activeSessions(server) {
  const text = await (await fetch(new URL('/metrics', server))).text();
  return metricValue(text, ACTIVE_SESSIONS);
}

/// Polls `fn` in the page until it returns a truthy value or `ms` passes.
async function until(page, fn, arg, ms) {
  try {
    const handle = await page.waitForFunction(fn, arg, { timeout: ms, polling: 50 });
    return await handle.jsonValue();
  } catch {
    return null;
  }
}

const probeState = (page) =>
  page.evaluate(() => ({
    chat: window.__e2e.chat,
    whep: window.__e2e.whep,
    frames: window.__e2e.frames,
    stats: window.__e2e.stats,
    shown: window.__e2e.shown,
    now: performance.now(),
  }));

/// Phone and kiosk layouts: nothing wider than the screen, the whole video
/// and the question box on screen, every control at least 44 px tall (WCAG 2.5.5).
async function layoutCheck(page, width, height, label) {
  await page.setViewportSize({ width, height });
  await sleep(300);
  const layout = await page.evaluate(() => {
    const box = (id) => document.getElementById(id).getBoundingClientRect();
    const controls = ['ask', 'send', 'stop', 'lang', 'sound', 'end'].map((id) => [id, Math.round(box(id).height)]);
    const video = box('video');
    const ask = box('ask');
    return {
      overflowX: document.documentElement.scrollWidth - innerWidth,
      videoOnScreen: video.top >= 0 && video.bottom <= innerHeight && video.width > 0.5 * Math.min(innerWidth, innerHeight),
      askOnScreen: ask.bottom <= innerHeight && ask.top >= video.bottom - 1,
      small: controls.filter(([, h]) => h < 44),
      video: [Math.round(video.width), Math.round(video.height)],
    };
  });
  return check(
    `${label} layout (${width}x${height}): video and question box on screen, touch targets ≥ 44 px`,
    layout.overflowX <= 0 && layout.videoOnScreen && layout.askOnScreen && layout.small.length === 0,
    JSON.stringify(layout),
  );
}

/// Loads a shop's page (another origin: a file server on another loopback
/// port) with the widget's script tag, opens the panel, sees the chat start
/// in it, closes it.
async function widgetChecks(context, origin, avatar) {
  const dir = mkdtempSync(join(tmpdir(), 'avatarcast-shop-'));
  const shopFile = join(dir, 'shop.html');
  writeFileSync(
    shopFile,
    `<!doctype html><title>Shop</title><h1>A shop</h1>
     <script src="${origin}/widget.js" data-lang="en" ${avatar ? `data-avatar="${avatar}"` : ''} data-position="bottom-left" async></script>`,
  );
  const shopServer = await startStaticServer({ '/': shopFile });
  const shop = `${shopServer.origin}/`;
  const page = await context.newPage();
  const requests = [];
  page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
  if (process.env.E2E_DEBUG) page.on('console', (m) => process.stderr.write(`[widget page] ${m.text()}\n`));
  const results = [];
  try {
    await page.goto(shop);
    const launcher = page.locator('[data-avatarcast-widget] >> css=button.launcher');
    await launcher.waitFor({ timeout: 5000 });
    const place = await launcher.boundingBox();
    const label = await launcher.getAttribute('aria-label');
    const viewport = page.viewportSize();
    results.push(
      check(
        'the widget adds a labelled launcher in the chosen corner',
        label && place && place.x < viewport.width / 2 && place.y > viewport.height / 2 && place.width >= 44,
        `${label} at ${JSON.stringify(place)}`,
      ),
    );
    await launcher.click();
    const frame = page.locator('[data-avatarcast-widget] >> css=iframe');
    await frame.waitFor({ timeout: 5000 });
    const src = new URL(await frame.getAttribute('src'));
    for (let i = 0; i < 100 && !requests.includes('POST /whep'); i += 1) await sleep(100);
    const posted = requests.includes('POST /whep');
    results.push(
      check(
        'opening the widget loads the page in an iframe, which starts a session',
        src.origin === origin && src.searchParams.get('embed') === '1' && src.searchParams.get('lang') === 'en' && posted,
        `${src.href}; ${posted ? 'POST /whep sent' : 'no POST /whep in 10 s'}`,
      ),
    );
    await sleep(1500);
    await page.locator('[data-avatarcast-widget] >> css=button.close').click();
    let deleted = false;
    for (let i = 0; i < 50 && !deleted; i += 1) {
      deleted = requests.some((r) => r.startsWith('DELETE /whep/'));
      if (!deleted) await sleep(100);
    }
    let active = null;
    for (let i = 0; i < 50; i += 1) {
      active = await activeSessions(origin);
      if (active === 0) break;
      await sleep(100);
    }
    results.push(
      check(
        'closing the widget ends its session',
        (await frame.count()) === 0 && deleted && active === 0,
        `iframe removed: ${(await frame.count()) === 0}; DELETE sent: ${deleted}; ${ACTIVE_SESSIONS} ${active}`,
      ),
    );
  } catch (error) {
    results.push(check('the widget works on a third-party page', false, String(error?.message ?? error)));
  } finally {
    await page.close();
    // Chromium may hold a keep-alive connection open; do not wait for it.
    await Promise.race([shopServer.close(), sleep(1000)]);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/// With E2E_DEBUG_DIR set, saves the current video frame as DIR/<name>.png.
async function snapshot(page, name) {
  const dir = process.env.E2E_DEBUG_DIR;
  if (!dir) return;
  const url = await page.evaluate(() => window.__e2e.snapshot());
  writeFileSync(join(dir, `${name}.png`), Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'));
}

/// Asks a question through the page's own text box and send button.
async function ask(page, text) {
  await page.fill('#ask', text);
  const at = await page.evaluate(() => performance.now());
  await page.click('#send');
  return at;
}

/// Waits for the speech_end of the answer to a question asked at `askedAt`.
async function waitSpeechEnd(page, askedAt, ms) {
  return until(
    page,
    (from) => window.__e2e.chat.find((e) => e.at >= from && e.msg.type === 'speech_end') ?? null,
    askedAt,
    ms,
  );
}

async function run(options, checks, measured) {
  const origin = new URL(options.server).origin;
  await waitForServer(origin, options.waitSecs);
  const healthz = await fetch(new URL('/healthz', origin));
  checks.push(check('GET /healthz answers 200', healthz.status === 200, `HTTP ${healthz.status}`));
  const roles = await fetch(new URL('/api/roles', origin));
  const roleList = roles.ok ? await roles.json().catch(() => null) : null;
  checks.push(
    check(
      'GET /api/roles lists roles with languages',
      Array.isArray(roleList) && roleList.length > 0 && roleList.every((r) => typeof r.id === 'string' && Array.isArray(r.languages)),
      `HTTP ${roles.status}: ${JSON.stringify(roleList)}`,
    ),
  );

  const browser = await launchChromium({
    // Chromium gathers no ICE candidates on loopback without this switch and
    // the camera/microphone grant (shared/notes/webrtc-loopback.md).
    extraArgs: ['--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    await browser.context.grantPermissions(['camera', 'microphone'], { origin });
    const page = await browser.context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(String(error?.message ?? error)));
    await page.addInitScript(installProbe);
    // A phone in portrait, as many visitors will be.
    await page.setViewportSize({ width: 390, height: 844 });

    // 1. Page load → first decoded frame.
    const query = new URLSearchParams({ lang: 'en' });
    if (options.avatar) query.set('avatar', options.avatar);
    await page.goto(`${origin}/?${query}`);
    const firstFrameMs = await until(page, () => window.__e2e.firstFrameMs, null, 15000);
    measured.firstFrameMs = firstFrameMs;
    checks.push(
      check(
        `first decoded frame within ${FIRST_FRAME_LIMIT_MS} ms of page load`,
        firstFrameMs !== null && firstFrameMs <= FIRST_FRAME_LIMIT_MS,
        firstFrameMs === null ? 'no frame in 15 s' : `${firstFrameMs.toFixed(0)} ms`,
      ),
    );
    if (firstFrameMs === null) return;
    // Where the time went: page scripts, the WHEP round trip (the server sets
    // up the session), ICE + DTLS, then the first frame.
    measured.firstFrameBreakdownMs = await page.evaluate(() => {
      const round = (v) => (v === undefined ? null : Math.round(v));
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        domContentLoaded: round(nav?.domContentLoadedEventEnd),
        whepAnswered: round(window.__e2e.whep.find((w) => w.method === 'POST')?.at),
        connected: round(window.__e2e.connection.find((c) => c.state === 'connected')?.at),
        firstFrame: round(window.__e2e.firstFrameMs),
      };
    });
    process.stderr.write(
      `page load → first decoded frame: ${firstFrameMs.toFixed(0)} ms ${JSON.stringify(measured.firstFrameBreakdownMs)}\n`,
    );

    // 2. ≥ 24 decoded fps for 5 s at 512×512.
    await sleep(1000);
    const windowStart = await page.evaluate(() => performance.now());
    await sleep(FPS_WINDOW_MS);
    const afterWindow = await probeState(page);
    measured.server = await serverFrameFigures(origin);
    measured.loadAverage = loadavg().map((l) => Number(l.toFixed(2)));
    const videoSamples = afterWindow.stats.filter((s) => s.at >= windowStart && s.video).map((s) => s.video);
    const fps = decodedFps(videoSamples[0], videoSamples.at(-1));
    const worst = worstWindowFps(videoSamples);
    const last = videoSamples.at(-1) ?? {};
    measured.fps = fps;
    measured.worstSecondFps = worst;
    measured.video = last;
    checks.push(
      check(
        `at least ${MIN_FPS} decoded fps over ${FPS_WINDOW_MS / 1000} s`,
        fps !== null && fps >= MIN_FPS,
        `${fps?.toFixed(1)} fps (worst second ${worst?.toFixed(1)}), ${last.framesDropped} dropped, ${last.packetsLost} lost; ` +
          `server: ${JSON.stringify(measured.server)}; load average ${measured.loadAverage.join(' ')} on ${cpus().length} cores`,
      ),
    );
    checks.push(
      check(`frames are ${SIZE}x${SIZE}`, last.frameWidth === SIZE && last.frameHeight === SIZE, `${last.frameWidth}x${last.frameHeight}`),
    );
    const chatOpen = await until(page, () => window.__e2e.dc?.readyState === 'open' && !document.getElementById('send').disabled, null, 5000);
    checks.push(check('the chat channel opens and the page enables sending', chatOpen, chatOpen ? 'open' : 'not open in 5 s'));

    // 3. A question: state, subtitles, audio, mouth motion. The mouth's rest
    // reference is taken first; 3 s of idle motion then set the rest level.
    await page.evaluate((box) => {
      window.__e2e.mouthBox = box;
      window.__e2e.mouthRef = null;
    }, options.mouthBox);
    await snapshot(page, 'rest');
    await sleep(3000);
    const askedAt = await ask(page, QUESTION);
    await sleep(3000);
    await snapshot(page, 'speaking');
    const end = await waitSpeechEnd(page, askedAt, 60000);
    await sleep(2600);
    await snapshot(page, 'after');
    const answered = await probeState(page);
    const log = answered.chat.filter((e) => e.at >= askedAt);
    const types = log.map((e) => (e.msg.type === 'state' ? `state:${e.msg.state}` : e.msg.type));
    measured.answerMessages = types;
    checks.push(check('the answer ends with speech_end, not interrupted', end && end.msg.interrupted === false, JSON.stringify(end?.msg ?? 'no speech_end in 60 s')));
    const speaking = firstMessage(log, askedAt, (m) => m.type === 'state' && m.state === 'speaking');
    const idleAgain = speaking && firstMessage(log, speaking.at, (m) => m.type === 'state' && m.state === 'idle');
    checks.push(check('state goes to speaking, then back to idle', speaking && idleAgain, types.join(' ')));
    const subtitles = log.filter((e) => e.msg.type === 'subtitle').map((e) => e.msg);
    checks.push(
      check(
        'subtitle events carry text and times on the utterance clock',
        subtitles.length > 0 && subtitles.every((s) => s.text && Number.isFinite(s.start_ms) && s.end_ms >= s.start_ms),
        JSON.stringify(subtitles.slice(0, 3)),
      ),
    );
    const shown = answered.shown.filter((e) => e.at >= askedAt);
    const firstShown = shown.find((e) => e.text.length > 0);
    checks.push(
      check(
        'the page shows the subtitle word by word while it is spoken',
        revealedProgressively(shown) && speaking && firstShown && firstShown.at >= speaking.at - 100,
        `${shown.length} changes, first ${firstShown ? (firstShown.at - (speaking?.at ?? 0)).toFixed(0) : '-'} ms after speaking: ${JSON.stringify(shown.slice(0, 4).map((e) => e.text))}`,
      ),
    );
    const speakingFrom = speaking?.at ?? askedAt;
    const speakingTo = end?.at ?? answered.now;
    const audioDuring = answered.stats.filter((s) => s.audio && s.at >= speakingFrom && s.at <= speakingTo).map((s) => s.audio);
    const audioBefore = answered.stats.filter((s) => s.audio && s.at < askedAt).map((s) => s.audio);
    const packetsGrow = audioDuring.length >= 2 && audioDuring.at(-1).packetsReceived > audioDuring[0].packetsReceived;
    const maxLevel = Math.max(0, ...audioDuring.map((a) => a.audioLevel));
    measured.audio = { maxLevelSpeaking: maxLevel, packets: audioDuring.at(-1)?.packetsReceived, maxLevelIdle: Math.max(0, ...audioBefore.map((a) => a.audioLevel)) };
    checks.push(check('audio packets keep arriving while speaking', packetsGrow, `${audioDuring[0]?.packetsReceived} → ${audioDuring.at(-1)?.packetsReceived} packets`));
    checks.push(check('audio level is above 0 while speaking', maxLevel > 0, `max audioLevel ${maxLevel.toFixed(4)}`));
    // The answer is heard one playout delay after the server sends it; the
    // windows leave 300 ms for that.
    const mouth = mouthVerdict({
      rest: mouthIn(answered.frames, 0, askedAt),
      speaking: mouthIn(answered.frames, speakingFrom + 300, speakingTo + 300),
      after: mouthIn(answered.frames, speakingTo + 900, speakingTo + 2600),
    });
    measured.mouth = mouth;
    checks.push(check('the mouth moves on decoded frames while speaking', mouth.moves, mouth.detail));
    checks.push(check('the mouth returns to rest after speaking', mouth.rests, mouth.detail));

    // 4. Interrupt a long answer with the stop button.
    const longAskedAt = await ask(page, LONG_QUESTION);
    const longSpeaking = await until(
      page,
      (from) => window.__e2e.chat.find((e) => e.at >= from && e.msg.type === 'state' && e.msg.state === 'speaking') ?? null,
      longAskedAt,
      30000,
    );
    let stopAt = null;
    if (longSpeaking) {
      await sleep(1500);
      stopAt = await page.evaluate(() => performance.now());
      await page.click('#stop');
    }
    const stopped = stopAt === null ? null : await waitSpeechEnd(page, stopAt - 1, 3000);
    await sleep(1800);
    const afterStop = await probeState(page);
    checks.push(
      check(
        'stop interrupts a long answer: speech_end with interrupted true',
        stopped && stopped.msg.interrupted === true && stopped.msg.heard_ms > 0,
        stopAt === null ? 'the long answer never started speaking' : `${JSON.stringify(stopped?.msg ?? 'no speech_end in 3 s')} ${stopped ? (stopped.at - stopAt).toFixed(0) : '-'} ms after stop`,
      ),
    );
    const idleAfterStop = stopAt !== null && firstMessage(afterStop.chat, stopAt, (m) => m.type === 'state' && m.state === 'idle');
    checks.push(check('state is idle after stop', idleAfterStop, idleAfterStop ? `${(idleAfterStop.at - stopAt).toFixed(0)} ms after stop` : 'no idle'));
    if (stopAt !== null) {
      const cut = mouthVerdict({
        rest: mouthIn(afterStop.frames, 0, askedAt),
        speaking: mouthIn(afterStop.frames, longSpeaking.at + 300, stopAt),
        after: mouthIn(afterStop.frames, stopAt + 500, stopAt + 1800),
      });
      measured.mouthAfterStop = cut;
      checks.push(check('the mouth is at rest soon after stop', cut.rests, cut.detail));
      // What is already in the jitter buffer when speech_end arrives still
      // plays, and audioLevel is the peak of the last ~100 ms of playout,
      // polled every 200 ms here: quiet is expected from speech_end + the
      // audio playout delay + 500 ms (the same margin as the mouth's).
      const audioNow = afterStop.stats.filter((s) => s.audio && s.at <= (stopped?.at ?? stopAt)).at(-1)?.audio;
      const playoutMs = audioNow?.jitterBufferEmittedCount ? (1000 * audioNow.jitterBufferDelay) / audioNow.jitterBufferEmittedCount : 0;
      const quietFrom = (stopped?.at ?? stopAt) + playoutMs + 500;
      const later = afterStop.stats.filter((s) => s.audio && s.at >= quietFrom).map((s) => s.audio.audioLevel);
      measured.audioLevelAroundStop = afterStop.stats
        .filter((s) => s.audio && s.at >= stopAt - 400 && s.at <= stopAt + 1500)
        .map((s) => [Math.round(s.at - stopAt), Number(s.audio.audioLevel.toFixed(4))]);
      checks.push(
        check(
          'the audio goes quiet after stop',
          later.length > 0 && Math.max(...later) < 0.01,
          `audioLevel from ${Math.round(quietFrom - stopAt)} ms after stop (speech_end + ${playoutMs.toFixed(0)} ms playout + 500 ms): max ${Math.max(0, ...later).toFixed(4)}`,
        ),
      );
    }

    // 5. Malformed messages get an error reply and the session lives on.
    const badAt = await page.evaluate(() => {
      window.__e2e.dc.send('this is not json');
      window.__e2e.dc.send(JSON.stringify({ type: 'no-such-type' }));
      return performance.now();
    });
    const errors = await until(
      page,
      (from) => {
        const found = window.__e2e.chat.filter((e) => e.at >= from && e.msg.type === 'error');
        return found.length >= 2 ? found : null;
      },
      badAt,
      3000,
    );
    const framesAfterBad = await until(page, (from) => window.__e2e.frames.filter((f) => f.presented > from + 500).length > 10, badAt, 3000);
    checks.push(
      check(
        'malformed chat messages get error replies, the session lives on',
        errors && framesAfterBad && (await page.evaluate(() => window.__e2e.pcs.at(-1).connectionState)) === 'connected',
        JSON.stringify(errors?.map((e) => e.msg) ?? 'fewer than 2 error replies in 3 s'),
      ),
    );

    // 5b. Asking for a person: the dialog engine hands off, the page says a
    // colleague will join.
    const handoffAskedAt = await ask(page, HANDOFF_QUESTION);
    const handoff = await until(
      page,
      (from) => window.__e2e.chat.find((e) => e.at >= from && e.msg.type === 'handoff') ?? null,
      handoffAskedAt,
      20000,
    );
    const notice = await page.evaluate(() => {
      const node = document.getElementById('handoff');
      return node.hidden ? null : node.textContent;
    });
    checks.push(
      check(
        'a handoff event shows the "a colleague will join" notice',
        handoff && notice,
        `${JSON.stringify(handoff?.msg ?? 'no handoff in 20 s')}; notice: ${JSON.stringify(notice)}`,
      ),
    );
    await page.click('#stop').catch(() => {});
    await until(page, (from) => window.__e2e.chat.some((e) => e.at >= from && e.msg.type === 'state' && e.msg.state === 'idle'), handoffAskedAt, 20000);

    // 6. The page reconnects by itself when the server ends the session.
    const firstPost = (await probeState(page)).whep.find((w) => w.method === 'POST' && w.status === 201);
    const droppedAt = await page.evaluate(() => performance.now());
    const serverDelete = firstPost?.location ? await fetch(new URL(firstPost.location, origin), { method: 'DELETE' }) : null;
    const reconnected = await until(
      page,
      (from) => window.__e2e.whep.some((w) => w.at > from && w.method === 'POST' && w.status === 201) &&
        window.__e2e.frames.filter((f) => f.presented > from).length > 25 &&
        window.__e2e.dc?.readyState === 'open',
      droppedAt,
      15000,
    );
    checks.push(
      check(
        'the page reconnects when the server ends its session',
        serverDelete?.ok && reconnected,
        `DELETE ${firstPost?.location} → ${serverDelete?.status}; ${reconnected ? 'new session with video' : 'no new session with video in 15 s'}`,
      ),
    );
    checks.push(await layoutCheck(page, 390, 844, 'phone portrait'));
    checks.push(await layoutCheck(page, 1920, 1080, 'kiosk landscape'));
    checks.push(await layoutCheck(page, 1080, 1920, 'kiosk portrait'));

    // 7. Ending the conversation DELETEs the session and frees it.
    const deleteFrom = await page.evaluate(() => performance.now());
    const before = await activeSessions(origin);
    await page.click('#end');
    const deleted = await until(page, (from) => window.__e2e.whep.find((w) => w.at > from && w.method === 'DELETE') ?? null, deleteFrom, 3000);
    let after = null;
    const freeBy = Date.now() + 5000;
    while (Date.now() < freeBy) {
      after = await activeSessions(origin);
      if (after === 0) break;
      await sleep(100);
    }
    const posts = (await probeState(page)).whep.filter((w) => w.method === 'POST' && w.at < droppedAt);
    checks.push(
      check(
        'DELETE /whep/<id> ends the session: active sessions back to 0',
        before === 1 && deleted && deleted.status >= 200 && deleted.status < 300 && after === 0,
        `${ACTIVE_SESSIONS} ${before} → ${after}; DELETE ${deleted?.url} → ${deleted?.status}; ${posts.length} POST /whep`,
      ),
    );
    checks.push(check('one session until the server ended it (no needless reconnects)', posts.length === 1, posts.map((p) => p.status).join(', ')));
    checks.push(check('no errors in the page', pageErrors.length === 0, JSON.stringify(pageErrors)));

    // 8. The widget: one script tag on a shop's page opens the same chat.
    checks.push(...(await widgetChecks(browser.context, origin, options.avatar)));
  } finally {
    await browser.close();
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const checks = [];
  const measured = {};
  let failure = null;
  try {
    await run(options, checks, measured);
  } catch (error) {
    failure = String(error?.stack ?? error);
    checks.push(check('the run completes', false, failure));
  }
  const passed = checks.filter((c) => c.ok).length;
  const failed = checks.length - passed;
  process.stdout.write(`${JSON.stringify({ outsideInterfaces: outsideInterfaces(), measured, checks, passed, failed })}\n`);
  for (const c of checks) process.stderr.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

let status;
try {
  status = await main();
} catch (error) {
  process.stderr.write(`serve_e2e: ${error?.message ?? error}\n`);
  status = 2;
}
// Exit now rather than when the last socket or timer lets go: the report is
// written (stdout and stderr are synchronous for files and pipes).
process.exit(status);
