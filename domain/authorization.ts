/**
 * The role × action matrix. Every protected route names one action in its route config
 * (`config: { action: 'cases.read' }`); the API refuses a request whose actor has none of the roles
 * listed for it. The matrix and the object-level rules on top of it (areas, services, roles) live
 * together in domain/access.ts; this module keeps the matrix's original import path.
 */
export { actionMatrix, mayPerform, type Action } from './access';
