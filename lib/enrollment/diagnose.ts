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
