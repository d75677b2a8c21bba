/** The credential report's users, held compactly while an account is collected. Pure: no I/O. */
import type { CredentialReportUser } from './credential-report';

const PASSWORD_ENABLED = 1;
const PASSWORD_NEVER_USED = 2;
const MFA_ACTIVE = 4;
/** Dates per user: created, password last used, access key last used (ms since the epoch; NaN for none). */
const DATES = 3;

const toMs = (d: Date | null) => (d ? d.getTime() : Number.NaN);
const toDate = (ms: number) => (Number.isNaN(ms) ? null : new Date(ms));

/**
 * The report's users by name, as a Map of them would be (get, has, delete, keys, size), stored as a name index and
 * typed arrays instead of an object with three Dates per user: ~100 bytes a user instead of ~300. The collection
 * holds the report of every account it collects at once, from the first user to the last, so this is most of what an
 * inventory of ten 10,000-user accounts keeps alive. `get` builds the user's facts anew on each call.
 */
export class ReportUsers {
  private readonly index = new Map<string, number>();
  private dates: Float64Array;
  private flags: Uint8Array;
  private rows = 0;

  constructor(capacity = 16) {
    this.dates = new Float64Array(Math.max(1, capacity) * DATES);
    this.flags = new Uint8Array(Math.max(1, capacity));
  }

  /** Adds a user, or replaces the facts of one already there (a repeated name: the last row wins, as in a Map). */
  set(user: CredentialReportUser): this {
    let i = this.index.get(user.userName);
    if (i === undefined) {
      i = this.rows++;
      if (i >= this.flags.length) this.grow();
      this.index.set(user.userName, i);
    }
    this.dates[i * DATES] = toMs(user.createdAt);
    this.dates[i * DATES + 1] = toMs(user.passwordLastUsed);
    this.dates[i * DATES + 2] = toMs(user.accessKeyLastUsed);
    this.flags[i] = (user.passwordEnabled ? PASSWORD_ENABLED : 0) | (user.passwordNeverUsed ? PASSWORD_NEVER_USED : 0) | (user.mfaActive ? MFA_ACTIVE : 0);
    return this;
  }

  get(userName: string): CredentialReportUser | undefined {
    const i = this.index.get(userName);
    if (i === undefined) return undefined;
    const f = this.flags[i]!;
    return {
      userName,
      createdAt: toDate(this.dates[i * DATES]!),
      passwordEnabled: (f & PASSWORD_ENABLED) !== 0,
      passwordLastUsed: toDate(this.dates[i * DATES + 1]!),
      passwordNeverUsed: (f & PASSWORD_NEVER_USED) !== 0,
      mfaActive: (f & MFA_ACTIVE) !== 0,
      accessKeyLastUsed: toDate(this.dates[i * DATES + 2]!),
    };
  }

  has(userName: string): boolean {
    return this.index.has(userName);
  }

  /** Forgets a user (their slot is not reused: the collection only ever shrinks the report). */
  delete(userName: string): boolean {
    return this.index.delete(userName);
  }

  keys(): IterableIterator<string> {
    return this.index.keys();
  }

  get size(): number {
    return this.index.size;
  }

  private grow(): void {
    const dates = new Float64Array(this.dates.length * 2);
    dates.set(this.dates);
    const flags = new Uint8Array(this.flags.length * 2);
    flags.set(this.flags);
    this.dates = dates;
    this.flags = flags;
  }
}
