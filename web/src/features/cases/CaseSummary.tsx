/**
 * The summary of one case: pathway and version, area, status, current steps and their tasks,
 * deadlines, contacts with the person, and the data collected so far (special-category fields the
 * reader may not see are listed as hidden). Shared: the supervisor's drill-down embeds it too.
 * Where the case is (each open step and who holds it) comes before the tasks, which list only
 * those the reader may see.
 */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { CaseStatusBadge, TaskStatusBadge, UrgencyBadges } from './badges';
import { CaseWhereabouts } from './CaseWhereabouts';
import { formatDate, formatDateTime, localized, stepTitle, usePathwayVersion, type FormField, type LocalizedText, type PathwayDefinition } from './format';

export type CaseDetail = Schemas['CaseDetail'];

/** Query key of a case's detail; invalidate it after a command on the case. */
export const caseQueryKey = (caseId: string) => ['case', caseId] as const;

/** The case as the signed-in person may see it. */
export function useCaseDetail(caseId: string) {
  return useQuery({
    queryKey: caseQueryKey(caseId),
    queryFn: () => unwrap(api.GET('/cases/{caseId}', { params: { path: { caseId } } })),
    // Other services change a case (a referral answered, a task done): opening it always asks again.
    staleTime: 0,
  });
}

type CodedOption = { code: string; label: LocalizedText };
type ReferralStepDoc = { kind: 'referral'; rejectionReasons?: CodedOption[]; outcomes?: CodedOption[] };

/** What a referral step records (status, reason, outcome) described as select fields, so codes read as words. */
function referralFields(step: ReferralStepDoc, t: TFunction<'operator'>): FormField[] {
  const text = (value: string): LocalizedText => ({ it: value, en: value });
  const options = (list: CodedOption[] | undefined) => (list ?? []).map((option) => ({ value: option.code, label: option.label }));
  const statuses = ['pending', 'accepted', 'rejected', 'completed', 'cancelled'].map((status) => ({ value: status, label: text(t(`referrals.statuses.${status}`)) }));
  return [
    { key: 'status', type: 'select', label: text(t('inbox.columns.status')), options: statuses },
    { key: 'reason', type: 'select', label: text(t('referrals.answer.reason')), options: options(step.rejectionReasons) },
    { key: 'outcome', type: 'select', label: text(t('referrals.answer.outcome')), options: options(step.outcomes) },
  ] as unknown as FormField[];
}

function fieldsOfStep(definition: PathwayDefinition | undefined, stepId: string, t: TFunction<'operator'>): FormField[] {
  if (!definition) return [];
  if (stepId === 'case') return definition.caseFields;
  const step = definition.steps[stepId] as { kind?: string; form?: { fields?: FormField[] } } | undefined;
  if (step?.kind === 'referral') return referralFields(step as ReferralStepDoc, t);
  return step?.form?.fields ?? [];
}

type ScalarValue = string | number | boolean | string[] | null;
type GroupEntry = Record<string, ScalarValue>;
/** The answers of a per-member step (`<stepId>.byMember`): one entry per member, its index under `member`. */
const byMemberKey = 'byMember';

const isGroupEntries = (value: ScalarValue | GroupEntry[]): value is GroupEntry[] => Array.isArray(value) && value.some((item) => typeof item === 'object' && item !== null);

/**
 * A repeating group (household members, or a per-member step's answers) as a table: a row per
 * item, a column per sub-field in the form's order (keys the form does not know after them); an
 * answer hidden from the reader's role says so in words, as the list of hidden fields does.
 */
