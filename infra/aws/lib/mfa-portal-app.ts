import type { App } from 'aws-cdk-lib';
import type { InfraConfig } from './config';
import { MemberAccountStack, memberTemplate } from './member-account-stack';
import { MemberStackSetStack } from './member-stack-set-stack';
import { OrganizationsReadStack } from './organizations-read-stack';
import { HostingStack } from './hosting-stack';
import { PortalStack } from './portal-stack';

export const STACK_NAMES = { portal: 'MfaPortal', member: 'MfaPortalMember', stackSet: 'MfaPortalMemberStackSet', organizations: 'MfaPortalOrganizationsRead', hosting: 'MfaPortalHosting' } as const;

/** Every stack of the app; the StackSet, Organizations read and hosting stacks only when the config has their section. */
export function addStacks(app: App, config: InfraConfig) {
  const portal = new PortalStack(app, STACK_NAMES.portal, { config });
  const member = new MemberAccountStack(app, STACK_NAMES.member, { config });
  const stackSetConfig = config.stackSet;
  const stackSet = stackSetConfig
    ? new MemberStackSetStack(app, STACK_NAMES.stackSet, { config: { ...config, stackSet: stackSetConfig }, memberTemplate: memberTemplate(config) })
    : undefined;
  const organizationsConfig = config.organizations;
  const organizations = organizationsConfig
    ? new OrganizationsReadStack(app, STACK_NAMES.organizations, { config: { ...config, organizations: organizationsConfig } })
    : undefined;
  const hostingConfig = config.hosting;
  const hosting = hostingConfig ? new HostingStack(app, STACK_NAMES.hosting, { config: { ...config, hosting: hostingConfig } }) : undefined;
  // The tasks run as the portal role, and the portal stack's queue: deploy that stack first.
  hosting?.addStackDependency(portal);
  return { portal, member, stackSet, organizations, hosting };
}
