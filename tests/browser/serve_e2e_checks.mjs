// The pure parts of serve_e2e.mjs: reading /metrics, frame rates from getStats
// samples, and the mouth-motion verdicts. Tested without a browser in
// serve_e2e_checks.test.mjs.

/// A check result: `{ name, ok, detail }`; `detail` says what was measured.
export function check(name, ok, detail) {
  return { name, ok: Boolean(ok), detail: String(detail) };
}

/// The value of the first sample of `metric` (any labels) in Prometheus text,
/// or null when the metric is absent.
export function metricValue(text, metric) {
  for (const line of String(text).split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line.trim());
    if (match && match[1] === metric) {
      const value = Number(match[3]);
      return Number.isNaN(value) ? null : value;
    }
  }
  return null;
}

/// Parses `x0,y0,x1,y1` (pixels, x1/y1 exclusive) into a box, or throws.
export function parseBox(text) {
  const parts = String(text).split(',').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new Error(`a box is x0,y0,x1,y1 in whole pixels, got ${JSON.stringify(text)}`);
  }
  const [x0, y0, x1, y1] = parts;
  if (x1 <= x0 || y1 <= y0) throw new Error(`the box ${text} is empty`);
  return { x0, y0, x1, y1 };
}

/// Decoded frames per second between two getStats samples of the video
/// inbound-rtp (`timestamp` in ms), or null when the samples cannot tell.
export function decodedFps(first, last) {
  if (!first || !last) return null;
  const secs = (last.timestamp - first.timestamp) / 1000;
  if (!(secs > 0)) return null;
  return (last.framesDecoded - first.framesDecoded) / secs;
}

/// The lowest frame rate over consecutive windows of about `windowMs` in a
/// series of video stats samples (how steady the rate was, not just its mean).
export function worstWindowFps(samples, windowMs = 1000) {
  let worst = null;
  let start = 0;
  for (let i = 1; i < samples.length; i += 1) {
    if (samples[i].timestamp - samples[start].timestamp >= windowMs) {
      const fps = decodedFps(samples[start], samples[i]);
      if (fps !== null) worst = worst === null ? fps : Math.min(worst, fps);
      start = i;
    }
  }
  return worst;
}

/// The `q`-quantile (0..1) of numbers, or null for none.
export function quantile(values, q) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[index];
}

/// Mouth signals (mean luma difference from the rest reference, after the best
/// small shift) of the frames presented in [fromMs, toMs).
export function mouthIn(frames, fromMs, toMs) {
  return frames
    .filter((frame) => frame.presented >= fromMs && frame.presented < toMs && Number.isFinite(frame.mouth))
    .map((frame) => frame.mouth);
}

/// Verdicts on mouth motion: `rest` (idle frames before the question), `speaking`
/// (frames while the answer is heard), `after` (frames once it is over). The
/// mouth must move clearly more than idle motion and compression noise do,
/// then come back to within the idle range.
export function mouthVerdict({ rest, speaking, after }) {
  const restLevel = quantile(rest, 0.9);
  const peak = speaking.length ? Math.max(...speaking) : null;
  const afterLevel = quantile(after, 0.9);
  const enough = rest.length >= 5 && speaking.length >= 5 && after.length >= 5;
  // Luma levels (0..255): compression noise alone is ~1, an opening mouth 5+.
  const moves = enough && peak > Math.max(2 * restLevel, restLevel + 3);
  // Back to rest: as still as before the question, within what compression
  // noise and the idle sway after a long answer add (up to a fifth of the
  // way to the speaking peak; a mouth left open stays near the peak).
  const settled = Math.max(1.5 * restLevel, restLevel + 1.5, restLevel + 0.2 * (peak - restLevel));
  const rests = enough && afterLevel <= settled;
  const fmt = (v) => (v === null ? 'none' : v.toFixed(2));
  const detail =
    `rest p90 ${fmt(restLevel)} (${rest.length} frames), speaking peak ${fmt(peak)} (${speaking.length}), ` +
    `after p90 ${fmt(afterLevel)} (${after.length})`;
  return { moves, rests, detail, restLevel, peak, afterLevel };
}

/// The first chat message after `fromMs` for which `predicate` holds, or null.
export function firstMessage(log, fromMs, predicate) {
  return log.find((entry) => entry.at >= fromMs && predicate(entry.msg)) ?? null;
}

/// Subtitle texts shown in the page (the DOM's record), did they grow word by
/// word? True when some shown text is a strict, non-empty prefix of a later one.
export function revealedProgressively(shown) {
  const texts = shown.map((entry) => entry.text).filter((text) => text.length > 0);
  for (let i = 0; i + 1 < texts.length; i += 1) {
    if (texts[i + 1].length > texts[i].length && texts[i + 1].startsWith(texts[i])) return true;
  }
  return false;
}
