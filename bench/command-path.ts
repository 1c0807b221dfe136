/**
 * (b) without HTTP, for `npm run bench` to show where a completion's time goes: the same task
 * completion the API makes, through the same functions (the task read that records the intent,
 * then `executeCaseCommand`: the Update and the statement that writes its result with the audit
 * row), called from the bench's own process, on the same servers, with each statement timed. What
 * (b) costs beyond it is HTTP and the API's request handling; what it costs beyond the bare update
 * is the two statements and the case's own Update.
 */
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { readScopeOf } from '../domain/access';
import { caseIdOfTaskId } from '../domain/case-interpreter';
import type { Actor } from '../domain/case-state';
import { commandUpdateId, executeCaseCommand } from '../infra/case-commands';
import { encryptedDataConverter } from '../infra/codec/data-converter';
import { attachPersonKeys, ensurePersonKeys } from '../infra/codec/personal-data';
import type { AppConfig } from '../infra/config';
import { findUser } from '../infra/db/directory-repository';
import type { Queryable } from '../infra/db/pool';
import { findTaskRecordingIntent } from '../infra/db/task-repository';
import { msSince } from './capacity-tools';

/** One direct completion: the whole, and its two statements (the rest is the Update with the codec and the command's own code). */
export interface CommandPathSample {
  total: number;
  read: number;
  write: number;
}

export interface DirectCommands {
  /** Completes the task as the user, with the data, the way POST /tasks/:id/complete does; timed. */
  complete(taskId: string, data: Record<string, unknown>): Promise<CommandPathSample>;
}

/** The pool seen through a wrapper that times each statement, in order, since the last `take`. */
function timedDb(pool: pg.Pool): { db: Queryable; take(): number[] } {
  let took: number[] = [];
  const db = {
    query: async (config: pg.QueryConfig) => {
      const start = process.hrtime.bigint();
      try {
        return await pool.query(config);
      } finally {
        took.push(msSince(start));
      }
    },
  } as unknown as pg.ClientBase;
  return {
    db,
    take: () => {
      const result = took;
      took = [];
      return result;
    },
  };
}

/** Direct commands as `userId` (from the directory), over the bench's connection and pool, with the API's codec keys. */
export async function openDirectCommands(options: {
  connection: NativeConnection;
  namespace: string;
  pool: pg.Pool;
  config: Pick<AppConfig, 'codecKeys' | 'dataDir'>;
  userId: string;
}): Promise<DirectCommands> {
  const { connection, namespace, pool, config, userId } = options;
  const keys = ensurePersonKeys(pool, config);
  const timed = timedDb(pool);
  // The projection seals personal columns with the keys attached to the db it writes through.
  attachPersonKeys(timed.db, keys);
  const temporal = new Client({ connection, namespace, dataConverter: encryptedDataConverter(keys) });
  const user = await findUser(pool, userId);
  if (!user) throw new Error(`no user ${userId}`);
  const actor: Actor = { id: user.id, kind: 'user', roles: user.roles, areas: user.areas, services: user.services };
  return {
    async complete(taskId, data) {
      const caseId = caseIdOfTaskId(taskId);
      // Untimed: the API that started the case holds its data key already; this process looks it up once.
      await keys.keyForCase(caseId);
      const start = process.hrtime.bigint();
      const updateId = commandUpdateId(caseId, actor.id, 'completeTask', randomUUID());
      const found = await findTaskRecordingIntent(timed.db, readScopeOf(actor), taskId, new Date(), { updateId, caseId });
      if (!found || found.confirmedSeq === undefined) throw new Error(`task ${taskId} is not in scope`);
      await executeCaseCommand({ temporal, db: timed.db }, caseId, actor, { kind: 'completeTask', taskId, data }, {
        recordedIntent: { updateId, confirmedSeq: found.confirmedSeq },
        audit: {
          actorId: actor.id,
          actorKind: actor.kind,
          action: 'tasks.act',
          method: 'POST',
          route: '/tasks/:taskId/complete',
          caseId,
          areaId: found.task.areaId,
          personId: null,
          fields: Object.keys(data).map((key) => `${found.task.stepId}.${key}`),
          outcome: 200,
          requestId: randomUUID(),
        },
      });
      const total = msSince(start);
      const [read, write] = timed.take();
      return { total, read, write };
    },
  };
}
