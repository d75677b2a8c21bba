/**
 * The page every enrollment ends on (app/(portal)/enroll/done): the virtual and hardware actions redirect there, the
 * security-key page goes there once detection sees the key. It reads the devices from AWS itself, so the address
 * carries no claim, only which of the person's IAM users to show.
 */
export const doneUrl = (type: 'virtual' | 'hardware' | 'fido', accountId: string, userName: string) =>
  `/enroll/done?${new URLSearchParams({ type, user: `${accountId}/${userName}` })}`;
