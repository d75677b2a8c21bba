export type Role = 'member' | 'admin' | 'security';
export type SignInMethod = 'oidc' | 'aws-keys';

/** One IAM user the signed-in person owns. */
export type Principal = { accountId: string; userName: string; arn: string };

/** The signed-in person, as every server action, route handler and page sees them. */
export type Actor = {
  /** Stable id for audit: the person's email, or the IAM user ARN for access-key sign-in. */
  id: string;
  email: string | null;
  name: string;
  method: SignInMethod;
  roles: Role[];
  principals: Principal[];
  /** When the person last proved who they are (epoch seconds); used for re-authentication gates. */
  authTime: number;
};

/** What a successful sign-in establishes; stored in the JWT session. */
export type PortalIdentity = Omit<Actor, 'authTime'>;
