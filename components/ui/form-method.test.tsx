import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { ActionForm } from './action-form';
import { AccessKeySignIn } from '@/components/auth/sign-in-forms';

// Before hydration (or without JavaScript) a form without a method is sent as a GET, its fields in the URL:
// a code or a secret access key would land in the address bar, the history and the server's access log.
const formTags = (html: string) => html.match(/<form\b[^>]*>/g) ?? [];

describe('forms that carry a secret or change state post', () => {
  it('every server-action form (ActionForm) renders method="post"', () => {
    const html = renderToStaticMarkup(
      <ActionForm action={() => undefined} aria-label="Add a device">
        <input name="code" />
      </ActionForm>,
    );
    expect(formTags(html)).toEqual([expect.stringContaining('method="post"')]);
  });

  it('the access-key sign-in form renders method="post"', () => {
    const html = renderToStaticMarkup(<AccessKeySignIn callbackUrl="/" />);
    expect(html).toContain('name="secretAccessKey"');
    expect(formTags(html)).toEqual([expect.stringContaining('method="post"')]);
  });
});
