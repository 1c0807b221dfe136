/**
 * Failure converter of clients and workers (loaded by path, so it also runs in the workflow sandbox):
 * failure messages and stack traces travel as an encoded payload, so the codec encrypts them like
 * any other payload and no personal data in an error message reaches Temporal in clear.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
