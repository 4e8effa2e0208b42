// Behaviours that one-line changes to the source once broke without any test noticing: each has a test
// here that drives the real CLI (the bundle) on the stub runtime, or the render, and fails on that change.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { withSecretRefs } from '../src/model/secret-refs.js';
import { render } from '../src/service/plan.js';
import { secretFields } from '../src/products/secrets.js';
import { RENDER_ENV, SECRET_ENV, TOKEN, cli, load } from './helpers.js';
import { rootFlags, stubEnv } from './stub-runtime.js';

const stub = (extra: NodeJS.ProcessEnv = {}) => stubEnv('docker', extra);


describe('what a one-line change once broke unnoticed', () => {
  it("Tobiko's executors get the proxy (env-file and chart values)", () => {
    const env = render(load({ preset: 'tobiko-docker', sets: ['proxy.https=http://proxy.internal:3128', 'proxy.noProxy=[db.internal]'] }).model, RENDER_ENV)[0]!.content;
    expect(env).toMatch(/^HTTPS_PROXY=http:\/\/proxy\.internal:3128$/m);
    expect(env).toMatch(/^https_proxy=http:\/\/proxy\.internal:3128$/m);
    expect(env).toMatch(/^NO_PROXY=db\.internal$/m);
    const values = parse(render(load({ preset: 'tobiko-kubernetes', sets: ['proxy.https=http://proxy.internal:3128'] }).model, RENDER_ENV).find((f) => f.rel === 'values.yaml')!.content);
    for (const role of ['apply', 'run']) expect(values[role].extraEnvVars).toEqual(expect.arrayContaining([{ name: 'HTTPS_PROXY', value: 'http://proxy.internal:3128' }]));
  });

  it('a values file that holds a proxy password is 0600 and marked secret; without one it is 0644', () => {
    const withPw = render(load({ preset: 'fivetran-kubernetes', sets: ['proxy.https=http://bob:pr0xyPW99@proxy:3128'] }).model, RENDER_ENV).find((f) => f.rel === 'values.yaml')!;
    expect(withPw.mode).toBe(0o600);
    expect(withPw.secret).toBe(true);
    const without = render(load({ preset: 'fivetran-kubernetes', sets: ['proxy.https=http://proxy:3128'] }).model, RENDER_ENV).find((f) => f.rel === 'values.yaml')!;
    expect(without.mode).toBe(0o644);
  });

  it('rollback restores the config file from its backup and re-applies it; a failed apply offers it', async () => {
    const s = await stub();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const conf = join(s.home, 'fivetran/conf/config.json');
    const before = readFileSync(conf, 'utf8');
    // A change whose container then fails to run: the summary offers the undo.
    const failed = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://proxy.internal:3128', ...rootFlags], { env: { ...s.env, HD_STUB_FAIL: 'run' } });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Undo:\s+hd-setup rollback/);
    expect(JSON.parse(readFileSync(conf, 'utf8')).https_proxy).toBe('http://proxy.internal:3128');
    const back = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(back.code, back.stderr).toBe(0);
    expect(readFileSync(conf, 'utf8')).toBe(before);
    expect(s.calls().at(-1)).not.toMatch(/^rm /);
    // one run, said as a rollback: one header, the restore then the re-apply counted on, one summary naming both
    expect(back.stderr.match(/^hd-setup: .*$/gm)).toEqual(['hd-setup: rolling back Fivetran agent on docker']);
    // counted whole from the first line: [1/8] Restore, [2/8] Preflight … [8/8] (it said [1/1], then [2/8])
    expect(back.stderr).toMatch(/^\[1\/8\] Restore config\.json from config\.json\.bak-\S+ \.\.\.$/m);
    expect(back.stderr).toMatch(/^\[2\/8\] Preflight checks \.\.\.$/m);
    expect(new Set(back.stderr.match(/^\[\d+\/(\d+)\]/gm)!.map((l) => l.replace(/^\[\d+/, '')))).toEqual(new Set(['/8]']));
    expect(back.stderr).toMatch(/^\[8\/8\] /m);
    expect(back.stderr.match(/^✔ .*: done\.$/gm)).toHaveLength(1);
    expect(back.stderr).toMatch(/Changed:\n {4}- restored \S+config\.json from \S+\n/);
    s.server.close();
  });

  it('a rollback puts back a hand-broken config (it is what rollback is for), and passes over a backup that does not make a whole install, with a warning: it restored it, then refused it with the file already replaced', async () => {
    const s = await stub();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const conf = join(s.home, 'fivetran/conf/config.json');
    const good = readFileSync(conf, 'utf8');
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://proxy.internal:3128', ...rootFlags], { env: s.env }).code).toBe(0);
    writeFileSync(conf, readFileSync(conf, 'utf8').replace(/"token": "[^"]*"/, '"token": "oops"'), { mode: 0o600 });
    // the first rollback puts the good config back (the broken one is kept as a backup: the newest)
    const first = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    expect(readFileSync(conf, 'utf8')).toBe(good);
    const broken = readdirSync(join(s.home, 'fivetran/conf')).filter((f) => f.startsWith('config.json.bak-')).sort().at(-1)!;
    expect(readFileSync(join(s.home, 'fivetran/conf', broken), 'utf8')).toContain('"token": "oops"');
    // the second passes it over, naming why, and restores the good one before it
    const second = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`warning: skipping ${join(s.home, 'fivetran/conf', broken)}: it does not make a whole install (fivetran.token does not decode to <controller_id>:<secret>)\n`);
    expect(readFileSync(conf, 'utf8')).toBe(good);
    s.server.close();
  });

  it('a rollback that puts back only a secret recreates the containers: they read the secret it restored (they kept the rotated one)', async () => {
    for (const [preset, file, secretEnv, rotated, containers] of [
      ['fivetran-docker', 'fivetran/conf/config.json', 'FIVETRAN_TOKEN', Buffer.from('clever_tiger:rotated-secret-9').toString('base64'), ['controller']],
      ['tobiko-docker', 'tobiko/tobiko.env', 'TCLOUD_CLIENT_SECRET', 'rotated-client-secret-9', ['tcloud-apply-executor', 'tcloud-run-executor']],
    ] as const) {
      const s = await stub();
      expect(cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
      const conf = join(s.home, file);
      const before = readFileSync(conf, 'utf8');
      const rotate = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: { ...s.env, [secretEnv]: rotated } });
      expect(rotate.code, rotate.stderr).toBe(0);
      expect(readFileSync(conf, 'utf8')).not.toBe(before);
      const n = s.calls().length;
      const back = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
      expect(back.code, back.stderr).toBe(0);
      expect(readFileSync(conf, 'utf8')).toBe(before);
      for (const c of containers) {
        expect(s.calls().slice(n)).toContain(`rm -f ${c}`);
        expect(s.calls().slice(n)).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^run -d --name ${c} `))]));
      }
      expect(back.stderr + back.stdout).not.toContain(rotated);
      s.server.close();
    }
  });

  it('uninstall removes the Fivetran network and keeps the install dir unless --purge', async () => {
    const s = await stub();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const un = cli(['uninstall', '--yes'], { env: s.env });
    expect(un.code, un.stderr).toBe(0);
    expect(s.calls()).toContain('network rm fivetran_ldp');
    expect(readdirSync(join(s.home, 'fivetran')).sort()).toEqual(['.hd-setup-created', 'conf', 'data', 'logs', 'tmp']);
    expect(existsSync(join(s.home, 'fivetran/conf/config.json'))).toBe(true);
    expect(un.stderr).toContain(`${s.home}/fivetran and its files are kept; --purge deletes what hd-setup created there`);
    s.server.close();
  });

  it('doctor exits 1 when a check fails, and says which', async () => {
    const s = await stub();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    s.server.close(); // the runtime's socket is gone
    const d = cli(['doctor', '--json'], { env: s.env });
    expect(d.code).toBe(1);
    const j = JSON.parse(d.stdout);
    expect(j.ok).toBe(false);
    expect(j.checks).toContainEqual(expect.objectContaining({ id: 'socket', status: 'fail' }));
    // the text says how many failed and how many only warn, apart
    const t = cli(['doctor'], { env: s.env });
    const fails = j.checks.filter((c: { status: string }) => c.status === 'fail').length;
    const warns = j.checks.filter((c: { status: string }) => c.status === 'warn').length;
    expect(t.stdout.trim().split('\n').at(-1)).toBe([`${fails} failed check${fails === 1 ? '' : 's'}`, warns ? `${warns} warning${warns === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ') + '.');
  });

  it("the wizard's saved preset names the Fivetran token by reference, never in clear", () => {
    const answers = { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } };
    const { preset, vars } = withSecretRefs(answers, secretFields(answers));
    expect(JSON.stringify(preset)).not.toContain(TOKEN);
    expect((preset.fivetran as { token: string }).token).toBe('env:FIVETRAN_TOKEN');
    expect(vars).toEqual(['FIVETRAN_TOKEN']);
  });
});

describe('where a secret will live', () => {
  it('a proxy password that the Fivetran chart puts into a ConfigMap is warned about: dry-run text and --json, masked', async () => {
    const { startBed } = await import('./k8s-api/bed.js');
    const k = await startBed({}, SECRET_ENV);
    try {
      const set = ['--set', 'proxy.https=http://bob:pr0xyPW99@proxy:3128'];
      const text = await k.hd(['install', '--preset', 'fivetran-kubernetes', '--dry-run', ...set]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/Warnings\n {2}! the proxy URL holds a password, and the chart puts http_proxy\/https_proxy into the ConfigMap of release hd-agent in namespace fivetran/);
      const json = await k.hd(['install', '--preset', 'fivetran-kubernetes', '--dry-run', '--json', ...set]);
      expect(JSON.parse(json.stdout).warnings[0]).toContain('ConfigMap');
      expect(text.stdout + json.stdout).not.toContain('pr0xyPW99');
      const none = await k.hd(['install', '--preset', 'fivetran-kubernetes', '--dry-run', '--set', 'proxy.https=http://proxy:3128']);
      expect(none.stdout).not.toContain('ConfigMap');
    } finally {
      await k.stop();
    }
  });
});
