#!/usr/bin/env node
// A stand-in for `avatarcast serve` that speaks docs/protocol.md with a second
// headless Chromium as the WebRTC peer: a drawn face (canvas, 512×512, 25 fps,
// swaying like idle motion, the mouth opening while "speaking") and a tone as
// the voice. It serves the real page from assets/web. Uses:
//   - developing the page and serve_e2e.mjs without the Rust server;
//   - checking that serve_e2e.mjs catches faults: `--frozen-mouth` never opens
//     the mouth, so its mouth check must fail (tests/serve_browser.rs).
//
// Usage (in a loopback-only namespace, like the e2e):
//   node tests/browser/serve_e2e_mock.mjs --port 18080 [--frozen-mouth]
// The mouth is in the box 226,336,286,366. Answers last 3 s, or 10 s for a
// question about opening hours (to be interrupted); asking for a human or a
// person also sends a handoff.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'web');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };
const ROLES = [
  { id: 'amy', name: 'Amy', languages: ['en', 'zh'], default: true },
  { id: 'leo', name: 'Leo', languages: ['en', 'zh'] },
];

/// Runs in the peer page: answers offers with a drawn face and a tone, and
/// plays the chat protocol.
function installPeer(frozenMouth) {
  const sessions = new Map();
  let nextId = 1;
  const send = (channel, message) => channel.readyState === 'open' && channel.send(JSON.stringify(message));

  window.answerOffer = async (offer) => {
    const id = String(nextId++);
    const canvas = Object.assign(document.createElement('canvas'), { width: 512, height: 512 });
    const context = canvas.getContext('2d');
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    gain.gain.value = 0;
    const sink = audio.createMediaStreamDestination();
    tone.connect(gain).connect(sink);
    tone.start();
    const state = { speaking: false, utterance: 0, timer: null, startedAt: 0 };
    let tick = 0;
    const draw = () => {
      tick += 1;
      const sway = 3 * Math.sin(tick / 20);
      context.fillStyle = '#c8d2dc';
      context.fillRect(0, 0, 512, 512);
      context.fillStyle = '#e0b090';
      context.beginPath();
      context.ellipse(256 + sway, 260, 120, 150, 0, 0, 2 * Math.PI);
      context.fill();
      context.fillStyle = '#222';
      context.fillRect(200 + sway, 220, 20, 10);
      context.fillRect(292 + sway, 220, 20, 10);
      const open = state.speaking && !frozenMouth ? 4 + 14 * Math.abs(Math.sin(tick / 2)) : 2;
      context.fillStyle = '#501010';
      context.beginPath();
      context.ellipse(256 + sway, 350, 30, open, 0, 0, 2 * Math.PI);
      context.fill();
    };
    draw();
    const drawTimer = setInterval(draw, 40);
    const stream = new MediaStream([canvas.captureStream(25).getVideoTracks()[0], sink.stream.getAudioTracks()[0]]);
    const pc = new RTCPeerConnection();
    for (const track of stream.getTracks()) pc.addTrack(track, stream);

    const stopSpeaking = (channel, interrupted) => {
      clearTimeout(state.timer);
      state.speaking = false;
      gain.gain.value = 0;
      const heard = Math.round(performance.now() - state.startedAt);
      send(channel, { type: 'speech_end', utterance: state.utterance, heard_ms: heard, interrupted });
      send(channel, { type: 'state', state: 'idle' });
    };
    pc.addEventListener('datachannel', ({ channel }) => {
      channel.addEventListener('message', ({ data }) => {
        let message;
        try {
          message = JSON.parse(data);
        } catch {
          send(channel, { type: 'error', message: 'not JSON' });
          return;
        }
        if (message.type === 'text') {
          send(channel, { type: 'state', state: 'thinking' });
          if (/human|person/i.test(message.text)) send(channel, { type: 'handoff', reason: 'customer asked for a person' });
          const durationMs = /opening/i.test(message.text) ? 10000 : 3000;
          setTimeout(() => {
            state.utterance += 1;
            state.speaking = true;
            state.startedAt = performance.now();
            gain.gain.value = 0.3;
            send(channel, { type: 'state', state: 'speaking' });
            send(channel, { type: 'subtitle', utterance: state.utterance, text: 'This is the mock answer, a few words long.', start_ms: 0, end_ms: durationMs });
            state.timer = setTimeout(() => stopSpeaking(channel, false), durationMs);
          }, 300);
        } else if (message.type === 'interrupt') {
          if (state.speaking) stopSpeaking(channel, true);
        } else if (message.type === 'typing') {
          // The real server shows `listening`; the mock has no avatar to nod.
        } else {
          send(channel, { type: 'error', message: `unknown message type ${message.type}` });
        }
      });
    });
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    // No trickle in WHEP here: the answer carries the peer's candidates.
    await new Promise((done) => {
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && done());
      setTimeout(done, 1000);
    });
    sessions.set(id, () => {
      pc.close();
      clearInterval(drawTimer);
      audio.close();
    });
    return { id, sdp: pc.localDescription.sdp };
  };
  window.endSession = (id) => {
    const end = sessions.get(id);
    sessions.delete(id);
    end?.();
    return Boolean(end);
  };
  window.activeSessions = () => sessions.size;
}