function GroupTable({ caption, subFields, entries, hidden, byMember }: { caption: string; subFields: FormField[]; entries: GroupEntry[]; hidden: Set<string>; byMember: boolean }) {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const present = new Set([...entries.flatMap((entry) => Object.keys(entry)), ...[...hidden].map((path) => path.slice(path.indexOf('.') + 1))]);
  if (byMember) present.delete('member');
  const columns: Array<{ key: string; field: FormField | undefined }> = [
    ...subFields.filter((sub) => present.has(sub.key)).map((sub) => ({ key: sub.key, field: sub })),
    ...[...present].filter((key) => !subFields.some((sub) => sub.key === key)).map((key) => ({ key, field: undefined })),
  ];
  return (
    <div className="table-responsive">
      <table className="table table-sm mb-1" data-testid="group-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('cases.data.member')}</th>
            {columns.map(({ key, field }) => (
              <th scope="col" key={key}>
                {field ? localized(field.label, language) : key}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {entries.map((entry, index) => {
            const member = byMember && typeof entry.member === 'number' ? entry.member : index;
            return (
              <tr key={index}>
                <th scope="row">{t('form.group.item', { number: member + 1 })}</th>
                {columns.map(({ key, field }) => (
                  <td key={key}>{hidden.has(`${index}.${key}`) ? <em>{t('cases.data.hiddenValue')}</em> : key in entry ? <FieldValue field={field} value={entry[key]} /> : '—'}</td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function FieldValue({ field, value }: { field: FormField | undefined; value: ScalarValue | GroupEntry[] }) {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const optionLabel = (code: string) => localized(field?.options?.find((option) => option.value === code)?.label, language) || code;
  if (value === null || value === '') return <span>—</span>;
  if (typeof value === 'boolean') return <span>{value ? t('common:yes') : t('common:no')}</span>;
  if (Array.isArray(value)) return <span>{value.length === 0 ? '—' : (value as string[]).map(optionLabel).join(', ')}</span>;
  // 'min2' leaves four digits ungrouped in English too, as Italian does: a birth year reads 1984, not 1,984.
  if (typeof value === 'number') return <span>{new Intl.NumberFormat(language, { useGrouping: 'min2' }).format(value)}</span>;
  if (field?.type === 'date') return <span>{formatDate(value, language)}</span>;
  if (field?.type === 'select') return <span>{optionLabel(value)}</span>;
  return <span className="text-break">{value}</span>;
}

/** The words for a collected field's path (`<stepId>.<key>`, or `<stepId>.<group>.<index>.<subKey>` for one member's answer). */
function fieldPathLabel(definition: PathwayDefinition | undefined, path: string, t: TFunction<'operator'>, language: string): string {
  const [stepId, key, index, subKey] = path.split('.');
  const fields = fieldsOfStep(definition, stepId, t);
  const field = fields.find((candidate) => candidate.key === key);
  const label = key === byMemberKey ? t('cases.data.byMember') : field ? localized(field.label, language) : key;
  if (subKey === undefined) return field || key === byMemberKey ? label : path;
  const subFields = key === byMemberKey ? fields : (field?.fields ?? []);
  const sub = subFields.find((candidate) => candidate.key === subKey);
  return t('form.group.itemField', { group: label, number: Number(index) + 1, field: sub ? localized(sub.label, language) : subKey });
}

function CollectedData({ detail, definition }: { detail: CaseDetail; definition: PathwayDefinition | undefined }) {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  // Hidden answers of a group's items, by `<stepId>.<key>`: `<index>.<subKey>` each.
  const hiddenInGroups = new Map<string, Set<string>>();
  for (const path of detail.redactedFields) {
    const [stepId, key, index, subKey] = path.split('.');
    if (subKey === undefined) continue;
    const group = `${stepId}.${key}`;
    hiddenInGroups.set(group, new Set([...(hiddenInGroups.get(group) ?? []), `${index}.${subKey}`]));
  }
  const steps = Object.entries(detail.data).filter(([, values]) => Object.keys(values).length > 0);
  return (
    <section aria-labelledby="case-data-title" className="mt-4">
      <h2 className="h4" id="case-data-title">
        {t('cases.data.title')}
      </h2>
      {steps.length === 0 && detail.redactedFields.length === 0 ? <p>{t('cases.data.none')}</p> : null}
      {steps.map(([stepId, values]) => {
        const fields = fieldsOfStep(definition, stepId, t);
        return (
          <div key={stepId} className="mb-3">
            <h3 className="h6 mb-1">{stepId === 'case' ? t('cases.data.startData') : stepTitle(definition, stepId, language)}</h3>
            <dl className="row mb-0">
              {Object.entries(values).map(([key, value]) => {
                const field = fields.find((candidate) => candidate.key === key);
                if (isGroupEntries(value) || field?.type === 'group' || key === byMemberKey) {
                  const label = key === byMemberKey ? t('cases.data.byMember') : field ? localized(field.label, language) : key;
                  return (
                    <div className="col-12" key={key} data-testid={`collected-group-${stepId}.${key}`}>
                      <dt className="fw-semibold">{label}:</dt>
                      <dd className="mb-2">
                        {Array.isArray(value) && value.length > 0 ? (
                          <GroupTable
                            caption={label}
                            subFields={key === byMemberKey ? fields : (field?.fields ?? [])}
                            entries={value as GroupEntry[]}
                            hidden={hiddenInGroups.get(`${stepId}.${key}`) ?? new Set()}
                            byMember={key === byMemberKey}
                          />
                        ) : (
                          '—'
                        )}
                      </dd>
                    </div>
                  );
                }
                return (
                  <div className="col-12 col-md-6 d-flex gap-2" key={key}>
                    <dt className="fw-semibold">{field ? localized(field.label, language) : key}:</dt>
                    <dd className="mb-1">
                      <FieldValue field={field} value={value} />
                    </dd>
                  </div>
                );
              })}
            </dl>
          </div>
        );
      })}
      {detail.redactedFields.length > 0 ? (
        <p className="small mb-0">
          {t('cases.data.hidden', { count: detail.redactedFields.length })}{' '}
          {detail.redactedFields.map((path) => fieldPathLabel(definition, path, t, language)).join(', ')}
        </p>
      ) : null}
    </section>
  );
}

/** Summary of a case by id: loads it (and its pathway version) and shows it; headings start at h2. */
export function CaseSummary({ caseId }: { caseId: string }) {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const detail = useCaseDetail(caseId);
  const pathway = usePathwayVersion(detail.data?.pathwayKey, detail.data?.pathwayVersion);
  if (detail.isError) return <ProblemAlert error={detail.error} />;
  // Titles and labels come from the pathway version (cached for the session); without it, codes show.
  if (detail.isPending || pathway.isPending) return <PageLoading />;
  const item = detail.data;
  const definition = pathway.data?.definition;
  const rows: Array<[string, ReactNode]> = [
    [t('cases.summary.reference'), <span data-testid="case-reference" className="case-reference">{item.reference}</span>],
    [t('cases.summary.pathway'), `${definition ? localized(definition.title, language) : item.pathwayKey} · ${t('cases.summary.version', { version: item.pathwayVersion })}`],
    [t('cases.summary.area'), t(`areas.${item.areaId}`, { defaultValue: item.areaId })],
    [t('cases.summary.status'), <CaseStatusBadge status={item.status} />],
    [t('cases.summary.currentSteps'), item.openStepIds.length === 0 ? '—' : item.openStepIds.map((stepId) => stepTitle(definition, stepId, language)).join(', ')],
    [t('cases.summary.nextDeadline'), formatDateTime(item.nextDeadline, language)],
    [t('cases.summary.startedAt'), formatDateTime(item.startedAt, language)],
    [t('cases.summary.lastContact'), item.lastContactAt ? formatDateTime(item.lastContactAt, language) : t('cases.summary.noContact')],
  ];
  if (item.escalationLevel > 0) rows.push([t('cases.summary.escalation'), <UrgencyBadges overdue={false} escalationLevel={item.escalationLevel} />]);
  if (item.outcome) rows.push([t('cases.summary.outcome'), item.outcome]);
  if (item.planSignOff) {
    rows.push([
      t('cases.summary.planSignOff'),
      t('cases.summary.planSignOffValue', {
        signed: item.planSignOff.signed.map((service) => t(`services.${service}`, { defaultValue: service })).join(', ') || '—',
        missing: item.planSignOff.missing.map((service) => t(`services.${service}`, { defaultValue: service })).join(', ') || '—',
      }),
    ]);
  }
  return (
    <div data-testid="case-summary">
      <section aria-labelledby="case-summary-title">
        <h2 className="h4" id="case-summary-title">
          {t('cases.summary.title')}
        </h2>
        <dl className="row mb-0">
          {rows.map(([label, value]) => (
            <div className="col-12 col-md-6 col-lg-4 mb-2" key={label}>
              <dt className="small text-uppercase">{label}</dt>
              <dd className="mb-0">{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section aria-labelledby="case-where-title" className="mt-4">
        <h2 className="h4" id="case-where-title">
          {t('cases.where.title')}
        </h2>
        <CaseWhereabouts detail={item} definition={definition} />
      </section>
      <section aria-labelledby="case-tasks-title" className="mt-4">
        <h2 className="h4" id="case-tasks-title">
          {t('cases.tasks.title')}
        </h2>
        {item.openTasks.length === 0 ? (
          <p>{t('cases.tasks.noneOfYours')}</p>
        ) : (
          <div className="table-responsive">
            <table className="table table-dense" data-testid="case-open-tasks">
              <caption className="visually-hidden">{t('cases.tasks.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('inbox.columns.step')}</th>
                  <th scope="col">{t('inbox.columns.service')}</th>
                  <th scope="col">{t('inbox.columns.deadline')}</th>
                  <th scope="col">{t('inbox.columns.status')}</th>
                  <th scope="col">{t('inbox.columns.assignee')}</th>
                </tr>
              </thead>
              <tbody>
                {item.openTasks.map((task) => (
                  <tr key={task.taskId}>
                    <td>
                      <Link to={`/console/tasks/${task.taskId}`}>{stepTitle(definition, task.stepId, language)}</Link>
                    </td>
                    <td>{t(`services.${task.service}`, { defaultValue: task.service })}</td>
                    <td>
                      {formatDateTime(task.dueAt, language)} <UrgencyBadges overdue={task.overdue} escalationLevel={task.escalationLevel} />
                    </td>
                    <td>
                      <TaskStatusBadge status={task.status} />
                    </td>
                    <td>{task.assigneeId ?? t('inbox.unassigned')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <CollectedData detail={item} definition={definition} />
    </div>
  );
}
