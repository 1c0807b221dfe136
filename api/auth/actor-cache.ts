/**
 * Resolves a token's subject to the acting user or service account (roles, areas, services) from
 * the users table. Cached briefly: a revoked role or a deleted service account takes effect within
 * seconds without a query per request.
 */
import { LRUCache } from 'lru-cache';
import type { Actor } from '../../domain/case-state';
import type { Queryable } from '../../infra/db/pool';
import { findActorRow } from '../../infra/db/service-account-repository';

/** The actor of a request: who they are and what they may see, never more than an id and a display name. */
export interface AuthenticatedActor extends Actor {
  kind: 'user' | 'service';
  name: string;
}

/** A small TTL cache in front of the users table (concurrent misses for one id share one query). */
export class ActorCache {
  private readonly cache: LRUCache<string, { actor: AuthenticatedActor | null }>;

  constructor(db: Queryable, ttlMs = 5_000, maxEntries = 1_000) {
    this.cache = new LRUCache({
      max: maxEntries,
      ttl: ttlMs,
      fetchMethod: async (id) => {
        const row = await findActorRow(db, id);
        const actor: AuthenticatedActor | null =
          row && row.active ? { id: row.id, kind: row.kind, name: row.name, roles: row.roles, areas: row.areas, services: row.services } : null;
        return { actor };
      },
    });
  }

  /** The active actor with this id and kind, or null when unknown, deactivated or of the other kind. */
  async resolve(id: string, kind: AuthenticatedActor['kind'] = 'user'): Promise<AuthenticatedActor | null> {
    const entry = await this.cache.fetch(id);
    // A person's token never acts as a service account, nor the other way round.
    return entry?.actor && entry.actor.kind === kind ? entry.actor : null;
  }
}
