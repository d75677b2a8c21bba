import type { GroundTruth, GroundTruthUser } from './ground-truth';
import { ADMIN_GROUP, SECURITY_GROUP } from './organisation';

/** What a newcomer needs to sign in to the demo: printed by `npm run demo` and `npm run stack`. */

function roleOf(groupsClaim: readonly string[], users: readonly GroundTruthUser[]): string {
  const viaIam = (group: string) => users.some((u) => u.groups.includes(group));
  if (viaIam(SECURITY_GROUP)) return `security (IAM group ${SECURITY_GROUP})`;
  if (groupsClaim.includes(SECURITY_GROUP)) return 'security (IdP groups claim)';
  if (viaIam(ADMIN_GROUP)) return `admin (IAM group ${ADMIN_GROUP})`;
  if (groupsClaim.includes(ADMIN_GROUP)) return 'admin (IdP groups claim)';
  return 'member';
}

function describeUser(truth: GroundTruth, user: GroundTruthUser): string {
  const account = truth.accounts.find((a) => a.id === user.accountId)?.name ?? user.accountId;
  const mfa = user.devices.length === 0 ? 'no MFA' : user.devices.map((d) => d.type).join(' + ');
  const key = truth.accessKeys.some((k) => k.accountId === user.accountId && k.userName === user.userName) ? ', access key' : '';
  return `${user.userName} in ${account} (${mfa}${key})`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`).join('\n');
}

export function formatDemoLogins(truth: GroundTruth): string {
  const people = truth.people.map((person) => {
    const owned = truth.users.filter((u) => u.owner === person.email);
    return [person.email, person.password, roleOf(person.groups, owned), owned.map((u) => describeUser(truth, u)).join(', ') || 'none'];
  });
  const keys = truth.accessKeys
    .filter((k) => truth.users.some((u) => u.owner && u.accountId === k.accountId && u.userName === k.userName))
    .map((k) => [`${k.userName} (${k.accountId})`, k.accessKeyId, k.secretAccessKey]);
  return [
    'Company sign-in (demo IdP):',
    table([['email', 'password', 'role', 'IAM users'], ...people]),
    '',
    'Access-key sign-in (new keys on every start):',
    table([['IAM user', 'access key id', 'secret access key'], ...keys]),
  ].join('\n');
}
