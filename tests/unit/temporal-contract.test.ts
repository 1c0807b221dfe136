/**
 * The one Temporal contract: every workflow type callers start (domain/case-messages.ts
 * workflowTypes) is a workflow the worker's bundle exports under that name, and no source file
 * outside the contract spells a workflow type as a string.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { workflowTypes } from '../../domain/case-messages';
import * as workflows from '../../workflows';

const root = path.resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

describe('Temporal contract', () => {
  it('names only workflows the worker hosts', () => {
    for (const type of Object.values(workflowTypes)) {
      expect(typeof (workflows as Record<string, unknown>)[type]).toBe('function');
    }
    expect(Object.keys(workflows).sort()).toEqual(Object.values(workflowTypes).sort());
  });

  it('is the only place a workflow type is written as a string in the application code', () => {
    const literal = new RegExp(`['"\`](${Object.values(workflowTypes).join('|')})['"\`]`);
    const offenders = ['api', 'activities', 'infra', 'workers', 'scripts', 'bench']
      .flatMap((dir) => sourceFiles(path.join(root, dir)))
      .filter((file) => literal.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(root, file));
    expect(offenders).toEqual([]);
  });

  it('keeps the API off the worker process modules', () => {
    const offenders = sourceFiles(path.join(root, 'api'))
      .filter((file) => /from '(\.\.\/)+(workers|activities)\//.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(root, file));
    expect(offenders).toEqual([]);
  });
});
