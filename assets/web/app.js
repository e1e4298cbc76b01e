// The avatarcast page: live avatar video with subtitles, a state indicator, a
// question box, stop, language and role pickers, reconnection. The protocol is
// in docs/protocol.md; the page keeps no state on the server besides its session.
//
// Settings come from the query string (`?avatar=amy&lang=zh&embed=1`) and the
// token from the fragment (`#token=…`, which never reaches server logs) or the query.

import { pickLang, t } from './i18n.js';
import { SubtitleTrack } from './subtitles.js';
import { WhepError, WhepSession } from './whep.js';

const $ = (id) => document.getElementById(id);
const el = {
  video: $('video'),
  stage: $('stage'),
  subtitle: $('subtitle'),
  subtitleLive: $('subtitle-live'),
  state: $('state'),
  stateText: $('state-text'),
  status: $('status'),
  handoff: $('handoff'),
  form: $('ask-form'),
  ask: $('ask'),
  send: $('send'),
  stop: $('stop'),
  sound: $('sound'),
  lang: $('lang'),
  avatar: $('avatar'),
  end: $('end'),
  start: $('start'),
};

const query = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
const settings = {
  avatar: query.get('avatar') || null,
  lang: pickLang(query.get('lang'), navigator.languages),
  voice: query.get('voice') || null,
  token: fragment.get('token') || query.get('token') || null,
};
document.body.classList.toggle('embed', query.get('embed') === '1');

/// Waits between reconnection attempts, in seconds: quick first, then patient.
const BACKOFF_SECS = [1, 2, 4, 8, 15, 30];
/// How often the audio playout delay is refreshed for subtitle timing.
const PLAYOUT_POLL_MS = 1000;

let session = null;
let attempt = 0;
let retryTimer = null;
let playoutDelayMs = 0;
let speakingState = 'offline';
let subtitles = new SubtitleTrack();
let roles = [];

function applyStrings() {
  const lang = settings.lang;
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t(lang, 'title');
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(lang, node.dataset.i18n);
  for (const node of document.querySelectorAll('[data-i18n-label]')) node.setAttribute('aria-label', t(lang, node.dataset.i18nLabel));
  for (const node of document.querySelectorAll('[data-i18n-placeholder]')) node.placeholder = t(lang, node.dataset.i18nPlaceholder);
  showState(speakingState);
  showSound();
}

function showStatus(key, values, busy = false) {
  el.status.textContent = key ? t(settings.lang, key, values) : '';
  el.status.hidden = !key;
  el.stage.setAttribute('aria-busy', String(busy));
}

function showState(state) {
  speakingState = state;
  el.state.dataset.state = state;
  el.stateText.textContent = t(settings.lang, state === 'idle' ? 'listening' : state);
  el.stop.disabled = !(state === 'thinking' || state === 'speaking');
}

function showSound() {
  const muted = el.video.muted;
  el.sound.setAttribute('aria-pressed', String(!muted));
  el.sound.dataset.muted = String(muted);
  el.sound.setAttribute('aria-label', t(settings.lang, muted ? 'sound_on' : 'sound_off'));
  el.sound.title = el.sound.getAttribute('aria-label');
}

function setConnected(connected) {
  el.ask.disabled = !connected;
  el.send.disabled = !connected;
  if (!connected) showState('offline');
}

async function startPlayback() {
  // Try with sound (kiosks allow it); browsers that need a gesture first get
  // a muted start and the sound button.
  el.video.muted = false;
  try {
    await el.video.play();
  } catch {
    el.video.muted = true;
    await el.video.play().catch(() => {});
  }
  showSound();
}

function onMessage(message) {
  const now = performance.now();
  switch (message.type) {
    case 'state':
      if (['idle', 'listening', 'thinking', 'speaking'].includes(message.state)) showState(message.state);
      break;
    case 'speech_start':
      subtitles.speechStart(message.utterance, now, playoutDelayMs);
      break;
    case 'subtitle':
      subtitles.subtitle(message, now, playoutDelayMs);
      break;
    case 'speech_end':
      subtitles.speechEnd(message.utterance, message.heard_ms, message.interrupted === true);
      break;
    case 'handoff':
      el.handoff.hidden = false;
      break;
    case 'error':
      showStatus('error_reply', { message: message.message ?? message.error ?? '?' });
      setTimeout(() => showStatus(null), 5000);
      break;
    default:
      // Newer servers may send more; an old page ignores what it does not know.
      break;
  }
}

async function connect() {
  clearTimeout(retryTimer);
  session?.close();
  const current = new WhepSession(new URL('.', location.href), settings.token);
  session = current;
  subtitles = new SubtitleTrack();
  el.start.hidden = true;
  showStatus('connecting', {}, true);
  current.addEventListener('stream', (event) => {
    if (el.video.srcObject !== event.detail) {
      el.video.srcObject = event.detail;
      startPlayback();
    }
  });
  current.addEventListener('open', () => {
    attempt = 0;
    setConnected(true);
    // A session starts idle; the server reports changes from there.
    showState('idle');
  });
  current.addEventListener('message', (event) => onMessage(event.detail));
  current.addEventListener('lost', () => {
    if (session !== current) return;
    setConnected(false);
    retryLater('reconnecting');
  });
  try {
    await current.connect({ avatar: settings.avatar, lang: settings.lang, voice: settings.voice });
  } catch (error) {
    if (session !== current) return;
    setConnected(false);
    if (error instanceof WhepError && error.status === 401) {
      showStatus('unauthorized');
      el.start.hidden = false;
    } else if (error instanceof WhepError && error.status === 503) {
      retryLater('busy', error.retryAfterSecs);
    } else if (error instanceof WhepError && error.status === 400) {
      // A bad avatar or language in the URL: say so, and let the visitor pick again.
      showStatus('failed', { reason: error.message });
      el.start.hidden = false;
    } else {
      retryLater('retrying');
    }
  }
}