function readBody(request) {
  return new Promise((done) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => done(body));
  });
}

async function main() {
  const args = process.argv.slice(2);
  const port = Number(args[args.indexOf('--port') + 1] || 18080);
  const frozenMouth = args.includes('--frozen-mouth');
  const origin = `http://127.0.0.1:${port}`;
  let peer = null;
  let ready = false;
  const server = createServer(async (request, response) => {
    const path = new URL(request.url, origin).pathname;
    const reply = (status, type, body, headers = {}) => {
      response.writeHead(status, { 'content-type': type, ...headers });
      response.end(body);
    };
    try {
      // Not healthy until the peer page can answer offers.
      if (path === '/healthz') return reply(ready ? 200 : 503, 'text/plain', ready ? 'ok\n' : 'starting\n');
      if (path === '/api/roles') return reply(200, 'application/json', JSON.stringify(ROLES));
      if (path === '/metrics') return reply(200, 'text/plain', `avatarcast_active_sessions ${await peer.evaluate(() => window.activeSessions())}\n`);
      if (path === '/whep' && request.method === 'POST') {
        const answer = await peer.evaluate((offer) => window.answerOffer(offer), await readBody(request));
        return reply(201, 'application/sdp', answer.sdp, { location: `/whep/${answer.id}` });
      }
      if (path.startsWith('/whep/') && request.method === 'DELETE') {
        const ended = await peer.evaluate((id) => window.endSession(id), path.slice('/whep/'.length));
        return reply(ended ? 200 : 404, 'text/plain', ended ? '' : 'no such session\n');
      }
      const file = { '/': 'index.html', '/widget.js': 'widget.js' }[path] ?? (path.startsWith('/assets/') ? path.slice(8) : null);
      if (file && !file.includes('..')) return reply(200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(join(WEB, file)));
      return reply(404, 'text/plain', 'not found\n');
    } catch (error) {
      return reply(500, 'text/plain', String(error));
    }
  });
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  const browser = await launchChromium({
    extraArgs: ['--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required'],
  });
  await browser.context.grantPermissions(['camera', 'microphone'], { origin });
  peer = await browser.context.newPage();
  // An http origin (not about:blank) so the permission grant gives loopback candidates.
  await peer.goto(`${origin}/healthz`);
  await peer.evaluate(installPeer, frozenMouth);
  ready = true;
  process.stderr.write(`mock avatarcast serve on ${origin}${frozenMouth ? ' (frozen mouth)' : ''}\n`);
  const stop = async () => {
    await browser.close();
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`serve_e2e_mock: ${error?.stack ?? error}\n`);
  process.exit(2);
});
