import type { App } from 'aws-cdk-lib';
import type { InfraConfig } from './config';
import { MemberAccountStack, memberTemplate } from './member-account-stack';
import { MemberStackSetStack } from './member-stack-set-stack';
import { PortalStack } from './portal-stack';

export const STACK_NAMES = { portal: 'MfaPortal', member: 'MfaPortalMember', stackSet: 'MfaPortalMemberStackSet' } as const;

/** Every stack of the app; the StackSet stack only when the config has a stackSet section. */
export function addStacks(app: App, config: InfraConfig) {
  const portal = new PortalStack(app, STACK_NAMES.portal, { config });
  const member = new MemberAccountStack(app, STACK_NAMES.member, { config });
  const stackSetConfig = config.stackSet;
  const stackSet = stackSetConfig
    ? new MemberStackSetStack(app, STACK_NAMES.stackSet, { config: { ...config, stackSet: stackSetConfig }, memberTemplate: memberTemplate(config) })
    : undefined;
  return { portal, member, stackSet };
}
