/** The proxy's fault rules (see proxy.ts): what a rule may say, and the checks on rules sent over HTTP. */

export type FaultKind = 'throttle' | '5xx' | 'latency';

export type FaultRule = {
  /** The operation name (`Action` of a query request, the part after the dot of `X-Amz-Target`), or '*'. */
  action: string;
  kind: FaultKind;
  /** How many matching requests the rule affects (default 1, at most 1000); then it is gone. */
  times?: number;
  /** For 'latency': the delay in ms before the request is passed on (default 1000, at most 60000). */
  latencyMs?: number;
  /** For '5xx': 503 ServiceUnavailable (default) or 500 InternalFailure. */
  status?: 500 | 503;
};

export type ActiveFault = Required<Pick<FaultRule, 'action' | 'kind' | 'times'>> & Pick<FaultRule, 'latencyMs' | 'status'>;

const MAX_TIMES = 1000;
const MAX_LATENCY_MS = 60_000;

/** Checks and normalises rules; throws a message meant for whoever sent them. */
export function parseFaultRules(input: unknown): ActiveFault[] {
  const list = Array.isArray(input)
    ? input
    : input !== null && typeof input === 'object' && 'rules' in input
      ? (input as { rules: unknown }).rules
      : [input];
  if (!Array.isArray(list)) throw new Error('rules must be an array');
  return list.map((raw, i) => {
    if (raw === null || typeof raw !== 'object') throw new Error(`rule ${i}: not an object`);
    const rule = raw as Record<string, unknown>;
    const { action, kind } = rule;
    if (typeof action !== 'string' || !/^(\*|[A-Za-z0-9]+)$/.test(action)) throw new Error(`rule ${i}: action must be an operation name or '*'`);
    if (kind !== 'throttle' && kind !== '5xx' && kind !== 'latency') throw new Error(`rule ${i}: kind must be throttle, 5xx or latency`);
    const times = rule.times ?? 1;
    if (typeof times !== 'number' || !Number.isInteger(times) || times < 1 || times > MAX_TIMES) {
      throw new Error(`rule ${i}: times must be an integer from 1 to ${MAX_TIMES}`);
    }
    const fault: ActiveFault = { action, kind, times };
    if (kind === 'latency') {
      const latencyMs = rule.latencyMs ?? 1000;
      if (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > MAX_LATENCY_MS) {
        throw new Error(`rule ${i}: latencyMs must be a number from 0 to ${MAX_LATENCY_MS}`);
      }
      fault.latencyMs = latencyMs;
    }
    if (kind === '5xx') {
      const status = rule.status ?? 503;
      if (status !== 500 && status !== 503) throw new Error(`rule ${i}: status must be 500 or 503`);
      fault.status = status;
    }
    return fault;
  });
}
