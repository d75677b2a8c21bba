import { describe, expect, it } from 'vitest';
import { anyOfTypes, typeName, typesPlural } from './wording';

describe('device type wording', () => {
  it('names one type, keeping acronyms', () => {
    expect(typeName('hardware')).toBe('hardware TOTP token');
    expect(typeName('fido')).toBe('security key or passkey');
  });

  it('offers alternatives with the right articles, in a fixed order', () => {
    expect(anyOfTypes(['fido', 'hardware'])).toBe('a hardware TOTP token or a security key or passkey');
    expect(anyOfTypes(['virtual'])).toBe('an authenticator app');
    expect(anyOfTypes(['fido', 'virtual', 'hardware'])).toBe('an authenticator app, a hardware TOTP token or a security key or passkey');
    expect(anyOfTypes([])).toBe('');
  });

  it('lists what a category allows in the plural', () => {
    expect(typesPlural(['fido', 'hardware'])).toBe('hardware TOTP tokens and security keys or passkeys');
    expect(typesPlural(['virtual'])).toBe('authenticator apps');
  });
});
