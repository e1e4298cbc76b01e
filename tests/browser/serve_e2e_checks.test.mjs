// Unit tests for serve_e2e_checks.mjs (no browser, no server):
//   node --test tests/browser/serve_e2e_checks.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodedFps,
  metricValue,
  mouthIn,
  mouthVerdict,
  parseBox,
  quantile,
  revealedProgressively,
  worstWindowFps,
} from './serve_e2e_checks.mjs';

test('metrics are read from Prometheus text, with or without labels', () => {
  const text = [
    '# HELP avatarcast_active_sessions sessions now open',
    '# TYPE avatarcast_active_sessions gauge',
    'avatarcast_active_sessions 2',
    'avatarcast_frames_encoded_total{avatar="amy"} 1234',
    'avatarcast_active_sessions_max 9',
  ].join('\n');
  assert.equal(metricValue(text, 'avatarcast_active_sessions'), 2);
  assert.equal(metricValue(text, 'avatarcast_frames_encoded_total'), 1234);
  assert.equal(metricValue(text, 'avatarcast_frames_dropped_total'), null);
  assert.equal(metricValue('avatarcast_active_sessions NaN', 'avatarcast_active_sessions'), null);
});

test('a mouth box is four whole pixels, non-empty', () => {
  assert.deepEqual(parseBox('220,300,292,340'), { x0: 220, y0: 300, x1: 292, y1: 340 });
  assert.throws(() => parseBox('1,2,3'), /x0,y0,x1,y1/);
  assert.throws(() => parseBox('10,10,5,20'), /empty/);
  assert.throws(() => parseBox('a,b,c,d'), /whole pixels/);
});

test('frame rates come from framesDecoded over the stats clock', () => {
  const samples = [0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000].map((t) => ({
    timestamp: 1e6 + t,
    // 25 fps, but the second half of the second second stalls.
    framesDecoded: t <= 1500 ? t / 40 : 1500 / 40,
  }));
  assert.equal(decodedFps(samples[0], samples[5]), 25);
  assert.equal(decodedFps(samples[0], samples[0]), null);
  assert.equal(decodedFps(undefined, samples[0]), null);
  assert.ok(worstWindowFps(samples) < 15, `worst ${worstWindowFps(samples)}`);
});

test('quantiles ignore non-numbers', () => {
  assert.equal(quantile([3, 1, 2, NaN], 1), 3);
  assert.equal(quantile([3, 1, 2], 0), 1);
  assert.equal(quantile([], 0.5), null);
});

test('the mouth must move well above idle noise and come back', () => {
  const rest = [0.8, 1.1, 0.9, 1.2, 1.0, 0.7];
  const talking = [1.5, 6.0, 9.0, 4.0, 7.5, 2.0];
  const good = mouthVerdict({ rest, speaking: talking, after: [0.9, 1.0, 1.3, 0.8, 1.1] });
  assert.equal(good.moves, true, good.detail);
  assert.equal(good.rests, true, good.detail);
  // Idle motion alone (a mouth that never opens) is not speech.
  const frozen = mouthVerdict({ rest, speaking: [1.2, 1.4, 1.0, 1.3, 1.1], after: rest });
  assert.equal(frozen.moves, false, frozen.detail);
  // Settling a little above the idle noise after a long answer is rest
  // (measured: rest 2.45, peak 18.2, after 4.0).
  const settledRest = [2.0, 2.2, 2.45, 2.3, 2.1];
  const settling = mouthVerdict({ rest: settledRest, speaking: [18.2, 12, 9, 15, 11], after: [3.5, 4.0, 3.8, 3.2, 3.9] });
  assert.equal(settling.rests, true, settling.detail);
  // A mouth left open after the answer is not at rest.
  const stuck = mouthVerdict({ rest, speaking: talking, after: [6.5, 7.0, 6.8, 7.1, 6.9] });
  assert.equal(stuck.rests, false, stuck.detail);
  // Too few frames proves nothing either way.
  const empty = mouthVerdict({ rest, speaking: [9, 9], after: rest });
  assert.equal(empty.moves, false);
});

test('mouth signals are picked by presentation time', () => {
  const frames = [
    { presented: 10, mouth: 1 },
    { presented: 20, mouth: 2 },
    { presented: 30 },
    { presented: 40, mouth: 4 },
  ];
  assert.deepEqual(mouthIn(frames, 15, 45), [2, 4]);
});

test('subtitles count as progressive when a line grows word by word', () => {
  const grow = [{ text: '' }, { text: 'We' }, { text: 'We have' }, { text: 'We have four stores' }];
  assert.equal(revealedProgressively(grow), true);
  assert.equal(revealedProgressively([{ text: 'We have four stores' }, { text: '' }]), false);
  assert.equal(revealedProgressively([{ text: 'One line.' }, { text: 'Another line.' }]), false);
});