function retryLater(key, secs = null) {
  const wait = secs ?? BACKOFF_SECS[Math.min(attempt, BACKOFF_SECS.length - 1)];
  attempt += 1;
  showStatus(key, { s: wait });
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, wait * 1000);
}

function endConversation() {
  clearTimeout(retryTimer);
  session?.close();
  session = null;
  el.video.srcObject = null;
  setConnected(false);
  subtitles.clear();
  el.handoff.hidden = true;
  showStatus('ended');
  el.start.hidden = false;
  el.start.focus();
}

function fillPickers() {
  el.avatar.replaceChildren(
    ...roles.map((role) => new Option(role.name || role.id, role.id, false, role.id === settings.avatar)),
  );
  if (!settings.avatar) {
    const preferred = roles.find((role) => role.default) ?? roles[0];
    if (preferred) el.avatar.value = preferred.id;
  }
  el.avatar.closest('label').hidden = roles.length < 2;
  const role = roles.find((r) => r.id === el.avatar.value);
  const languages = role?.languages?.length ? role.languages : ['en', 'zh'];
  el.lang.replaceChildren(
    ...languages.map((code) => new Option(t(code, `lang_${code}`), code, false, code === settings.lang)),
  );
}

async function loadRoles() {
  try {
    const response = await fetch(new URL('api/roles', location.href));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const list = await response.json();
    return Array.isArray(list) ? list.filter((role) => role && typeof role.id === 'string') : [];
  } catch {
    // Without the list the page still works with the server's defaults.
    return [];
  }
}

function rememberSettings() {
  const url = new URL(location.href);
  for (const key of ['avatar', 'lang']) {
    if (settings[key]) url.searchParams.set(key, settings[key]);
  }
  history.replaceState(null, '', url);
}

function wireControls() {
  el.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = el.ask.value.trim();
    if (!text) return;
    // Sending is a gesture: the browser now lets the answer be heard.
    if (el.video.muted) {
      el.video.muted = false;
      el.video.play().catch(() => {});
      showSound();
    }
    if (session?.send({ type: 'text', text })) {
      el.ask.value = '';
      el.handoff.hidden = true;
    }
  });
  // While the visitor types, the avatar listens (nods, looks at them); the
  // server holds that for 2.5 s after each signal, so one a second is enough.
  let typingSentAt = 0;
  el.ask.addEventListener('input', () => {
    const now = performance.now();
    if (el.ask.value.trim() && now - typingSentAt > 1000) {
      typingSentAt = now;
      session?.send({ type: 'typing' });
    }
  });
  el.stop.addEventListener('click', () => {
    session?.send({ type: 'interrupt' });
    subtitles.clear();
    el.subtitle.textContent = '';
  });
  el.sound.addEventListener('click', () => {
    el.video.muted = !el.video.muted;
    el.video.play().catch(() => {});
    showSound();
  });
  el.end.addEventListener('click', endConversation);
  // The first picture ends "connecting…".
  el.video.addEventListener('playing', () => showStatus(null));
  el.start.addEventListener('click', () => {
    attempt = 0;
    connect();
  });
  el.lang.addEventListener('change', () => {
    settings.lang = el.lang.value;
    applyStrings();
    fillPickers();
    rememberSettings();
    connect();
  });
  el.avatar.addEventListener('change', () => {
    settings.avatar = el.avatar.value;
    fillPickers();
    settings.lang = el.lang.value;
    applyStrings();
    rememberSettings();
    connect();
  });
  addEventListener('pagehide', () => session?.close());
}

function drawSubtitles() {
  const shown = subtitles.visible(performance.now());
  const text = shown?.text ?? '';
  if (el.subtitle.textContent !== text) el.subtitle.textContent = text;
  el.subtitle.hidden = text === '';
  // Screen readers get each line once, whole, rather than word by word.
  if (shown?.fresh) el.subtitleLive.textContent = shown.full;
  requestAnimationFrame(drawSubtitles);
}

async function pollPlayoutDelay() {
  if (session) playoutDelayMs = await session.audioPlayoutDelayMs();
  setTimeout(pollPlayoutDelay, PLAYOUT_POLL_MS);
}

async function main() {
  applyStrings();
  setConnected(false);
  fillPickers();
  wireControls();
  requestAnimationFrame(drawSubtitles);
  pollPlayoutDelay();
  // The video first: the role list only fills the pickers.
  const connecting = connect();
  roles = await loadRoles();
  fillPickers();
  await connecting;
}

main();
