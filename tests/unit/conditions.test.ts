import { conditionFieldPaths, conditionLeaves, evaluateCondition, type CaseData } from '../../domain/conditions';
import type { Condition } from '../../domain/pathway-schema';

const data: CaseData = {
  case: { targetGroup: 'homeless' },
  outreach: { urgent: true, place: 'Stazione di Grosseto', source: null },
  intake: { minors: false, alias: '', currentBenefits: ['adi', 'auu'], language: 'ar' },
  eligibility: { isee: 5400, measure: 'adi', padDate: '2026-03-10' },
};

const holds = (condition: Condition) => evaluateCondition(condition, data);

describe('evaluateCondition', () => {
  it('compares with strict equality', () => {
    expect(holds({ field: 'eligibility.measure', op: 'eq', value: 'adi' })).toBe(true);
    expect(holds({ field: 'eligibility.measure', op: 'eq', value: 'sfl' })).toBe(false);
    expect(holds({ field: 'eligibility.isee', op: 'eq', value: '5400' })).toBe(false);
    expect(holds({ field: 'eligibility.measure', op: 'ne', value: 'sfl' })).toBe(true);
    expect(holds({ field: 'eligibility.measure', op: 'ne', value: 'adi' })).toBe(false);
  });

  it('compares arrays element-wise, in order', () => {
    expect(holds({ field: 'intake.currentBenefits', op: 'eq', value: ['adi', 'auu'] })).toBe(true);
    expect(holds({ field: 'intake.currentBenefits', op: 'eq', value: ['auu', 'adi'] })).toBe(false);
    expect(holds({ field: 'intake.currentBenefits', op: 'eq', value: 'adi' })).toBe(false);
  });

  it('treats a missing field as not matching, except for the negative operators', () => {
    const missing = 'intake.nothingHere';
    expect(holds({ field: missing, op: 'eq', value: 'x' })).toBe(false);
    expect(holds({ field: missing, op: 'gt', value: 1 })).toBe(false);
    expect(holds({ field: missing, op: 'in', value: ['x'] })).toBe(false);
    expect(holds({ field: missing, op: 'contains', value: 'x' })).toBe(false);
    expect(holds({ field: missing, op: 'isTrue' })).toBe(false);
    expect(holds({ field: missing, op: 'isFalse' })).toBe(false);
    expect(holds({ field: missing, op: 'exists' })).toBe(false);
    expect(holds({ field: missing, op: 'ne', value: 'x' })).toBe(true);
    expect(holds({ field: missing, op: 'notIn', value: ['x'] })).toBe(true);
    expect(holds({ field: missing, op: 'notExists' })).toBe(true);
    expect(holds({ field: 'review.outcome', op: 'ne', value: 'job' })).toBe(true);
  });

  it('treats null like a missing value', () => {
    expect(holds({ field: 'outreach.source', op: 'eq', value: 'street' })).toBe(false);
    expect(holds({ field: 'outreach.source', op: 'ne', value: 'street' })).toBe(true);
    expect(holds({ field: 'outreach.source', op: 'notExists' })).toBe(true);
  });

  it('orders numbers as numbers and ISO dates as strings, never across types', () => {
    expect(holds({ field: 'eligibility.isee', op: 'lte', value: 6000 })).toBe(true);
    expect(holds({ field: 'eligibility.isee', op: 'lt', value: 5400 })).toBe(false);
    expect(holds({ field: 'eligibility.isee', op: 'gte', value: 5400 })).toBe(true);
    expect(holds({ field: 'eligibility.isee', op: 'gt', value: 9360 })).toBe(false);
    expect(holds({ field: 'eligibility.isee', op: 'lt', value: '6000' })).toBe(false);
    expect(holds({ field: 'eligibility.padDate', op: 'gt', value: '2026-02-28' })).toBe(true);
    expect(holds({ field: 'eligibility.padDate', op: 'lt', value: '2026-03-09' })).toBe(false);
    expect(holds({ field: 'outreach.urgent', op: 'gt', value: false })).toBe(false);
  });

  it('checks membership with in and notIn, which need a list', () => {
    expect(holds({ field: 'eligibility.measure', op: 'in', value: ['adi', 'sfl'] })).toBe(true);
    expect(holds({ field: 'eligibility.measure', op: 'notIn', value: ['adi', 'sfl'] })).toBe(false);
    expect(holds({ field: 'eligibility.measure', op: 'notIn', value: ['none'] })).toBe(true);
    expect(holds({ field: 'eligibility.measure', op: 'in', value: 'adi' })).toBe(false);
    expect(holds({ field: 'eligibility.measure', op: 'notIn', value: 'sfl' })).toBe(false);
  });

  it('treats a multiselect as "in" a list when any selected option is listed', () => {
    expect(holds({ field: 'intake.currentBenefits', op: 'in', value: ['sfl', 'adi'] })).toBe(true);
    expect(holds({ field: 'intake.currentBenefits', op: 'notIn', value: ['sfl', 'naspi'] })).toBe(true);
  });

  it('checks contains on multiselects and on text', () => {
    expect(holds({ field: 'intake.currentBenefits', op: 'contains', value: 'auu' })).toBe(true);
    expect(holds({ field: 'intake.currentBenefits', op: 'contains', value: 'sfl' })).toBe(false);
    expect(holds({ field: 'intake.currentBenefits', op: 'contains', value: ['adi', 'auu'] })).toBe(true);
    expect(holds({ field: 'intake.currentBenefits', op: 'contains', value: ['adi', 'sfl'] })).toBe(false);
    expect(holds({ field: 'outreach.place', op: 'contains', value: 'Grosseto' })).toBe(true);
    expect(holds({ field: 'outreach.place', op: 'contains', value: 'Livorno' })).toBe(false);
    expect(holds({ field: 'eligibility.isee', op: 'contains', value: 54 })).toBe(false);
  });

  it('tests booleans strictly', () => {
    expect(holds({ field: 'outreach.urgent', op: 'isTrue' })).toBe(true);
    expect(holds({ field: 'outreach.urgent', op: 'isFalse' })).toBe(false);
    expect(holds({ field: 'intake.minors', op: 'isFalse' })).toBe(true);
    expect(holds({ field: 'eligibility.measure', op: 'isTrue' })).toBe(false);
  });

  it('counts null, empty text and empty selections as not existing', () => {
    expect(holds({ field: 'intake.alias', op: 'exists' })).toBe(false);
    expect(holds({ field: 'intake.alias', op: 'notExists' })).toBe(true);
    expect(evaluateCondition({ field: 'intake.currentBenefits', op: 'exists' }, { intake: { currentBenefits: [] } })).toBe(false);
    expect(holds({ field: 'intake.minors', op: 'exists' })).toBe(true);
    expect(evaluateCondition({ field: 'eligibility.isee', op: 'exists' }, { eligibility: { isee: 0 } })).toBe(true);
  });

  it('reads case start data under "case"', () => {
    expect(holds({ field: 'case.targetGroup', op: 'eq', value: 'homeless' })).toBe(true);
  });

  it('combines with all, any and not', () => {
    const adiWithMinors: Condition = {
      all: [{ field: 'eligibility.measure', op: 'eq', value: 'adi' }, { not: { field: 'intake.minors', op: 'isTrue' } }],
    };
    expect(holds(adiWithMinors)).toBe(true);
    expect(holds({ any: [{ field: 'eligibility.measure', op: 'eq', value: 'sfl' }, { field: 'outreach.urgent', op: 'isTrue' }] })).toBe(true);
    expect(holds({ any: [{ field: 'eligibility.measure', op: 'eq', value: 'sfl' }, { field: 'outreach.urgent', op: 'isFalse' }] })).toBe(false);
    expect(holds({ not: adiWithMinors })).toBe(false);
  });

  it('never reads inherited properties', () => {
    expect(holds({ field: 'intake.constructor', op: 'exists' })).toBe(false);
    expect(holds({ field: 'toString.valueOf', op: 'exists' })).toBe(false);
    expect(evaluateCondition({ field: 'x.hasOwnProperty', op: 'notExists' }, {})).toBe(true);
  });
});

describe('conditionFieldPaths', () => {
  it('lists each field once, in order of appearance', () => {
    const condition: Condition = {
      any: [
        { field: 'eligibility.measure', op: 'eq', value: 'adi' },
        { all: [{ field: 'intake.minors', op: 'isTrue' }, { not: { field: 'eligibility.measure', op: 'eq', value: 'sfl' } }] },
      ],
    };
    expect(conditionFieldPaths(condition)).toEqual(['eligibility.measure', 'intake.minors']);
  });

  it('locates every comparison in the tree', () => {
    const condition: Condition = { all: [{ field: 'a.b', op: 'exists' }, { not: { field: 'c.d', op: 'isTrue' } }] };
    expect(conditionLeaves(condition).map((l) => l.path)).toEqual([
      ['all', 0],
      ['all', 1, 'not'],
    ]);
  });
});
