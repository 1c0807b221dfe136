/**
 * The read side of referrals: the incoming and outgoing inboxes of a service and single referrals
 * with what their step allows (rejection reasons, outcomes), filtered by the reader's scope. An
 * operator sees the referrals their services send or receive in their areas; supervisors, every
 * referral of their areas.
 */
import type { CaseReferral, ReferralStatus, TaskEscalation, TaskReminder } from '../../domain/case-state';
import type { LocalizedText, PathwayDefinition, Role } from '../../domain/pathway-schema';
import type { Queryable } from './pool';
import { addDeadlineKeyset, addScope, pageOf, SqlConditions, type ReadScope } from './sql-conditions';

/** A referral as inboxes show it, with its case's reference and pathway, and whether acceptance is overdue. */
export interface ReferralView
  extends Pick<
    CaseReferral,
    | 'caseId'
    | 'stepId'
    | 'areaId'
    | 'fromService'
    | 'toService'
    | 'role'
    | 'status'
    | 'createdAt'
    | 'acceptDueAt'
    | 'reminders'
    | 'escalations'
    | 'escalationLevel'
    | 'respondedAt'
    | 'respondedBy'
    | 'reasonCode'
    | 'outcome'
    | 'outcomeAt'
    | 'outcomeBy'
    | 'version'
  > {
  referralId: string;
  caseReference: string | null;
  pathwayKey: string | null;
  pathwayVersion: number | null;
  overdue: boolean;
}

interface CodedOption {
  code: string;
  label: LocalizedText;
}

/** A referral with its step's title and the codes the receiving service may answer with. */
export interface ReferralDetail extends ReferralView {
  step: { title: LocalizedText; description?: LocalizedText; rejectionReasons: CodedOption[]; outcomes: CodedOption[] } | null;
}

/** Incoming: referrals to the reader's services; outgoing: referrals from them. */
export type ReferralDirection = 'incoming' | 'outgoing';

export interface ReferralListFilters {
  areaId?: string;
  /** Receiving service. */
  toService?: string;
  /** Referring service. */
  fromService?: string;
  statuses?: ReferralStatus[];
  overdue?: boolean;
  caseId?: string;
  direction?: ReferralDirection;
}

/** Keyset position in a referral inbox: acceptance deadline (undated last), then id. */
export interface ReferralListPosition {
  dueAt: string | null;
  referralId: string;
}

interface ReferralRow {
  referral_id: string;
  case_id: string;
  reference: string | null;
  pathway_key: string | null;
  pathway_version: number | null;
  step_id: string;
  area_id: string;
  from_service: string;
  to_service: string;
  role: Role;
  status: ReferralStatus;
  created_at: Date;
  accept_due_at: Date | null;
  reminders: TaskReminder[];
  escalations: TaskEscalation[];
  escalation_level: number;
  responded_at: Date | null;
  responded_by: string | null;
  reason_code: string | null;
  outcome: string | null;
  outcome_at: Date | null;
  outcome_by: string | null;
  version: number;
}

const referralColumns = `r.referral_id, r.case_id, c.reference, c.pathway_key, c.pathway_version, r.step_id, r.area_id,
  r.from_service, r.to_service, r.role, r.status, r.created_at, r.accept_due_at, r.reminders, r.escalations,
  r.escalation_level, r.responded_at, r.responded_by, r.reason_code, r.outcome, r.outcome_at, r.outcome_by, r.version`;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

function toReferralView(row: ReferralRow, now: Date): ReferralView {
  return {
    referralId: row.referral_id,
    caseId: row.case_id,
    caseReference: row.reference,
    pathwayKey: row.pathway_key,
    pathwayVersion: row.pathway_version,
    stepId: row.step_id,
    areaId: row.area_id,
    fromService: row.from_service,
    toService: row.to_service,
    role: row.role,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    acceptDueAt: iso(row.accept_due_at),
    overdue: row.status === 'pending' && row.accept_due_at !== null && row.accept_due_at.getTime() < now.getTime(),
    reminders: row.reminders,
    escalations: row.escalations,
    escalationLevel: row.escalation_level,
    respondedAt: iso(row.responded_at),
    respondedBy: row.responded_by,
    reasonCode: row.reason_code,
    outcome: row.outcome,
    outcomeAt: iso(row.outcome_at),
    outcomeBy: row.outcome_by,
    version: row.version,
  };
}

