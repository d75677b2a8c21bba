import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// What the portal ships must be compatible with Apache-2.0. AGPL packages (the IAM policy simulator)
// may only be devDependencies; this test fails the build if one reaches the runtime tree.
const allowed = new Set(['MIT', 'ISC', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', '0BSD', 'BlueOak-1.0.0', 'CC0-1.0', 'CC-BY-4.0', 'Python-2.0', 'Unlicense']);
// libvips comes with Next's optional image optimiser (sharp), dynamically linked; images are unoptimized, so it is never loaded.
const exceptions = new Set(['@img/sharp-libvips-linux-x64', '@img/sharp-libvips-linuxmusl-x64']);

function licenceOf(dir: string): { name: string; licence: string } {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; license?: unknown; licenses?: unknown };
  const l = pkg.license ?? pkg.licenses;
  return { name: pkg.name, licence: typeof l === 'string' ? l : JSON.stringify(l) };
}

const ok = (licence: string) => licence.replace(/[()]/g, '').split(/\s+OR\s+/).some((l) => allowed.has(l.trim()));

describe('shipped dependency licences', () => {
  it('are all Apache-2.0 compatible', () => {
    const dirs = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { encoding: 'utf8' }).trim().split('\n').slice(1);
    expect(dirs.length).toBeGreaterThan(20);
    const bad = [...new Set(dirs)].map(licenceOf).filter((p) => !ok(p.licence) && !exceptions.has(p.name));
    expect(bad).toEqual([]);
  });
});
