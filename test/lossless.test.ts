// Re-runs and lifecycle commands never lose a setting: the real CLI (the bundle) against the stub
// container runtime (test/stubs/bin/docker), and on Kubernetes the real helm and kubectl against the
// in-memory API server (test/k8s-api) with the vendored charts.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT as ROOT_DIR, cli } from './helpers.js';
import { rootFlags, stubEnv } from './stub-runtime.js';
import { CHARTS, startBed, type Bed } from './k8s-api/bed.js';
import { SECRET_ENV } from './helpers.js';
import { drive, hasScript } from './wizard/pty-helpers.js';


const MUTATING = /^(run|rm|start|stop|restart|pull|network (create|rm)) /;

function mtimes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p] = statSync(p).mtimeMs;
    }
  };
  walk(dir);
  return out;
}

describe('every bundled preset, installed twice, is a no-op the second time', () => {
  for (const [preset, runtime, dir] of [
    ['fivetran-docker', 'docker', 'fivetran'],
    ['fivetran-podman', 'podman', 'fivetran'],
    ['tobiko-docker', 'docker', 'tobiko'],
  ] as const) {
    it(preset, async () => {
      const s = await stubEnv(runtime);
      const NOTHING = 'Nothing to change: the install has these settings; the run checks that it starts at boot (and puts that back if it is missing)\n';
      expect(cli(['install', '--preset', preset, '--dry-run', ...rootFlags], { env: s.env }).stdout).not.toContain(NOTHING);
      const first = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env });
      expect(first.code, first.stderr).toBe(0);
      // said before the run (dry-run, the review): the same preset again changes nothing; another value does
      expect(cli(['install', '--preset', preset, '--dry-run', ...rootFlags], { env: s.env }).stdout).toContain(NOTHING);
      expect(cli(['install', '--preset', preset, '--dry-run', '--set', 'proxy.https=http://proxy.internal:3128', ...rootFlags], { env: s.env }).stdout).not.toContain(NOTHING);
      // and in the dry-run's --json, for a script
      const changesNothing = (...extra: string[]) => JSON.parse(cli(['install', '--preset', preset, '--dry-run', '--json', ...extra, ...rootFlags], { env: s.env }).stdout).changesNothing;
      expect([changesNothing(), changesNothing('--set', 'proxy.https=http://proxy.internal:3128')]).toEqual([true, false]);
      // The install's files and hd-setup's own (its record of installs, under ~/.config) alike.
      const files = { ...mtimes(join(s.home, dir)), ...mtimes(join(s.home, '.config')) };
      const n = s.calls().length;
      const again = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env });
      expect(again.code, again.stderr).toBe(0);
      expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
      expect({ ...mtimes(join(s.home, dir)), ...mtimes(join(s.home, '.config')) }).toEqual(files);
      expect(again.stderr).toContain('Changed: nothing');
      // a folder found missing is put back, and the summary says so (it said "Changed: nothing")
      if (dir === 'fivetran') {
        rmdirSync(join(s.home, 'fivetran/logs'));
        // the dry-run names it (it said only "Nothing to change"), in its text and its JSON
        const dry = cli(['install', '--preset', preset, '--dry-run', ...rootFlags], { env: s.env }).stdout;
        expect(dry).toContain(`Nothing to change: the install has these settings; the run puts back the missing folder ${join(s.home, 'fivetran/logs')}, and checks that it starts at boot (and puts that back if it is missing)\n`);
        expect(dry).toContain(`       mkdir -p -m 0700 ${join(s.home, 'fivetran/logs')}   (missing)\n`);
        expect(dry).toContain(`       mkdir -p -m 0700 ${join(s.home, 'fivetran/conf')}\n`);
        const json = JSON.parse(cli(['install', '--preset', preset, '--dry-run', '--json', ...rootFlags], { env: s.env }).stdout) as { steps: { id: string; actions: { kind: string; path?: string; missing?: boolean }[] }[] };
        expect(json.steps.find((x) => x.id === 'files')!.actions.filter((a) => a.kind === 'mkdir' && a.missing).map((a) => a.path)).toEqual([join(s.home, 'fivetran/logs')]);
        const back = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env });
        expect(back.code, back.stderr).toBe(0);
        expect(back.stderr).toContain(`  Changed:\n    - made folder ${join(s.home, 'fivetran/logs')} (0700)\n`);
        expect(statSync(join(s.home, 'fivetran/logs')).mode & 0o777).toBe(0o700);
        // a file, or a link to nothing, where a folder goes: the dry-run says so (it said "Nothing to change",
        // and the run failed at its files), and the run stops at its preflight, nothing changed
        for (const [make, what] of [[(p: string) => writeFileSync(p, ''), 'a file'], [(p: string) => symlinkSync('/nonexistent/x', p), 'a link to nothing']] as const) {
          const tmpDir = join(s.home, 'fivetran/tmp');
          rmSync(tmpDir, { recursive: true, force: true });
          make(tmpDir);
          const blocked = cli(['install', '--preset', preset, '--dry-run', ...rootFlags], { env: s.env }).stdout;
          expect(blocked).not.toContain('Nothing to change');
          expect(blocked).toContain(`       mkdir -p -m 0700 ${tmpDir}   (in the way: ${what}; the preflight stops here)\n`);
          const n2 = s.calls().length;
          const stopped = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env });
          expect(stopped.code).toBe(1);
          expect(stopped.stderr).toContain(`FAILED: install-dir: ${tmpDir} is ${what}, where hd-setup keeps a folder\n      fix: move it away (mv ${tmpDir} ${tmpDir}.old), then run this again`);
          expect(s.calls().slice(n2).filter((c) => MUTATING.test(c))).toEqual([]);
          rmSync(tmpDir, { force: true });
        }
        // a new install dir in folders that are not there: each folder made is said
        const fresh = await stubEnv(runtime);
        const deep = cli(['install', '--preset', preset, '--yes', ...rootFlags, '--set', 'fivetran.installDir=~/deep/a/fivetran'], { env: fresh.env });
        fresh.server.close();
        expect(deep.code, deep.stderr).toBe(0);
        expect(deep.stderr).toContain(`    - made folders ${['deep', 'deep/a', 'deep/a/fivetran', ...['conf', 'data', 'logs', 'tmp'].map((d) => `deep/a/fivetran/${d}`)].map((d) => join(fresh.home, d)).join(', ')} (0700)\n`);
      }
      s.server.close();
    });
  }
  for (const preset of ['fivetran-kubernetes', 'fivetran-kubernetes-affinity', 'tobiko-kubernetes', 'tobiko-kubernetes-external-secrets']) {
    it(`${preset} (real helm and kubectl)`, async () => {
      const k = await k8sBed();
      try {
        const args = ['install', '--preset', preset, '--yes', '--set', chartOf(preset)];
        const first = await k.hd(args);
        expect(first.code, first.stderr).toBe(0);
        expect((await k.hd([...args, '--dry-run'])).stdout).toContain('Nothing to change: the install has these settings\n');
        // and no setting changes (the read-back of the release, its secrets in the Secret, compared whole)
        expect(JSON.parse((await k.hd([...args, '--dry-run', '--json'])).stdout)).toMatchObject({ changesNothing: true, changes: [] });
        const n = k.api.requests.length;
        const files = mtimes(join(k.home, '.config'));
        const again = await k.hd(args);
        expect(again.code, again.stderr).toBe(0);
        expect(k8sWrites(k, n)).toEqual([]);
        expect(mtimes(join(k.home, '.config'))).toEqual(files);
        expect(again.stderr).toContain('Changed: nothing');
      } finally {
        await k.stop();
      }
    }, 120_000);
  }
});

