// Subtitles in time with the audio the visitor hears. Pure: every method takes
// the current time (ms, performance.now()) as an argument, so the rules can be
// tested without a browser or a clock.
//
// The server stamps each line with start_ms/end_ms on its utterance's own audio
// clock, and says when the utterance's first audio goes on the wire
// (`speech_start`). The visitor hears it one playout delay later (the audio
// jitter buffer), so utterance n starts at t0 = arrival + delay. A server that
// never sends `speech_start` gets its lines shown as they arrive.

/// How long a finished line stays up, so the last words can be read.
const LINGER_MS = 1500;
/// Chinese, Japanese and Korean script: revealed per character, not per word.
const CJK_RANGES = '\\u3000-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uff00-\\uffef';
const CJK = new RegExp(`[${CJK_RANGES}]`);
const UNITS = new RegExp(`[${CJK_RANGES}]|[^\\s${CJK_RANGES}]+\\s*|\\s+`, 'g');

/// Splits a line into the pieces revealed one at a time: words with their
/// trailing space, and single CJK characters.
export function revealUnits(text) {
  return String(text).match(UNITS) ?? [];
}

/// The prefix of `line` heard `elapsedMs` after the line's start: by its
/// `words` timings when the server sent them, else in proportion to length.
export function revealedText(line, elapsedMs) {
  const duration = Math.max(1, line.endMs - line.startMs);
  const at = elapsedMs + line.startMs;
  if (Array.isArray(line.words) && line.words.length > 0) {
    const heard = line.words.filter((w) => Number(w.start_ms) <= at).map((w) => String(w.text));
    const cjk = heard.some((w) => CJK.test(w));
    return heard.join(cjk ? '' : ' ');
  }
  const units = revealUnits(line.text);
  const total = units.reduce((n, u) => n + u.length, 0);
  // A unit appears when its first character is due, so the first word shows at start.
  let shown = '';
  let before = 0;
  for (const unit of units) {
    if (before / total > (elapsedMs / duration)) break;
    shown += unit;
    before += unit.length;
  }
  return shown.trimEnd();
}

export class SubtitleTrack {
  constructor() {
    /// utterance → performance time when its sample 0 is heard
    this.starts = new Map();
    /// lines in arrival order: { utterance, text, startMs, endMs, words, arrivedAt, announced }
    this.lines = [];
    /// utterance → ms heard before it ended (cuts the line short on interrupt)
    this.cutAt = new Map();
    this.sawSpeechStart = false;
  }

  speechStart(utterance, nowMs, playoutDelayMs) {
    this.sawSpeechStart = true;
    this.starts.set(utterance, nowMs + Math.max(0, playoutDelayMs));
  }

  subtitle(message, nowMs, playoutDelayMs = 0) {
    const startMs = Number(message.start_ms) || 0;
    const endMs = Math.max(startMs, Number(message.end_ms) || startMs);
    const utterance = message.utterance ?? `arrival-${this.lines.length}`;
    this.lines.push({
      utterance,
      text: String(message.text ?? ''),
      startMs,
      endMs,
      words: message.words,
      arrivedAt: nowMs + Math.max(0, playoutDelayMs),
      announced: false,
    });
  }

  speechEnd(utterance, heardMs, interrupted) {
    if (interrupted) this.cutAt.set(utterance, Math.max(0, Number(heardMs) || 0));
  }

  /// Drops everything not yet finished (the visitor pressed stop).
  clear() {
    this.lines = [];
    this.starts.clear();
    this.cutAt.clear();
  }

  /// When `line` is heard, or null while its utterance has not started.
  lineStart(line) {
    const t0 = this.starts.get(line.utterance);
    if (t0 !== undefined) return t0 + line.startMs;
    // Without speech_start events the arrival is the best estimate.
    if (!this.sawSpeechStart) return line.arrivedAt;
    return null;
  }

  /// What to show at `nowMs`: `{ text, full, line, fresh }` or null. `fresh` is
  /// true the first time a line is returned (for the screen reader's live region).
  visible(nowMs) {
    let current = null;
    for (const line of this.lines) {
      const start = this.lineStart(line);
      if (start === null || start > nowMs) continue;
      const cut = this.cutAt.get(line.utterance);
      const endMs = cut === undefined ? line.endMs : Math.min(line.endMs, cut);
      const end = start - line.startMs + endMs;
      if (cut !== undefined && nowMs >= end) continue;
      if (nowMs > end + LINGER_MS) continue;
      current = { line, start, end };
    }
    // Forget lines that can no longer show.
    this.lines = this.lines.filter((line) => {
      const start = this.lineStart(line);
      return start === null || nowMs <= start - line.startMs + line.endMs + LINGER_MS;
    });
    if (!current) return null;
    const fresh = !current.line.announced;
    current.line.announced = true;
    return {
      text: revealedText(current.line, nowMs - current.start),
      full: current.line.text,
      line: current.line,
      fresh,
    };
  }
}
