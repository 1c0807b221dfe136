/**
 * Resolves a token's user id to the acting user (roles, areas, services) from the users table.
 * Cached briefly: a revoked role takes effect within seconds without a query per request.
 */
import type { Actor } from '../../domain/case-state';
import { findUser } from '../../infra/db/directory-repository';
import type { Queryable } from '../../infra/db/pool';

/** The actor of a request: who they are and what they may see, never more than an id and a display name. */
export interface AuthenticatedActor extends Actor {
  kind: 'user';
  name: string;
}

interface Entry {
  actor: AuthenticatedActor | null;
  expiresAt: number;
}

/** A small TTL cache in front of the users table. */
export class ActorCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly db: Queryable,
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 1_000,
  ) {}

  /** The active user with this id, or null when unknown or deactivated. */
  async resolve(userId: string, now = Date.now()): Promise<AuthenticatedActor | null> {
    const cached = this.entries.get(userId);
    if (cached && cached.expiresAt > now) return cached.actor;
    const user = await findUser(this.db, userId);
    const actor: AuthenticatedActor | null =
      user && user.active
        ? { id: user.id, kind: 'user', name: user.name, roles: user.roles, areas: user.areas, services: user.services }
        : null;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(userId, { actor, expiresAt: now + this.ttlMs });
    return actor;
  }
}
