// The lifecycle commands say what is true: options taken alike, diffs headed as git heads them, installs
// told from configs kept, and summaries that list what was done.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { rootFlags, stubEnv } from './stub-runtime.js';

describe('every command that may act as root takes --allow-root', () => {
  it.each(['install', 'uninstall', 'start', 'stop', 'restart', 'rollback', 'doctor'])('%s --allow-root is known', (cmd) => {
    const r = cli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--allow-root\s/);
  });

  it('uninstall --allow-root and stop --allow-root run (nothing installed: exit 2 saying so, not "unknown option")', () => {
    for (const cmd of ['uninstall', 'stop']) {
      const r = cli([cmd, '--allow-root', '--dry-run']);
      expect(r.stderr).not.toContain('unknown option');
      expect(r.stderr).toMatch(/^error: no install found/);
    }
  });
});

describe('diffs are headed as git heads them', () => {
  it('a new file: --- /dev/null, +++ its path; a changed file: --- and +++ its path', async () => {
    const s = await stubEnv();
    const conf = join(s.home, 'fivetran/conf/config.json');
    const first = cli(['install', '--preset', 'fivetran-docker', '--dry-run', ...rootFlags], { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`        --- /dev/null\n        +++ ${conf}\n        @@ -0,0 +1,`);
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const changed = cli(['install', '--preset', 'fivetran-docker', '--dry-run', '--set', 'proxy.https=http://proxy.internal:3128', ...rootFlags], { env: s.env });
    expect(changed.stdout).toContain(`        --- ${conf}\n        +++ ${conf}\n        @@ `);
    expect(changed.stdout).toContain('+  "https_proxy": "http://proxy.internal:3128"');
    s.server.close();
  }, 60_000);
});
