import { GetAccountAuthorizationDetailsCommand, IAMClient, ListVirtualMFADevicesCommand } from '@aws-sdk/client-iam';
import { afterAll, describe, expect, it } from 'vitest';
import { toIamUser } from './iam';
import { toVirtualDeviceEntry } from './inventory-sources';
import { listMembersMiddleware, parseAwsTimestamp, readUserDetail, readVirtualDevice, takeListMembers, type TakenMembers } from './lean-listings';

/** The listings as AWS writes them (pretty-printed, namespace on the root); every field the inventory reads varies. */
const DETAILS = `<?xml version="1.0" encoding="UTF-8"?>
<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetAccountAuthorizationDetailsResult>
    <IsTruncated>true</IsTruncated>
    <UserDetailList>
      <member>
        <Path>/engineering/</Path>
        <UserName>ana.lopez</UserName>
        <UserId>AIDAEXAMPLE1</UserId>
        <Arn>arn:aws:iam::123456789012:user/engineering/ana.lopez</Arn>
        <CreateDate>2024-03-01T09:15:27Z</CreateDate>
        <GroupList>
          <member>developers</member>
          <member>operators</member>
        </GroupList>
        <Tags>
          <member>
            <Key>email</Key>
            <Value>ana&amp;co &lt;ana@example.com&gt; &quot;A&quot; &apos;L&apos;</Value>
          </member>
          <member>
            <Key>Équipe</Key>
            <Value>Zoë 東京 &#233;&#xE9; 🔑</Value>
          </member>
          <member>
            <Key>empty</Key>
            <Value/>
          </member>
        </Tags>
        <UserPolicyList/>
        <AttachedManagedPolicies/>
      </member>
      <member>
        <Path>/</Path>
        <UserName>svc-build</UserName>
        <Arn>arn:aws:iam::123456789012:user/svc-build</Arn>
        <CreateDate>2019-12-31T23:59:59.123456+02:00</CreateDate>
        <GroupList/>
      </member>
      <member>
        <UserName><![CDATA[cdata.user]]></UserName>
        <Arn>arn:aws:iam::123456789012:user/cdata.user</Arn>
        <CreateDate>2021-06-15T12:00:00.5Z</CreateDate>
        <Tags/>
      </member>
    </UserDetailList>
    <Marker>bmV4dCBwYWdl</Marker>
  </GetAccountAuthorizationDetailsResult>
  <ResponseMetadata>
    <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>
  </ResponseMetadata>
</GetAccountAuthorizationDetailsResponse>
`;

const DEVICES = `<ListVirtualMFADevicesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListVirtualMFADevicesResult>` +
  `<IsTruncated>false</IsTruncated><VirtualMFADevices>` +
  `<member><SerialNumber>arn:aws:iam::123456789012:mfa/ana-phone</SerialNumber><User><Path>/engineering/</Path><UserName>ana.lopez</UserName>` +
  `<UserId>AIDAEXAMPLE1</UserId><Arn>arn:aws:iam::123456789012:user/engineering/ana.lopez</Arn><CreateDate>2024-03-01T09:15:27Z</CreateDate></User>` +
  `<EnableDate>2024-03-02T10:00:00Z</EnableDate></member>` +
  `<member><SerialNumber>arn:aws:iam::123456789012:mfa/left-over</SerialNumber></member>` +
  `</VirtualMFADevices></ListVirtualMFADevicesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListVirtualMFADevicesResponse>`;

const ERROR = `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code>` +
  `<Message>not allowed</Message></Error><RequestId>r</RequestId></ErrorResponse>`;

let reply: { statusCode: number; body: string } = { statusCode: 200, body: '' };
// A real client whose HTTP handler answers with `reply`: the SDK's own deserializer runs as in production.
const client = new IAMClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
  maxAttempts: 1,
  requestHandler: { handle: async () => ({ response: { statusCode: reply.statusCode, headers: { 'content-type': 'text/xml' }, body: Buffer.from(reply.body) } }) },
});
afterAll(() => client.destroy());

async function bothWays(body: string) {
  reply = { statusCode: 200, body };
  const sdk = await client.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User'] }));
  const command = new GetAccountAuthorizationDetailsCommand({ Filter: ['User'] });
  const taken = takeListMembers(command, 'GetAccountAuthorizationDetails', 'UserDetailList', readUserDetail);
  const lean = await client.send(command);
  return { sdk, lean, taken };
}

