/**
 * One copy of each pathway definition per workflow thread, shared by every case that runs it.
 *
 * Every case carries its pinned definition in its workflow input, so every cached case kept the copy
 * it decoded (the reference pathway parses to about 70 KB of heap), and caches keyed by a
 * definition's objects (form schemas by field list) missed for every new case. A case now keeps the thread's first copy with
 * the same content instead. Measured with bench:capacity (1,460 cases cached, back to back): RSS per
 * cached case 0.243 → 0.225 MB, less than the copy's size (where the rest goes was not traced).
 *
 * Deterministic: the shared copy is equal, field for field, to the one the case decoded, so a replay
 * cannot tell which it got. It is frozen, so no case can change what another one reads (the engine
 * never writes to a definition; freezing turns a mistake into an error instead of a leak between
 * cases). Loaded once per workflow thread (workers/worker.ts's preloadModules).
 */
import type { PathwayDefinition } from './pathway-schema';

const byContent = new Map<string, PathwayDefinition>();
// Bounded: a worker lives long and pathways get new versions; a few hundred cover them all.
const rememberedDefinitions = 200;

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}

/** The thread's shared, frozen copy of `definition` (the same content). */
export function sharedDefinition(definition: PathwayDefinition): PathwayDefinition {
  const content = JSON.stringify(definition);
  const known = byContent.get(content);
  if (known) return known;
  if (byContent.size >= rememberedDefinitions) byContent.clear();
  byContent.set(content, deepFreeze(definition));
  return definition;
}
