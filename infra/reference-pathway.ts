/**
 * Reads the pathway documents kept in the repository (`pathways/*.yaml`). The reference One Stop
 * Shop pathway is loaded once, at import, through the same schema and checks as any draft: a
 * broken file stops whoever imports it (seed, API tests) with the file and the paths at fault.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PathwayCheckContext } from '../domain/pathway-checks';
import type { PathwayDefinitionInput } from '../domain/pathway-schema';
import { parsePathwayYaml, referencePathwayFile } from '../domain/reference-pathway';

/** The folder of the repository's pathway documents. */
export const pathwaysDirectory = path.join(__dirname, '..', 'pathways');

/** Reads and checks one pathway file (a path, or a name under `pathways/`). */
export function loadPathwayFile(file: string, context: Pick<PathwayCheckContext, 'services'> = {}): PathwayDefinitionInput {
  const fullPath = path.resolve(pathwaysDirectory, file);
  return parsePathwayYaml(readFileSync(fullPath, 'utf8'), path.relative(process.cwd(), fullPath) || fullPath, context);
}

/** The reference One Stop Shop pathway, as the seed publishes it (service keys are checked against the database there). */
export const ossReferencePathway: PathwayDefinitionInput = loadPathwayFile(referencePathwayFile);
