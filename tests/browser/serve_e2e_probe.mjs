// What serve_e2e.mjs puts into the page before the page's own scripts run
// (`page.addInitScript(installProbe)`): it watches the product page from the
// outside, the way a visitor's browser sees it, without any test hook in the
// page or the server. It records, on window.__e2e:
//   chat     every message on the `chat` channel  { at, msg }
//   whep     every fetch to /whep                  { at, method, url, status, location }
//   connection  RTCPeerConnection state changes    { at, state }
//   frames   every presented video frame (requestVideoFrameCallback)
//            { presented, width, height, mouth }, with `mouth` once a box is set
//   stats    getStats() samples every 200 ms       { at, video, audio }
//   shown    changes of the page's subtitle        { at, text }
// The function is serialised into the page, so it must not use anything from
// this module's scope.

export function installProbe() {
  const probe = {
    chat: [],
    whep: [],
    connection: [],
    frames: [],
    stats: [],
    shown: [],
    pcs: [],
    dc: null,
    firstFrameMs: null,
    mouthBox: null,
    mouthRef: null,
    mouthPad: 8,
  };
  window.__e2e = probe;
  const MAX_FRAMES = 3000;

  const NativePeerConnection = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePeerConnection {
    constructor(...args) {
      super(...args);
      probe.pcs.push(this);
      // When each connection state was reached, for the first-frame breakdown.
      this.addEventListener('connectionstatechange', () => {
        probe.connection.push({ at: performance.now(), state: this.connectionState });
      });
    }

    createDataChannel(label, options) {
      const channel = super.createDataChannel(label, options);
      if (label === 'chat') {
        probe.dc = channel;
        channel.addEventListener('message', (event) => {
          let msg;
          try {
            msg = JSON.parse(event.data);
          } catch {
            msg = { unparsable: String(event.data) };
          }
          probe.chat.push({ at: performance.now(), msg });
        });
      }
      return channel;
    }
  };

  const nativeFetch = window.fetch.bind(window);
  window.fetch = async (input, init = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    const sentAt = performance.now();
    const response = await nativeFetch(input, init);
    if (new URL(url, location.href).pathname.startsWith('/whep')) {
      probe.whep.push({
        at: performance.now(),
        sentAt,
        method: init.method ?? 'GET',
        url,
        status: response.status,
        location: response.headers.get('Location'),
      });
    }
    return response;
  };

  // Mean absolute luma difference between the mouth box now and at rest, at
  // the best shift within ±pad pixels: idle head motion moves the mouth a few
  // pixels, an opening mouth changes what is inside it.
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  function lumaOf(video, box, pad) {
    const width = box.x1 - box.x0 + 2 * pad;
    const height = box.y1 - box.y0 + 2 * pad;
    canvas.width = width;
    canvas.height = height;
    context.drawImage(video, box.x0 - pad, box.y0 - pad, width, height, 0, 0, width, height);
    const rgba = context.getImageData(0, 0, width, height).data;
    const luma = new Float32Array(width * height);
    for (let i = 0; i < luma.length; i += 1) {
      luma[i] = 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2];
    }
    return { luma, width, height };
  }
  function differenceAt(current, reference, box, pad, dx, dy) {
    const boxWidth = box.x1 - box.x0;
    const boxHeight = box.y1 - box.y0;
    // Every other pixel of every other row: a quarter of the work, and the
    // mouth still spans dozens of samples. The page must not steal the CPU
    // the server needs on a 2-core machine.
    let sum = 0;
    let count = 0;
    for (let y = 0; y < boxHeight; y += 2) {
      const refRow = (y + pad) * reference.width + pad;
      const curRow = (y + pad + dy) * current.width + pad + dx;
      for (let x = 0; x < boxWidth; x += 2) sum += Math.abs(current.luma[curRow + x] - reference.luma[refRow + x]);
      count += Math.ceil(boxWidth / 2);
    }
    return sum / count;
  }
  function mouthSignal(video) {
    const box = probe.mouthBox;
    const pad = probe.mouthPad;
    const current = lumaOf(video, box, pad);
    if (!probe.mouthRef) {
      probe.mouthRef = current;
      return 0;
    }
    // Coarse search every 2 px, then the 8 neighbours of the best.
    let best = { d: Infinity, dx: 0, dy: 0 };
    for (let dy = -pad; dy <= pad; dy += 2) {
      for (let dx = -pad; dx <= pad; dx += 2) {
        const d = differenceAt(current, probe.mouthRef, box, pad, dx, dy);
        if (d < best.d) best = { d, dx, dy };
      }
    }
    const coarse = best;
    for (let dy = coarse.dy - 1; dy <= coarse.dy + 1; dy += 1) {
      for (let dx = coarse.dx - 1; dx <= coarse.dx + 1; dx += 1) {
        if (Math.abs(dx) > pad || Math.abs(dy) > pad) continue;
        const d = differenceAt(current, probe.mouthRef, box, pad, dx, dy);
        if (d < best.d) best = { d, dx, dy };
      }
    }
    return best.d;
  }

  function watchVideo(video) {
    const onFrame = (now, meta) => {
      if (probe.firstFrameMs === null) probe.firstFrameMs = meta.presentationTime ?? now;
      const frame = { presented: meta.presentationTime ?? now, width: meta.width, height: meta.height };
      if (probe.mouthBox && meta.width >= probe.mouthBox.x1 && meta.height >= probe.mouthBox.y1) {
        frame.mouth = mouthSignal(video);
      }
      probe.frames.push(frame);
      if (probe.frames.length > MAX_FRAMES) probe.frames.splice(0, probe.frames.length - MAX_FRAMES);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  function watchSubtitle(node) {
    const record = () => {
      const text = node.hidden ? '' : node.textContent;
      const last = probe.shown.at(-1);
      if (!last || last.text !== text) probe.shown.push({ at: performance.now(), text });
    };
    new MutationObserver(record).observe(node, { childList: true, characterData: true, subtree: true, attributes: true });
  }

  async function sampleStats() {
    const pc = probe.pcs.at(-1);
    if (pc && pc.connectionState !== 'closed') {
      try {
        const report = await pc.getStats();
        const sample = { at: performance.now(), video: null, audio: null };
        for (const entry of report.values()) {
          if (entry.type !== 'inbound-rtp') continue;
          if (entry.kind === 'video') {
            sample.video = {
              timestamp: entry.timestamp,
              framesDecoded: entry.framesDecoded ?? 0,
              framesDropped: entry.framesDropped ?? 0,
              frameWidth: entry.frameWidth ?? 0,
              frameHeight: entry.frameHeight ?? 0,
              packetsLost: entry.packetsLost ?? 0,
              keyFramesDecoded: entry.keyFramesDecoded ?? 0,
              jitterBufferDelay: entry.jitterBufferDelay ?? 0,
              jitterBufferEmittedCount: entry.jitterBufferEmittedCount ?? 0,
            };
          } else if (entry.kind === 'audio') {
            sample.audio = {
              timestamp: entry.timestamp,
              packetsReceived: entry.packetsReceived ?? 0,
              packetsLost: entry.packetsLost ?? 0,
              audioLevel: entry.audioLevel ?? 0,
              totalAudioEnergy: entry.totalAudioEnergy ?? 0,
              jitterBufferDelay: entry.jitterBufferDelay ?? 0,
              jitterBufferEmittedCount: entry.jitterBufferEmittedCount ?? 0,
            };
          }
        }
        probe.stats.push(sample);
      } catch {
        // A connection closing under us has no stats; the next sample will tell.
      }
    }
    setTimeout(sampleStats, 200);
  }

  // The current video frame as a PNG data URL (for E2E_DEBUG_DIR snapshots).
  probe.snapshot = () => {
    const video = document.querySelector('video');
    const shot = document.createElement('canvas');
    shot.width = video.videoWidth;
    shot.height = video.videoHeight;
    shot.getContext('2d').drawImage(video, 0, 0);
    return shot.toDataURL('image/png');
  };

  document.addEventListener('DOMContentLoaded', () => {
    const video = document.querySelector('video');
    if (video) watchVideo(video);
    const subtitle = document.getElementById('subtitle');
    if (subtitle) watchSubtitle(subtitle);
    sampleStats();
  });
}
