import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { backupAdvice } from '@/lib/enrollment/backup-advice';
import { DeviceAllowance, EnrollNextLink } from './device-allowance';

const href = '/enroll?user=222222222222%2Falice';

describe('EnrollNextLink', () => {
  it('is a link to enroll the next device below the limit', () => {
    const html = renderToStaticMarkup(<EnrollNextLink advice={backupAdvice('alice', 1)} href={href} label="Add a backup device" srSuffix="for alice" />);
    expect(html).toMatch(/^<a [^>]*href="\/enroll\?user=222222222222%2Falice"/);
    expect(html).toContain('Add a backup device<span class="sr-only"> for alice</span>');
    expect(html).not.toMatch(/disabled=|<button/);
  });

  it('at the limit is a disabled button described by the reason it shows', () => {
    const html = renderToStaticMarkup(<EnrollNextLink advice={backupAdvice('alice', 8)} href={href} label="Add another device" testId="enroll-next" />);
    expect(html).not.toContain('<a ');
    const describedBy = /<button type="button" disabled="" aria-describedby="([^"]+)"/.exec(html)?.[1];
    expect(describedBy).toBeTruthy();
    expect(html).toContain(`id="${describedBy}"`);
    expect(html).toContain('alice already has 8 MFA devices, the most AWS allows.');
  });

  it('at the limit can point to the advice already on the page instead of repeating it', () => {
    const html = renderToStaticMarkup(<EnrollNextLink advice={backupAdvice('alice', 8)} href={href} label="Add another device" reasonId="done-allowance" />);
    expect(html).toContain('aria-describedby="done-allowance"');
    expect(html).not.toContain('already has 8 MFA devices');
  });
});

describe('DeviceAllowance', () => {
  it('says the count of 8 and the advice, as a warning when the category requires a backup', () => {
    const html = renderToStaticMarkup(<DeviceAllowance advice={backupAdvice('alice', 1, { minDevices: 2, allowedDevices: 1 })} id="a" />);
    expect(html).toContain('data-level="required"');
    expect(html).toContain('A backup device is required');
    expect(html).toContain('alice has 1 of the 8 MFA devices AWS allows.');
    expect(html).toContain('bg-amber-50');
    expect(renderToStaticMarkup(<DeviceAllowance advice={backupAdvice('alice', 1)} id="a" />)).not.toContain('bg-amber-50');
  });
});
