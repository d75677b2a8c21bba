import type { CategoryRow } from '@/lib/db/schema';
import { isoDay, isoMinute } from '@/lib/format';

/** What the category form shows: a stored category, or defaults for a new one (deadline 30 days out, at 17:00 UTC). */
export function categoryFormValues(c: CategoryRow | null, now = new Date()) {
  const d = new Date(now.getTime() + 30 * 86_400_000);
  d.setUTCHours(17, 0, 0, 0);
  return {
    id: c?.id ?? null,
    name: c?.name ?? '',
    selectorKind: c?.selectorKind ?? 'group',
    selectorKey: c?.selectorKey ?? '',
    selectorValue: c?.selectorValue ?? '',
    defaultDecision: c?.defaultDecision ?? 'required',
    allowedDeviceTypes: c?.allowedDeviceTypes ?? ['virtual', 'hardware', 'fido'],
    backupRequired: (c?.minDevices ?? 1) > 1,
    requireCertifiedKey: c?.requireCertifiedKey ?? false,
    deadline: isoMinute(c?.deadline ?? d),
    cohort: c?.cohort ?? '',
    reason: c?.reason ?? '',
    approvedException: c?.defaultDecision === 'exception' ? `${c.approver ? `Approved by ${c.approver}` : 'Approved'}${c.expiresAt ? `, until ${isoDay(c.expiresAt)}` : ''}` : null,
    expiresAt: c?.expiresAt ? isoDay(c.expiresAt) : '',
  } as const;
}
