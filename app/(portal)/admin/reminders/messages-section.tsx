import { getDb } from '@/lib/db/client';
import { hasRole } from '@/lib/auth/roles';
import type { Actor } from '@/lib/auth/types';
import { getEnv } from '@/lib/env';
import { formatDateTime } from '@/lib/format';
import { listManagedAccounts } from '@/lib/accounts/registry';
import { getEscalateSteps, listAccountContacts, listOwnerContacts, organizationsEmails } from '@/lib/program/messages/contacts';
import { listTemplates } from '@/lib/program/messages/store';
import { previewSample } from '@/lib/program/messages/test-send';
import { Card } from '@/components/ui/card';
import { AccountContactForm, EscalateStepsForm, OwnerContactForm } from './escalation-forms';
import { TemplateEditor } from './template-editor';

/** Escalation (when, to whom) and the message templates: the security team edits, admins read. */
export async function MessagesSection({ actor }: { actor: Actor }) {
  const db = await getDb();
  const canEdit = hasRole(actor.roles, 'security');
  const [steps, owners, contacts, organizations, accounts, templates, sample] = await Promise.all([
    getEscalateSteps(db),
    listOwnerContacts(db, actor),
    listAccountContacts(db, actor),
    organizationsEmails(db),
    listManagedAccounts(),
    listTemplates(db, actor),
    previewSample(actor),
  ]);
  const contactOf = new Map(contacts.map((c) => [c.accountId, c.email]));
  const tagKey = getEnv().MFA_OWNER_TAG_KEY;
  return (
    <>
      <Card aria-labelledby="escalation-heading">
        <h2 id="escalation-heading" className="text-lg font-semibold">
          Escalation
        </h2>
        <p className="mt-1 text-sm text-slate-700" data-testid="escalation-summary">
          {steps === 0
            ? 'Reminders do not escalate.'
            : `At the last ${steps === 1 ? 'step' : `${steps} steps`}, the email also goes to the IAM user’s owner (its ${tagKey} tag: an address, or a name listed below) and to its account’s contact, each once.`}
        </p>
        {canEdit && (
          <div className="mt-3">
            <EscalateStepsForm value={steps} />
          </div>
        )}
        <div className="mt-4 grid gap-6 lg:grid-cols-2">
          <section aria-labelledby="owners-heading">
            <h3 id="owners-heading" className="font-semibold">
              Owners
            </h3>
            <p className="text-sm text-slate-700">For {tagKey} tags that hold a name rather than an address.</p>
            <ul className="mt-2 space-y-1 text-sm" data-testid="owner-contacts">
              {owners.length === 0 && <li className="text-slate-600">None yet.</li>}
              {owners.map((o) => (
                <li key={o.owner} className="break-all">
                  <span className="font-medium">{o.owner}</span>: {o.email}
                </li>
              ))}
            </ul>
            {canEdit && (
              <div className="mt-3">
                <OwnerContactForm />
              </div>
            )}
          </section>
          <section aria-labelledby="contacts-heading">
            <h3 id="contacts-heading" className="font-semibold">
              Account contacts
            </h3>
            <ul className="mt-2 space-y-1 text-sm" data-testid="account-contacts">
              {accounts.map((a) => (
                <li key={a.id} className="break-all">
                  <span className="font-medium">{a.label === a.id ? a.id : `${a.label} (${a.id})`}</span>: {contactOf.get(a.id) ?? (organizations.get(a.id) ? `${organizations.get(a.id)} (its email in AWS Organizations)` : 'no contact')}
                </li>
              ))}
            </ul>
            {canEdit && (
              <div className="mt-3">
                <AccountContactForm accounts={accounts.map((a) => ({ ...a, email: contactOf.get(a.id) ?? null }))} />
              </div>
            )}
          </section>
        </div>
      </Card>

      <Card aria-labelledby="templates-heading">
        <h2 id="templates-heading" className="text-lg font-semibold">
          Message templates
        </h2>
        <p className="mt-1 text-sm text-slate-700">
          {canEdit ? 'Edit what each message says. ' : 'The security team edits these. '}
          The preview uses {sample.label}. Placeholders such as <code>{'{{userName}}'}</code> are replaced when a message is sent; any other is refused.
        </p>
        <div className="mt-3 space-y-3">
          {templates.map((t) => (
            <TemplateEditor
              key={`${t.kind}-${t.channel}`}
              template={{ ...t, updatedAt: t.updatedAt ? formatDateTime(t.updatedAt) : null }}
              sample={sample.values}
              canEdit={canEdit}
              testTo={actor.email ?? 'you'}
            />
          ))}
        </div>
      </Card>
    </>
  );
}
