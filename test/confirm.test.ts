// install without --yes on a terminal: the plan, then a question; anything but yes changes nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { drive, hasScript } from './wizard/pty-helpers.js';
import { cli } from './helpers.js';
import { rootFlags, stubEnv, type StubEnv } from './stub-runtime.js';

let s: StubEnv | undefined;
afterEach(() => s?.server.close());

describe.runIf(hasScript)('install asks before it applies a plan', () => {
  it('"n" at "Apply this plan?": exit 1, "Nothing was changed.", no mutating command, no file', async () => {
    s = await stubEnv('docker', { USER: 'ana' });
    const r = await drive('cols 100 rows 40', ['install', '--preset', 'fivetran-docker', ...rootFlags], s.env, [['Apply this plan? [y/N]', 'n\r']]);
    expect(r.out).toContain('Nothing was changed.');
    expect(r.code).toBe(1);
    expect(s.calls().filter((c) => /^(run|network create|pull|rm)\b/.test(c))).toEqual([]);
    expect(existsSync(join(s.home, 'fivetran/conf/config.json'))).toBe(false);
  });

  it('Ctrl-C at "Apply this plan?" is an interrupt: exit 130, nothing was changed (not an "Aborted" error, exit 1)', async () => {
    s = await stubEnv('docker', { USER: 'ana' });
    const r = await drive('cols 100 rows 40', ['install', '--preset', 'fivetran-docker', ...rootFlags], s.env, [['Apply this plan? [y/N]', '\x03']]);
    expect(r.code, r.out).toBe(130);
    expect(r.out).toContain('Interrupted (SIGINT) before any change, nothing was changed.');
    expect(r.out).not.toMatch(/Aborted|error:/);
    expect(s.calls().filter((c) => /^(run|network create|pull|rm)\b/.test(c))).toEqual([]);
    expect(existsSync(join(s.home, 'fivetran/conf/config.json'))).toBe(false);
  });

  it('"y": the plan is applied', async () => {
    s = await stubEnv('docker', { USER: 'ana' });
    const r = await drive('cols 100 rows 40', ['install', '--preset', 'fivetran-docker', ...rootFlags], s.env, [['Apply this plan? [y/N]', 'y\r']]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toContain('Nothing was changed.');
    expect(s.calls().some((c) => c.startsWith('run '))).toBe(true);
    expect(existsSync(join(s.home, 'fivetran/conf/config.json'))).toBe(true);
  });
});

describe.runIf(hasScript)('install without --yes runs the preflight before it asks', () => {
  it('a failed check: what failed and its fix (with the --skip-check past it), exit 1, no question, nothing changed', async () => {
    s = await stubEnv('podman', { USER: 'ana', HD_STUB_VERSION: '4.3.1' });
    const r = await drive('cols 200 rows 40', ['install', '--preset', 'fivetran-podman', ...rootFlags], s.env, []);
    expect(r.code, r.out).toBe(1);
    expect(r.out.replace(/\r/g, '')).toContain(
      'Preflight found 1 problem; nothing was changed:\n' +
        '  ✖ runtime-version: podman 4.3.1 is older than the required 4.5.0\n' +
        // the fix names the --skip-check already: not said twice
        '    fix: upgrade podman to 4.5.0 or newer, or pass --skip-check runtime-version to try anyway\n',
    );
    expect(r.out).not.toContain('Apply this plan?');
    expect(s.calls().filter((c) => /^(run|network create|pull|rm)\b/.test(c))).toEqual([]);
  });
});

describe.runIf(hasScript)('uninstall --purge says what it deletes before it asks', () => {
  it('lists the config, data and logs it would delete; "n" deletes nothing', async () => {
    s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const r = await drive('cols 100 rows 40', ['uninstall', '--purge', ...rootFlags], s.env, [['[y/N]', 'n\r']]);
    expect(r.code).toBe(1);
    const out = r.out.replace(/\r/g, '');
    expect(out).toContain('--purge deletes, for good:\n');
    for (const p of ['fivetran/conf/config.json', 'fivetran/data', 'fivetran/logs']) expect(out).toContain(`  ${join(s.home, p)}\n`);
    expect(out).toMatch(/Uninstall Fivetran agent on docker \(.*\) and delete these \d+ paths\? \[y\/N\]/);
    expect(out).toContain('Nothing was changed.');
    expect(existsSync(join(s.home, 'fivetran/conf/config.json'))).toBe(true);
    // Ctrl-C at the same question: the interrupt, exit 130, nothing deleted
    const c = await drive('cols 100 rows 40', ['uninstall', '--purge', ...rootFlags], s.env, [['[y/N]', '\x03']]);
    expect(c.code, c.out).toBe(130);
    expect(c.out).toContain('Interrupted (SIGINT) before any change, nothing was changed.');
    expect(existsSync(join(s.home, 'fivetran/conf/config.json'))).toBe(true);
    // Without --purge: nothing about deleting; what it does and what it keeps, before it asks (it asked bare)
    const keep = await drive('cols 100 rows 40', ['uninstall', ...rootFlags], s.env, [['[y/N]', 'n\r']]);
    expect(keep.out).not.toContain('--purge deletes, for good');
    expect(keep.out).not.toContain('and delete these');
    const asked = keep.out.replace(/\r/g, '');
    expect(asked).toContain('It will:\n  - Remove the systemd user unit\n  - Stop and remove controller\n  - Remove network fivetran_ldp\n');
    expect(asked).toContain(`${join(s.home, 'fivetran')} and its files are kept; --purge deletes what hd-setup created there.\nUninstall Fivetran agent on docker`);
  }, 60_000);
});

describe.runIf(hasScript)('with several installs, a lifecycle command asks which', () => {
  it('a number out of range is asked again (not exit 2); the one chosen is the one acted on', async () => {
    s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    for (const preset of ['fivetran-docker', 'tobiko-docker']) expect(cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const n = s.calls().length;
    const r = await drive('cols 200 rows 40', ['stop', ...rootFlags], s.env, [
      ['Which one? [1-2]', '7\r'],
      ['✖ type a number from 1 to 2', '2\r'],
    ]);
    expect(r.code, r.out).toBe(0);
    const second = /^ {2}2\) (.*)$/m.exec(r.out)?.[1] ?? '';
    const stops = s.calls().slice(n).filter((c) => c.startsWith('stop '));
    expect(stops).toEqual([second.startsWith('Fivetran') ? 'stop -t 10 controller' : 'stop -t 10 tcloud-apply-executor tcloud-run-executor']);
  });
});
