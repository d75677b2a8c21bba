import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
/**
 * AWS accepts a pair when code1 and code2 are consecutive codes at steps k and k+1 with k from three
 * steps ago to now (the local fidelity layer mirrors this window).
 */
export const ACCEPT_STEPS = { min: -3, max: 0 } as const;
/** How far we look for a drifted clock: 20 minutes either way. */
export const DRIFT_SEARCH_STEPS = 40;

export type CodeDiagnosis =
  | { kind: 'accepted'; stepOffset: number }
  | { kind: 'not-consecutive' }
  | { kind: 'drift'; stepOffset: number; seconds: number; direction: 'behind' | 'ahead' }
  | { kind: 'no-match' };

function codeAt(totp: TOTP, step: number): string {
  return totp.generate({ timestamp: step * TOTP_PERIOD_SECONDS * 1000 });
}

/**
 * Explains two codes locally before AWS sees them: accepted, the right codes in the wrong order or
 * with a gap, a phone clock that is off (by how much), or codes that belong to no clock at all.
 * The secret is only used here; nothing is returned that contains it.
 */
export function diagnoseCodes(input: { secretBase32: string; code1: string; code2: string; now: number }): CodeDiagnosis {
  const totp = new TOTP({ secret: Secret.fromBase32(input.secretBase32), digits: 6, period: TOTP_PERIOD_SECONDS, algorithm: 'SHA1' });
  const nowStep = Math.floor(input.now / 1000 / TOTP_PERIOD_SECONDS);
  const codes = new Map<number, string>();
  const at = (offset: number) => {
    let c = codes.get(offset);
    if (c === undefined) {
      c = codeAt(totp, nowStep + offset);
      codes.set(offset, c);
    }
    return c;
  };

  for (let k = ACCEPT_STEPS.min; k <= ACCEPT_STEPS.max; k++) {
    if (at(k) === input.code1 && at(k + 1) === input.code2) return { kind: 'accepted', stepOffset: k };
  }
  // Search outward from now so the smallest drift wins.
  for (let d = 0; d <= DRIFT_SEARCH_STEPS; d++) {
    for (const k of d === 0 ? [0] : [-d, d]) {
      if (k >= ACCEPT_STEPS.min && k <= ACCEPT_STEPS.max) continue;
      if (at(k) === input.code1 && at(k + 1) === input.code2) {
        // code2 is what the phone shows "now": its clock is (k + 1) steps off ours.
        const seconds = Math.abs(k + 1) * TOTP_PERIOD_SECONDS;
        return { kind: 'drift', stepOffset: k, seconds, direction: k + 1 < 0 ? 'behind' : 'ahead' };
      }
    }
  }
  let matched1 = false;
  let matched2 = false;
  for (let k = -DRIFT_SEARCH_STEPS; k <= DRIFT_SEARCH_STEPS + 1; k++) {
    matched1 ||= at(k) === input.code1;
    matched2 ||= at(k) === input.code2;
  }
  return matched1 && matched2 ? { kind: 'not-consecutive' } : { kind: 'no-match' };
}

export function diagnosisMessage(d: Exclude<CodeDiagnosis, { kind: 'accepted' }>): string {
  switch (d.kind) {
    case 'not-consecutive':
      return 'Both codes come from this device, but not one right after the other. Enter a code, wait for it to change, then enter the very next code.';
    case 'drift': {
      const minutes = d.seconds >= 90 ? `${Math.round(d.seconds / 60)} minutes` : `${d.seconds} seconds`;
      return `These codes match a clock about ${minutes} ${d.direction} the real time. Set your phone's date and time to automatic (network time), then enter two new codes.`;
    }
    case 'no-match':
      return 'These codes do not match this QR code. Scan the QR code again (or type the setup key), then enter two new codes from that entry.';
  }
}

/**
 * Resync cannot check the codes itself (the portal never keeps a seed), so the phone's clock is diagnosed from
 * the time it shows. A phone off by this many whole minutes or more is refused: AWS would re-anchor the device to
 * the wrong clock, and its codes would fail again as soon as the phone's time is corrected.
 */
export const MAX_RESYNC_CLOCK_OFF_MINUTES = 1;
/** Every time zone is a whole multiple of 15 minutes from UTC, so a remainder off that grid is the clock itself. */
const ZONE_GRID_MINUTES = 15;

export type ClockDiagnosis = { kind: 'in-time' } | { kind: 'drift'; seconds: number; direction: 'behind' | 'ahead' };

/**
 * The phone's clock against real time, from the hours:minutes it shows and the UTC offset of the browser's zone.
 * A phone set to another time zone differs by whole quarter hours, which are not drift; only the remainder is
 * (so a clock off by a whole quarter hour is not caught here; AWS refuses codes that far off anyway).
 */
export function diagnoseDeviceClock(input: { shown: string; utcOffsetMinutes: number; now: number }): ClockDiagnosis {
  const match = /^(\d{1,2}):(\d{2})$/.exec(input.shown.trim());
  if (!match) throw new Error('shown time must be HH:MM');
  const shownMinutes = Number(match[1]) * 60 + Number(match[2]);
  const localMinutes = Math.floor(input.now / 60_000 + input.utcOffsetMinutes);
  const dayMinutes = ((localMinutes % 1440) + 1440) % 1440;
  const raw = ((((shownMinutes - dayMinutes) % 1440) + 1440 + 720) % 1440) - 720;
  const off = Math.abs(raw) < ZONE_GRID_MINUTES ? raw : ((((raw % ZONE_GRID_MINUTES) + ZONE_GRID_MINUTES + 7) % ZONE_GRID_MINUTES) - 7);
  if (Math.abs(off) <= MAX_RESYNC_CLOCK_OFF_MINUTES) return { kind: 'in-time' };
  return { kind: 'drift', seconds: Math.abs(off) * 60, direction: off < 0 ? 'behind' : 'ahead' };
}

export function clockDriftMessage(d: Extract<ClockDiagnosis, { kind: 'drift' }>): string {
  const minutes = Math.round(d.seconds / 60);
  return (
    `Your phone's clock is about ${minutes} minute${minutes === 1 ? '' : 's'} ${d.direction} the real time. Fix the phone's time first: ` +
    "set its date and time to automatic (network time), then enter two new codes. The device was not resynchronised: " +
    'tying it to a wrong clock would break it again as soon as the clock is corrected.'
  );
}
