// Real rootful podman: an image given by its short local name (hd-agent-test:latest) is reported by podman
// as localhost/hd-agent-test:latest. A re-run must read back the name the settings give (the hd-setup.image
// label), not the runtime's, or every re-run recreates the container (seen in a trial with Tobiko).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, readState } from './state.js';

const TOKEN = Buffer.from('clever_tiger:E2eS3cretTok3nPart').toString('base64');
const S = readState();
const ready = S.HD_E2E_PODMAN === '1' && process.getuid?.() === 0;
const CLI = S.HD_E2E_CLI || join(ROOT, 'bin/hd-setup.js');

function hd(home: string, args: string[]) {
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', CI: 'true', NO_COLOR: '1', HOME: home, FIVETRAN_TOKEN: TOKEN };
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', cwd: '/', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const podman = (...args: string[]) => spawnSync('podman', args, { encoding: 'utf8' }).stdout.trim();

describe.runIf(ready)('rootful podman, an image by its short local name', () => {
  it('a re-run is a no-op: same container, "Changed: nothing"; the read-back keeps the name as given', () => {
    podman('rm', '-f', 'controller');
    const home = mkdtempSync(join(tmpdir(), 'hd-e2e-shortname-'));
    chmodSync(home, 0o755);
    const args = ['install', '--preset', 'fivetran-podman', '--yes', '--allow-root', '--set', 'fivetran.image=hd-agent-test:latest', '--set', 'fivetran.pullPolicy=never', '--skip-check', 'runtime-version'];
    try {
      const first = hd(home, args);
      expect(first.code, first.stderr).toBe(0);
      expect(podman('container', 'inspect', 'controller', '--format', '{{.Config.Image}}')).toBe('localhost/hd-agent-test:latest');
      const id = podman('container', 'inspect', 'controller', '--format', '{{.Id}}');
      const again = hd(home, args);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain('Changed: nothing');
      expect(podman('container', 'inspect', 'controller', '--format', '{{.Id}}')).toBe(id);
      const ex = hd(home, ['export-preset']);
      expect(ex.stdout).toContain('image: hd-agent-test:latest');
    } finally {
      hd(home, ['uninstall', '--yes', '--allow-root']);
    }
  }, 300_000);
});
