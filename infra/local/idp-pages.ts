/** The demo IdP's HTML: plain server-rendered pages, no script (except the logout auto-submit), usable with a keyboard and a screen reader. */

export const IDP_TITLE = 'Acme demo identity provider';
export const WRONG_CREDENTIALS = 'Wrong email or password.';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1b1f24; }
  main { max-width: 26rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: 0.5rem; box-shadow: 0 1px 3px rgb(0 0 0 / 0.2); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  label { display: block; font-weight: 600; margin-top: 1rem; }
  input { display: block; width: 100%; box-sizing: border-box; margin-top: 0.25rem; padding: 0.5rem; font-size: 1rem; border: 1px solid #6b7280; border-radius: 0.25rem; }
  button { margin-top: 1.5rem; margin-right: 0.5rem; padding: 0.6rem 1.2rem; font-size: 1rem; border-radius: 0.25rem; border: 1px solid #1d4ed8; background: #1d4ed8; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #1d4ed8; }
  :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
  [role="alert"] { margin-top: 1rem; padding: 0.75rem; border-left: 4px solid #b91c1c; background: #fef2f2; color: #7f1d1d; }
  .note { font-size: 0.9rem; color: #4b5563; }
`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${IDP_TITLE}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${IDP_TITLE}</h1>
${body}
</main>
</body>
</html>`;
}

export function loginPage(options: { action: string; email?: string; error?: boolean; clientName?: string }): string {
  const error = options.error ? `<p role="alert" id="signin-error">${WRONG_CREDENTIALS}</p>` : '';
  const described = options.error ? ' aria-describedby="signin-error" aria-invalid="true"' : '';
  const to = options.clientName ? ` to continue to ${escapeHtml(options.clientName)}` : '';
  return page(
    'Sign in',
    `<p>Sign in${to}.</p>
<p class="note">This is a local demo: the people and passwords are demo data, listed by <code>npm run demo</code>.</p>
${error}
<form method="post" action="${escapeHtml(options.action)}" novalidate>
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(options.email ?? '')}"${described}${options.error ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}${options.error ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** `form` is oidc-provider's hidden form (id "op.logoutForm") carrying its CSRF token. */
export function logoutPage(form: string): string {
  // The portal's sign-out already asked, so the page presses "Sign out" itself (the only script on these pages).
  // Without script both buttons remain, keyboard-usable.
  return page(
    'Sign out',
    `<p>Do you want to sign out of the demo identity provider too?</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>
<script>document.querySelector('button[name="logout"]').click();</script>`,
  );
}

export const signedOutPage = () => page('Signed out', '<p>You are signed out of the demo identity provider.</p>');

export const errorPage = (message: string) => page('Error', `<p role="alert">${escapeHtml(message)}</p>`);
