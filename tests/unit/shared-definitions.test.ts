/**
 * Cases of one pathway version share one frozen copy of its definition in a workflow thread; equal
 * content gives the same copy, other content its own.
 */
import { pathwayDefinitionSchema } from '../../domain/pathway-schema';
import { sharedDefinition } from '../../domain/shared-definitions';
import { ossReferencePathway } from '../../infra/reference-pathway';

const decode = () => pathwayDefinitionSchema.parse(JSON.parse(JSON.stringify(ossReferencePathway)));

describe('shared pathway definitions', () => {
  it('gives every case decoding the same content the same frozen copy', () => {
    const first = sharedDefinition(decode());
    const second = sharedDefinition(decode());
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.steps)).toBe(true);
    expect(() => {
      (first.steps as Record<string, unknown>).extra = {};
    }).toThrow(TypeError);
  });

  it('keeps a different version apart', () => {
    const base = sharedDefinition(decode());
    const changed = decode();
    changed.title = { it: `${changed.title.it} (v2)` };
    const other = sharedDefinition(changed);
    expect(other).not.toBe(base);
    expect(other.title.it).toBe(`${base.title.it} (v2)`);
  });
});
