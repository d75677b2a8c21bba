/**
 * Request ids: taken from the incoming `x-request-id` when it is a short token (a load balancer's or a caller's id
 * ties their logs to ours), otherwise made here. Nothing else of the header reaches a log line.
 */

export const REQUEST_ID_HEADER = 'x-request-id';

const TOKEN = /^[A-Za-z0-9._:-]{1,64}$/;

export const isRequestId = (value: string | null | undefined): value is string => typeof value === 'string' && TOKEN.test(value);

export const newRequestId = (): string => crypto.randomUUID();

/** The id to use for a request with these headers. */
export const requestIdFrom = (headers: Pick<Headers, 'get'>): string => {
  const given = headers.get(REQUEST_ID_HEADER);
  return isRequestId(given) ? given : newRequestId();
};
