/**
 * The console's close form offers exactly the outcomes the server accepts for a pathway
 * (web/src/features/cases/closing-outcomes.ts against domain's allowedOutcomes), labelled by the
 * titles of the end steps in the reader's language.
 */
import { allowedOutcomes } from '../../domain/case-command-handlers';
import { pathwayDefinitionSchema } from '../../domain/pathway-schema';
import { ossReferencePathway } from '../../infra/reference-pathway';
import { closingOutcomes } from '../../web/src/features/cases/closing-outcomes';

const reference = pathwayDefinitionSchema.parse(ossReferencePathway);

it('offers the reference pathway the outcomes the server accepts, by the end steps\' titles', () => {
  const offered = closingOutcomes(reference, 'it');
  expect(offered.map((option) => option.code).sort()).toEqual(allowedOutcomes(reference));
  expect(offered.find((option) => option.code === 'job')?.label).toBe('Chiuso: lavoro');
  expect(closingOutcomes(reference, 'en').find((option) => option.code === 'moved_away')?.label).toBe('Closed: moved away');
});

it('offers an extra outcome no end step names by its code, and nothing for no definition', () => {
  const extra = { ...reference, outcomes: [...reference.outcomes, 'deceased'] };
  const offered = closingOutcomes(extra, 'it');
  expect(offered.map((option) => option.code).sort()).toEqual(allowedOutcomes(extra));
  expect(offered.find((option) => option.code === 'deceased')?.label).toBe('deceased');
  expect(closingOutcomes(undefined, 'it')).toEqual([]);
});