describe('the user listing read from the raw response', () => {
  it('gives exactly the IamUsers of the SDK parse, and the SDK still reads IsTruncated and Marker', async () => {
    const { sdk, lean, taken } = await bothWays(DETAILS);
    expect(taken.members).toHaveLength(3);
    expect(taken.members!.map((u) => toIamUser('123456789012', u))).toEqual(sdk.UserDetailList!.map((u) => toIamUser('123456789012', u)));
    expect(toIamUser('1', taken.members![0]!).tags).toEqual({ email: 'ana&co <ana@example.com> "A" \'L\'', Équipe: 'Zoë 東京 éé 🔑', empty: '' });
    expect(lean.UserDetailList).toEqual([]);
    expect([lean.IsTruncated, lean.Marker]).toEqual([true, 'bmV4dCBwYWdl']);
  });

  it('reads the same document written compactly (as moto writes it) the same way', async () => {
    const { sdk, taken } = await bothWays(DETAILS.replace(/>\s+</g, '><'));
    expect(taken.members!.map((u) => toIamUser('1', u))).toEqual(sdk.UserDetailList!.map((u) => toIamUser('1', u)));
  });

  it('decodes a reference to a character beyond U+FFFF correctly, where the SDK keeps only its low 16 bits', async () => {
    // The one known difference: AWS and moto write such characters as UTF-8, never as references.
    const { sdk, taken } = await bothWays(DETAILS.replace('<Value/>', '<Value>&#x1F511;</Value>'));
    expect(toIamUser('1', taken.members![0]!).tags.empty).toBe('🔑');
    expect(toIamUser('1', sdk.UserDetailList![0]!).tags.empty).toBe('\uF511');
  });

  it('reads an empty or absent list as no users', async () => {
    const empty = DETAILS.replace(/<UserDetailList>[\s\S]*<\/UserDetailList>/, '<UserDetailList/>');
    expect((await bothWays(empty)).taken.members).toEqual([]);
    expect((await bothWays(empty.replace('<UserDetailList/>', ''))).taken.members).toEqual([]);
  });

  it('falls back to the SDK parse for a body the reader does not read, and the SDK gets the original bytes', async () => {
    // An entity the reader rejects that the SDK reads (as an empty string), and a DOCTYPE.
    for (const body of [DETAILS.replace('<UserName>svc-build', '<UserName>svc&nbsp;build'), `<!DOCTYPE x>\n${DETAILS.replace(/^<\?xml[^>]*>\n/, '')}`]) {
      const { sdk, lean, taken } = await bothWays(body);
      expect(taken.members).toBeUndefined();
      expect(lean.UserDetailList).toHaveLength(3);
      expect(lean.UserDetailList).toEqual(sdk.UserDetailList);
    }
  });

  it('falls back on a date the SDK would not read either, so the SDK reports it', async () => {
    reply = { statusCode: 200, body: DETAILS.replace('2024-03-01T09:15:27Z', '2024-13-01T09:15:27Z') };
    const command = new GetAccountAuthorizationDetailsCommand({ Filter: ['User'] });
    const bad = takeListMembers(command, 'GetAccountAuthorizationDetails', 'UserDetailList', readUserDetail);
    await expect(client.send(command)).rejects.toThrow(/out of range/);
    expect(bad.members).toBeUndefined();
  });

  it('leaves an error response to the SDK', async () => {
    reply = { statusCode: 403, body: ERROR };
    const command = new GetAccountAuthorizationDetailsCommand({ Filter: ['User'] });
    const taken = takeListMembers(command, 'GetAccountAuthorizationDetails', 'UserDetailList', readUserDetail);
    await expect(client.send(command)).rejects.toMatchObject({ name: 'AccessDenied', message: 'not allowed' });
    expect(taken.members).toBeUndefined();
  });
});

describe('the virtual device listing read from the raw response', () => {
  it('gives exactly the entries of the SDK parse, assigned and unassigned', async () => {
    reply = { statusCode: 200, body: DEVICES };
    const sdk = await client.send(new ListVirtualMFADevicesCommand({}));
    const command = new ListVirtualMFADevicesCommand({});
    const taken = takeListMembers(command, 'ListVirtualMFADevices', 'VirtualMFADevices', readVirtualDevice);
    const lean = await client.send(command);
    expect(taken.members!.map(toVirtualDeviceEntry)).toEqual(sdk.VirtualMFADevices!.map(toVirtualDeviceEntry));
    expect(taken.members!.map(toVirtualDeviceEntry)).toEqual([
      { serial: 'arn:aws:iam::123456789012:mfa/ana-phone', userName: 'ana.lopez', enabledAt: new Date('2024-03-02T10:00:00Z') },
      { serial: 'arn:aws:iam::123456789012:mfa/left-over', userName: null, enabledAt: null },
    ]);
    expect([lean.VirtualMFADevices, lean.IsTruncated]).toEqual([[], false]);
  });
});

describe('listMembersMiddleware', () => {
  const run = async (statusCode: number, chunks: string[]) => {
    const taken: TakenMembers<unknown> = {};
    const response = { statusCode, body: (async function* () { yield* chunks.map((c) => Buffer.from(c)); })() as unknown };
    const next = async () => ({ response, output: {} });
    await listMembersMiddleware('ListVirtualMFADevices', 'VirtualMFADevices', readVirtualDevice, taken)(next as never)({ input: {}, request: {} });
    return { taken, body: Buffer.isBuffer(response.body) ? response.body.toString('utf8') : response.body };
  };

  it('reads a streamed body and passes on the document with the list emptied', async () => {
    const { taken, body } = await run(200, [DEVICES.slice(0, 100), DEVICES.slice(100)]);
    expect(taken.members).toHaveLength(2);
    expect(body).toContain('<ListVirtualMFADevicesResult><IsTruncated>false</IsTruncated><VirtualMFADevices/></ListVirtualMFADevicesResult>');
  });

  it('passes on the original bytes when the reader fails', async () => {
    const broken = DEVICES.replace('</User>', '</Usr>');
    const { taken, body } = await run(200, [broken]);
    expect(taken.members).toBeUndefined();
    expect(body).toBe(broken);
  });

  it('does not read an error body', async () => {
    const { taken, body } = await run(400, [ERROR]);
    expect(taken.members).toBeUndefined();
    expect(Buffer.isBuffer(body)).toBe(false);
  });
});

describe('parseAwsTimestamp', () => {
  it('parses as the SDK does: fractions rounded to milliseconds, offsets applied', () => {
    expect(parseAwsTimestamp('2019-12-31T23:59:59.123456+02:00').toISOString()).toBe('2019-12-31T21:59:59.123Z');
    expect(parseAwsTimestamp('2021-06-15t12:00:00.5z').toISOString()).toBe('2021-06-15T12:00:00.500Z');
  });
  it('rejects what the SDK rejects', () => {
    expect(() => parseAwsTimestamp('2024-03-01 09:15:27')).toThrow(/Invalid RFC3339/);
    expect(() => parseAwsTimestamp('2024-03-01T25:00:00Z')).toThrow(/out of range/);
  });
});
