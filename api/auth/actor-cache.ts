/**
 * Resolves a token's user id to the acting user (roles, areas, services) from the users table.
 * Cached briefly: a revoked role takes effect within seconds without a query per request.
 */
import { LRUCache } from 'lru-cache';
import type { Actor } from '../../domain/case-state';
import { findUser } from '../../infra/db/directory-repository';
import type { Queryable } from '../../infra/db/pool';

/** The actor of a request: who they are and what they may see, never more than an id and a display name. */
export interface AuthenticatedActor extends Actor {
  kind: 'user';
  name: string;
}

/** A small TTL cache in front of the users table (concurrent misses for one user share one query). */
export class ActorCache {
  private readonly cache: LRUCache<string, { actor: AuthenticatedActor | null }>;

  constructor(db: Queryable, ttlMs = 5_000, maxEntries = 1_000) {
    this.cache = new LRUCache({
      max: maxEntries,
      ttl: ttlMs,
      fetchMethod: async (userId) => {
        const user = await findUser(db, userId);
        const actor: AuthenticatedActor | null =
          user && user.active ? { id: user.id, kind: 'user', name: user.name, roles: user.roles, areas: user.areas, services: user.services } : null;
        return { actor };
      },
    });
  }

  /** The active user with this id, or null when unknown or deactivated. */
  async resolve(userId: string): Promise<AuthenticatedActor | null> {
    const entry = await this.cache.fetch(userId);
    return entry?.actor ?? null;
  }
}
