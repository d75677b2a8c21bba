import { describe, expect, it } from 'vitest';
import { AwsError, awsCall, classifyAwsError, isAwsError } from './errors';

const sdkError = (name: string, status?: number) => Object.assign(new Error('message text is never used'), { name, $metadata: { httpStatusCode: status } });

describe('classifyAwsError', () => {
  it('maps by error name, not message', () => {
    expect(classifyAwsError(sdkError('NoSuchEntityException', 404)).code).toBe('NoSuchEntity');
    expect(classifyAwsError(sdkError('SignatureDoesNotMatch', 403)).code).toBe('InvalidCredentials');
    expect(classifyAwsError(sdkError('InvalidClientTokenId', 403)).code).toBe('InvalidCredentials');
    expect(classifyAwsError(sdkError('Throttling', 400)).code).toBe('Throttled');
    expect(classifyAwsError(sdkError('InvalidAuthenticationCode', 403)).code).toBe('InvalidAuthenticationCode');
  });
  it('falls back on HTTP status and network codes', () => {
    expect(classifyAwsError(sdkError('Weird', 503)).code).toBe('ServiceFailure');
    expect(classifyAwsError(sdkError('Weird', 429)).code).toBe('Throttled');
    expect(classifyAwsError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).code).toBe('Unreachable');
    expect(classifyAwsError(sdkError('Weird', 400)).code).toBe('Unknown');
  });
});

describe('awsCall', () => {
  it('wraps failures as AwsError with the operation and keeps the cause', async () => {
    const cause = sdkError('EntityAlreadyExistsException', 409);
    const error = await awsCall('iam:CreateVirtualMFADevice', () => Promise.reject(cause)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect(isAwsError(error, 'EntityAlreadyExists')).toBe(true);
    expect(isAwsError(error, 'NoSuchEntity')).toBe(false);
    expect((error as AwsError).operation).toBe('iam:CreateVirtualMFADevice');
    expect((error as AwsError).cause).toBe(cause);
  });
  it('passes results through', async () => {
    await expect(awsCall('x', async () => 42)).resolves.toBe(42);
  });
});
