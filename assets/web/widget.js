// avatarcast widget: one script tag adds a launcher button in a corner of any
// page; it opens the live avatar chat in a panel (an iframe of the avatarcast
// page, so the host page's CSS and scripts stay out of it).
//
//   <script src="https://avatar.example.com/widget.js" data-avatar="amy"
//           data-lang="en" data-position="bottom-right" async></script>
//
// Attributes (all optional): data-server, data-avatar, data-lang, data-position
// (bottom-right | bottom-left | top-right | top-left), data-token, data-label,
// data-open ("true" opens at once). See docs/protocol.md. The session starts
// when the panel opens and ends (DELETE) when it closes.
// The host page can also call window.avatarcastWidget.open() / .close().
(() => {
  'use strict';
  const script = document.currentScript;
  if (!script || window.avatarcastWidget) return;
  const data = script.dataset;
  const server = new URL(data.server || new URL(script.src, location.href).origin);
  const position = /^(top|bottom)-(left|right)$/.test(data.position || '') ? data.position : 'bottom-right';
  const [vertical, horizontal] = position.split('-');
  const lang = (data.lang || navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
  const label = data.label || (lang === 'zh' ? '在线咨询' : 'Talk to us');
  const closeLabel = lang === 'zh' ? '关闭' : 'Close';

  function pageUrl() {
    const url = new URL('/', server);
    url.searchParams.set('embed', '1');
    url.searchParams.set('lang', lang);
    if (data.avatar) url.searchParams.set('avatar', data.avatar);
    // In the fragment, so the token is not written to server or proxy logs.
    if (data.token) url.hash = new URLSearchParams({ token: data.token }).toString();
    return url.href;
  }

  const host = document.createElement('div');
  host.setAttribute('data-avatarcast-widget', '');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `
    <style>
      :host { all: initial; }
      .launcher, .panel { position: fixed; ${vertical}: 20px; ${horizontal}: 20px; z-index: 2147483000; }
      .launcher {
        width: 64px; height: 64px; border-radius: 50%; border: 0; cursor: pointer;
        background: #1f5fbf; color: #fff; box-shadow: 0 4px 16px rgba(0,0,0,.3);
        display: grid; place-items: center;
      }
      .launcher svg { width: 34px; height: 34px; fill: currentColor; }
      .launcher:focus-visible, .close:focus-visible { outline: 3px solid #f2b705; outline-offset: 3px; }
      .panel {
        width: min(380px, calc(100vw - 40px)); height: min(640px, calc(100vh - 40px));
        border-radius: 16px; overflow: hidden; background: #fff;
        box-shadow: 0 8px 32px rgba(0,0,0,.35); display: flex; flex-direction: column;
      }
      .panel[hidden], .launcher[hidden] { display: none; }
      .top { display: flex; justify-content: flex-end; background: #1f5fbf; }
      .close {
        min-width: 48px; min-height: 48px; border: 0; background: transparent; color: #fff;
        font: 600 24px/1 system-ui, sans-serif; cursor: pointer;
      }
      iframe { flex: 1; width: 100%; border: 0; }
      /* A phone: the panel takes the whole screen. */
      @media (max-width: 480px) {
        .panel { inset: 0; width: 100vw; height: 100dvh; border-radius: 0; }
      }
    </style>
    <button class="launcher" type="button" aria-haspopup="dialog" aria-expanded="false">
      <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>
    </button>
    <div class="panel" role="dialog" aria-modal="false" hidden>
      <div class="top"><button class="close" type="button">&times;</button></div>
    </div>`;
  const launcher = root.querySelector('.launcher');
  const panel = root.querySelector('.panel');
  const close = root.querySelector('.close');
  launcher.setAttribute('aria-label', label);
  launcher.title = label;
  panel.setAttribute('aria-label', label);
  close.setAttribute('aria-label', closeLabel);

  function open() {
    if (!panel.hidden) return;
    const frame = document.createElement('iframe');
    frame.src = pageUrl();
    frame.title = label;
    // Autoplay with sound once the visitor has clicked the launcher.
    frame.allow = 'autoplay';
    panel.append(frame);
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute('aria-expanded', 'true');
    close.focus();
  }

  function shut() {
    if (panel.hidden) return;
    // Removing the iframe unloads the page, which ends its session on the server.
    panel.querySelector('iframe')?.remove();
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  launcher.addEventListener('click', open);
  close.addEventListener('click', shut);
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') shut();
  });

  function attach() {
    document.body.append(host);
    if (data.open === 'true') open();
  }
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach);
  window.avatarcastWidget = { open, close: shut, toggle: () => (panel.hidden ? open() : shut()) };
})();
