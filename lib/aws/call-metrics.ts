import 'server-only';
import type { DeserializeMiddleware, HandlerExecutionContext, InitializeMiddleware, MiddlewareStack } from '@aws-sdk/types';
import { metrics } from '@/lib/ops/metrics';
import { classifyAwsError } from './errors';

/**
 * Counts every AWS call the portal makes, by API and outcome (mfa_portal_aws_calls_total), and every throttled
 * attempt, retries included (mfa_portal_aws_throttles_total). Added to each SDK client where it is built
 * (clients.ts, sqs.ts, ses.ts, organizations.ts): a client built without it would not be counted.
 */

/** `iam:ListUsers` from the SDK's context (IAMClient, ListUsersCommand). */
export function apiName(context: Pick<HandlerExecutionContext, 'clientName' | 'commandName'>): string {
  const service = (context.clientName ?? 'unknown').replace(/Client$/, '').toLowerCase();
  const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
  return `${service}:${command}`;
}

/** success, throttled, or our error class (lib/aws/errors.ts): a bounded set, never the message text. */
export function callOutcome(error?: unknown): string {
  if (error === undefined) return 'success';
  const { code } = classifyAwsError(error);
  return code === 'Throttled' ? 'throttled' : code;
}

const callCounter: InitializeMiddleware<object, object> = (next, context) => async (args) => {
  const api = apiName(context);
  try {
    const out = await next(args);
    metrics().awsCalls.inc({ api, outcome: 'success' });
    return out;
  } catch (error) {
    metrics().awsCalls.inc({ api, outcome: callOutcome(error) });
    throw error;
  }
};

// The deserialize step runs inside the SDK's retry loop, so it sees each attempt, not only the last; at high priority
// it wraps the deserializer, which throws the parsed error.
const throttleCounter: DeserializeMiddleware<object, object> = (next, context) => async (args) => {
  try {
    return await next(args);
  } catch (error) {
    if (callOutcome(error) === 'throttled') metrics().awsThrottles.inc({ api: apiName(context) });
    throw error;
  }
};

/** Adds the counters to an SDK client; returns it. */
export function withCallMetrics<C extends { middlewareStack: object }>(client: C): C {
  const stack = client.middlewareStack as unknown as MiddlewareStack<object, object>;
  stack.add(callCounter, { step: 'initialize', name: 'mfaPortalCallMetrics', priority: 'high', override: true });
  stack.add(throttleCounter, { step: 'deserialize', name: 'mfaPortalThrottleMetrics', priority: 'high', override: true });
  return client;
}
