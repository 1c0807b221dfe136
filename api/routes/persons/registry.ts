/**
 * The person registry as the routes use it: codice fiscale checks at the edge, and searches
 * answered within the actor's scope. A matching person with a case in the actor's areas is shown;
 * one known only elsewhere becomes "known in area X, ask service Y", without any id or datum.
 */
import { caseHasEnded } from '../../../domain/case-state';
import { codiceFiscaleProblem, normaliseCodiceFiscale } from '../../../domain/codice-fiscale';
import type { Queryable } from '../../../infra/db/pool';
import { findIdentity, findPersonIds, placementsOf, shortAliasOf, type PersonPlacement, type PersonQuery } from '../../../infra/db/person-registry-repository';
import type { AuthenticatedActor } from '../../auth/actor-cache';
import { seesArea } from '../../auth/permissions';
import { problem } from '../../plugins/problems';
import { problemTypes } from '../../schemas/problem';
import type { PersonSearchBody, PersonSearchResult, PersonView } from '../../schemas/persons';

const problemOfCode = {
  format: 'not a codice fiscale: 16 characters, 6 letters, then date and place (digits or omocodic letters) and a check letter',
  day: 'the day of birth is not 01–31 or 41–71',
  checksum: 'the check character does not match: a character was mistyped',
} as const;

/** The normalised codice fiscale, or 422 `invalid_data` at the given body path. */
export function checkedCodiceFiscale(raw: string, path: (string | number)[]): string {
  const code = normaliseCodiceFiscale(raw);
  const issue = codiceFiscaleProblem(code);
  if (issue) throw problem.unprocessable(problemTypes.invalidData, 'invalid codice fiscale', [{ path, message: problemOfCode[issue], code: `codice_fiscale_${issue}`, location: 'body' }]);
  return code;
}

/** The query a search body means (its shape was checked by the schema: exactly one mode). */
export function queryOf(body: PersonSearchBody, pathPrefix: (string | number)[] = []): PersonQuery {
  if (body.codiceFiscale !== undefined) return { codiceFiscale: checkedCodiceFiscale(body.codiceFiscale, [...pathPrefix, 'codiceFiscale']) };
  if (body.alias !== undefined) return { alias: body.alias };
  return { name: body.name as string, birthYear: body.birthYear as number };
}

/** Whether the actor may see the person: one of their cases, or the place their identity was recorded, is in the actor's areas. */
export function personInScope(actor: AuthenticatedActor, placement: PersonPlacement): boolean {
  if (placement.erased) return false;
  return placement.cases.some((item) => seesArea(actor, item.areaId)) || (placement.identityArea !== null && seesArea(actor, placement.identityArea.areaId));
}

/** The area a person's identity or documents are recorded in: the first of the actor's areas where they have a case, else where their identity was recorded. */
export function recordingAreaOf(actor: AuthenticatedActor, placement: PersonPlacement): string | undefined {
  return placement.cases.find((item) => seesArea(actor, item.areaId))?.areaId ?? placement.identityArea?.areaId;
}

/** The person as the actor may see them: identity and their cases in the actor's areas only. */
export async function personViewOf(db: Queryable, actor: AuthenticatedActor, placement: PersonPlacement): Promise<PersonView> {
  const identity = await findIdentity(db, placement.personId);
  return {
    personId: placement.personId,
    shortAlias: identity ? shortAliasOf(identity) : null,
    codiceFiscale: identity?.codiceFiscale ?? null,
    givenName: identity?.givenName ?? null,
    familyName: identity?.familyName ?? null,
    birthYear: identity?.birthYear ?? null,
    aliases: identity?.aliases ?? [],
    recordedInArea: identity?.areaId ?? null,
    cases: placement.cases
      .filter((item) => seesArea(actor, item.areaId))
      .map(({ caseId, reference, areaId, status, pathwayKey }) => ({ caseId, reference, areaId, status, pathwayKey })),
  };
}

/** The placement of one person in the actor's scope, or null (unknown, erased or outside it: all the same to the caller). */
export async function visiblePlacement(db: Queryable, actor: AuthenticatedActor, personId: string): Promise<PersonPlacement | null> {
  const [placement] = await placementsOf(db, [personId]);
  return placement && personInScope(actor, placement) ? placement : null;
}

/** Where the people known only outside the actor's areas are known, and whom to contact there. */
async function elsewhereOf(db: Queryable, actor: AuthenticatedActor, placements: PersonPlacement[]): Promise<PersonSearchResult['elsewhere']> {
  const services = new Map<string, Set<string>>();
  const note = (areaId: string, service: string | null | undefined) => {
    if (seesArea(actor, areaId)) return;
    const set = services.get(areaId) ?? new Set<string>();
    if (service) set.add(service);
    services.set(areaId, set);
  };
  for (const placement of placements) {
    for (const item of placement.cases) {
      if (caseHasEnded(item.status)) continue;
      if (item.openServices.length === 0) note(item.areaId, null);
      for (const service of item.openServices) note(item.areaId, service);
    }
    if (placement.identityArea) note(placement.identityArea.areaId, placement.identityArea.service);
  }
  if (services.size === 0) return [];
  const { rows: areas } = await db.query<{ id: string; name: string }>('SELECT id, name FROM areas WHERE id = ANY($1) ORDER BY id', [[...services.keys()]]);
  const { rows: serviceRows } = await db.query<{ key: string; name: string }>('SELECT key, name FROM services');
  const serviceName = new Map(serviceRows.map((row) => [row.key, row.name]));
  return areas.map((area) => {
    const named = [...(services.get(area.id) ?? [])];
    // Nobody holds the person there now (a closed case): the area's front desk is where to ask.
    const contacts = named.length > 0 ? named : serviceName.has('oss') ? ['oss'] : [];
    return { areaId: area.id, areaName: area.name, contactServices: contacts.sort().map((service) => ({ service, name: serviceName.get(service) ?? service })) };
  });
}

/** A search answered within the actor's scope: their matches in full, the others as areas to contact. */
export async function searchPersons(db: Queryable, actor: AuthenticatedActor, query: PersonQuery): Promise<PersonSearchResult> {
  const placements = (await placementsOf(db, await findPersonIds(db, query))).filter((placement) => !placement.erased);
  const visible = placements.filter((placement) => personInScope(actor, placement));
  const hidden = placements.filter((placement) => !personInScope(actor, placement));
  return {
    matches: await Promise.all(visible.map((placement) => personViewOf(db, actor, placement))),
    elsewhere: await elsewhereOf(db, actor, hidden),
  };
}
