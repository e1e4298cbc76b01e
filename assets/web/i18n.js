// UI strings in English and Chinese. The UI language follows the answer language
// the visitor picks, so a Chinese-speaking visitor sees Chinese buttons too.

export const UI_LANGS = ['en', 'zh'];

const STRINGS = {
  en: {
    title: 'Customer service',
    connecting: 'Connecting…',
    reconnecting: 'Connection lost. Reconnecting in {s} s…',
    retrying: 'Could not connect. Trying again in {s} s…',
    busy: 'All our assistants are busy. Trying again in {s} s…',
    unauthorized: 'This page is not allowed to start a chat (bad or missing token).',
    failed: 'Could not connect: {reason}',
    ended: 'The conversation has ended.',
    start: 'Start conversation',
    end: 'End conversation',
    listening: 'Listening',
    thinking: 'Thinking…',
    speaking: 'Speaking',
    offline: 'Offline',
    ask_label: 'Your question',
    ask_placeholder: 'Type your question…',
    send: 'Send',
    stop: 'Stop',
    sound_on: 'Turn sound on',
    sound_off: 'Turn sound off',
    tap_for_sound: 'Tap for sound',
    language: 'Language',
    role: 'Assistant',
    handoff: 'A colleague will join you shortly.',
    video_label: 'Live video of the assistant',
    error_reply: 'The assistant could not read that: {message}',
    lang_en: 'English',
    lang_zh: '中文',
  },
  zh: {
    title: '客户服务',
    connecting: '正在连接…',
    reconnecting: '连接中断，{s} 秒后重新连接…',
    retrying: '无法连接，{s} 秒后重试…',
    busy: '客服繁忙，{s} 秒后重试…',
    unauthorized: '此页面无权发起对话（令牌错误或缺失）。',
    failed: '无法连接：{reason}',
    ended: '对话已结束。',
    start: '开始对话',
    end: '结束对话',
    listening: '正在聆听',
    thinking: '正在思考…',
    speaking: '正在说话',
    offline: '离线',
    ask_label: '您的问题',
    ask_placeholder: '请输入您的问题…',
    send: '发送',
    stop: '停止',
    sound_on: '打开声音',
    sound_off: '关闭声音',
    tap_for_sound: '点击开启声音',
    language: '语言',
    role: '客服',
    handoff: '稍后将有同事为您服务。',
    video_label: '客服实时视频',
    error_reply: '客服无法理解该消息：{message}',
    lang_en: 'English',
    lang_zh: '中文',
  },
};

/// The UI language for a requested code (`zh-CN` → `zh`), falling back to the
/// browser's languages, then English.
export function pickLang(requested, browserLanguages = []) {
  for (const code of [requested, ...browserLanguages]) {
    const base = String(code ?? '').toLowerCase().split('-')[0];
    if (UI_LANGS.includes(base)) return base;
  }
  return 'en';
}

/// The string `key` in `lang`, with `{name}` replaced from `values`. A missing
/// key shows as the key itself, so a gap is visible rather than blank.
export function t(lang, key, values = {}) {
  const table = STRINGS[lang] ?? STRINGS.en;
  const text = table[key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));
}

/// Every key of every language, for tests: both languages must have the same keys.
export function keysOf(lang) {
  return Object.keys(STRINGS[lang] ?? {});
}
