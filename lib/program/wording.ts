/** How members read device types in sentences. Pure; safe for server and client code. */
import type { DeviceType } from '@/lib/db/schema';
import { ALL_DEVICE_TYPES, deviceTypeNoun, deviceTypePlural as many } from '@/lib/device-types';

function join(items: string[], conjunction: 'and' | 'or'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;
}

const ordered = (types: readonly DeviceType[]) => ALL_DEVICE_TYPES.filter((t) => types.includes(t));

/** "authenticator app" */
export const typeName = (t: DeviceType) => deviceTypeNoun[t];

/** "an authenticator app" */
const withArticle = (t: DeviceType) => `${/^[aeiou]/.test(deviceTypeNoun[t]) ? 'an' : 'a'} ${deviceTypeNoun[t]}`;

/** "a hardware TOTP token or a security key or passkey" — for "enroll …". */
export const anyOfTypes = (types: readonly DeviceType[]) => join(ordered(types).map(withArticle), 'or');

/** "hardware TOTP tokens and security keys or passkeys" — for "allows only …". */
export const typesPlural = (types: readonly DeviceType[]) => join(ordered(types).map((t) => many[t]), 'and');
