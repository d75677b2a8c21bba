/** Sign-in failure codes and the words a person sees for them. Shared by server and sign-in page. */
export const signInErrors = {
  InvalidInput: 'Enter an access key ID (20 characters, starting AKIA or ASIA) and its secret access key.',
  InvalidKeys: 'AWS did not accept these access keys. Check the key ID and secret, and that the key is active.',
  ExpiredKeys: 'These temporary credentials have expired. Create new ones and try again.',
  RootKeys: 'These are root user keys. Sign in with the keys of your IAM user instead — and delete root access keys.',
  NotIamUser: 'These keys belong to a role or federated session, not an IAM user. Use your IAM user\'s own access keys.',
  UnmanagedAccount: 'These keys belong to an AWS account this portal does not manage. Ask your administrator to add it.',
  AwsUnavailable: 'AWS could not be reached to check your sign-in. Try again in a minute.',
  TooManyAttempts: 'Too many failed sign-ins with these keys or from this network. Try again later: the limit lifts as old failures age out (15 minutes by default).',
  EmailNotVerified: 'Your identity provider has not verified your email address, so it cannot be matched to IAM users.',
  OAuthSignin: 'Could not start sign-in with your identity provider. Try again.',
  OAuthCallback: 'Your identity provider\'s answer could not be verified. Try signing in again.',
  AccessDenied: 'Sign-in was refused.',
  SessionRequired: 'Please sign in to continue.',
  Default: 'Sign-in failed. Try again.',
} as const;

export type SignInErrorCode = keyof typeof signInErrors;

export function signInMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  return (signInErrors as Record<string, string>)[code] ?? signInErrors.Default;
}
