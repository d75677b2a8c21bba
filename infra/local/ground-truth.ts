import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/**
 * What the seed put into the local IAM, in machine-readable form, for tests and the demo. Key secrets
 * and demo passwords are included on purpose: this describes a throwaway local organisation.
 */

export const deviceTypes = ['virtual', 'hardware', 'fido'] as const;
export type DeviceType = (typeof deviceTypes)[number];

const device = z.object({
  serial: z.string(),
  type: z.enum(deviceTypes),
  /** Virtual: the device name; FIDO: the name part of the serial; hardware: the serial (IAM stores no name). */
  name: z.string(),
  /** FIDO only: what GetMFADevice reports ({} = none, as for a synced passkey). */
  certifications: z.record(z.string(), z.string()).optional(),
});

const user = z.object({
  accountId: z.string(),
  userName: z.string(),
  arn: z.string(),
  path: z.string(),
  /** The value of the email tag, exactly as tagged (absent when the user has none). */
  email: z.string().optional(),
  tags: z.record(z.string(), z.string()),
  groups: z.array(z.string()),
  consoleAccess: z.boolean(),
  devices: z.array(device),
  /** Serials of virtual devices created for this user but never enabled (a cancelled set-up). */
  leftoverVirtualDevices: z.array(z.string()),
  mfaState: z.enum(['enabled', 'none', 'leftover-only']),
  kind: z.enum(['human', 'service', 'break-glass']),
  /** A console user who never signed in: the credential report says no_information. */
  passwordNeverUsed: z.boolean(),
  /** When the seed dated the user's creation (GetAccountAuthorizationDetails CreateDate = report user_creation_time). */
  createdAt: z.string().optional(),
  /** The console sign-in the seed recorded (report password_last_used); null: never signed in or no console password. */
  passwordLastUsed: z.string().nullable().optional(),
  /** The demo person (people[].email) who owns this user. */
  owner: z.string().optional(),
});

const person = z.object({ email: z.string(), name: z.string(), password: z.string(), groups: z.array(z.string()) });

const accessKey = z.object({ accountId: z.string(), userName: z.string(), accessKeyId: z.string(), secretAccessKey: z.string() });

export const groundTruthSchema = z.object({
  generatedAt: z.string(),
  endpoint: z.string(),
  region: z.string(),
  hostingAccountId: z.string(),
  portal: z.object({ userName: z.string(), accessKeyId: z.string(), secretAccessKey: z.string() }),
  memberRole: z.object({ name: z.string(), externalId: z.string() }),
  deployRole: z.object({ name: z.string(), externalId: z.string() }),
  accounts: z.array(z.object({ id: z.string(), name: z.string(), alias: z.string(), root: z.enum(['mfa', 'no-mfa', 'no-root-credentials']).optional() })),
  people: z.array(person),
  users: z.array(user),
  accessKeys: z.array(accessKey),
  /** The AWS Organizations organisation (aws-organization.ts): ids moto drew for its root and OUs, the read role. */
  organization: z
    .object({
      managementAccountId: z.string(),
      rootId: z.string(),
      ous: z.object({ Workloads: z.string(), Production: z.string(), Development: z.string(), Security: z.string(), Sandbox: z.string() }),
      readRole: z.object({ arn: z.string(), externalId: z.string() }),
    })
    .optional(),
});

export type GroundTruth = z.infer<typeof groundTruthSchema>;
export type GroundTruthUser = z.infer<typeof user>;
export type GroundTruthDevice = z.infer<typeof device>;
export type GroundTruthAccessKey = z.infer<typeof accessKey>;
export type MfaState = GroundTruthUser['mfaState'];
export type UserKind = GroundTruthUser['kind'];

export const hardwareTokenSchema = z.object({
  serial: z.string(),
  secretBase32: z.string(),
  accountId: z.string().optional(),
  userName: z.string().optional(),
  /** In hardware-tokens.json: no user had it when the demo was seeded (enroll it; a spare enrolled since is still marked). */
  spare: z.boolean().optional(),
});
/** A hardware TOTP token in the demo's stock: assigned to a user, or a spare for enrollment. */
export type HardwareToken = z.infer<typeof hardwareTokenSchema>;

export async function readGroundTruth(file: string): Promise<GroundTruth> {
  return groundTruthSchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

export async function readHardwareTokens(file: string): Promise<HardwareToken[]> {
  return z.array(hardwareTokenSchema).parse(JSON.parse(await readFile(file, 'utf8')));
}
