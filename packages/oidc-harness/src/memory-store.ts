import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * One provider's storage: a Map per instance (oidc-provider's own memory adapter shares one
 * LRU across every provider in the process and evicts past 1,000 entries), with the index
 * tests need to revoke everything a user granted.
 */
export class MemoryStore {
  readonly #entries = new Map<string, Entry>();

  adapterFor = (model: string): Adapter => {
    const key = (id: string) => `${model}:${id}`;
    const read = (id: string): AdapterPayload | undefined => {
      const entry = this.#entries.get(key(id));
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        this.#entries.delete(key(id));
        return undefined;
      }
      return entry.payload;
    };
    return {
      upsert: async (id, payload, expiresIn) => {
        const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Infinity;
        this.#entries.set(key(id), { payload, expiresAt });
      },
      find: async (id) => read(id),
      findByUid: async (uid) => {
        for (const [name, entry] of this.#entries) {
          if (name.startsWith(`${model}:`) && entry.payload.uid === uid) return entry.payload;
        }
        return undefined;
      },
      findByUserCode: async () => undefined,
      consume: async (id) => {
        const payload = read(id);
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        this.#entries.delete(key(id));
      },
      revokeByGrantId: async (grantId) => this.#revokeGrant(grantId),
    };
  };

  #revokeGrant(grantId: string): void {
    for (const [name, entry] of this.#entries) {
      if (entry.payload.grantId === grantId || name === `Grant:${grantId}`) {
        this.#entries.delete(name);
      }
    }
  }

  /** Removes every grant of the account with its codes and tokens; answers how many grants. */
  revokeGrantsOf(accountId: string): number {
    const grantIds = [...this.#entries]
      .filter(([name, entry]) => name.startsWith('Grant:') && entry.payload.accountId === accountId)
      .map(([name]) => name.slice('Grant:'.length));
    for (const grantId of grantIds) this.#revokeGrant(grantId);
    return grantIds.length;
  }
}
