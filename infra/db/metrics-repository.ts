/**
 * Read-model figures exported as Prometheus gauges: codes and counts only.
 */
import type { Queryable } from './pool';

export interface ReadModelGauges {
  openTasks: Array<{ areaId: string; count: number }>;
  overdueTasks: Array<{ areaId: string; count: number }>;
  openEscalations: Array<{ areaId: string; level: number; count: number }>;
  escalationsFired: Array<{ areaId: string; count: number }>;
  completedTasks: Array<{ areaId: string; service: string; count: number }>;
  cases: Array<{ areaId: string; status: string; count: number }>;
}

/** Every gauge in one round trip per figure, run concurrently. */
export async function readModelGauges(db: Queryable, now: Date): Promise<ReadModelGauges> {
  const [tasks, escalations, fired, cases, completed] = await Promise.all([
    db.query<{ area_id: string; open: number; overdue: number }>(
      `SELECT area_id, count(*)::int AS open, count(*) FILTER (WHERE due_at < $1)::int AS overdue
         FROM tasks WHERE status IN ('open', 'claimed') GROUP BY area_id ORDER BY area_id`,
      [now],
    ),
    db.query<{ area_id: string; level: number; count: number }>(
      `SELECT area_id, escalation_level AS level, count(*)::int AS count
         FROM tasks WHERE status IN ('open', 'claimed') AND escalation_level > 0 GROUP BY area_id, escalation_level ORDER BY 1, 2`,
    ),
    db.query<{ area_id: string; count: number }>(
      `SELECT c.area_id, count(*)::int AS count FROM case_events e JOIN cases c ON c.case_id = e.case_id
        WHERE e.type IN ('task_escalated', 'referral_escalated') GROUP BY c.area_id ORDER BY 1`,
    ),
    db.query<{ area_id: string; status: string; count: number }>(`SELECT area_id, status, count(*)::int AS count FROM cases GROUP BY area_id, status ORDER BY 1, 2`),
    db.query<{ area_id: string; service: string; count: number }>(
      `SELECT area_id, service, count(*)::int AS count FROM tasks WHERE status = 'completed' GROUP BY area_id, service ORDER BY 1, 2`,
    ),
  ]);
  return {
    openTasks: tasks.rows.map((row) => ({ areaId: row.area_id, count: row.open })),
    overdueTasks: tasks.rows.map((row) => ({ areaId: row.area_id, count: row.overdue })),
    openEscalations: escalations.rows.map((row) => ({ areaId: row.area_id, level: row.level, count: row.count })),
    escalationsFired: fired.rows.map((row) => ({ areaId: row.area_id, count: row.count })),
    completedTasks: completed.rows.map((row) => ({ areaId: row.area_id, service: row.service, count: row.count })),
    cases: cases.rows.map((row) => ({ areaId: row.area_id, status: row.status, count: row.count })),
  };
}
