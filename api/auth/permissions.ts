/**
 * The routes' import path for the access rules, which live in domain/access.ts (one module for
 * routes, the workflow's validators, bulk interventions and notification matching). What a role may
 * DO is the matrix, enforced for every route by api/plugins/authorization.ts from the route's
 * `config.action`; the object-level scope comes on top of it. Reads are filtered by scope and an
 * object outside it is "not found" (404), never its content.
 *
 * - operator: cases of their areas; tasks of their areas and services
 * - supervisor, coordinator, auditor: cases and tasks of their areas, every service
 * - admin: everything
 *
 * Special-category form fields are further restricted per field (domain/field-access.ts).
 */
export { isAdmin, mayPerform, mayStartCase, readScopeOf, seesArea, seesObject } from '../../domain/access';