/** A test bed with what the bundled Kubernetes presets need: the PVC, a node for the affinity preset's required rule, ESO. */
async function k8sBed(): Promise<Bed> {
  const k = await startBed({ eso: 'v1', nodes: [{ 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/arch': 'amd64', hd_size: 'large' }] }, SECRET_ENV);
  k.api.seed({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'fivetran-data', namespace: 'fivetran' }, spec: { accessModes: ['ReadWriteMany'] } });
  return k;
}
const chartOf = (preset: string) => (preset.startsWith('fivetran') ? `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}` : `tobiko.kubernetes.chart=${join(CHARTS, 'tobiko-hybrid-executors-prerelease')}`);
/** Requests that change the cluster (the access reviews only ask). */
const k8sWrites = (k: Bed, from: number) => k.api.requests.slice(from).filter((r) => r.method !== 'GET' && !r.url.includes('selfsubjectaccessreviews'));

describe('a bare re-run after a --set keeps the setting or refuses, naming the --set', () => {
  for (const [preset, runtime, set, keep] of [
    ['fivetran-docker', 'docker', 'fivetran.selinux=true', "--set fivetran.selinux=true"],
    ['fivetran-docker', 'docker', 'fivetran.memory=4g', '--set fivetran.memory=4g'],
    ['fivetran-docker', 'docker', 'fivetran.config.custom_dns=1.1.1.1', '--set fivetran.config.custom_dns=1.1.1.1'],
    ['fivetran-podman', 'podman', 'fivetran.pullPolicy=never', '--set fivetran.pullPolicy=never'],
    ['tobiko-docker', 'docker', 'tobiko.url=https://tobiko.example.com/sqlmesh/acme/analytics', '--set tobiko.url=https://tobiko.example.com/sqlmesh/acme/analytics'],
    ['tobiko-docker', 'docker', 'tobiko.docker.extraEnv=[{name: LOG_LEVEL, value: debug}]', 'tobiko.docker.extraEnv'],
    ['tobiko-docker', 'docker', 'proxy.https=http://proxy.internal:3128', '--set proxy.https=http://proxy.internal:3128'],
  ] as const) {
    it(`${preset} with ${set}`, async () => {
      const s = await stubEnv(runtime, runtime === 'podman' ? { HD_STUB_IMAGE: '1' } : {});
      if (set.includes('pullPolicy=never')) writeFileSync(join(s.state, 'image-present'), '');
      const first = cli(['install', '--preset', preset, '--yes', '--set', set, ...rootFlags], { env: s.env });
      expect(first.code, first.stderr).toBe(0);
      const n = s.calls().length;
      const bare = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env });
      expect(bare.code, bare.stderr).toBe(2);
      expect(bare.stderr).toContain('would reset 1 setting');
      expect(bare.stderr).toContain(keep);
      expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
      // The refusal's own command keeps it: that re-run is a no-op.
      const kept = cli(['install', '--preset', preset, '--yes', '--set', set, ...rootFlags], { env: s.env });
      expect(kept.code, kept.stderr).toBe(0);
      expect(kept.stderr).toContain('Changed: nothing');
      s.server.close();
    });
  }
  it('tobiko-docker with an extra env var named like a secret (AWS_SECRET_ACCESS_KEY): masked in every output, exported as env:, and the refusal keeps it by reference (it was shown, exported and refused in clear)', async () => {
    const KEY = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCY';
    const s = await stubEnv('docker', { AWSK: KEY });
    const set = 'tobiko.docker.extraEnv=[{name: AWS_SECRET_ACCESS_KEY, value: "env:AWSK"}, {name: LOG_LEVEL, value: debug}]';
    const dry = cli(['install', '--preset', 'tobiko-docker', '--dry-run', '--set', set, ...rootFlags], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+AWS_SECRET_ACCESS_KEY=********\n');
    expect(dry.stdout).toContain('+LOG_LEVEL=debug\n');
    const first = cli(['install', '--preset', 'tobiko-docker', '--yes', '--set', set, ...rootFlags], { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    expect(readFileSync(join(s.home, 'tobiko/tobiko.env'), 'utf8')).toContain(`\nAWS_SECRET_ACCESS_KEY=${KEY}\n`);
    const exported = cli(['export-preset'], { env: s.env });
    expect(exported.stdout).toContain('      - name: AWS_SECRET_ACCESS_KEY\n        value: env:TOBIKO_AWS_SECRET_ACCESS_KEY\n');
    expect(exported.stdout).toMatch(/export TCLOUD_CLIENT_SECRET, WAREHOUSE_PASSWORD, TOBIKO_AWS_SECRET_ACCESS_KEY before using it/);
    const bare = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env });
    expect(bare.code, bare.stderr).toBe(2);
    const keep = `--set 'tobiko.docker.extraEnv=[{"name":"AWS_SECRET_ACCESS_KEY","value":"env:TOBIKO_AWS_SECRET_ACCESS_KEY"},{"name":"LOG_LEVEL","value":"debug"}]'`;
    expect(bare.stderr).toContain(`to keep it: hd-setup install --preset tobiko-docker --yes ${rootFlags.join(' ')} ${keep}\n`);
    for (const out of [dry.stdout + dry.stderr, first.stdout + first.stderr, exported.stdout + exported.stderr, bare.stderr]) expect(out).not.toContain(KEY);
    // the refusal's command, its variable not exported: the install's stored value is kept, nothing changes, also
    // from a shell that has AWS credentials of its own (a reference by the variable's own name took those unseen)
    const kept = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags, '--set', keep.slice('--set \''.length, -1)], { env: { ...s.env, AWS_SECRET_ACCESS_KEY: 'the-developers-own-key-0000' } });
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toContain('Changed: nothing');
    expect(readFileSync(join(s.home, 'tobiko/tobiko.env'), 'utf8')).toContain(`\nAWS_SECRET_ACCESS_KEY=${KEY}\n`);
    // the list edited: a stored secret follows its variable by name, never its place (one kept by place went
    // to another variable, and to one not named like a secret: then shown in clear)
    const edited = cli(['install', '--preset', 'tobiko-docker', '--yes', '--reset', ...rootFlags, '--set', 'tobiko.docker.extraEnv=[{name: LOG_LEVEL, value: debug}, {name: PLAIN_VAR, value: "env:AWS_SECRET_ACCESS_KEY"}, {name: AWS_SECRET_ACCESS_KEY, value: "env:AWS_SECRET_ACCESS_KEY"}]'], { env: s.env });
    expect(edited.code, edited.stderr).toBe(0);
    const env = readFileSync(join(s.home, 'tobiko/tobiko.env'), 'utf8');
    expect(env).toContain(`\nAWS_SECRET_ACCESS_KEY=${KEY}\n`);
    expect(env).toContain('\nPLAIN_VAR=env:AWS_SECRET_ACCESS_KEY\n');
    expect(edited.stderr).toContain('Keeping the stored secret: tobiko.docker.extraEnv[2].value (AWS_SECRET_ACCESS_KEY)\n');
    for (const out of [edited.stderr, cli(['export-preset'], { env: s.env }).stdout]) expect(out).not.toContain(KEY);
    // a name that says secret with a flag for its value is a setting (masking "true" broke every --json); a number may be a password
    // and key material the words miss is one (an API key, a private key), but not its path
    const list = 'tobiko.docker.extraEnv=[{name: USE_SECRETS_MANAGER, value: "true"}, {name: DB_PASSWORD, value: "env:DBPW"}, {name: DD_API_KEY, value: "env:DDK"}, {name: SNOWFLAKE_PRIVATE_KEY_PATH, value: /keys/rsa_key.p8}]';
    const flag = cli(['install', '--preset', 'tobiko-docker', '--dry-run', '--json', '--reset', ...rootFlags, '--set', list], { env: { ...s.env, DBPW: '98765432', DDK: 'dd0api7key4value9x' } });
    expect(flag.code, flag.stderr).toBe(0);
    expect(JSON.parse(flag.stdout).dryRun).toBe(true);
    const text = cli(['install', '--preset', 'tobiko-docker', '--dry-run', '--reset', ...rootFlags, '--set', list], { env: { ...s.env, DBPW: '98765432', DDK: 'dd0api7key4value9x' } });
    expect(text.stdout).toContain('+USE_SECRETS_MANAGER=true\n');
    expect(text.stdout).toContain('+DB_PASSWORD=********\n');
    expect(text.stdout).toContain('+DD_API_KEY=********\n');
    expect(text.stdout).toContain('+SNOWFLAKE_PRIVATE_KEY_PATH=/keys/rsa_key.p8\n');
    for (const v of ['98765432', 'dd0api7key4value9x']) expect(text.stdout + text.stderr + flag.stdout + flag.stderr).not.toContain(v);
    // the mask copied back (the wizard shows the install's secrets masked) is no secret: refused, exit 2
    const masked = cli(['install', '--preset', 'tobiko-docker', '--dry-run', '--reset', ...rootFlags, '--set', 'tobiko.docker.extraEnv=[{name: AWS_SECRET_ACCESS_KEY, value: "********"}]'], { env: s.env });
    expect(masked.code).toBe(2);
    expect(masked.stderr).toMatch(/^error: tobiko\.docker\.extraEnv\[0\]\.value: is "\*{8}", the mask hd-setup prints in place of a secret; give the secret itself, as env:NAME or file:PATH\n/m);
    s.server.close();
  });
  // A setting the preset itself names, given otherwise with --set: a bare re-run would put back the preset's value.
  for (const [preset, set, says, file, read] of [
    ['fivetran-docker', 'fivetran.restartPolicy=always', 'on-failure:3', '', undefined],
    ['tobiko-docker', 'tobiko.gateways.warehouse.host=db2.internal', 'db.internal', 'tobiko/tobiko.env', (t: string) => t.includes('db2.internal')],
  ] as const) {
    it(`${preset} with ${set} (a setting the preset names): refused, naming the --set and what the preset says; --reset takes the preset's`, async () => {
      const s = await stubEnv('docker');
      // a secret given with --set is no setting to keep (a new one is a rotation): not recorded
      const secret = preset.startsWith('fivetran') ? 'fivetran.token=env:FIVETRAN_TOKEN' : 'tobiko.clientSecret=env:TCLOUD_CLIENT_SECRET';
      const first = cli(['install', '--preset', preset, '--yes', '--set', set, '--set', secret, ...rootFlags], { env: s.env });
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(s.home, '.config/hd-setup/installs.json'), 'utf8'))[0].setPaths).toEqual([set.slice(0, set.indexOf('='))]);
      const n = s.calls().length;
      const bare = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env });
      expect(bare.code, bare.stderr).toBe(2);
      expect(bare.stderr).toContain(`would change 1 setting the install was given with --set`);
      expect(bare.stderr).toContain(`${set} (the preset says ${says})`);
      expect(bare.stderr).toContain(`to keep it: hd-setup install --preset ${preset} --yes ${rootFlags.join(' ')} --set ${set}`);
      expect(bare.stderr).toContain('to apply exactly this preset: add --reset');
      expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
      if (file && read) expect(read(readFileSync(join(s.home, file), 'utf8'))).toBe(true);
      // given again: a no-op; and refused again without it (the record still says it was given)
      const kept = cli(['install', '--preset', preset, '--yes', '--set', set, ...rootFlags], { env: s.env });
      expect(kept.stderr).toContain('Changed: nothing');
      expect(cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env }).code).toBe(2);
      // --reset: the preset's value, and then the bare preset is a no-op
      const reset = cli(['install', '--preset', preset, '--yes', '--reset', ...rootFlags], { env: s.env });
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stderr).not.toContain('Changed: nothing');
      const again = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain('Changed: nothing');
      s.server.close();
    });
  }
  it('a --set back to the default value (the preset says another): the bare preset is refused as for any other value; it put its own value back unseen', async () => {
    const s = await stubEnv('docker');
    const preset = join(s.home, 'preset.yaml');
    writeFileSync(preset, 'product: fivetran\nruntime: docker\nfivetran:\n  token: env:FIVETRAN_TOKEN\n  restartPolicy: always\n  pullPolicy: missing\n');
    expect(cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    // the hot fix: both settings back to their defaults, given with --set (an HD_SETUP_* option is the same)
    const fix = cli(['install', '--preset', preset, '--yes', '--set', 'fivetran.restartPolicy=on-failure:3', ...rootFlags], { env: { ...s.env, HD_SETUP_FIVETRAN__PULL_POLICY: 'always' } });
    expect(fix.code, fix.stderr).toBe(0);
    const n = s.calls().length;
    const bare = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env });
    expect(bare.code, bare.stderr).toBe(2);
    expect(bare.stderr).toContain(`error: this preset would change 2 settings the install was given with --set or HD_SETUP_* (${s.home}/fivetran): fivetran.pullPolicy=always (the preset says missing), fivetran.restartPolicy=on-failure:3 (the preset says always)\n`);
    expect(bare.stderr).toContain(`to keep them: hd-setup install --preset ${preset} --yes ${rootFlags.join(' ')} --set fivetran.pullPolicy=always --set fivetran.restartPolicy=on-failure:3\n`.replace('  ', ' '));
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    // the keep command is a no-op; --reset takes the preset's values
    expect(cli(['install', '--preset', preset, '--yes', '--set', 'fivetran.pullPolicy=always', '--set', 'fivetran.restartPolicy=on-failure:3', ...rootFlags], { env: s.env }).stderr).toContain('Changed: nothing');
    const reset = cli(['install', '--preset', preset, '--yes', '--reset', ...rootFlags], { env: s.env });
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stderr).toContain('restart policy on-failure:3 -> always');
    s.server.close();
  });
  // A run that gives no secret (the stored one is kept): the settings it leaves out are found all the same.
  for (const [label, args, envOut] of [
    ['only --set product and runtime', ['--set', 'product=fivetran', '--set', 'runtime=docker'], []],
    ['the preset, its token variable unset', ['--preset', 'fivetran-docker'], ['FIVETRAN_TOKEN']],
  ] as const) {
    it(`a re-run with ${label} (the stored token kept) refuses too, before and after an uninstall that kept the config`, async () => {
      const s = await stubEnv('docker');
      const first = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://proxy.internal:3128', '--set', 'fivetran.memory=4g', ...rootFlags], { env: s.env });
      expect(first.code, first.stderr).toBe(0);
      const env = { ...s.env };
      for (const k of envOut) delete env[k];
      const config = () => readFileSync(join(s.home, 'fivetran/conf/config.json'), 'utf8');
      const before = config();
      for (const round of ['installed', 'uninstalled']) {
        const n = s.calls().length;
        const bare = cli(['install', ...args, '--yes', ...rootFlags], { env });
        expect(bare.code, `${round}: ${bare.stderr}`).toBe(2);
        expect(bare.stderr).toContain(`would reset 2 settings ${round === 'installed' ? 'the installed agent' : 'the config an uninstall kept'} has`);
        expect(bare.stderr).toContain('proxy.https=http://proxy.internal:3128, fivetran.memory=4g');
        expect(bare.stderr).toContain(`to keep them: hd-setup install ${args.join(' ')} --yes ${rootFlags.join(' ')} --set proxy.https=http://proxy.internal:3128 --set fivetran.memory=4g`);
        expect(bare.stderr).toContain(args[0] === '--preset' ? 'to apply exactly this preset and drop them' : 'this run would reset');
        expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
        expect(config()).toBe(before);
        // the refusal's own command keeps them, the stored token with them
        const kept = cli(['install', ...args, '--yes', ...rootFlags, '--set', 'proxy.https=http://proxy.internal:3128', '--set', 'fivetran.memory=4g'], { env });
        expect(kept.code, kept.stderr).toBe(0);
        expect(kept.stderr).toContain('Keeping the stored secret: fivetran.token');
        if (round === 'installed') {
          expect(kept.stderr).toContain('Changed: nothing');
          expect(cli(['uninstall', '--yes'], { env: s.env }).code).toBe(0);
        }
        expect(config()).toBe(before);
      }
      s.server.close();
    });
  }
  it('Kubernetes: the image pull policy of the agent', async () => {
    const k = await k8sBed();
    try {
      const args = ['install', '--preset', 'fivetran-kubernetes', '--yes', '--set', chartOf('fivetran')];
      const first = await k.hd([...args, '--set', 'fivetran.kubernetes.imagePullPolicy=IfNotPresent']);
      expect(first.code, first.stderr).toBe(0);
      const n = k.api.requests.length;
      const bare = await k.hd(args);
      expect(bare.code, bare.stderr).toBe(2);
      expect(bare.stderr).toContain('--set fivetran.kubernetes.imagePullPolicy=IfNotPresent');
      expect(k8sWrites(k, n)).toEqual([]);
    } finally {
      await k.stop();
    }
  }, 120_000);
  it('a setting given as an HD_SETUP_* option is held like a --set: the bare preset is refused naming the --set that keeps it', async () => {
    const s = await stubEnv('docker');
    const first = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: { ...s.env, HD_SETUP_FIVETRAN__RESTART_POLICY: 'always' } });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(s.home, '.config/hd-setup/installs.json'), 'utf8'))[0].setPaths).toEqual(['fivetran.restartPolicy']);
    const n = s.calls().length;
    const bare = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(bare.code, bare.stderr).toBe(2);
    expect(bare.stderr).toContain('fivetran.restartPolicy=always (the preset says on-failure:3)');
    expect(bare.stderr).toContain(`to keep it: hd-setup install --preset fivetran-docker --yes ${rootFlags.join(' ')} --set fivetran.restartPolicy=always`);
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    s.server.close();
  });
  it('a preset whose value is wrong in itself (a memory of 2048, a number): that error, with its fix, not a refusal whose keep command meets the next one', async () => {
    const s = await stubEnv('docker');
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.memory=4g', '--set', 'fivetran.restartPolicy=always', ...rootFlags], { env: s.env }).code).toBe(0);
    const preset = join(s.home, 'typed.yaml');
    writeFileSync(preset, 'product: fivetran\nruntime: docker\nfivetran:\n  token: env:FIVETRAN_TOKEN\n  memory: 2048\n  restartPolicy: [always]\n');
    const n = s.calls().length;
    const r = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe('error: fivetran.restartPolicy: must be one of "on-failure:3", "always", "unless-stopped"\nerror: fivetran.memory: expected string, received number; put the value in quotes (it was read as a number)\n');
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    // what it leaves out is still the refusal (only --set product and runtime: every setting named)
    const named = cli(['install', '--set', 'product=fivetran', '--set', 'runtime=docker', '--yes', ...rootFlags], { env: s.env });
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('would reset 2 settings the installed agent has');
    s.server.close();
  });

  it('a secret given literally on the command line: the keep command names its env: reference, not a mask, and runs as printed once it is exported', async () => {
    const s = await stubEnv('docker');
    const literal = Buffer.from('clever_tiger:LiteralOnArgv').toString('base64');
    const proxy = 'http://bob:Pr0xyArgv@proxy.internal:3128';
    const first = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags, '--set', 'fivetran.memory=3g', '--set', `fivetran.token=${literal}`], { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    const n = s.calls().length;
    const bare = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags, `--set=fivetran.token=${literal}`, '--set', `proxy.https=${proxy}`, '--set', 'proxy.http=http://proxy.internal:3128'], { env: s.env });
    expect(bare.code, bare.stderr).toBe(2);
    const keep = /to keep it: hd-setup (.*)$/m.exec(bare.stderr)![1]!;
    expect(keep).toBe(`install --preset fivetran-docker --yes ${rootFlags.join(' ')} --set=fivetran.token=env:FIVETRAN_TOKEN --set proxy.https=env:AGENT_HTTPS_PROXY --set proxy.http=http://proxy.internal:3128 --set fivetran.memory=3g`);
    expect(bare.stderr).not.toContain('*');
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    const again = cli(keep.split(' '), { env: { ...s.env, FIVETRAN_TOKEN: literal, AGENT_HTTPS_PROXY: proxy } });
    expect(again.code, again.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(s.home, 'fivetran/conf/config.json'), 'utf8'));
    expect(JSON.stringify(config)).toContain(literal);
    expect(s.calls().some((c) => c.includes('--memory=3g') || c.includes('--memory=3072m'))).toBe(true);
    s.server.close();
  });
  // Settings whole only together: not one of them fits back alone, so each used to pass for an alternative the preset chose.
  it('a gateway given with --set (its type, host, user and password): the bare preset is refused naming it; the keep command keeps the stored password', async () => {
    const s = await stubEnv('docker');
    const gw = ['tobiko.gateways.second.type=mysql', 'tobiko.gateways.second.host=h2', 'tobiko.gateways.second.user=u2'];
    const sets = gw.flatMap((x) => ['--set', x]);
    const env = { ...s.env, PW2: 'pw2-secret-999' };
    const first = cli(['install', '--preset', 'tobiko-docker', '--yes', ...sets, '--set', 'tobiko.gateways.second.password=env:PW2', ...rootFlags], { env });
    expect(first.code, first.stderr).toBe(0);
    const envFile = () => readFileSync(join(s.home, 'tobiko/tobiko.env'), 'utf8');
    const before = envFile();
    expect(before).toContain('SECOND');
    const n = s.calls().length;
    const bare = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env });
    expect(bare.code, bare.stderr).toBe(2);
    expect(bare.stderr).toContain(`would reset 3 settings the installed agent has (${s.home}/tobiko): ${gw.join(', ')}`);
    expect(bare.stderr).toContain(`to keep them: hd-setup install --preset tobiko-docker --yes ${rootFlags.join(' ')} ${gw.map((x) => `--set ${x}`).join(' ')}`);
    expect(bare.stderr).not.toContain('pw2-secret-999');
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    expect(envFile()).toBe(before);
    const kept = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags, ...sets], { env: s.env });
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toContain('Keeping the stored secret: tobiko.gateways.second.password');
    expect(kept.stderr).toContain('Changed: nothing');
    // only --set product and runtime: every setting named (not "tobiko.org: is required"), and its keep command is a no-op
    const pointer = cli(['install', '--set', 'product=tobiko', '--set', 'runtime=docker', '--yes', ...rootFlags], { env: s.env });
    expect(pointer.code, pointer.stderr).toBe(2);
    // (the default gateway among them: the keep command names the second gateway first)
    expect(pointer.stderr).toMatch(/^error: this run would reset 12 settings the installed agent has .*: tobiko\.org=acme, .*, tobiko\.defaultGateway=warehouse\n/);
    expect(pointer.stderr).not.toContain('is required');
    const keep = /to keep them: hd-setup (.*)$/m.exec(pointer.stderr)![1]!.split(' ');
    const again = cli(keep, { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Changed: nothing');
    expect(envFile()).toBe(before);
    s.server.close();
  });
  it('only --set product and runtime, the install in a dir of its own (the wizard asked for one): that install, its settings named, not "tobiko: is required"', async () => {
    const s = await stubEnv('docker');
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', '--set', 'tobiko.docker.installDir=~/tob dir', ...rootFlags], { env: s.env }).code).toBe(0);
    const envFile = join(s.home, 'tob dir/tobiko.env');
    const before = readFileSync(envFile, 'utf8');
    const pointer = cli(['install', '--set', 'product=tobiko', '--set', 'runtime=docker', '--yes', ...rootFlags], { env: s.env });
    expect(pointer.code, pointer.stderr).toBe(2);
    expect(pointer.stderr).toMatch(new RegExp(`^error: this run would reset 8 settings the installed agent has \\(${s.home}/tob dir\\): tobiko\\.org=acme, `));
    const keep = /to keep them: hd-setup (.*)$/m.exec(pointer.stderr)![1]!.split(' ');
    const again = cli(keep, { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Changed: nothing');
    expect(readFileSync(envFile, 'utf8')).toBe(before);
    s.server.close();
  });
  it('a first install given by --set alone is not stopped by another product\'s install (broken), nor moved to it', async () => {
    const s = await stubEnv('docker');
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.installDir=~/ft', ...rootFlags], { env: s.env }).code).toBe(0);
    writeFileSync(join(s.home, 'ft/conf/config.json'), '{broken');
    const sets = ['product=tobiko', 'runtime=docker', 'tobiko.org=acme', 'tobiko.project=p', 'tobiko.clientId=c', 'tobiko.clientSecret=env:TCLOUD_CLIENT_SECRET', 'tobiko.gateways.warehouse.type=duckdb', 'tobiko.gateways.warehouse.database=/tmp/x.db'].flatMap((x) => ['--set', x]);
    const r = cli(['install', ...sets, '--dry-run', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${s.home}/tobiko/tobiko.env`);
    s.server.close();
  });
  it('Kubernetes: affinity rules and the connections they place; a run with only --set product and runtime names the volume claim it would drop', async () => {
    const k = await k8sBed();
    try {
      const chart = ['--set', chartOf('fivetran')];
      const first = await k.hd(['install', '--preset', 'fivetran-kubernetes-affinity', '--yes', ...chart]);
      expect(first.code, first.stderr).toBe(0);
      const n = k.api.requests.length;
      const other = await k.hd(['install', '--preset', 'fivetran-kubernetes', '--yes', ...chart]);
      expect(other.code, other.stderr).toBe(2);
      expect(other.stderr).toMatch(/would reset \d+ settings the installed agent has .*fivetran\.kubernetes\.affinityRules\./);
      expect(other.stderr).toContain('fivetran.kubernetes.affinity=[');
      const bare = await k.hd(['install', '--set', 'product=fivetran', '--set', 'runtime=kubernetes', '--yes', ...chart]);
      expect(bare.code, bare.stderr).toBe(2);
      expect(bare.stderr).toMatch(/^error: this run would reset \d+ settings the installed agent has .*fivetran\.kubernetes\.dataVolumePvc=fivetran-data/);
      expect(bare.stderr).not.toContain('is required');
      expect(k8sWrites(k, n)).toEqual([]);
    } finally {
      await k.stop();
    }
  }, 120_000);
  it('Kubernetes: resources the chart would default to, given in the preset (fivetran-kubernetes), are kept or refused, never dropped unseen; the export shows them', async () => {
    const k = await k8sBed();
    try {
      const chart = ['--set', chartOf('fivetran')];
      const first = await k.hd(['install', '--preset', 'fivetran-kubernetes', '--yes', ...chart]);
      expect(first.code, first.stderr).toBe(0);
      // (read back, they were "requests: {}": each value the model fills in while the other is there, so a
      // re-run without them saw no setting to name, and its diff dropped the block)
      const exported = await k.hd(['export-preset']);
      expect(exported.stdout).toContain('    resources:\n      requests:\n        cpu: "2"\n        memory: 2Gi\n');
      const n = k.api.requests.length;
      const sets = ['product=fivetran', 'runtime=kubernetes', 'fivetran.token=env:FIVETRAN_TOKEN', 'fivetran.kubernetes.dataVolumePvc=fivetran-data', 'fivetran.kubernetes.namespace=fivetran'].flatMap((x) => ['--set', x]);
      const again = await k.hd(['install', ...sets, '--yes', ...chart]);
      expect(again.code, again.stderr).toBe(2);
      expect(again.stderr).toMatch(/^error: this run would reset 2 settings the installed agent has \(release hd-agent in namespace fivetran\): fivetran\.kubernetes\.resources\.requests\.cpu=2, fivetran\.kubernetes\.resources\.requests\.memory=2Gi\n/);
      expect(k8sWrites(k, n)).toEqual([]);
      const keep = /to keep them: hd-setup (.*)$/m.exec(again.stderr)![1]!.split(' ');
      const kept = await k.hd(keep);
      expect(kept.code, kept.stderr).toBe(0);
      expect(kept.stderr).toContain('Changed: nothing');
    } finally {
      await k.stop();
    }
  }, 120_000);
  it('an install that stops before its container runs keeps what only the container would say (image, pull policy, memory, restart policy)', async () => {
    const s = await stubEnv();
    const sets = ['fivetran.image=registry.example.com/mirror/ldp-agent:1.2', 'fivetran.pullPolicy=missing', 'fivetran.memory=6g', 'fivetran.restartPolicy=always'];
    const args = ['install', '--preset', 'fivetran-docker', '--yes', ...sets.flatMap((x) => ['--set', x]), ...rootFlags];
    const failed = cli(args, { env: { ...s.env, HD_STUB_FAIL: 'run' } });
    expect(failed.code, failed.stderr).toBe(1);
    // the settings read back from the record, as the install meant them
    const exported = cli(['export-preset'], { env: s.env });
    expect(exported.code, exported.stderr).toBe(0);
    for (const line of ['image: registry.example.com/mirror/ldp-agent:1.2', 'pullPolicy: missing', 'memory: 6g', 'restartPolicy: always']) expect(exported.stdout).toContain(line);
    const status = cli(['status'], { env: s.env });
    expect(status.stdout).toContain('registry.example.com/mirror/ldp-agent:1.2');
    // a bare re-run would drop them: refused, with the --sets that keep them; with them, it completes
    const n = s.calls().length;
    const bare = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(bare.code, bare.stderr).toBe(2);
    // (the preset names its restart policy: that one it changes, as asked)
    for (const x of sets.slice(0, 3)) expect(bare.stderr).toContain(`--set ${x}`);
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    const again = cli(args, { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(s.calls().slice(n)).toContainEqual(expect.stringMatching(/^run .*--restart always .* registry\.example\.com\/mirror\/ldp-agent:1\.2 -f /));
    s.server.close();
  });
  it('so does a re-run that replaces a running container and stops before the new one runs (the record is rewritten, as unfinished)', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const failed = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.memory=6g', ...rootFlags], { env: { ...s.env, HD_STUB_FAIL: 'run' } });
    expect(failed.code, failed.stderr).toBe(1);
    expect(JSON.parse(readFileSync(join(s.home, '.config/hd-setup/installs.json'), 'utf8'))[0].state).toBe('started');
    const exported = cli(['export-preset'], { env: s.env });
    expect(exported.stdout).toContain('memory: 6g');
    s.server.close();
  });
  it('a re-run takes --allow-root from the install, as start does; one its preflight stops changes nothing, the record included: --allow-root stays remembered and start works', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const registry = join(s.home, '.config/hd-setup/installs.json');
    const before = readFileSync(registry, 'utf8');
    // (as root: without --allow-root it failed the not-root check, where the wizard, start and restart took it)
    const refused = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.memory=6g'], { env: { ...s.env, HD_STUB_VERSION: '19.03.0' } });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain('FAIL runtime-version');
    if (rootFlags.length) expect(refused.stderr).toContain('warn not-root: running as root (allowed: it was installed with --allow-root)');
    expect(readFileSync(registry, 'utf8')).toBe(before);
    const rerun = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.memory=6g'], { env: s.env });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(readFileSync(registry, 'utf8'))[0].allowRoot).toBe(rootFlags.length ? true : undefined);
    expect(cli(['stop'], { env: s.env }).code).toBe(0);
    const start = cli(['start'], { env: s.env });
    expect(start.code, start.stderr).toBe(0);
    s.server.close();
  });
  it('a re-run after one that rewrote the config but stopped before the container (a failed pull) recreates it: the new token reaches the agent', async () => {
    const s = await stubEnv();
    const install = (v: string, extra: NodeJS.ProcessEnv = {}) =>
      cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.pullPolicy=always', ...rootFlags], { env: { ...s.env, FIVETRAN_TOKEN: Buffer.from(`clever_tiger:${v}`).toString('base64'), ...extra } });
    expect(install('first-secret').code).toBe(0);
    const failed = install('second-secret', { HD_STUB_FAIL: 'pull' });
    expect(failed.code, failed.stderr).toBe(1);
    const mid = s.calls().length;
    expect(s.calls().slice(0, mid).filter((c) => c.startsWith('rm '))).toEqual([]);
    // config.json holds the new token already; the container still runs with the old one
    const again = install('second-secret');
    expect(again.code, again.stderr).toBe(0);
    expect(s.calls().slice(mid)).toContain('rm -f controller');
    expect(again.stderr).toContain('Recreate container controller (its config file changed)');
    // and then it is the no-op again
    const n = s.calls().length;
    expect(install('second-secret').stderr).toContain('already running with the same configuration');
    expect(s.calls().slice(n).filter((c) => /^(run|rm) /.test(c))).toEqual([]);
    s.server.close();
  });
  it('a --set on one item of a list the preset has (proxy.noProxy[0]): the bare preset is refused naming that item; the keep command is a no-op', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    const preset = join(s.home, 'proxy.yaml');
    writeFileSync(preset, 'product: fivetran\nruntime: docker\nfivetran:\n  token: env:FIVETRAN_TOKEN\nproxy:\n  https: http://proxy.internal:3128\n  noProxy: [x.internal, b.internal]\n');
    const config = () => JSON.parse(readFileSync(join(s.home, 'fivetran/conf/config.json'), 'utf8')).no_proxy;
    const first = cli(['install', '--preset', preset, '--yes', '--set', 'proxy.noProxy[0]=a.internal', ...rootFlags], { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    expect(config()).toBe('a.internal,b.internal');
    const n = s.calls().length;
    const bare = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env });
    expect(bare.code, bare.stderr).toBe(2);
    expect(bare.stderr).toContain(`error: this preset would change 1 setting the install was given with --set or HD_SETUP_* (${s.home}/fivetran): proxy.noProxy[0]=a.internal (the preset says x.internal)\n`);
    expect(bare.stderr).toContain(`--yes ${rootFlags.join(' ')}${rootFlags.length ? ' ' : ''}--set 'proxy.noProxy[0]=a.internal'\n`);
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    expect(config()).toBe('a.internal,b.internal');
    const kept = cli(['install', '--preset', preset, '--yes', '--set', 'proxy.noProxy[0]=a.internal', ...rootFlags], { env: s.env });
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toContain('Changed: nothing');
    // an item the --set appended: the preset's list has no such item, which is a change too (it was dropped, exit 0)
    const appended = cli(['install', '--preset', preset, '--yes', '--reset', '--set', 'proxy.noProxy[2]=c.internal', ...rootFlags], { env: s.env });
    expect(appended.code, appended.stderr).toBe(0);
    expect(config()).toBe('x.internal,b.internal,c.internal');
    const again = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain('proxy.noProxy[2]=c.internal (the preset has no such item)');
    expect(again.stderr).toContain(`--set 'proxy.noProxy[2]=c.internal'\n`);
    expect(config()).toBe('x.internal,b.internal,c.internal');
    s.server.close();
  });

  it('config.json edited by hand to hold what an agent parameter cannot be (an object, a null): a re-run refuses naming them and writes nothing; --reset replaces them', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const file = join(s.home, 'fivetran/conf/config.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), dns: { primary: '1.1.1.1' }, custom_dns: null }), { mode: 0o600 });
    const edited = readFileSync(file, 'utf8');
    const before = mtimes(join(s.home, 'fivetran'));
    const n = s.calls().length;
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(
      `error: the files of the install at ${s.home}/fivetran do not make a whole install (fivetran.config.dns expected string, number or boolean, received an object, fivetran.config.custom_dns expected string, number or boolean, received null); put back their last backup (hd-setup rollback), or pass --reset to replace them with what this command gives\n`,
    );
    expect(readFileSync(file, 'utf8')).toBe(edited);
    expect(mtimes(join(s.home, 'fivetran'))).toEqual(before);
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    const reset = cli(['install', '--preset', 'fivetran-docker', '--yes', '--reset', ...rootFlags], { env: s.env });
    expect(reset.code, reset.stderr).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8'))).sort()).toEqual(['host_selinux_enabled', 'token']);
    s.server.close();
  });

  it('--set path=null removes that setting on purpose: no refusal (it called it a silent reset, and its keep command set it to null and back); the rest is kept', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    const base = ['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags, '--set', 'fivetran.memory=4g'];
    expect(cli([...base, '--set', 'fivetran.config.foo=bar', '--set', 'fivetran.config.keep_me=1'], { env: s.env }).code).toBe(0);
    const file = join(s.home, 'fivetran/conf/config.json');
    const r = cli([...base, '--set', 'fivetran.config.foo=null', '--set', 'fivetran.config.keep_me=1'], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    const config = JSON.parse(readFileSync(file, 'utf8'));
    expect(config.foo).toBeUndefined();
    expect(config.keep_me).toBe(1);
    // leaving out one that is not unset is still refused
    const dropped = cli(base, { env: s.env });
    expect(dropped.code).toBe(2);
    expect(dropped.stderr).toContain('fivetran.config.keep_me=1');
    s.server.close();
  });

  it('an integer past 2^53 edited into config.json: a re-run refuses naming it (it offered to keep it as --set …=12345678901234567000, another number); written in quotes it is kept as it is', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const file = join(s.home, 'fivetran/conf/config.json');
    const text = readFileSync(file, 'utf8');
    const edit = (value: string) => writeFileSync(file, text.replace(/\n}\n?$/, `,\n  "custom_id": ${value}\n}\n`), { mode: 0o600 });
    edit('12345678901234567890');
    const edited = readFileSync(file, 'utf8');
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`error: the files of the install at ${s.home}/fivetran do not make a whole install (fivetran.config.custom_id is an integer past 2^53, which is read as another number); put back their last backup (hd-setup rollback), or pass --reset to replace them with what this command gives\n`);
    expect(readFileSync(file, 'utf8')).toBe(edited);
    edit('"12345678901234567890"');
    const quoted = readFileSync(file, 'utf8');
    // kept (the container is recreated once, as for any hand edit, so that the agent reads it), then a no-op
    const keep = ['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags, '--set', 'fivetran.config.custom_id="12345678901234567890"'];
    const kept = cli(keep, { env: s.env });
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toMatch(/Write configuration files \.\.\.\n\[2\/7\] skipped: unchanged/);
    expect(readFileSync(file, 'utf8')).toBe(quoted);
    const again = cli(keep, { env: s.env });
    expect(again.stderr).toMatch(/Changed: nothing/);
    expect(readFileSync(file, 'utf8')).toBe(quoted);
    s.server.close();
  });

  it('Tobiko: a second gateway made the default with --set: the bare preset names both, and the keep command, whatever order it gives them in, changes nothing', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    const env = () => readFileSync(join(s.home, 'tobiko/tobiko.env'), 'utf8');
    const first = cli(['install', '--preset', 'tobiko-docker', '--yes', '--set', 'tobiko.gateways.lake={type: duckdb, database: /data/lake.db}', '--set', 'tobiko.defaultGateway=lake', ...rootFlags], { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    const written = env();
    expect(written).toMatch(/^SQLMESH__DEFAULT_GATEWAY=lake\nSQLMESH__GATEWAYS__LAKE__CONNECTION__TYPE=duckdb\n/m);
    const n = s.calls().length;
    const bare = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env });
    expect(bare.code, bare.stderr).toBe(2);
    // the default went with the gateway before: the bare preset put warehouse back as the default, exit 0
    expect(bare.stderr).toContain('tobiko.defaultGateway=lake');
    const keep = /to keep them: hd-setup (.*)\n/.exec(bare.stderr)![1]!.split(' ');
    expect(keep).toEqual(expect.arrayContaining(['--set', 'tobiko.defaultGateway=lake', 'tobiko.gateways.lake.type=duckdb']));
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    // the keep command sets lake after the preset's warehouse: the same env file all the same (it was rewritten, lines reordered, both executors recreated)
    const kept = cli(keep, { env: s.env });
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toContain('Changed: nothing');
    expect(env()).toBe(written);
    s.server.close();
  });

  it('Tobiko: a preset of two gateways whose default is its first, unnamed, re-applies as a no-op', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    const preset = join(s.home, 'two.yaml');
    writeFileSync(preset, readFileSync(join(ROOT_DIR, 'presets/tobiko-docker.yaml'), 'utf8').replace(/^  docker:/m, '    lake:\n      type: duckdb\n      database: /data/lake.db\n  docker:'));
    expect(cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const again = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Changed: nothing');
    s.server.close();
  });

  it('Tobiko: a gateway renamed, added or removed whole is one line of the changes list (it was one a field); --json keeps every field', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const preset = join(s.home, 'renamed.yaml');
    writeFileSync(preset, readFileSync(join(ROOT_DIR, 'presets/tobiko-docker.yaml'), 'utf8').replace('    warehouse:', '    lake:'));
    // (--reset: a preset without the old gateway drops it, which a re-run refuses unless told)
    const dry = cli(['install', '--preset', preset, '--reset', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.code, dry.stderr + dry.stdout).toBe(0);
    const list = dry.stdout.slice(dry.stdout.indexOf("Changes to the install's settings:")).split('\n\n')[0];
    expect(list).toBe(
      "Changes to the install's settings:\n" +
        '  tobiko.defaultGateway: warehouse -> lake\n' +
        '  tobiko.gateways.lake: added (database analytics, host db.internal, port 5432, type postgres, user sqlmesh; password: a secret, not shown)\n' +
        '  tobiko.gateways.warehouse: removed',
    );
    expect(dry.stdout).not.toContain(SECRET_ENV.WAREHOUSE_PASSWORD);
    const json = cli(['install', '--preset', preset, '--reset', '--dry-run', '--json', ...rootFlags], { env: s.env });
    const paths = (JSON.parse(json.stdout).changes as { path: string }[]).map((c) => c.path);
    expect(paths).toContain('tobiko.gateways.lake.host');
    expect(paths).toContain('tobiko.gateways.warehouse.password');
    expect(json.stdout).not.toContain(SECRET_ENV.WAREHOUSE_PASSWORD);
    s.server.close();
  });

  it('a preset saved from the install (export-preset) re-applies as a no-op', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.memory=4g', ...rootFlags], { env: s.env }).code).toBe(0);
    const saved = join(s.home, 'saved.yaml');
    expect(cli(['export-preset', '--out', saved], { env: s.env }).code).toBe(0);
    // exported again over it: the same preset is not rewritten
    const first = readFileSync(saved, 'utf8');
    const twice = cli(['export-preset', '--out', saved], { env: s.env });
    expect(twice.code, twice.stderr).toBe(0);
    expect(twice.stderr).toContain(`${saved} holds this preset already (not rewritten)`);
    // edited by hand (its first line kept): replaced by the export, the edited one kept as a backup
    const edited = first.replace('memory: 4g', 'memory: 5g');
    expect(edited).not.toBe(first);
    writeFileSync(saved, edited);
    const over = cli(['export-preset', '--out', saved], { env: s.env });
    expect(over.code, over.stderr).toBe(0);
    const backup = /kept as (\S+)\)/.exec(over.stderr)?.[1];
    expect(backup, over.stderr).toMatch(new RegExp(`^${saved.replaceAll('.', '\\.')}\\.bak-\\d{8}T\\d{6}Z`));
    expect(readFileSync(backup!, 'utf8')).toBe(edited);
    expect(readFileSync(saved, 'utf8')).toBe(first);
    const again = cli(['install', '--preset', saved, '--yes', ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Changed: nothing');
    s.server.close();
  });
});

describe('a proxy with a password, exported as a reference', () => {
  it("is named apart from the shell's own proxy variables; a re-run with it unset keeps it, and an HTTPS_PROXY this shell has changes nothing", async () => {
    const s = await stubEnv();
    const PROXY = 'http://bob:Pr0xy-pw-71@proxy.corp:3128';
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', '--set', `proxy.https=${PROXY}`, ...rootFlags], { env: s.env }).code).toBe(0);
    const saved = join(s.home, 'exported.yaml');
    expect(cli(['export-preset', '--out', saved], { env: s.env }).code).toBe(0);
    expect(readFileSync(saved, 'utf8')).toContain('https: env:AGENT_HTTPS_PROXY');
    const envFile = join(s.home, 'tobiko/tobiko.env');
    const before = readFileSync(envFile, 'utf8');
    // the reference gives nothing here: the stored proxy is kept, as a stored secret is
    const unset = cli(['install', '--preset', saved, '--yes', ...rootFlags], { env: s.env });
    expect(unset.code, unset.stderr).toBe(0);
    expect(unset.stderr).toContain('Keeping the stored secret: proxy.https');
    expect(unset.stderr).toContain('Changed: nothing');
    // a shell with a proxy of its own (for this host's traffic): not the agent's
    const ambient = cli(['install', '--preset', saved, '--yes', ...rootFlags], { env: { ...s.env, HTTPS_PROXY: 'http://squid.local:3128', HTTP_PROXY: 'http://squid.local:3128' } });
    expect(ambient.code, ambient.stderr).toBe(0);
    expect(ambient.stderr).toContain('Changed: nothing');
    expect(readFileSync(envFile, 'utf8')).toBe(before);
    // given, it is the new one
    const moved = cli(['install', '--preset', saved, '--yes', ...rootFlags], { env: { ...s.env, AGENT_HTTPS_PROXY: 'http://bob:Pr0xy-pw-72@proxy2.corp:3128' } });
    expect(moved.code, moved.stderr).toBe(0);
    expect(readFileSync(envFile, 'utf8')).toContain('proxy2.corp');
    // a preset that leaves the proxy out is still a reset to refuse (not a secret to keep)
    const bare = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--set proxy.https=env:AGENT_HTTPS_PROXY');
    // ... and its keep command, run as printed with nothing exported, keeps the stored one (its own reference
    // re-states it); another variable, unset, is a new one not given: exit 2
    const keep = /to keep it: hd-setup (.*)$/m.exec(bare.stderr)![1]!.split(' ');
    const kept = cli(keep, { env: s.env });
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toContain('Keeping the stored secret: proxy.https');
    expect(kept.stderr).toContain('Changed: nothing');
    const typo = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags, '--set', 'proxy.https=env:AGENT_HTTPS_PROXI'], { env: s.env });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('proxy.https: environment variable AGENT_HTTPS_PROXI is not set');
    s.server.close();
  });
});

describe('an extra env var whose value holds a password (a database URL), whatever its name', () => {
  it('is a secret: exported as a reference, not masked text (the trial installed the export and got ******** as the password); kept when unset; a new one given is written', async () => {
    const s = await stubEnv();
    const URL1 = 'postgres://bob:qpass-Url-4411@db/app?sslmode=require&sslpassword=qpass-Ssl-5522';
    const given = join(s.home, 'given.yaml');
    writeFileSync(given, `product: tobiko\nruntime: docker\ntobiko:\n  org: acme\n  project: analytics\n  clientId: abc\n  clientSecret: env:TCLOUD_CLIENT_SECRET\n  gateways:\n    warehouse: {type: postgres, host: db, port: 5432, database: d, user: u, password: env:WAREHOUSE_PASSWORD}\n  docker:\n    extraEnv:\n      - {name: DATABASE_URL, value: "${URL1}"}\n      - {name: REPORT_URL, value: "https://reports/x?token_hint=none&sslpassword=qpass-Q-6633"}\n      - {name: PLAIN_URL, value: "https://example.test/x?mode=ro"}\n`);
    const first = cli(['install', '--preset', given, '--yes', ...rootFlags], { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    const saved = join(s.home, 'exported.yaml');
    const exp = cli(['export-preset', '--out', saved], { env: s.env });
    expect(exp.code, exp.stderr).toBe(0);
    const text = readFileSync(saved, 'utf8');
    // (named apart from a variable of its own name, which a developer's shell often has for something else)
    expect(text).toContain('value: env:TOBIKO_DATABASE_URL');
    expect(text).toContain('value: env:TOBIKO_REPORT_URL');
    expect(text).toContain('value: https://example.test/x?mode=ro');
    expect(text).not.toContain('********');
    for (const out of [first.stdout + first.stderr, exp.stdout + exp.stderr, text]) for (const pw of ['qpass-Url-4411', 'qpass-Ssl-5522', 'qpass-Q-6633']) expect(out).not.toContain(pw);
    const envFile = join(s.home, 'tobiko/tobiko.env');
    const before = readFileSync(envFile, 'utf8');
    expect(before).toContain(`DATABASE_URL=${URL1}`);
    // the variables unset, or a shell with a DATABASE_URL of its own: the stored values are kept, nothing changes
    for (const extra of [{}, { DATABASE_URL: 'postgres://dev:devpw-1234@localhost/dev' }]) {
      const again = cli(['install', '--preset', saved, '--yes', ...rootFlags], { env: { ...s.env, ...extra } });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain('Changed: nothing');
      expect(readFileSync(envFile, 'utf8')).toBe(before);
    }
    // given: the new one is written, and never shown
    const URL2 = 'postgres://bob:qpass-Url-7744@db/app';
    const moved = cli(['install', '--preset', saved, '--yes', ...rootFlags], { env: { ...s.env, TOBIKO_DATABASE_URL: URL2 } });
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout + moved.stderr).not.toContain('qpass-Url-7744');
    expect(readFileSync(envFile, 'utf8')).toContain(`DATABASE_URL=${URL2}`);
    s.server.close();
  });
});

describe('an extra env var that is no secret, written env:… or file:… (as an install made before holds it too)', () => {
  it('is the text as written, not the variable or the file (a SQLite file: URI is a value); a re-run changes nothing; an env: whose variable is unset is said', async () => {
    const s = await stubEnv();
    const list = '[{"name":"STATE_DB","value":"file:/etc/hostname"},{"name":"MODE","value":"env:HOME"},{"name":"FLAVOUR","value":"env:HD_TEST_UNSET_VAR"}]';
    const args = ['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags, '--set', `tobiko.docker.extraEnv=${list}`];
    const first = cli(args, { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    const envFile = readFileSync(join(s.home, 'tobiko/tobiko.env'), 'utf8');
    for (const line of ['STATE_DB=file:/etc/hostname', 'MODE=env:HOME', 'FLAVOUR=env:HD_TEST_UNSET_VAR']) expect(envFile).toContain(`\n${line}\n`);
    expect(first.stderr).toContain('warning: env FLAVOUR is the text "env:HD_TEST_UNSET_VAR" as written: HD_TEST_UNSET_VAR is not set; export it first if it names the value');
    const again = cli(args, { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Changed: nothing');
    const exported = cli(['export-preset'], { env: s.env });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('value: file:/etc/hostname');
    expect(exported.stdout).toContain('value: env:HOME');
    s.server.close();
  });
});

describe('one install dir, one runtime', () => {
  it('installing it on another runtime while it is installed is refused (the old containers would keep running); after an uninstall it goes', async () => {
    const s = await stubEnv('docker', { USER: 'ana', HD_STUB_SOCKET: '' }, { imagePresent: true });
    s.env.HD_STUB_SOCKET = join(s.home, 'runtime.sock');
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const n = s.calls().length;
    const podman = ['install', '--preset', 'fivetran-podman', '--yes', '--skip-check', 'runtime-version', ...rootFlags];
    const r = cli(podman, { env: s.env });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').at(-2)).toBe(
      `error: runtime: the Fivetran Hybrid Deployment Agent in ${s.home}/fivetran is installed on docker; installing it on podman as well would leave the docker containers running beside the new ones. Remove it first: hd-setup uninstall --set product=fivetran --set runtime=docker (its config is kept), then install again; or keep runtime=docker`,
    );
    // refused before anything speaks of applying changes to it
    expect(r.stderr).not.toContain('Found an existing install');
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    // the command it names works, and then the install on podman does
    const un = cli(['uninstall', '--yes', '--set', 'product=fivetran', '--set', 'runtime=docker'], { env: s.env });
    expect(un.code, un.stderr).toBe(0);
    const again = cli(podman, { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    s.server.close();
  });
});

describe('a kept config taken up by the other container runtime', () => {
  it('keeps what the docker install was given: podman without the --sets is refused naming both, and the keep command runs the container with them', async () => {
    const s = await stubEnv('docker', { HD_STUB_SOCKET: '' }, { imagePresent: true });
    s.env.HD_STUB_SOCKET = join(s.home, 'runtime.sock');
    const first = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.restartPolicy=always', '--set', 'fivetran.memory=3g', ...rootFlags], { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    expect(cli(['uninstall', '--yes'], { env: s.env }).code).toBe(0);
    const n = s.calls().length;
    const podman = ['install', '--preset', 'fivetran-podman', '--yes', ...rootFlags];
    const bare = cli(podman, { env: s.env });
    expect(bare.code, bare.stderr).toBe(2);
    expect(bare.stderr).toContain(`this preset would reset 1 setting the config an uninstall kept has (${s.home}/fivetran): fivetran.memory=3g\n`);
    expect(bare.stderr).toContain('would change 1 setting the install was given with --set or HD_SETUP_* (' + `${s.home}/fivetran): fivetran.restartPolicy=always (the preset says on-failure:3)\n`);
    const keep = /to keep them: hd-setup (.*)\n/.exec(bare.stderr)![1]!.split(' ');
    expect(keep.slice(-4)).toEqual(['--set', 'fivetran.memory=3g', '--set', 'fivetran.restartPolicy=always']);
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    const kept = cli(keep, { env: s.env });
    expect(kept.code, kept.stderr).toBe(0);
    const run = s.calls().filter((c) => c.startsWith('run ')).at(-1)!;
    expect(run).toContain('--restart always');
    expect(run).toContain('--memory=3g');
    // the podman install is the install now: a bare re-run is refused as it would be on docker
    const again = cli(podman, { env: s.env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('fivetran.restartPolicy=always');
    expect(cli([...keep], { env: s.env }).stderr).toContain('Changed: nothing');
    s.server.close();
  });

  it('the docker record it took up goes: one install, hints without --set, and back on docker the podman install is the one kept (not the docker one before it)', async () => {
    const s = await stubEnv('docker', { HD_STUB_SOCKET: '' }, { imagePresent: true });
    s.env.HD_STUB_SOCKET = join(s.home, 'runtime.sock');
    const first = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.memory=3g', ...rootFlags], { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    expect(cli(['uninstall', '--yes'], { env: s.env }).code).toBe(0);
    const podman = cli(['install', '--preset', 'fivetran-podman', '--yes', '--set', 'fivetran.memory=5g', ...rootFlags], { env: s.env });
    expect(podman.code, podman.stderr).toBe(0);
    const records = () => JSON.parse(readFileSync(join(s.home, '.config/hd-setup/installs.json'), 'utf8')) as { runtime: string; state: string }[];
    expect(records().map((r) => `${r.runtime} ${r.state}`)).toEqual(['podman installed']);
    expect(podman.stderr).toContain('Status:  hd-setup status   (or: podman ps');
    // a registry an older hd-setup wrote holds the docker record still: a re-run that changes nothing drops it
    const file = join(s.home, '.config/hd-setup/installs.json');
    const now = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
    writeFileSync(file, JSON.stringify([...now, { ...now[0], runtime: 'docker', state: 'uninstalled' }], null, 2));
    const same = cli(['install', '--preset', 'fivetran-podman', '--yes', '--set', 'fivetran.memory=5g', ...rootFlags], { env: s.env });
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toContain('Changed: nothing');
    expect(records().map((r) => `${r.runtime} ${r.state}`)).toEqual(['podman installed']);
    expect(cli(['uninstall', '--yes'], { env: s.env }).code).toBe(0);
    // on docker again: what it would reset is the podman install's 5g, the last one it had
    const docker = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(docker.code).toBe(2);
    expect(docker.stderr).toContain('fivetran.memory=5g');
    expect(docker.stderr).not.toContain('3g');
    s.server.close();
  });
});

describe('moving an install to another dir', () => {
  it('is refused with the way to do it (uninstall, then install), not blamed on another user; the named uninstall works', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const n = s.calls().length;
    const moved = ['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.installDir=~/small/fivetran', ...rootFlags];
    const r = cli(moved, { env: s.env });
    expect(r.code).toBe(2);
    const cmd = `hd-setup uninstall --set product=fivetran --set runtime=docker --set fivetran.installDir=${s.home}/fivetran`;
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      `error: fivetran.installDir: the Fivetran Hybrid Deployment Agent is installed on docker in ${s.home}/fivetran, and one docker runs one (its containers have fixed names). To move it to ${s.home}/small/fivetran: ${cmd} (its config is kept), then install again; or keep fivetran.installDir=${s.home}/fivetran`,
    );
    expect(r.stderr).not.toContain('as the user (and HOME)');
    expect(r.stderr).not.toContain('Found an existing install');
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    const un = cli([...cmd.split(' ').slice(1), '--yes'], { env: s.env });
    expect(un.code, un.stderr).toBe(0);
    expect(cli(moved, { env: s.env }).code).toBe(0);
    s.server.close();
  });
});

describe('a record whose containers are gone (removed by hand) stands in no way', () => {
  it('an install in another dir proceeds when the recorded one no longer runs', async () => {
    const { spawnSync } = await import('node:child_process');
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(spawnSync('docker', ['rm', '-f', 'controller'], { env: s.env }).status).toBe(0);
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.installDir=~/small/fivetran', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    s.server.close();
  });

  it('what the removed container carried is read from the record: status, export-preset and start keep the image, pull policy and memory (start pulled the default image, with the defaults)', async () => {
    const { spawnSync } = await import('node:child_process');
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    const sets = ['fivetran.image=registry.example.com/mirror/ldp-agent:1.2', 'fivetran.pullPolicy=never', 'fivetran.memory=3g'].flatMap((x) => ['--set', x]);
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...sets, ...rootFlags], { env: s.env }).code).toBe(0);
    expect(spawnSync('docker', ['rm', '-f', 'controller'], { env: s.env }).status).toBe(0);
    const st = cli(['status'], { env: s.env });
    expect(st.stdout).toContain('it runs registry.example.com/mirror/ldp-agent:1.2');
    const ex = cli(['export-preset'], { env: s.env }).stdout;
    for (const line of ['image: registry.example.com/mirror/ldp-agent:1.2', 'pullPolicy: never', 'memory: 3g']) expect(ex).toContain(line);
    // the bare preset is still refused, naming them
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(2);
    const n = s.calls().length;
    const go = cli(['start', ...rootFlags], { env: s.env });
    expect(go.code, go.stderr).toBe(0);
    const run = s.calls().slice(n).find((c) => c.startsWith('run '))!;
    expect(run).toContain('--memory=3g');
    expect(run).toMatch(/ registry\.example\.com\/mirror\/ldp-agent:1\.2 -f \/conf\/config\.json$/);
    expect(s.calls().slice(n).some((c) => c.startsWith('pull '))).toBe(false);
    s.server.close();
  });

  it('after a rollback, a container removed by hand comes back as the rollback left it (the record kept the settings rolled back from)', async () => {
    const { spawnSync } = await import('node:child_process');
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.memory=4g', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['rollback', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(spawnSync('docker', ['rm', '-f', 'controller'], { env: s.env }).status).toBe(0);
    expect(cli(['export-preset'], { env: s.env }).stdout).not.toContain('memory:');
    const n = s.calls().length;
    expect(cli(['start', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(s.calls().slice(n).find((c) => c.startsWith('run '))).toContain('--memory=2048m');
    s.server.close();
  });

  it('a change made while the container was gone is what rollback undoes (it went back to the change before it)', async () => {
    const { spawnSync } = await import('node:child_process');
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    const conf = join(s.home, 'fivetran/conf/config.json');
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://one.internal:3128', ...rootFlags], { env: s.env }).code).toBe(0);
    const one = readFileSync(conf, 'utf8');
    expect(spawnSync('docker', ['rm', '-f', 'controller'], { env: s.env }).status).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://two.internal:3128', ...rootFlags], { env: s.env }).code).toBe(0);
    const rb = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(rb.code, rb.stderr).toBe(0);
    expect(readFileSync(conf, 'utf8')).toBe(one);
    s.server.close();
  });
});

describe('uninstall removes the boot unit with its backups', () => {
  it('the .bak- copies hd-setup made of the unit go with it; a file of the user\'s beside it stays', async () => {
    const { backupFile } = await import('../src/util/fsx.js');
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const dir = join(s.home, '.config/systemd/user');
    const backup = backupFile(join(dir, 'hd-fivetran-agent.service'))!.path;
    writeFileSync(join(dir, 'mine.service'), '[Unit]\n');
    const un = cli(['uninstall', '--yes'], { env: s.env });
    expect(un.code, un.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['mine.service']);
    expect(backup).toMatch(/hd-fivetran-agent\.service\.bak-/);
    s.server.close();
  });
});

describe('lifecycle commands change no setting', () => {
  it('a DOCKER_HOST at another daemon stands in the way of the docker install only: a podman install beside it is shown and acted on', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-podman', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const other = { ...s.env, DOCKER_HOST: 'unix:///run/other/docker.sock' };
    const refusal = `DOCKER_HOST: is unix:///run/other/docker.sock, but the Tobiko Cloud executors on docker in ${join(s.home, 'tobiko')} is on the daemon at ${s.env.DOCKER_HOST}`;
    // the list shows the podman one, and says why the other is left out
    const st = cli(['status'], { env: other });
    expect(st.stdout).toContain(`${join(s.home, 'fivetran')}`);
    expect(st.stdout).not.toContain(join(s.home, 'tobiko'));
    expect(st.stderr).toContain(`hd-setup: left out: ${refusal}`);
    // pointed at the podman one: it is acted on (it was refused for the docker one's sake)
    for (const cmd of [['status', '--set', 'product=fivetran'], ['stop', '--set', 'product=fivetran'], ['start', '--set', 'product=fivetran', ...rootFlags]]) {
      const r = cli(cmd, { env: other });
      expect(r.code, `${cmd.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr).not.toContain('DOCKER_HOST: is');
    }
    // pointed at the docker one: refused, as before (doctor too: it said "runtime: is required")
    for (const cmd of ['stop', 'doctor']) {
      const t = cli([cmd, '--set', 'product=tobiko'], { env: other });
      expect(t.code, `${cmd}: ${t.stderr}`).toBe(2);
      expect(t.stderr).toContain(`error: ${refusal}`);
    }
    s.server.close();
  });

  it("a shell whose DOCKER_HOST points at another daemon: every command refuses (exit 2) before it does anything, naming the fix; the boot unit keeps the install's daemon", async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const unit = join(s.home, '.config/systemd/user/hd-fivetran-agent.service');
    const before = readFileSync(unit, 'utf8');
    expect(before).toContain(`DOCKER_HOST=${s.env.DOCKER_HOST}`);
    const n = s.calls().length;
    const other = { ...s.env, DOCKER_HOST: 'unix:///run/other/docker.sock' };
    for (const cmd of [['start'], ['restart'], ['stop'], ['rollback', '--yes'], ['install', '--preset', 'fivetran-docker', '--yes'], ['status'], ['uninstall', '--yes']]) {
      const r = cli([...cmd, ...(cmd[0] === 'status' ? [] : rootFlags)], { env: other });
      expect(r.code, `${cmd[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim()).toBe(
        `error: DOCKER_HOST: is unix:///run/other/docker.sock, but the Fivetran agent on docker in ${join(s.home, 'fivetran')} is on the daemon at ${s.env.DOCKER_HOST}; unset DOCKER_HOST (or export DOCKER_HOST=${s.env.DOCKER_HOST}) to act on it. To move it to the other daemon: hd-setup uninstall, then install with DOCKER_HOST set`,
      );
    }
    // the wizard too, before its first question (it would prefill the install and then act on the other daemon)
    if (hasScript) {
      const w = await drive('cols 200 rows 30', rootFlags, other, []);
      expect(w.code, w.out).toBe(2);
      expect(w.out).toContain('error: DOCKER_HOST: is unix:///run/other/docker.sock, but the Fivetran agent on docker');
    }
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    expect(readFileSync(unit, 'utf8')).toBe(before);
    // unset, the install's own daemon is used, and said
    const { DOCKER_HOST: _, ...unset } = s.env;
    const r = cli(['restart', ...rootFlags], { env: unset });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`hd-setup: DOCKER_HOST is not set; using ${s.env.DOCKER_HOST}, the daemon this install was made on`);
    expect(readFileSync(unit, 'utf8')).toBe(before);
    s.server.close();
  });

  it('start after stop keeps the pull policy; export-preset says so', async () => {
    const s = await stubEnv();
    writeFileSync(join(s.state, 'image-present'), '');
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.pullPolicy=never', ...rootFlags], { env: s.env }).code).toBe(0);
    // (--yes, which a script gives every command, is taken: nothing is asked)
    expect(cli(['stop', '--yes'], { env: s.env }).code).toBe(0);
    const n = s.calls().length;
    const start = cli(['start', '-y'], { env: s.env });
    expect(start.code, start.stderr).toBe(0);
    expect(s.calls().slice(n)).toContain('start controller');
    expect(s.calls().slice(n).some((c) => /^(rm|run|pull) /.test(c))).toBe(false);
    expect(cli(['export-preset'], { env: s.env }).stdout).toContain('pullPolicy: never');
    expect(cli(['restart', '--yes'], { env: s.env }).code).toBe(0);
    s.server.close();
  });

  it('the install remembers --allow-root and skipped checks: start and restart need neither again', async () => {
    const s = await stubEnv('podman', { HD_STUB_VERSION: '4.3.1', HD_STUB_ROOTLESS: 'true' });
    const first = cli(['install', '--preset', 'fivetran-podman', '--yes', '--skip-check', 'runtime-version', ...rootFlags], { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    expect(cli(['stop'], { env: s.env }).code).toBe(0);
    const start = cli(['start'], { env: s.env });
    expect(start.code, start.stderr).toBe(0);
    const restart = cli(['restart'], { env: s.env });
    expect(restart.code, restart.stderr).toBe(0);
    // said as what they are: a start is not an install; the restart's stop does not tell to start again
    expect(start.stderr).toMatch(/^hd-setup: starting Fivetran agent on podman$/m);
    // one header; the start's preflight first (the skipped check skipped there too), then the stop, counted whole
    expect(restart.stderr.match(/^hd-setup: .*$/gm)).toEqual(['hd-setup: restarting Fivetran agent on podman']);
    expect(restart.stderr).toMatch(/^\[1\/8\] Preflight checks \.\.\.$/m);
    expect(restart.stderr).toMatch(/^\[2\/8\] Stop controller \.\.\.$/m);
    expect(restart.stderr).toMatch(/^ +skip runtime-version: /m);
    expect(restart.stderr).not.toContain('installing');
    expect(restart.stderr).not.toContain('Start again with');
    // one run, one summary, which names both halves
    expect(restart.stderr.match(/^✔ .*: done\.$/gm)).toHaveLength(1);
    expect(restart.stderr).toMatch(/Changed:\n {4}- Stop controller\n {4}- Start container controller\n/);
    // doctor still runs a skipped check and says how things are: a failure accepted at the install is a warning
    const versionCheck = (...args: string[]) => JSON.parse(cli(['doctor', '--json', ...args], { env: s.env }).stdout).checks.find((c: { id: string }) => c.id === 'runtime-version');
    const doc = versionCheck();
    expect(doc).toEqual({ id: 'runtime-version', status: 'warn', message: 'podman 4.3.1 is older than the required 4.5.0 (accepted: skipped when it was installed)', fix: expect.stringContaining('upgrade podman') });
    const now = versionCheck('--skip-check', 'runtime-version');
    expect(now.message).toBe('podman 4.3.1 is older than the required 4.5.0 (accepted: --skip-check runtime-version)');
    s.server.close();
  });

  it('restart runs the start preflight first and leaves a running agent alone when it fails', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    s.server.close(); // the runtime's socket goes away: the start would fail its preflight
    const n = s.calls().length;
    const r = cli(['restart'], { env: s.env });
    expect(r.code).toBe(1);
    // what failed, why it matters to this product, and the way out (the fix, or the --skip-check)
    const sock = s.env.DOCKER_HOST!.replace('unix://', '');
    expect(r.stderr).toContain(
      'Not restarted: the start would fail its preflight, so the running agent was left alone:\n' +
        `  ✖ socket: rootful docker detected, but its API socket ${sock} does not exist; the agent starts its jobs through it\n` +
        '    fix: start the docker daemon, or set DOCKER_HOST=unix:///path/to/docker.sock (or --skip-check socket)\n',
    );
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
  });

  it('with two installs, status shows both; stop without a pointer exits 2 naming how to choose', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    // with one install, status --json has it in `installs` too (and at the top level, as before)
    const first = JSON.parse(cli(['status', '--json'], { env: s.env }).stdout);
    expect(first).toMatchObject({ product: 'fivetran', healthy: true });
    expect(first.installs.map((i: { product: string }) => i.product)).toEqual(['fivetran']);
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const st = cli(['status', '--json'], { env: s.env });
    expect(st.code, st.stderr).toBe(0);
    expect((JSON.parse(st.stdout).installs as { product: string }[]).map((i) => i.product).sort()).toEqual(['fivetran', 'tobiko']);
    // one shape whatever the host holds: `.installs[]` and `.healthy` for one install as for two
    expect(JSON.parse(st.stdout).healthy).toBe(true);
    const pointed = cli(['status', '--json', '--set', 'product=tobiko'], { env: s.env });
    expect(JSON.parse(pointed.stdout)).toMatchObject({ product: 'tobiko', healthy: true });
    expect(JSON.parse(pointed.stdout).installs).toBeUndefined();
    const n = s.calls().length;
    const stop = cli(['stop'], { env: s.env });
    expect(stop.code).toBe(2);
    expect(stop.stderr).toContain('2 installs found');
    expect(stop.stderr).toContain('--set product=tobiko');
    expect(s.calls().slice(n).filter((c) => MUTATING.test(c))).toEqual([]);
    const one = cli(['stop', '--set', 'product=tobiko', '--set', 'runtime=docker'], { env: s.env });
    expect(one.code, one.stderr).toBe(0);
    expect(s.calls().slice(n)).toEqual(expect.arrayContaining(['stop -t 10 tcloud-apply-executor tcloud-run-executor']));
    // the product alone is enough when it has one install
    const m = s.calls().length;
    const product = cli(['stop', '--set', 'product=fivetran'], { env: s.env });
    expect(product.code, product.stderr).toBe(0);
    expect(s.calls().slice(m)).toEqual(expect.arrayContaining(['stop -t 10 controller']));
    // the commands it offers choose this install: run as printed, they act on it (not "2 installs found")
    const offered = /Start again with: (hd-setup start[^\n]*)/.exec(product.stderr)?.[1];
    expect(offered).toBe('hd-setup start --set product=fivetran');
    const stopped = cli(['status'], { env: s.env });
    expect(stopped.stdout).toContain('Start it: hd-setup start --set product=fivetran');
    const again = cli([...offered!.split(' ').slice(1), ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Status:  hd-setup status --set product=fivetran');
    expect(s.calls().slice(m).filter((c) => MUTATING.test(c) && c.includes('tcloud'))).toEqual([]);
    // a runtime with no install: exit 2 naming the flag and what matched nothing
    const none = cli(['stop', '--set', 'runtime=podman'], { env: s.env });
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toMatch(/^error: --set: no install found with runtime podman; --preset <name>/);
    // two installs on docker: still a choice to make
    const both = cli(['stop', '--set', 'runtime=docker'], { env: s.env });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('2 installs found');
    s.server.close();
  });
});

describe('a re-run says first which settings it changes on the install (it showed only files and steps: the one change was in a step title)', () => {
  const PX = 'http://bob:Pr0xyPa55w0rd@proxy.internal:3128';
  it('install --dry-run, text and --json: each changed setting before -> after, defaults filled in; a secret named, never shown; a list in another order, $schema and the same preset: no change', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    const proxied = ['--set', 'proxy.https=http://proxy.internal:3128', '--set', 'proxy.noProxy=[a.internal, b.internal]'];
    const first = cli(['install', '--preset', 'fivetran-docker', '--yes', ...proxied, ...rootFlags], { env: s.env });
    expect(first.code, first.stderr).toBe(0);
    const args = ['install', '--preset', 'fivetran-docker', '--set', 'fivetran.memory=4g', '--set', 'proxy.https=env:PX', '--set', 'proxy.noProxy=[b.internal, a.internal]', ...rootFlags];
    const dry = cli([...args, '--dry-run'], { env: { ...s.env, PX } });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("(nothing is changed)\n\nChanges to the install's settings:\n  fivetran.memory: 2048m -> 4g\n  proxy.https: a new value (a secret, or holding one: not shown)\n\nFiles\n");
    const json = cli([...args, '--dry-run', '--json'], { env: { ...s.env, PX } });
    expect(JSON.parse(json.stdout).changes).toEqual([{ path: 'fivetran.memory', from: '2048m', to: '4g' }, { path: 'proxy.https', secret: true }]);
    for (const out of [dry.stdout, dry.stderr, json.stdout, json.stderr]) expect(out).not.toContain('Pr0xyPa55w0rd');
    const same = cli(['install', '--preset', 'fivetran-docker', ...proxied, '--dry-run', '--json', ...rootFlags], { env: s.env });
    expect(JSON.parse(same.stdout)).toMatchObject({ changesNothing: true, changes: [] });
    // a proxy without a password is shown as it is; the install dir written whole under HOME is the ~/ one it has
    const plain = cli(['install', '--preset', 'fivetran-docker', '--set', 'proxy.https=http://proxy2.internal:3128', '--set', 'proxy.noProxy=[a.internal, b.internal]', '--set', `fivetran.installDir=${join(s.home, 'fivetran')}`, '--dry-run', '--json', ...rootFlags], { env: s.env });
    expect(JSON.parse(plain.stdout).changes).toEqual([{ path: 'proxy.https', from: 'http://proxy.internal:3128', to: 'http://proxy2.internal:3128' }]);
    // a new token: named, never shown
    const token = Buffer.from('clever_tiger:another-secret-9876').toString('base64');
    const rotated = cli(['install', '--preset', 'fivetran-docker', ...proxied, '--dry-run', ...rootFlags], { env: { ...s.env, FIVETRAN_TOKEN: token } });
    expect(rotated.stdout).toContain("Changes to the install's settings:\n  fivetran.token: a new value (a secret, or holding one: not shown)\n\n");
    expect(rotated.stdout).not.toContain(token);
    // a first install has nothing to compare with
    const fresh = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--dry-run', ...rootFlags], { env: fresh.env }).stdout).not.toContain('Changes to');
    s.server.close();
    fresh.server.close();
  });

  it('a list of named items (Tobiko\'s extra variables) item by item: a secret among them hides only itself', async () => {
    const s = await stubEnv('docker', { AWSK: 'aws-key-0001-abcdef' });
    const list = (level: string, more = '') => ['--set', `tobiko.docker.extraEnv=[{name: AWS_SECRET_ACCESS_KEY, value: "env:AWSK"}, {name: LOG_LEVEL, value: ${level}}${more}]`];
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...list('debug'), ...rootFlags], { env: s.env }).code).toBe(0);
    const changes = (env: NodeJS.ProcessEnv, ...args: string[]) => JSON.parse(cli(['install', '--preset', 'tobiko-docker', '--dry-run', '--json', ...args, ...rootFlags], { env }).stdout).changes;
    expect(changes(s.env, ...list('info', ', {name: PLAIN, value: x}'))).toEqual([
      { path: 'tobiko.docker.extraEnv[LOG_LEVEL]', from: 'debug', to: 'info' },
      { path: 'tobiko.docker.extraEnv[PLAIN]', to: 'x' },
    ]);
    const rotated = cli(['install', '--preset', 'tobiko-docker', '--dry-run', ...list('debug'), ...rootFlags], { env: { ...s.env, AWSK: 'aws-key-0002-ghijkl' } });
    expect(rotated.stdout).toContain("Changes to the install's settings:\n  tobiko.docker.extraEnv[AWS_SECRET_ACCESS_KEY]: a new value (a secret, or holding one: not shown)\n\n");
    expect(rotated.stdout + rotated.stderr).not.toMatch(/aws-key-000/);
    s.server.close();
  });

  it.runIf(hasScript)('the built wizard\'s review of a re-run names them too, first', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const r = await drive('cols 120 rows 40', ['--set', 'fivetran.memory=4g', '--set', 'proxy.https=env:PX', ...rootFlags], { ...s.env, PX }, [['enter install', '\x03']]);
    s.server.close();
    expect(r.out).not.toContain('Pr0xyPa55w0rd');
    expect(r.out.replace(/\s+/g, ' ')).toContain("Changes to the install's settings: fivetran.memory: 2048m -> 4g proxy.https: a new value (a secret, or holding one: not shown) Files");
  }, 90_000);
});
