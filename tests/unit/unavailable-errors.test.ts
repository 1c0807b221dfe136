/**
 * Which failures the API answers 503 (retry later, safe with the same Idempotency-Key) rather than
 * 500: Temporal's "not now" gRPC codes under the client's wrappers, PostgreSQL's connection errors.
 */
import { ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { errors as nativeErrors } from '@temporalio/core-bridge';
import { isUnavailableError, loggable } from '../../api/plugins/problems';

/** A gRPC error as @grpc/grpc-js raises it: a code, details and metadata. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

describe('unavailable errors', () => {
  it.each([
    [4, 'deadline exceeded'],
    [8, 'resource exhausted'],
    [10, 'aborted'],
    [13, 'internal'],
    [14, 'unavailable'],
  ])('answers 503 for a Temporal Update failing with gRPC code %i (%s)', (code, details) => {
    expect(isUnavailableError(new ServiceError('Workflow Update failed', { cause: grpcError(code, details) }))).toBe(true);
  });

  it("reads the API's own client the same: the Rust core's ServiceError (NativeConnection), 503 for unavailable, not for invalid argument", () => {
    const native = (code: number, details: string) => nativeErrors.ServiceError.fromNative({ name: 'ServiceError', message: `${code} ${details}`, code, details, metadata: {} });
    expect(isUnavailableError(native(14, 'connection refused'))).toBe(true);
    expect(isUnavailableError(new ServiceError('Workflow Update failed', { cause: native(4, 'deadline exceeded') }))).toBe(true);
    expect(isUnavailableError(new ServiceError('Workflow Update failed', { cause: native(3, 'invalid argument') }))).toBe(false);
  });

  it.each([
    [3, 'invalid argument'],
    [7, 'permission denied'],
    [9, 'failed precondition'],
  ])('keeps gRPC code %i (%s) a server error: retrying would not help', (code, details) => {
    expect(isUnavailableError(new ServiceError('Workflow Update failed', { cause: grpcError(code, details) }))).toBe(false);
  });

  it("answers 503 while Temporal refuses Updates because the case's workflow task keeps failing", () => {
    const refused = grpcError(9, 'Unable to perform workflow execution update due to Workflow Task in failed state.');
    expect(isUnavailableError(new ServiceError('Workflow Update failed', { cause: refused }))).toBe(true);
  });

  it('answers 503 for an Update the server dropped because no worker took it up', () => {
    const dropped = ApplicationFailure.create({ message: "Workflow Update is rejected because it wasn't processed by worker. Probably, Workflow Update is not supported by the worker." });
    expect(isUnavailableError(new WorkflowUpdateFailedError('Workflow Update failed', dropped))).toBe(true);
    // A refusal by the case's own validator is a 4xx elsewhere, never "unavailable".
    expect(isUnavailableError(new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type: 'CommandRejected', message: 'the task is completed' })))).toBe(false);
  });

  it('answers 503 for an Update call that timed out, and for PostgreSQL going away', () => {
    expect(isUnavailableError(new WorkflowUpdateRPCTimeoutOrCancelledError('timeout'))).toBe(true);
    expect(isUnavailableError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnavailableError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isUnavailableError(new TypeError('x is undefined'))).toBe(false);
  });

  it("logs the cause's type and code beside the error", () => {
    const logged = loggable(new ServiceError('Workflow Update failed', { cause: grpcError(13, 'internal') }));
    expect(logged).toMatchObject({ message: 'Workflow Update failed', cause: { code: 13, message: '13 internal' } });
  });
});
