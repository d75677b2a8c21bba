/**
 * The emails moto's SES has accepted (it sends nothing; it keeps them). moto 5.2 has no SES-specific
 * /moto-api route: its model dump, GET {motoUrl}/moto-api/data.json, lists every tracked model instance, and
 * `ses.Message` holds each SendEmail (v1, and v2's Simple content, which moto hands to the same backend).
 * For SES v2, `body` is the HTML part when one was sent, else the text part. Messages of every account and
 * region are listed together, oldest first, and stay until moto restarts: filter by recipient.
 */

export type CapturedEmail = {
  id: string;
  source: string;
  subject: string;
  body: string;
  to: string[];
  cc: string[];
  bcc: string[];
};

type MotoMessage = { id: string; source: string; subject: string; body: string; destinations: Record<string, string[] | undefined> };

export async function capturedEmails(motoUrl: string): Promise<CapturedEmail[]> {
  const res = await fetch(`${motoUrl.replace(/\/+$/, '')}/moto-api/data.json`);
  if (!res.ok) throw new Error(`moto's model dump answered HTTP ${res.status}`);
  const data = (await res.json()) as { ses?: { Message?: MotoMessage[] } };
  return (data.ses?.Message ?? []).map((m) => ({
    id: m.id,
    source: m.source,
    subject: m.subject,
    body: m.body,
    // SES v2 sends Destination as given (ToAddresses…); SES v1's query form arrives the same way.
    to: m.destinations.ToAddresses ?? [],
    cc: m.destinations.CcAddresses ?? [],
    bcc: m.destinations.BccAddresses ?? [],
  }));
}

/** The captured emails to one address. */
export async function capturedEmailsTo(motoUrl: string, address: string): Promise<CapturedEmail[]> {
  const wanted = address.toLowerCase();
  return (await capturedEmails(motoUrl)).filter((m) => [...m.to, ...m.cc, ...m.bcc].some((a) => a.toLowerCase() === wanted));
}
