/**
 * Pathway documents kept as YAML in the repository (the reference One Stop Shop pathway in
 * `pathways/`): parsed and checked exactly as a coordinator's draft is (shape and static checks in
 * one answer), so a broken file fails loudly, naming the file and every path at fault. Pure: the
 * caller reads the file (infra/reference-pathway.ts).
 */
import { parseDocument } from 'yaml';
import { checkDefinitionDocument, type DefinitionIssue } from './pathway-document-checks';
import type { PathwayCheckContext } from './pathway-checks';
import type { PathwayDefinitionInput } from './pathway-schema';

/** The repository's pathway documents, by file name under `pathways/`. */
export const referencePathwayFile = 'oss-integrated-pathway.yaml';

/** A pathway file that does not parse or does not pass the checks; `issues` name each path at fault. */
export class PathwayFileError extends Error {
  constructor(
    readonly source: string,
    readonly issues: DefinitionIssue[],
  ) {
    super(`${source} is not a valid pathway:\n${issues.map((issue) => `  ${issue.path.join('.') || '(document)'}: ${issue.message} [${issue.code}]`).join('\n')}`);
    this.name = 'PathwayFileError';
  }
}

/**
 * Parses a YAML pathway document and runs the publish checks on it (against `context.services`
 * when given); returns it as plain data (aliases expanded into copies), or throws PathwayFileError.
 */
export function parsePathwayYaml(text: string, source: string, context: Pick<PathwayCheckContext, 'services'> = {}): PathwayDefinitionInput {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new PathwayFileError(source, document.errors.map((error) => ({ path: [], code: error.code, message: error.message })));
  }
  // A JSON round trip turns YAML aliases into independent copies: a caller that edits one step
  // (tests publish variants) must not edit another through a shared object.
  const data = JSON.parse(JSON.stringify(document.toJS())) as unknown;
  const check = checkDefinitionDocument(data, context);
  if (check.issues.length > 0) throw new PathwayFileError(source, check.issues);
  return data as PathwayDefinitionInput;
}
