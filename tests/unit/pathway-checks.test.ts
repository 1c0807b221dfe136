import { checkPathway, pathwayIssueCodes, type PathwayIssue } from '../../domain/pathway-checks';
import { pathwayDefinitionSchema, type Condition, type PathwayDefinition, type PathwayDefinitionInput } from '../../domain/pathway-schema';
import { ossReferencePathway } from '../../infra/reference-pathway';

type StepInput = PathwayDefinitionInput['steps'][string];

const title = { it: 'passo' };
const task = (extra: Record<string, unknown> = {}): StepInput => ({ kind: 'task', title, assignee: { service: 'social' }, ...extra });
const end = (outcome = 'done'): StepInput => ({ kind: 'end', title, outcome });
const decision = (rules: Array<{ when: Condition; next: string }>, otherwise: string): StepInput => ({ kind: 'decision', title, rules, otherwise });
const dateField = (key: string) => ({ key, type: 'date', label: { it: key } });
const boolField = (key: string) => ({ key, type: 'boolean', label: { it: key } });

/** A parsed definition; defaults to a two-step pathway that passes every check. */
const pathway = (steps: Record<string, StepInput> = {}, extra: Partial<PathwayDefinitionInput> = {}): PathwayDefinition =>
  pathwayDefinitionSchema.parse({
    key: 'test-pathway',
    title: { it: 'Percorso di prova' },
    start: 'first',
    steps: { first: task({ next: 'done' }), done: end(), ...steps },
    ...extra,
  });

const services = ['outreach', 'oss', 'social', 'employment'];
const codesOf = (issues: PathwayIssue[]) => issues.map((issue) => issue.code);
const only = (def: PathwayDefinition, code: string, context = { services }) => checkPathway(def, context).filter((issue) => issue.code === code);

