/**
 * The typed API client (openapi-fetch over the types generated from /openapi.json by
 * `npm run openapi`). Every request carries the signed-in person's bearer token; a 401 sends them
 * back to sign-in. `unwrap` turns an answer into its data or a `ProblemError`.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { ProblemError } from './problem';

/** Named schemas of the API (`Schemas['Task']`, ...). */
export type Schemas = components['schemas'];

let accessToken: string | null = null;
let onUnauthorized: () => void = () => undefined;

/** Sets the token sent with every request and what happens when the API refuses it. */
export function configureAuth(token: string | null, whenUnauthorized: () => void): void {
  accessToken = token;
  onUnauthorized = whenUnauthorized;
}

const authMiddleware: Middleware = {
  onRequest({ request }) {
    if (accessToken) request.headers.set('authorization', `Bearer ${accessToken}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401 && accessToken) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(authMiddleware);

/** The data of a successful answer; otherwise throws a ProblemError (RFC 9457 body, field issues). */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw new ProblemError(response.status, error ?? {});
}
