/**
 * Stalled-case rules: which row applies (most specific wins, a disabled row switches the kind off)
 * and the cutoffs that turn thresholds into instants, checked against the business calendar.
 */
import fc from 'fast-check';
import { calendarFor, parseLocalDate, pilotAreaLocalHolidays, workingDaysBetween } from '../../domain/calendar';
import { countWorkingDays, effectiveRule, stallCutoff, workingDaysCutoff, type StallRule } from '../../domain/stall-rules';

const livorno = calendarFor(pilotAreaLocalHolidays.livorno);

const rule = (pathwayKey: string | null, areaId: string | null, threshold: number, enabled = true): StallRule => ({
  pathwayKey,
  areaId,
  kind: 'no_contact',
  threshold,
  enabled,
});

describe('effectiveRule', () => {
  const rules: StallRule[] = [
    rule(null, null, 30),
    rule(null, 'livorno', 20),
    rule('oss', null, 15),
    rule('oss', 'livorno', 10),
    { pathwayKey: null, areaId: null, kind: 'overdue_task', threshold: 0, enabled: true },
  ];

  it('takes the most specific row: (pathway, area) > (pathway, any) > (any, area) > (any, any)', () => {
    expect(effectiveRule(rules, 'oss', 'livorno', 'no_contact')?.threshold).toBe(10);
    expect(effectiveRule(rules, 'oss', 'lucca', 'no_contact')?.threshold).toBe(15);
    expect(effectiveRule(rules, 'other', 'livorno', 'no_contact')?.threshold).toBe(20);
    expect(effectiveRule(rules, 'other', 'lucca', 'no_contact')?.threshold).toBe(30);
    // Row order does not matter.
    expect(effectiveRule([...rules].reverse(), 'oss', 'livorno', 'no_contact')?.threshold).toBe(10);
  });

  it('lets a disabled row switch its kind off for its scope only', () => {
    const withOff = [...rules, rule('other', 'livorno', 1, false)];
    expect(effectiveRule(withOff, 'other', 'livorno', 'no_contact')).toBeNull();
    expect(effectiveRule(withOff, 'other', 'lucca', 'no_contact')?.threshold).toBe(30);
  });

  it('applies no rule when no row names the kind', () => {
    expect(effectiveRule(rules, 'oss', 'livorno', 'suspended_too_long')).toBeNull();
    expect(effectiveRule(rules, 'oss', 'livorno', 'overdue_task')?.threshold).toBe(0);
  });
});

describe('cutoffs', () => {
  const now = new Date('2026-12-10T10:00:00Z'); // Thursday, 11:00 in Rome

  it('counts working days back over the weekend and the 8 December holiday', () => {
    // Thu 10, Wed 9, (Tue 8 holiday), Mon 7, Fri 4, Thu 3: five working days reach back to Thursday 3 December.
    expect(workingDaysCutoff(now, 5, livorno)).toEqual(parseLocalDate('2026-12-03', livorno));
    expect(workingDaysCutoff(now, 1, livorno)).toEqual(parseLocalDate('2026-12-10', livorno));
    // On a Sunday the first working day back is the Friday.
    expect(workingDaysCutoff(new Date('2026-12-13T10:00:00Z'), 1, livorno)).toEqual(parseLocalDate('2026-12-11', livorno));
  });

  it('breaks the no-progress rule exactly when workingDaysBetween reaches the threshold', () => {
    const start = Date.parse('2025-12-01T00:00:00Z');
    const span = 400 * 86_400_000;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: span }), fc.integer({ min: 0, max: 90 * 86_400_000 }), fc.integer({ min: 1, max: 30 }), (offset, back, n) => {
        const nowAt = new Date(start + offset);
        const since = new Date(nowAt.getTime() - back);
        const broken = since.getTime() < workingDaysCutoff(nowAt, n, livorno).getTime();
        expect(broken).toBe(workingDaysBetween(since, nowAt, livorno) >= n);
      }),
      { numRuns: 300 },
    );
  });

  it('counts working days exactly as the business calendar does, over years and holidays', () => {
    const start = Date.parse('2024-01-01T00:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000 * 86_400_000 }), fc.integer({ min: -5 * 86_400_000, max: 800 * 86_400_000 }), (offset, span) => {
        const a = new Date(start + offset);
        const b = new Date(a.getTime() + span);
        expect(countWorkingDays(a, b, livorno)).toBe(workingDaysBetween(a, b, livorno));
      }),
      { numRuns: 200 },
    );
    // Thursday 3 to Thursday 10 December 2026: 4, 7, 9, 10 (the 8th is a holiday).
    expect(countWorkingDays(new Date('2026-12-03T10:00:00Z'), now, livorno)).toBe(4);
  });

  it('uses calendar days for the other kinds and no cutoff for escalations', () => {
    expect(stallCutoff('no_contact', 30, now, livorno)).toEqual(new Date('2026-11-10T10:00:00Z'));
    expect(stallCutoff('overdue_task', 0, now, livorno)).toEqual(now);
    expect(stallCutoff('referral_not_accepted', 2, now, livorno)).toEqual(new Date('2026-12-08T10:00:00Z'));
    expect(stallCutoff('suspended_too_long', 7, now, livorno)).toEqual(new Date('2026-12-03T10:00:00Z'));
    expect(stallCutoff('no_progress', 5, now, livorno)).toEqual(parseLocalDate('2026-12-03', livorno));
    expect(stallCutoff('escalated', 1, now, livorno)).toBeNull();
  });
});
