import 'server-only';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { baseClientConfig } from './clients';
import { withCallMetrics } from './call-metrics';
import { classifyAwsError, type AwsErrorCode } from './errors';

/**
 * Amazon SES v2, with the portal's own credentials (the SDK's default chain, as STS) in the configured region.
 * Only our types leave this module: a message in, a message id or a classified failure out.
 */

export type EmailMessage = {
  from: string;
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
};

/** SES's own refusals, beside the codes every AWS call can fail with. */
export type EmailFailureCode = 'Rejected' | 'SenderNotVerified' | 'SendingPaused' | AwsErrorCode;

export type EmailResult = { ok: true; messageId: string } | { ok: false; code: EmailFailureCode; name: string; message: string };

const sesNames: Record<string, EmailFailureCode> = {
  MessageRejected: 'Rejected',
  MailFromDomainNotVerifiedException: 'SenderNotVerified',
  AccountSuspendedException: 'SendingPaused',
  SendingPausedException: 'SendingPaused',
  NotFoundException: 'SenderNotVerified',
  BadRequestException: 'InvalidInput',
};

let client: SESv2Client | undefined;

function sesClient(): SESv2Client {
  // The SDK retries throttling and 5xx itself (adaptive mode, see baseClientConfig) before a send fails.
  client ??= withCallMetrics(new SESv2Client(baseClientConfig()));
  return client;
}

/** The failure of a send, by error name (never message text), with AWS's message for the record. */
export function toEmailFailure(error: unknown): Extract<EmailResult, { ok: false }> {
  const e = error as { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const classified = classifyAwsError(error);
  if (typeof e?.$fault === 'string') {
    const name = e.name ?? 'Error';
    // SES's messages name the sender or recipient at most; the first line is enough for a record row.
    return { ok: false, code: sesNames[name] ?? classified.code, name, message: (e.message ?? '').split('\n')[0]!.slice(0, 300) };
  }
  // Not a modelled AWS error: an error response the SDK could not read (a proxy, a gateway), or no response at all.
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined) return { ok: false, code: classified.code, name: `HTTP ${status}`, message: `SES answered with an error the SDK could not read (${classified.code})` };
  return { ok: false, code: classified.code, name: classified.name, message: classified.code === 'Unreachable' ? 'SES could not be reached' : (e?.message ?? '').split('\n')[0]!.slice(0, 300) };
}

/** Sends one message; expected failures (rejected, unverified sender, throttled after retries) are results. */
export async function sendEmail(m: EmailMessage): Promise<EmailResult> {
  try {
    const out = await sesClient().send(
      new SendEmailCommand({
        FromEmailAddress: m.from,
        Destination: { ToAddresses: Array.isArray(m.to) ? m.to : [m.to] },
        Content: {
          Simple: {
            Subject: { Data: m.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: m.text, Charset: 'UTF-8' },
              ...(m.html ? { Html: { Data: m.html, Charset: 'UTF-8' } } : {}),
            },
          },
        },
      }),
    );
    if (!out.MessageId) return { ok: false, code: 'ServiceFailure', name: 'MissingMessageId', message: 'SES accepted the message but returned no message id' };
    return { ok: true, messageId: out.MessageId };
  } catch (error) {
    return toEmailFailure(error);
  }
}

/** For tests: forget the cached client (its configuration is read once). */
export function resetSesClient(): void {
  client?.destroy();
  client = undefined;
}
