// A WHEP session with avatarcast: one receive-only audio+video stream and the
// `chat` data channel (docs/protocol.md). Events (an EventTarget):
//   stream   detail: MediaStream         the avatar's audio and video
//   open                                 the chat channel is open
//   message  detail: object              a JSON message from the server
//   lost     detail: string              the connection failed or the server ended it
// `close()` ends the session on the server (DELETE) and fires nothing.

export class WhepError extends Error {
  constructor(status, message, retryAfterSecs = null) {
    super(message);
    this.status = status;
    this.retryAfterSecs = retryAfterSecs;
  }
}

/// Builds the `POST /whep` URL with the per-session choices.
export function whepUrl(base, { avatar, lang, voice } = {}) {
  const url = new URL('whep', base);
  if (avatar) url.searchParams.set('avatar', avatar);
  if (lang) url.searchParams.set('lang', lang);
  if (voice) url.searchParams.set('voice', voice);
  return url;
}

/// Seconds from a `Retry-After` header (seconds or an HTTP date), or null.
export function retryAfterSecs(header, nowMs = Date.now()) {
  if (!header) return null;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/// How long a connection may stay `disconnected` before it counts as lost;
/// ICE often recovers from a short network hiccup by itself.
const DISCONNECTED_GRACE_MS = 4000;

export class WhepSession extends EventTarget {
  /// `base`: the server's URL (the page's own origin, usually); `token`: bearer token or null.
  constructor(base, token = null) {
    super();
    this.base = base;
    this.token = token;
    this.pc = null;
    this.chat = null;
    this.location = null;
    this.closed = false;
    this.graceTimer = null;
  }

  /// Starts the session; rejects with a WhepError (or a network TypeError)
  /// after cleaning up, and then fires no events.
  async connect(choices = {}) {
    try {
      await this.negotiate(choices);
    } catch (error) {
      this.closed = true;
      this.shutdown();
      throw error;
    }
  }

  async negotiate(choices) {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    this.pc = pc;
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    // Audio and video share one MediaStream id on the server, so this fires with
    // the same stream twice; the browser then keeps them in sync.
    pc.addEventListener('track', (event) => {
      const stream = event.streams[0] ?? new MediaStream([event.track]);
      this.dispatchEvent(new CustomEvent('stream', { detail: stream }));
    });
    pc.addEventListener('connectionstatechange', () => this.watchConnection());

    const chat = pc.createDataChannel('chat', { ordered: true });
    this.chat = chat;
    chat.addEventListener('open', () => this.dispatchEvent(new Event('open')));
    chat.addEventListener('close', () => this.lose('the chat channel closed'));
    chat.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message && typeof message.type === 'string') {
        this.dispatchEvent(new CustomEvent('message', { detail: message }));
      }
    });

    // No waiting for ICE gathering: the offer's host candidates are enough for
    // a server on the same host or LAN, and waiting costs ~100 ms.
    await pc.setLocalDescription(await pc.createOffer());
    const headers = { 'Content-Type': 'application/sdp' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const response = await fetch(whepUrl(this.base, choices), {
      method: 'POST',
      headers,
      body: pc.localDescription.sdp,
    });
    const body = await response.text();
    if (response.status !== 201) {
      throw new WhepError(
        response.status,
        body.trim() || `HTTP ${response.status}`,
        retryAfterSecs(response.headers.get('Retry-After')),
      );
    }
    const location = response.headers.get('Location');
    if (location) this.location = new URL(location, whepUrl(this.base)).href;
    if (this.closed) {
      // close() came while the offer was in flight: end the new session at once.
      this.deleteSession();
      return;
    }
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
  }

  watchConnection() {
    const state = this.pc?.connectionState;
    clearTimeout(this.graceTimer);
    if (state === 'failed' || state === 'closed') this.lose(`connection ${state}`);
    else if (state === 'disconnected') {
      this.graceTimer = setTimeout(() => this.lose('connection lost'), DISCONNECTED_GRACE_MS);
    }
  }

  lose(reason) {
    if (this.closed) return;
    this.closed = true;
    this.shutdown();
    this.deleteSession();
    this.dispatchEvent(new CustomEvent('lost', { detail: reason }));
  }

  /// Sends one message on `chat`; false when the channel is not open.
  send(message) {
    if (this.chat?.readyState !== 'open') return false;
    this.chat.send(JSON.stringify(message));
    return true;
  }

  /// Ends the session here and on the server.
  close() {
    if (this.closed) return;
    this.closed = true;
    this.shutdown();
    this.deleteSession();
  }

  shutdown() {
    clearTimeout(this.graceTimer);
    this.chat?.close();
    this.pc?.close();
  }

  deleteSession() {
    if (!this.location) return;
    const headers = this.token ? { Authorization: `Bearer ${this.token}` } : {};
    // keepalive: the request outlives the page when it is being closed.
    fetch(this.location, { method: 'DELETE', headers, keepalive: true }).catch(() => {});
    this.location = null;
  }

  /// Audio playout delay (jitter buffer) in ms from getStats, 0 when unknown.
  async audioPlayoutDelayMs() {
    if (!this.pc) return 0;
    try {
      const stats = await this.pc.getStats();
      for (const report of stats.values()) {
        if (report.type === 'inbound-rtp' && report.kind === 'audio' && report.jitterBufferEmittedCount > 0) {
          return (1000 * report.jitterBufferDelay) / report.jitterBufferEmittedCount;
        }
      }
    } catch {
      // A closing connection has no stats; no delay is the safe guess.
    }
    return 0;
  }
}
