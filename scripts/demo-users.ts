/**
 * Demo users of the pilot: for each area an operator per service, a supervisor, a coordinator and
 * an auditor, plus one admin. Ids and names are pseudonymous role labels, never real people.
 * Shared by the seed (which writes them) and `npm run token` (which falls back to this list when
 * no database is reachable).
 */
import type { Role } from '../domain/pathway-schema';

export interface DemoUser {
  id: string;
  name: string;
  roles: Role[];
  areas: string[];
  services: string[];
}

export const demoAreaNames = { grosseto: 'Grosseto', pistoia: 'Pistoia', livorno: 'Livorno', lucca: 'Lucca' } as const;
export const demoServiceKeys = ['outreach', 'oss', 'social', 'employment'] as const;

function usersOfArea(areaId: keyof typeof demoAreaNames): DemoUser[] {
  const area = demoAreaNames[areaId];
  const operator = (id: string, name: string, service: string): DemoUser => ({ id: `${id}-${areaId}`, name: `${name} ${area}`, roles: ['operator'], areas: [areaId], services: [service] });
  const overseer = (id: string, name: string, role: Role): DemoUser => ({ id: `${id}-${areaId}`, name: `${name} ${area}`, roles: [role], areas: [areaId], services: [...demoServiceKeys] });
  return [
    operator('outreach-operator', 'Unità di strada', 'outreach'),
    operator('oss-operator', 'Operatore OSS', 'oss'),
    operator('social-worker', 'Assistente sociale', 'social'),
    operator('cpi-counsellor', 'Operatore CPI', 'employment'),
    overseer('supervisor', 'Responsabile di area', 'supervisor'),
    overseer('coordinator', 'Coordinatore di zona', 'coordinator'),
    overseer('auditor', 'Auditor', 'auditor'),
  ];
}

export const demoUsers: DemoUser[] = [
  ...(Object.keys(demoAreaNames) as Array<keyof typeof demoAreaNames>).flatMap(usersOfArea),
  { id: 'admin', name: 'Amministratore', roles: ['admin'], areas: Object.keys(demoAreaNames), services: [...demoServiceKeys] },
];

/** A demo user's work address for notifications, on the reserved `.invalid` domain so no real mailbox is ever written to. */
export function demoEmailOf(userId: string): string {
  return `${userId}@demo.reticulate.invalid`;
}

/** A demo service account for integrations (e.g. a shelter's intake system recording first contacts); its secret is made at first seed. */
export const demoServiceAccounts: DemoUser[] = [
  { id: 'demo-shelter-integration', name: 'Integrazione dormitorio S.E.F.A. (demo)', roles: ['operator'], areas: ['livorno'], services: ['outreach'] },
];