describe('checkPathway', () => {
  it('passes a minimal valid pathway', () => {
    expect(checkPathway(pathway(), { services })).toEqual([]);
  });

  it('passes the reference One Stop Shop pathway clean', () => {
    expect(checkPathway(pathwayDefinitionSchema.parse(ossReferencePathway), { services })).toEqual([]);
  });

  it('reports references to steps that do not exist, at the reference', () => {
    const def = pathway(
      {
        first: task({ next: 'nowhere' }),
        route: decision([{ when: { field: 'first.x', op: 'exists' }, next: 'ghost' }], 'done'),
        fork: { kind: 'parallel', title, branches: ['done', 'phantom'], next: 'done' },
        loop: { kind: 'recurring', title, every: { amount: 1, unit: 'months' }, times: 2, body: 'absent', next: 'done' },
        jump: { kind: 'goto', title, target: 'missing', otherwise: 'done' },
      },
      { start: 'begin' },
    );
    const unknown = only(def, pathwayIssueCodes.unknownStep).map((i) => i.path);
    expect(unknown).toEqual([['start'], ['steps', 'first', 'next'], ['steps', 'fork', 'branches', 1], ['steps', 'jump', 'target'], ['steps', 'loop', 'body'], ['steps', 'route', 'rules', 0, 'next']]);
  });

  it('reports steps that cannot be reached from start', () => {
    const def = pathway({ orphan: task({ next: 'done' }), orphan_end: end('other') });
    expect(only(def, 'unreachable_step').map((i) => i.path)).toEqual([
      ['steps', 'orphan'],
      ['steps', 'orphan_end'],
    ]);
  });

  it('counts steps reached through branches, bodies, rules and goto targets as reachable', () => {
    const def = pathway({
      first: task({ next: 'fork' }),
      fork: { kind: 'parallel', title, branches: ['a', 'b'], next: 'again' },
      a: task(),
      b: task(),
      again: { kind: 'recurring', title, every: { amount: 7, unit: 'calendarDays' }, times: 2, body: 'visit', next: 'route' },
      visit: task({ form: { fields: [boolField('ok')] } }),
      route: decision([{ when: { field: 'visit.ok', op: 'isTrue' }, next: 'done' }], 'jump'),
      jump: { kind: 'goto', title, target: 'first', otherwise: 'done' },
    });
    expect(checkPathway(def, { services })).toEqual([]);
  });

  it('reports a loop that never waits for a person or a timer', () => {
    const def = pathway({
      first: task({ next: 'a' }),
      a: decision([{ when: { field: 'first.x', op: 'exists' }, next: 'done' }], 'b'),
      b: { kind: 'goto', title, target: 'a', otherwise: 'done' },
    });
    const loops = only(def, 'loop_without_pause');
    expect(loops).toHaveLength(1);
    expect(loops[0].path).toEqual(['steps', 'a']);
    expect(loops[0].message).toContain('"b"');
  });

  it('reports a decision that routes to itself', () => {
    const def = pathway({ first: task({ next: 'a' }), a: decision([{ when: { field: 'first.x', op: 'exists' }, next: 'a' }], 'done') });
    expect(only(def, 'loop_without_pause').map((i) => i.path)).toEqual([['steps', 'a']]);
  });

  it('accepts a loop that passes through a task', () => {
    const def = pathway({
      first: task({ next: 'a', form: { fields: [boolField('again')] } }),
      a: decision([{ when: { field: 'first.again', op: 'isTrue' }, next: 'first' }], 'done'),
    });
    expect(only(def, 'loop_without_pause')).toEqual([]);
  });

  it('reports tasks assigned to a service that does not exist, only when services are known', () => {
    const def = pathway({ first: task({ assignee: { service: 'housing' }, next: 'done' }) });
    expect(only(def, 'missing_assignee').map((i) => i.path)).toEqual([['steps', 'first', 'assignee', 'service']]);
    expect(checkPathway(def)).toEqual([]);
  });

  it('reports unknown services in escalation and sign-off', () => {
    const def = pathway({
      first: task({
        next: 'done',
        deadline: { amount: 1, unit: 'workingDays' },
        escalation: [{ after: { amount: 0, unit: 'hours' }, role: 'supervisor', service: 'housing' }],
        signOff: { services: ['social', 'health'] },
      }),
    });
    expect(only(def, 'unknown_service').map((i) => i.path)).toEqual([
      ['steps', 'first', 'escalation', 0, 'service'],
      ['steps', 'first', 'signOff', 'services', 1],
    ]);
  });

  it('reports field paths in conditions that name no collected field', () => {
    const def = pathway(
      {
        first: task({ next: 'route', form: { fields: [boolField('urgent')] } }),
        route: decision(
          [
            { when: { all: [{ field: 'first.urgent', op: 'isTrue' }, { field: 'first.urgnet', op: 'isTrue' }] }, next: 'done' },
            { when: { field: 'case.missing', op: 'exists' }, next: 'done' },
            { when: { field: 'route.x', op: 'exists' }, next: 'done' },
            { when: { field: 'nostep.x', op: 'exists' }, next: 'done' },
          ],
          'done',
        ),
      },
      { caseFields: [{ key: 'targetGroup', type: 'text', label: { it: 'gruppo' } }] },
    );
    expect(only(def, 'unknown_field').map((i) => i.path)).toEqual([
      ['steps', 'route', 'rules', 0, 'when', 'all', 1, 'field'],
      ['steps', 'route', 'rules', 1, 'when', 'field'],
      ['steps', 'route', 'rules', 2, 'when', 'field'],
      ['steps', 'route', 'rules', 3, 'when', 'field'],
    ]);
  });

  it('resolves case.<key> against caseFields', () => {
    const def = pathway(
      { first: task({ next: 'route' }), route: decision([{ when: { field: 'case.group', op: 'eq', value: 'x' }, next: 'done' }], 'done') },
      { caseFields: [{ key: 'group', type: 'text', label: { it: 'gruppo' } }] },
    );
    expect(checkPathway(def, { services })).toEqual([]);
  });

  it('checks deadline.from and wait.until: the field must exist and be a date', () => {
    const def = pathway({
      first: task({ next: 'later', form: { fields: [dateField('padDate'), boolField('flag')] } }),
      later: task({ next: 'pause', deadline: { amount: 120, unit: 'calendarDays', from: { field: 'first.flag' } } }),
      pause: { kind: 'wait', title, until: { field: 'first.padDay' }, next: 'ok' },
      ok: task({ next: 'done', deadline: { amount: 1, unit: 'months', from: { field: 'first.padDate' } } }),
    });
    const issues = checkPathway(def, { services });
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['field_type_mismatch', ['steps', 'later', 'deadline', 'from', 'field']],
      ['unknown_field', ['steps', 'pause', 'until', 'field']],
    ]);
  });

  it('reports operators that cannot apply to the field type and values the field can never hold', () => {
    const def = pathway({
      first: task({
        next: 'route',
        form: {
          fields: [
            { key: 'measure', type: 'select', label: { it: 'misura' }, options: [{ value: 'adi', label: { it: 'ADI' } }] },
            { key: 'isee', type: 'number', label: { it: 'isee' } },
          ],
        },
      }),
      route: decision(
        [
          { when: { field: 'first.measure', op: 'isTrue' }, next: 'done' },
          { when: { field: 'first.measure', op: 'eq', value: 'ADI' }, next: 'done' },
          { when: { field: 'first.measure', op: 'in', value: 'adi' }, next: 'done' },
          { when: { field: 'first.isee', op: 'lte', value: '9360' }, next: 'done' },
          { when: { field: 'first.isee', op: 'gt' }, next: 'done' },
        ],
        'done',
      ),
    });
    expect(checkPathway(def, { services }).map((i) => [i.code, i.path.slice(3).join('.')])).toEqual([
      ['field_type_mismatch', '0.when.op'],
      ['invalid_condition', '1.when.value'],
      ['invalid_condition', '2.when.value'],
      ['invalid_condition', '3.when.value'],
      ['invalid_condition', '4.when.value'],
    ]);
  });

  it('reports a main-line chain that stops at a step that is not an end step', () => {
    const def = pathway({ first: task({ next: 'second' }), second: task(), jump: { kind: 'goto', title, target: 'first' } }, { start: 'first' });
    // "jump" is unreachable but still not on the main line: only "second" dangles.
    expect(only(def, 'dangling_end').map((i) => i.path)).toEqual([['steps', 'second']]);
  });

  it('reports a goto on the main line with nowhere to go once its jumps are used up', () => {
    const def = pathway({
      first: task({ next: 'route', form: { fields: [boolField('again')] } }),
      route: decision([{ when: { field: 'first.again', op: 'isTrue' }, next: 'jump' }], 'done'),
      jump: { kind: 'goto', title, target: 'first', maxTimes: 2 },
    });
    expect(only(def, 'dangling_end').map((i) => i.path)).toEqual([['steps', 'jump']]);
  });

  it('lets parallel branches and recurring bodies simply stop', () => {
    const def = pathway({
      first: task({ next: 'fork' }),
      fork: { kind: 'parallel', title, branches: ['a', 'b'], next: 'done' },
      a: task({ next: 'a2' }),
      a2: task(),
      b: task(),
    });
    expect(checkPathway(def, { services })).toEqual([]);
  });

  it('reports a pathway with no end step', () => {
    const def = pathwayDefinitionSchema.parse({ key: 'no-end', title, start: 'a', steps: { a: task({ next: 'b' }), b: task({ next: 'a' }) } });
    expect(codesOf(checkPathway(def, { services }))).toEqual(['missing_end']);
    expect(checkPathway(def)[0].path).toEqual(['steps']);
  });

  it('reports a step shared by two branches, or by a branch and the main line', () => {
    const def = pathway({
      first: task({ next: 'fork' }),
      fork: { kind: 'parallel', title, branches: ['a', 'b'], next: 'done' },
      a: task({ next: 'shared' }),
      b: task({ next: 'shared' }),
      shared: task(),
    });
    expect(only(def, 'branch_shared').map((i) => i.path)).toEqual([['steps', 'shared']]);

    const escaping = pathway({
      first: task({ next: 'again' }),
      again: { kind: 'recurring', title, every: { amount: 1, unit: 'months' }, times: 3, body: 'visit', next: 'done' },
      visit: task({ next: 'first' }),
    });
    expect(only(escaping, 'branch_shared').map((i) => i.path)).toEqual([
      ['steps', 'again'],
      ['steps', 'done'],
      ['steps', 'first'],
    ]);
  });

  it('requires a joint plan to be signed by its own service', () => {
    const def = pathway({ first: task({ next: 'done', signOff: { services: ['employment', 'oss'] } }) });
    expect(only(def, 'signoff_service').map((i) => i.path)).toEqual([['steps', 'first', 'signOff', 'services']]);
  });

  it('requires escalation levels to fire in increasing order, across units', () => {
    const def = pathway({
      first: task({
        next: 'done',
        deadline: { amount: 10, unit: 'calendarDays' },
        escalation: [
          { after: { amount: 2, unit: 'calendarDays' }, role: 'supervisor' },
          { after: { amount: 36, unit: 'hours' }, role: 'coordinator' },
          { after: { amount: 1, unit: 'months' }, role: 'coordinator' },
          { after: { amount: 30, unit: 'calendarDays' }, role: 'admin' },
        ],
      }),
    });
    expect(only(def, 'escalation_order').map((i) => i.path)).toEqual([
      ['steps', 'first', 'escalation', 1, 'after'],
      ['steps', 'first', 'escalation', 3, 'after'],
    ]);
  });

  it('reports reminders or escalation on a task without a deadline', () => {
    const def = pathway({ first: task({ next: 'done', reminders: [{ before: { amount: 1, unit: 'calendarDays' } }] }) });
    expect(only(def, 'missing_deadline').map((i) => i.path)).toEqual([['steps', 'first', 'deadline']]);
  });

  it('reserves "case" as a step id because it names the start data (the schema refuses it)', () => {
    const result = pathwayDefinitionSchema.safeParse({
      key: 'test-pathway',
      title: { it: 'Percorso di prova' },
      start: 'first',
      steps: { first: task({ next: 'case' }), case: task({ next: 'done' }), done: end() },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['steps.case', 'steps.first.next']);
  });

  it('returns issues sorted by path and is deterministic', () => {
    const def = pathway({ zeta: task(), alpha: task({ next: 'nowhere' }), first: task({ next: 'missing' }) });
    const issues = checkPathway(def, { services });
    expect(issues.map((i) => i.path.join('.'))).toEqual([...issues.map((i) => i.path.join('.'))].sort());
    expect(checkPathway(def, { services })).toEqual(issues);
  });
});

describe('schema errors (before the checks run)', () => {
  it('locate a missing assignee service at its field path', () => {
    const result = pathwayDefinitionSchema.safeParse({
      key: 'broken',
      title,
      start: 'x',
      steps: { x: { kind: 'task', title, assignee: { role: 'operator' }, next: 'y' }, y: end() },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['steps', 'x', 'assignee', 'service']]);
  });

  it('locate a bad field path in a condition', () => {
    const result = pathwayDefinitionSchema.safeParse({
      key: 'broken',
      title,
      start: 'x',
      steps: { x: decision([{ when: { field: 'no-dot', op: 'exists' }, next: 'y' }], 'y'), y: end() },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path.slice(0, 5)).toEqual(['steps', 'x', 'rules', 0, 'when']);
  });
});
