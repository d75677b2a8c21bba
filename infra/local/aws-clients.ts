import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

export type AwsCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

export type AwsTarget = { endpoint: string; region: string };

export const iamClient = (target: AwsTarget, credentials: AwsCredentials) =>
  new IAMClient({ endpoint: target.endpoint, region: target.region, credentials });

export const stsClient = (target: AwsTarget, credentials: AwsCredentials) =>
  new STSClient({ endpoint: target.endpoint, region: target.region, credentials });

export async function assumeRole(
  target: AwsTarget,
  credentials: AwsCredentials,
  roleArn: string,
  options: { sessionName: string; externalId?: string },
): Promise<AwsCredentials> {
  const sts = stsClient(target, credentials);
  try {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: options.sessionName, ExternalId: options.externalId }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}
