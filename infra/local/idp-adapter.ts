import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

/**
 * The demo IdP's storage: a Map for the life of the process, which is all a demo IdP needs (its signing key and cookie
 * keys are per-process too). oidc-provider's own in-memory adapter does the same but warns on every start that it is
 * for development only; passing our own keeps the demo's and the tests' output free of that warning.
 */
export function memoryAdapter(): AdapterFactory {
  const entries = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const sessionIdByUid = new Map<string, string>();
  const keysByGrant = new Map<string, Set<string>>();

  const live = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.payload;
    entries.delete(key);
    return undefined;
  };

  return (model: string): Adapter => {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyOf(id);
        entries.set(key, { payload, expiresAt: expiresIn === undefined ? Infinity : Date.now() + expiresIn * 1000 });
        if (model === 'Session' && payload.uid) sessionIdByUid.set(payload.uid, id);
        if (payload.grantId) keysByGrant.set(payload.grantId, (keysByGrant.get(payload.grantId) ?? new Set()).add(key));
      },
      async find(id) {
        return live(keyOf(id));
      },
      async findByUid(uid) {
        const id = sessionIdByUid.get(uid);
        return id === undefined ? undefined : live(keyOf(id));
      },
      // The device flow, the only user of user codes, is not enabled.
      async findByUserCode() {
        return undefined;
      },
      async consume(id) {
        const payload = live(keyOf(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        entries.delete(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of keysByGrant.get(grantId) ?? []) entries.delete(key);
        keysByGrant.delete(grantId);
      },
    };
  };
}
