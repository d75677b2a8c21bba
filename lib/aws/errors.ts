/**
 * AWS failures mapped to our own codes, by error name (never by message text).
 * Expected failures become results in the domain layer; anything unmapped stays 'Unknown'
 * and is allowed to reach error.tsx.
 */

export type AwsErrorCode =
  | 'NoSuchEntity'
  | 'EntityAlreadyExists'
  | 'EntityTemporarilyUnmodifiable'
  | 'LimitExceeded'
  | 'InvalidAuthenticationCode'
  | 'InvalidInput'
  | 'DeleteConflict'
  | 'ConcurrentModification'
  | 'Throttled'
  | 'AccessDenied'
  | 'InvalidCredentials'
  | 'ExpiredCredentials'
  | 'ServiceFailure'
  | 'Unreachable'
  | 'Unknown';

const byName: Record<string, AwsErrorCode> = {
  NoSuchEntity: 'NoSuchEntity',
  NoSuchEntityException: 'NoSuchEntity',
  EntityAlreadyExists: 'EntityAlreadyExists',
  EntityAlreadyExistsException: 'EntityAlreadyExists',
  EntityTemporarilyUnmodifiable: 'EntityTemporarilyUnmodifiable',
  EntityTemporarilyUnmodifiableException: 'EntityTemporarilyUnmodifiable',
  LimitExceeded: 'LimitExceeded',
  LimitExceededException: 'LimitExceeded',
  InvalidAuthenticationCode: 'InvalidAuthenticationCode',
  InvalidAuthenticationCodeException: 'InvalidAuthenticationCode',
  InvalidInput: 'InvalidInput',
  InvalidInputException: 'InvalidInput',
  ValidationError: 'InvalidInput',
  DeleteConflict: 'DeleteConflict',
  DeleteConflictException: 'DeleteConflict',
  ConcurrentModification: 'ConcurrentModification',
  ConcurrentModificationException: 'ConcurrentModification',
  Throttling: 'Throttled',
  ThrottlingException: 'Throttled',
  TooManyRequestsException: 'Throttled',
  RequestLimitExceeded: 'Throttled',
  AccessDenied: 'AccessDenied',
  AccessDeniedException: 'AccessDenied',
  UnauthorizedOperation: 'AccessDenied',
  InvalidClientTokenId: 'InvalidCredentials',
  SignatureDoesNotMatch: 'InvalidCredentials',
  IncompleteSignature: 'InvalidCredentials',
  UnrecognizedClientException: 'InvalidCredentials',
  MissingAuthenticationToken: 'InvalidCredentials',
  ExpiredToken: 'ExpiredCredentials',
  ExpiredTokenException: 'ExpiredCredentials',
  ServiceFailure: 'ServiceFailure',
  ServiceFailureException: 'ServiceFailure',
  InternalFailure: 'ServiceFailure',
  ServiceUnavailable: 'ServiceFailure',
  ServiceUnavailableException: 'ServiceFailure',
};

const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'TimeoutError']);

export class AwsError extends Error {
  constructor(
    readonly code: AwsErrorCode,
    readonly operation: string,
    readonly awsName: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} failed: ${awsName} (${code})`, options);
    this.name = 'AwsError';
  }
}

export function classifyAwsError(error: unknown): { code: AwsErrorCode; name: string } {
  if (error instanceof AwsError) return { code: error.code, name: error.awsName };
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const name = e?.name ?? 'Error';
  if (byName[name]) return { code: byName[name], name };
  if (e?.code && networkCodes.has(e.code)) return { code: 'Unreachable', name: e.code };
  if (networkCodes.has(name)) return { code: 'Unreachable', name };
  const status = e?.$metadata?.httpStatusCode;
  if (status === 429) return { code: 'Throttled', name };
  if (status !== undefined && status >= 500) return { code: 'ServiceFailure', name };
  return { code: 'Unknown', name };
}

/** Wraps an SDK call so every failure leaves lib/aws as an AwsError with our code. */
export async function awsCall<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const { code, name } = classifyAwsError(error);
    throw new AwsError(code, operation, name, { cause: error });
  }
}

export const isAwsError = (error: unknown, ...codes: AwsErrorCode[]): error is AwsError =>
  error instanceof AwsError && (codes.length === 0 || codes.includes(error.code));
