import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Secret, TOTP } from 'otpauth';
import { clockDriftMessage, diagnoseCodes, diagnoseDeviceClock, diagnosisMessage } from './diagnose';

const secret = new Secret({ size: 20 });
const secretBase32 = secret.base32;
const totp = new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' });
const now = Date.UTC(2026, 10, 26, 12, 0, 10);
const step = Math.floor(now / 30_000);
const code = (offset: number) => totp.generate({ timestamp: (step + offset) * 30_000 });

describe('diagnoseCodes', () => {
  it('accepts the previous and current code, and the current and next', () => {
    expect(diagnoseCodes({ secretBase32, code1: code(-1), code2: code(0), now })).toEqual({ kind: 'accepted', stepOffset: -1 });
    expect(diagnoseCodes({ secretBase32, code1: code(0), code2: code(1), now })).toEqual({ kind: 'accepted', stepOffset: 0 });
    expect(diagnoseCodes({ secretBase32, code1: code(-3), code2: code(-2), now })).toEqual({ kind: 'accepted', stepOffset: -3 });
  });

  it('reports a phone clock behind, with roughly how far', () => {
    const d = diagnoseCodes({ secretBase32, code1: code(-11), code2: code(-10), now });
    expect(d).toEqual({ kind: 'drift', stepOffset: -11, seconds: 300, direction: 'behind' });
    expect(diagnosisMessage(d as never)).toMatch(/about 5 minutes behind/);
  });

  it('reports a phone clock ahead', () => {
    const d = diagnoseCodes({ secretBase32, code1: code(2), code2: code(3), now });
    expect(d).toEqual({ kind: 'drift', stepOffset: 2, seconds: 90, direction: 'ahead' });
    expect(diagnosisMessage(d as never)).toMatch(/ahead/);
  });

  it('tells valid but non-consecutive codes apart', () => {
    expect(diagnoseCodes({ secretBase32, code1: code(0), code2: code(-1), now }).kind).toBe('not-consecutive');
    expect(diagnoseCodes({ secretBase32, code1: code(-3), code2: code(0), now }).kind).toBe('not-consecutive');
  });

  it('says no-match for codes of another secret or garbage', () => {
    const other = new TOTP({ secret: new Secret({ size: 20 }), digits: 6, period: 30 });
    const o = (k: number) => other.generate({ timestamp: (step + k) * 30_000 });
    const d = diagnoseCodes({ secretBase32, code1: o(-1), code2: o(0), now });
    // A random other secret can collide by chance (1 in 10^6 per step); the pair almost never does.
    expect(d.kind).not.toBe('accepted');
    expect(diagnoseCodes({ secretBase32, code1: '000000', code2: 'abcdef', now }).kind).not.toBe('accepted');
  });

  it('accepts exactly the consecutive pairs in the window (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -60, max: 60 }), (k) => {
        const d = diagnoseCodes({ secretBase32, code1: code(k), code2: code(k + 1), now });
        if (k >= -3 && k <= 0) expect(d).toEqual({ kind: 'accepted', stepOffset: k });
        else if (Math.abs(k) <= 40) expect(d.kind === 'drift' && d.stepOffset === k).toBe(true);
        else expect(d.kind).not.toBe('accepted');
      }),
      { numRuns: 200 },
    );
  });
});

describe('diagnoseDeviceClock (resync refuses a phone whose clock is minutes off)', () => {
  // 19:42:30 UTC
  const at = Date.UTC(2026, 11, 4, 19, 42, 30);

  it('accepts a phone showing the real time, and the minute just before or after (HH:MM is read in whole minutes)', () => {
    expect(diagnoseDeviceClock({ shown: '19:42', utcOffsetMinutes: 0, now: at })).toEqual({ kind: 'in-time' });
    expect(diagnoseDeviceClock({ shown: '19:43', utcOffsetMinutes: 0, now: at })).toEqual({ kind: 'in-time' });
    expect(diagnoseDeviceClock({ shown: '19:41', utcOffsetMinutes: 0, now: at })).toEqual({ kind: 'in-time' });
  });

  it('reports a phone minutes ahead or behind, in the browser\'s time zone', () => {
    expect(diagnoseDeviceClock({ shown: '19:46', utcOffsetMinutes: 0, now: at })).toEqual({ kind: 'drift', seconds: 240, direction: 'ahead' });
    // UTC+5:30: it is 01:12 the next day there; the phone shows 01:05.
    expect(diagnoseDeviceClock({ shown: '01:05', utcOffsetMinutes: 330, now: at })).toEqual({ kind: 'drift', seconds: 420, direction: 'behind' });
  });

  it('treats a phone in another time zone (whole quarter hours) as in time, and still sees drift on top of it', () => {
    expect(diagnoseDeviceClock({ shown: '20:42', utcOffsetMinutes: 0, now: at })).toEqual({ kind: 'in-time' });
    expect(diagnoseDeviceClock({ shown: '14:57', utcOffsetMinutes: 0, now: at })).toEqual({ kind: 'in-time' });
    expect(diagnoseDeviceClock({ shown: '20:45', utcOffsetMinutes: 0, now: at })).toMatchObject({ kind: 'drift', direction: 'ahead', seconds: 180 });
  });

  it('wraps around midnight', () => {
    const late = Date.UTC(2026, 11, 4, 23, 59, 10);
    expect(diagnoseDeviceClock({ shown: '00:03', utcOffsetMinutes: 0, now: late })).toEqual({ kind: 'drift', seconds: 240, direction: 'ahead' });
    expect(diagnoseDeviceClock({ shown: '23:59', utcOffsetMinutes: 0, now: late })).toEqual({ kind: 'in-time' });
  });

  it('says to fix the phone first and that nothing was resynchronised', () => {
    const m = clockDriftMessage({ kind: 'drift', seconds: 240, direction: 'ahead' });
    expect(m).toMatch(/about 4 minutes ahead/);
    expect(m).toMatch(/Fix the phone's time first/);
    expect(m).toMatch(/not resynchronised/);
  });

  it('never calls a clock within a minute drifted, nor one two or more minutes off (within a quarter hour) in time (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: -7, max: 7 }), fc.integer({ min: -12, max: 14 }), (minuteOfDay, off, zoneHours) => {
        const now = Date.UTC(2026, 0, 1) + minuteOfDay * 60_000 + 20_000;
        const offset = zoneHours * 60;
        const local = (((minuteOfDay + offset + off) % 1440) + 1440) % 1440;
        const shown = `${String(Math.floor(local / 60)).padStart(2, '0')}:${String(local % 60).padStart(2, '0')}`;
        const d = diagnoseDeviceClock({ shown, utcOffsetMinutes: offset, now });
        if (Math.abs(off) <= 1) expect(d).toEqual({ kind: 'in-time' });
        else expect(d).toEqual({ kind: 'drift', seconds: Math.abs(off) * 60, direction: off < 0 ? 'behind' : 'ahead' });
      }),
      { numRuns: 300 },
    );
  });
});