/** Restricts to the reader's areas and to referrals their services send or receive (per direction). */
function addReferralScope(conditions: SqlConditions, scope: ReadScope, direction: ReferralDirection | undefined): void {
  addScope(conditions, scope, 'r', false);
  if (scope.services === null) return;
  const services = `${conditions.param(scope.services)}::text[]`;
  if (direction === 'incoming') conditions.add(`r.to_service = ANY(${services})`);
  else if (direction === 'outgoing') conditions.add(`r.from_service = ANY(${services})`);
  else conditions.add(`(r.to_service = ANY(${services}) OR r.from_service = ANY(${services}))`);
}

/** One page of referrals in scope matching the filters, soonest acceptance deadline first. */
export async function selectReferralViews(
  db: Queryable,
  scope: ReadScope,
  filters: ReferralListFilters,
  page: { limit: number; after?: ReferralListPosition },
  now: Date,
): Promise<{ items: ReferralView[]; next: ReferralListPosition | null }> {
  const conditions = new SqlConditions();
  addReferralScope(conditions, scope, filters.direction);
  if (filters.caseId !== undefined) conditions.add(`r.case_id = ${conditions.param(filters.caseId)}`);
  if (filters.areaId !== undefined) conditions.add(`r.area_id = ${conditions.param(filters.areaId)}`);
  if (filters.toService !== undefined) conditions.add(`r.to_service = ${conditions.param(filters.toService)}`);
  if (filters.fromService !== undefined) conditions.add(`r.from_service = ${conditions.param(filters.fromService)}`);
  if (filters.statuses !== undefined) conditions.add(`r.status = ANY(${conditions.param(filters.statuses)}::text[])`);
  if (filters.overdue !== undefined) {
    const overdue = `(r.status = 'pending' AND r.accept_due_at < ${conditions.param(now)})`;
    conditions.add(filters.overdue ? overdue : `NOT ${overdue}`);
  }
  if (page.after) addDeadlineKeyset(conditions, { due: 'r.accept_due_at', id: 'r.referral_id' }, { dueAt: page.after.dueAt, id: page.after.referralId });
  const { rows } = await db.query<ReferralRow>(
    `SELECT ${referralColumns} FROM referrals r LEFT JOIN cases c ON c.case_id = r.case_id ${conditions.where()}
     ORDER BY r.accept_due_at ASC NULLS LAST, r.referral_id ASC LIMIT ${conditions.param(page.limit + 1)}`,
    conditions.params,
  );
  return pageOf(rows, page.limit, (row) => toReferralView(row, now), (last) => ({ dueAt: last.acceptDueAt, referralId: last.referralId }));
}

/** The referral with its step's reasons and outcomes if it exists and is in scope; null otherwise. */
export async function findReferral(db: Queryable, scope: ReadScope, referralId: string, now: Date): Promise<ReferralDetail | null> {
  const conditions = new SqlConditions();
  conditions.add(`r.referral_id = ${conditions.param(referralId)}`);
  addReferralScope(conditions, scope, undefined);
  const { rows } = await db.query<ReferralRow & { definition: PathwayDefinition | null }>(
    `SELECT ${referralColumns}, v.definition FROM referrals r
     LEFT JOIN cases c ON c.case_id = r.case_id
     LEFT JOIN pathway_versions v ON v.key = c.pathway_key AND v.version = c.pathway_version
     ${conditions.where()}`,
    conditions.params,
  );
  const row = rows[0];
  if (!row) return null;
  const step = row.definition?.steps[row.step_id];
  return {
    ...toReferralView(row, now),
    step:
      step && step.kind === 'referral'
        ? { title: step.title, description: step.description, rejectionReasons: step.rejectionReasons, outcomes: step.outcomes }
        : null,
  };
}
