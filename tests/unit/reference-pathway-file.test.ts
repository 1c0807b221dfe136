/**
 * The reference pathway is a YAML document in the repository (pathways/oss-integrated-pathway.yaml):
 * it passes the same schema and publish checks as any draft, and a broken file fails loudly, naming
 * the file and every path at fault.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkDefinitionDocument } from '../../domain/pathway-document-checks';
import { parsePathwayYaml, PathwayFileError, referencePathwayFile } from '../../domain/reference-pathway';
import { loadPathwayFile, ossReferencePathway, pathwaysDirectory } from '../../infra/reference-pathway';

// The services the seed creates: the file must name no other.
const seededServices = ['outreach', 'oss', 'social', 'employment'];
const text = readFileSync(path.join(pathwaysDirectory, referencePathwayFile), 'utf8');

/** The issue paths a parse failure reports, or a note that it did not fail. */
function failurePaths(yaml: string): string[] {
  try {
    parsePathwayYaml(yaml, 'pathways/broken.yaml', { services: seededServices });
  } catch (error) {
    expect(error).toBeInstanceOf(PathwayFileError);
    expect((error as Error).message).toContain('pathways/broken.yaml');
    return (error as PathwayFileError).issues.map((issue) => `${issue.code} ${issue.path.join('.')}`);
  }
  return ['(parsed without error)'];
}

describe('the reference pathway file', () => {
  it('passes every publish check against the seeded services', () => {
    expect(ossReferencePathway.key).toBe('oss-integrated-pathway');
    expect(checkDefinitionDocument(ossReferencePathway, { services: seededServices }).issues).toEqual([]);
    expect(loadPathwayFile(referencePathwayFile, { services: seededServices })).toEqual(ossReferencePathway);
  });

  it('fails loudly with the file and the path of each mistake', () => {
    const misspelt = text.replace('    otherwise: outreach\n', '    otherwise: outrech\n');
    expect(misspelt).not.toBe(text);
    expect(failurePaths(misspelt)).toEqual(['unknown_step steps.entry_point.otherwise']);

    const wrongShape = text.replace('deadline: { amount: 7, unit: calendarDays }', 'deadline: { amount: 7, unit: fortnights }');
    expect(failurePaths(wrongShape)).toEqual(['invalid_value steps.eligibility.deadline.unit']);

    expect(failurePaths(`${text}\nsteps: {}\n`)).toEqual([expect.stringMatching(/^DUPLICATE_KEY /)]);
    expect(failurePaths(text.replace('key: oss-integrated-pathway', 'key: [oss'))).not.toEqual(['(parsed without error)']);
  });

  it('expands YAML aliases into independent copies', () => {
    const copy = parsePathwayYaml(text, referencePathwayFile) as { steps: Record<string, { form?: { fields: Array<{ key: string; label: { it: string } }> } }> };
    const inAssessment = copy.steps.preliminary_assessment.form!.fields.find((field) => field.key === 'housing')!;
    const inNeeds = copy.steps.needs_assessment.form!.fields.find((field) => field.key === 'housing')!;
    expect(inNeeds).toEqual(inAssessment);
    inAssessment.label.it = 'cambiato';
    expect(inNeeds.label.it).toBe('Condizione abitativa');
  });
});
