// Unit tests for the pure modules of the product page (assets/web): subtitle
// timing, UI strings, WHEP helpers. No browser needed:
//   node --test tests/browser/serve_e2e_web.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keysOf, pickLang, t } from '../../assets/web/i18n.js';
import { SubtitleTrack, revealUnits, revealedText } from '../../assets/web/subtitles.js';
import { retryAfterSecs, whepUrl } from '../../assets/web/whep.js';

test('lines are revealed word by word, Chinese character by character', () => {
  assert.deepEqual(revealUnits('We have four stores.'), ['We ', 'have ', 'four ', 'stores.']);
  assert.deepEqual(revealUnits('我们有四家'), ['我', '们', '有', '四', '家']);
  const line = { text: 'We have four stores.', startMs: 0, endMs: 2000 };
  assert.equal(revealedText(line, 0), 'We');
  assert.equal(revealedText(line, 700), 'We have');
  assert.equal(revealedText(line, 2000), 'We have four stores.');
  const zh = { text: '我们有四家门店', startMs: 0, endMs: 700 };
  assert.equal(revealedText(zh, 250), '我们有');
});

test('word timings from the server win over proportional reveal', () => {
  const line = {
    text: 'We have four stores.',
    startMs: 1000,
    endMs: 3000,
    words: [
      { text: 'We', start_ms: 1000, end_ms: 1100 },
      { text: 'have', start_ms: 1100, end_ms: 1300 },
      { text: 'four', start_ms: 2500, end_ms: 2700 },
      { text: 'stores.', start_ms: 2700, end_ms: 3000 },
    ],
  };
  assert.equal(revealedText(line, 1000), 'We have');
  assert.equal(revealedText(line, 1600), 'We have four');
  assert.equal(revealedText(line, 1700), 'We have four stores.');
});

test('a line waits for its utterance to be heard, then shows in time', () => {
  const track = new SubtitleTrack();
  // The first utterance starts at 1000 (sent) + 50 (playout delay).
  track.speechStart(1, 1000, 50);
  track.subtitle({ utterance: 1, text: 'Hello there.', start_ms: 0, end_ms: 1000 }, 1000);
  // The second is queued ahead; it shows only once its speech_start comes.
  track.subtitle({ utterance: 2, text: 'How can I help?', start_ms: 0, end_ms: 800 }, 1010);
  assert.equal(track.visible(1040), null);
  const first = track.visible(1060);
  assert.equal(first.text, 'Hello');
  assert.equal(first.fresh, true);
  assert.equal(track.visible(1900).text, 'Hello there.');
  assert.equal(track.visible(1950).fresh, false);
  assert.equal(track.visible(2300).full, 'Hello there.', 'lingers after the end');
  track.speechStart(2, 2400, 50);
  assert.equal(track.visible(2460).full, 'How can I help?');
  assert.equal(track.visible(6000), null, 'gone after the linger');
});

test('an interrupted line disappears where the audio stopped', () => {
  const track = new SubtitleTrack();
  track.speechStart(5, 0, 0);
  track.subtitle({ utterance: 5, text: 'A long answer that goes on.', start_ms: 0, end_ms: 5000 }, 0);
  assert.notEqual(track.visible(1000), null);
  track.speechEnd(5, 1200, true);
  assert.notEqual(track.visible(1100), null);
  assert.equal(track.visible(1300), null);
});

test('without speech_start events lines show as they arrive', () => {
  const track = new SubtitleTrack();
  track.subtitle({ text: 'Hi.', start_ms: 0, end_ms: 500 }, 100, 40);
  assert.equal(track.visible(120), null);
  assert.equal(track.visible(150).text, 'Hi.');
});

test('UI strings exist in English and Chinese with the same keys', () => {
  assert.deepEqual(keysOf('zh').sort(), keysOf('en').sort());
  assert.equal(t('zh', 'listening'), '正在聆听');
  assert.equal(t('en', 'reconnecting', { s: 4 }), 'Connection lost. Reconnecting in 4 s…');
  assert.equal(t('fr', 'send'), 'Send');
  assert.equal(t('en', 'no_such_key'), 'no_such_key');
  assert.equal(pickLang('zh-CN'), 'zh');
  assert.equal(pickLang(null, ['de-DE', 'zh-TW']), 'zh');
  assert.equal(pickLang('de'), 'en');
});

test('the WHEP URL carries the session choices', () => {
  const url = whepUrl(new URL('https://example.test/chat/'), { avatar: 'amy', lang: 'zh', voice: null });
  assert.equal(url.href, 'https://example.test/chat/whep?avatar=amy&lang=zh');
  assert.equal(retryAfterSecs('5'), 5);
  assert.equal(retryAfterSecs(null), null);
  assert.equal(retryAfterSecs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10);
  assert.equal(retryAfterSecs('soon'), null);
});
