// The Secrets hd-setup applies with kubectl, through the real kubectl against the in-memory API server: a
// rotation reaches the cluster whatever happened before. Found by a probe: a Secret apply that failed once
// was skipped on the retry ("unchanged since the last apply": our copy had been written before the apply),
// a Secret deleted by hand was never applied again, and rotating one Tobiko secret while the other stays
// stored failed (kubectl patch --patch-file /dev/stdin: the child's stdin is a socket, which open(2) refuses).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { CHARTS, startBed, seedFivetranTarget, type Bed } from '../k8s-api/bed.js';
import { ROOT, SECRET_ENV, TOKEN } from '../helpers.js';

const T = 600_000;
const FIVETRAN = ['--preset', 'fivetran-kubernetes', '--set', `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`];
const TOBIKO = ['--preset', 'tobiko-kubernetes', '--set', `tobiko.kubernetes.chart=${join(CHARTS, 'tobiko-hybrid-executors-prerelease')}`];
const TOKEN2 = Buffer.from('clever_tiger:RotatedSecretPart999').toString('base64');
const decoded = (v: string | undefined) => Buffer.from(v ?? '', 'base64').toString();

describe('Secrets applied with kubectl', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed({}, SECRET_ENV);
    seedFivetranTarget(bed);
  });
  afterAll(() => bed?.stop());
  const secret = (ns: string, name: string) => bed.api.objects('', 'secrets', ns).find((s) => s.metadata.name === name);
  const token = () => decoded(secret('fivetran', 'hd-agent-hd-setup-token')?.data?.token);
  /** After a hand-over: a re-run changes nothing, and an uninstall leaves the Secret (deleted here after). */
  const keptByUninstall = async (at: string[], ns: string, name: string) => {
    const again = await bed.hd(['install', '--yes', ...at]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Changed: nothing/);
    const uid = secret(ns, name)?.metadata.uid;
    const gone = await bed.hd(['uninstall', '--yes', ...at]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(uid).toBeDefined();
    expect(secret(ns, name)?.metadata.uid).toBe(uid);
    expect((await bed.kubectl('delete', 'secret', name, '-n', ns)).code).toBe(0);
  };

  it('a rotated token whose apply failed is applied on the retry, and a Secret deleted by hand is applied again; then a re-run changes nothing', async () => {
    expect((await bed.hd(['install', '--yes', ...FIVETRAN])).code).toBe(0);
    expect(token()).toBe(TOKEN);
    bed.api.scenario.forbidden = ['patch secrets'];
    const failed = await bed.hd(['install', '--yes', ...FIVETRAN], { FIVETRAN_TOKEN: TOKEN2 });
    expect(failed.code, failed.stderr).toBe(1);
    expect(token()).toBe(TOKEN);
    bed.api.scenario.forbidden = [];
    const retry = await bed.hd(['install', '--yes', ...FIVETRAN], { FIVETRAN_TOKEN: TOKEN2 });
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stderr).not.toMatch(/Changed: nothing/);
    expect(token()).toBe(TOKEN2);
    // deleted by hand: applied again, though our copy is as it was
    expect((await bed.kubectl('delete', 'secret', 'hd-agent-hd-setup-token', '-n', 'fivetran')).code).toBe(0);
    expect(secret('fivetran', 'hd-agent-hd-setup-token')).toBeUndefined();
    const back = await bed.hd(['install', '--yes', ...FIVETRAN], { FIVETRAN_TOKEN: TOKEN2 });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toMatch(/Apply Secret hd-agent-hd-setup-token \.\.\.\n/);
    expect(token()).toBe(TOKEN2);
    const again = await bed.hd(['install', '--yes', ...FIVETRAN], { FIVETRAN_TOKEN: TOKEN2 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Changed: nothing/);
    // a rollback has no revision to go back to (the token alone changed): said, with the way back (helm said "release has no 0 version")
    const back2 = await bed.hd(['rollback', '--yes', ...FIVETRAN.slice(0, 2)]);
    expect(back2.code, back2.stderr).toBe(1);
    expect(back2.stderr).toBe('error: cannot roll back: release hd-agent has no revision before 1 (the runs since it changed no chart values; a token or secret alone is not kept by helm); to go back to an earlier secret, install with it again (hd-setup install … with the old one)\n');
    expect(token()).toBe(TOKEN2);
  }, T);

  it('from a fresh HOME (a CI runner) the same token applies nothing and restarts nothing (it re-applied the Secret and restarted the pods); a Secret edited in the cluster is put back', async () => {
    const fresh = () => ({ HOME: mkdtempSync(join(bed.dir, 'fresh-home-')) });
    const pods = () => bed.api.objects('', 'pods', 'fivetran').map((p) => p.metadata.name).sort();
    expect((await bed.hd(['install', '--yes', ...FIVETRAN], { FIVETRAN_TOKEN: TOKEN2 })).code).toBe(0);
    const before = { pods: pods(), secret: secret('fivetran', 'hd-agent-hd-setup-token')!.metadata.resourceVersion };
    const ci = await bed.hd(['install', '--yes', ...FIVETRAN], { FIVETRAN_TOKEN: TOKEN2, ...fresh() });
    expect(ci.code, ci.stderr).toBe(0);
    expect(ci.stderr).toContain('Apply Secret hd-agent-hd-setup-token ... skipped: the cluster holds it as it is');
    expect(ci.stderr).not.toMatch(/Restart|rollout restart/);
    expect(ci.stderr.slice(ci.stderr.indexOf('Changed:')).split('\n').filter((l) => l.startsWith('    - '))).toEqual([expect.stringMatching(/^    - wrote .*\/values\.yaml \(0644\)$/), expect.stringMatching(/^    - wrote .*\/token-secret\.yaml \(0600\)$/)]);
    expect({ pods: pods(), secret: secret('fivetran', 'hd-agent-hd-setup-token')!.metadata.resourceVersion }).toEqual(before);
    // a token rotated from a fresh HOME is applied, and the pods restarted
    const rotated = await bed.hd(['install', '--yes', ...FIVETRAN], { FIVETRAN_TOKEN: TOKEN, ...fresh() });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stderr).toMatch(/Apply Secret hd-agent-hd-setup-token \.\.\.\n/);
    expect(token()).toBe(TOKEN);
    // edited in the cluster while our copy stays as it was: put back
    expect((await bed.kubectl('patch', 'secret', 'hd-agent-hd-setup-token', '-n', 'fivetran', '--type', 'merge', '-p', JSON.stringify({ stringData: { token: 'edited-by-hand' } }))).code).toBe(0);
    expect(token()).toBe('edited-by-hand');
    const back = await bed.hd(['install', '--yes', ...FIVETRAN], { FIVETRAN_TOKEN: TOKEN });
    expect(back.code, back.stderr).toBe(0);
    expect(token()).toBe(TOKEN);
    expect(back.stderr + back.stdout).not.toContain('edited-by-hand');
  }, T);

  it('the token delivered inline instead: the token Secret hd-setup made, and its local copy, are deleted once the release runs without it (the old token stayed in the cluster); a re-run changes nothing', async () => {
    const copy = join(bed.home, '.config/hd-setup/fivetran/fivetran/hd-agent/token-secret.yaml');
    expect(secret('fivetran', 'hd-agent-hd-setup-token')).toBeDefined();
    const inline = await bed.hd(['install', '--yes', ...FIVETRAN, '--set', 'fivetran.kubernetes.tokenDelivery=inline'], { FIVETRAN_TOKEN: TOKEN });
    expect(inline.code, inline.stderr).toBe(0);
    expect(inline.stderr).toMatch(/Delete Secret hd-agent-hd-setup-token: no longer used \(the token is delivered inline\) \.\.\.\n/);
    expect(inline.stderr.indexOf('Delete Secret')).toBeGreaterThan(inline.stderr.indexOf('helm upgrade --install'));
    expect(secret('fivetran', 'hd-agent-hd-setup-token')).toBeUndefined();
    expect(existsSync(copy)).toBe(false);
    expect(inline.stderr + inline.stdout).not.toContain(TOKEN);
    // a rollback to the revision that read that Secret is refused before anything changes (it rolled back to pods that could not start)
    const revisions = (await bed.helm('history', 'hd-agent', '-n', 'fivetran', '-o', 'json')).stdout;
    const back0 = await bed.hd(['rollback', '--yes', '--set', 'product=fivetran']);
    expect(back0.code, back0.stderr).toBe(1);
    expect(back0.stderr).toMatch(/^error: cannot roll back: revision \d+ of release hd-agent reads Secret hd-agent-hd-setup-token, which is no longer in namespace fivetran \(hd-setup deletes a Secret its release stops reading\); install again with the settings you want back \(hd-setup install …\), which applies the Secrets they need\n$/);
    expect((await bed.helm('history', 'hd-agent', '-n', 'fivetran', '-o', 'json')).stdout).toBe(revisions);
    const again = await bed.hd(['install', '--yes', ...FIVETRAN, '--set', 'fivetran.kubernetes.tokenDelivery=inline'], { FIVETRAN_TOKEN: TOKEN });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Changed: nothing/);
    // and back to the Secret: made again
    const back = await bed.hd(['install', '--yes', ...FIVETRAN, '--set', 'fivetran.kubernetes.tokenDelivery=secret'], { FIVETRAN_TOKEN: TOKEN });
    expect(back.code, back.stderr).toBe(0);
    expect(token()).toBe(TOKEN);
    expect(existsSync(copy)).toBe(true);
  }, T);

  it('Tobiko: one secret rotated while the other stays as stored is merged into the Secret (the patch read /dev/stdin, a socket, and failed)', async () => {
    expect((await bed.hd(['install', '--yes', ...TOBIKO])).code).toBe(0);
    const before = secret('tobiko', 'executors-secrets')!;
    const client = before.data!.TCLOUD_CLIENT_SECRET;
    const rotated = await bed.hd(['install', '--yes', ...TOBIKO], { TCLOUD_CLIENT_SECRET: undefined, WAREHOUSE_PASSWORD: 'rotated-warehouse-pw-1' });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stderr).toContain('--patch-file /dev/stdin');
    expect(rotated.stderr + rotated.stdout).not.toContain('rotated-warehouse-pw-1');
    const after = secret('tobiko', 'executors-secrets')!;
    expect(decoded(after.data!.SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD)).toBe('rotated-warehouse-pw-1');
    expect(after.data!.TCLOUD_CLIENT_SECRET).toBe(client);
    const again = await bed.hd(['install', '--yes', ...TOBIKO], { TCLOUD_CLIENT_SECRET: undefined, WAREHOUSE_PASSWORD: 'rotated-warehouse-pw-1' });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Changed: nothing/);
  }, T);

  it('Tobiko: a Secret hd-setup made that the executors no longer read (renamed, or the secrets made inline) is deleted once the release runs without it, with its local copy (it stayed in the cluster)', async () => {
    const copy = join(bed.home, '.config/hd-setup/tobiko/tobiko/executors/secret.yaml');
    expect((await bed.hd(['install', '--yes', ...TOBIKO])).code).toBe(0);
    expect(secret('tobiko', 'executors-secrets')).toBeDefined();
    // the secrets kept where they are (not given again): they cannot follow a new name or go inline (the
    // executors were left reading a Secret that was never made)
    const unset = { TCLOUD_CLIENT_SECRET: undefined, WAREHOUSE_PASSWORD: undefined };
    const kept = await bed.hd(['install', '--yes', ...TOBIKO, '--set', 'tobiko.secrets.name=executors-creds'], unset);
    expect(kept.code, kept.stderr).toBe(2);
    expect(kept.stderr).toContain('error: tobiko.gateways.warehouse.password: is kept in Secret executors-secrets and is not in Secret executors-creds (tobiko.secrets.name); give it again (export WAREHOUSE_PASSWORD, read by --set tobiko.gateways.warehouse.password=env:WAREHOUSE_PASSWORD), or keep --set tobiko.secrets.name=executors-secrets\n');
    const keptInline = await bed.hd(['install', '--yes', '--reset', ...TOBIKO, '--set', 'tobiko.secrets.strategy=inline'], unset);
    expect(keptInline.code, keptInline.stderr).toBe(2);
    expect(keptInline.stderr).toContain('error: tobiko.clientSecret: is kept in Secret executors-secrets and cannot be moved inline; give it again (export TCLOUD_CLIENT_SECRET, read by --set tobiko.clientSecret=env:TCLOUD_CLIENT_SECRET)\n');
    expect(bed.api.objects('', 'secrets', 'tobiko').map((x) => x.metadata.name).filter((n) => !n.startsWith('sh.helm'))).toEqual(['executors-hybrid-executors-secrets', 'executors-secrets'].sort());
    const renamed = await bed.hd(['install', '--yes', ...TOBIKO, '--set', 'tobiko.secrets.name=executors-creds']);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stderr).toMatch(/Delete Secret executors-secrets: no longer used \(the executors read Secret executors-creds\) \.\.\.\n/);
    expect(renamed.stderr.indexOf('Delete Secret')).toBeGreaterThan(renamed.stderr.indexOf('helm upgrade --install'));
    expect(secret('tobiko', 'executors-secrets')).toBeUndefined();
    expect(decoded(secret('tobiko', 'executors-creds')?.data?.SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD)).toBe(SECRET_ENV.WAREHOUSE_PASSWORD);
    expect(existsSync(copy)).toBe(true);
    const inline = await bed.hd(['install', '--yes', '--reset', ...TOBIKO, '--set', 'tobiko.secrets.strategy=inline']);
    expect(inline.code, inline.stderr).toBe(0);
    expect(inline.stderr).toMatch(/Delete Secret executors-creds: no longer used \(the secrets are inline in the Helm values\) \.\.\.\n/);
    expect(secret('tobiko', 'executors-creds')).toBeUndefined();
    expect(existsSync(copy)).toBe(false);
    expect(inline.stderr + inline.stdout).not.toContain(SECRET_ENV.WAREHOUSE_PASSWORD);
    const again = await bed.hd(['install', '--yes', ...TOBIKO, '--set', 'tobiko.secrets.strategy=inline']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Changed: nothing/);
    // back to the default: the Secret is made again
    const back = await bed.hd(['install', '--yes', '--reset', ...TOBIKO]);
    expect(back.code, back.stderr).toBe(0);
    expect(decoded(secret('tobiko', 'executors-secrets')?.data?.SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD)).toBe(SECRET_ENV.WAREHOUSE_PASSWORD);
  }, T);

  it('Tobiko: the Secret hd-setup made, named as the user\'s (create: false), is handed over: its labels go, with its local copy, and an uninstall leaves it (it deleted it by its labels)', async () => {
    const copy = join(bed.home, '.config/hd-setup/tobiko/tobiko/executors/secret.yaml');
    expect((await bed.hd(['install', '--yes', '--reset', ...TOBIKO])).code).toBe(0);
    expect(secret('tobiko', 'executors-secrets')?.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('hd-setup');
    expect(existsSync(copy)).toBe(true);
    const preset = join(bed.home, 'own-secret.yaml');
    const text = readFileSync(join(ROOT, 'presets/tobiko-kubernetes.yaml'), 'utf8').replace(/^ {2}clientSecret: .*\n/m, '').replace(/^ {6}password: .*\n/m, '').replace(/^ {4}name: executors-secrets\n/m, '    name: executors-secrets\n    create: false\n');
    writeFileSync(preset, text);
    const at = ['--preset', preset, '--set', `tobiko.kubernetes.chart=${join(CHARTS, 'tobiko-hybrid-executors-prerelease')}`];
    const uid = secret('tobiko', 'executors-secrets')?.metadata.uid;
    const dry = await bed.hd(['install', '--dry-run', '--reset', ...at]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Hand Secret executors-secrets over to you (tobiko.secrets.create=false): hd-setup made it, and will no longer change or delete it');
    const own = await bed.hd(['install', '--yes', '--reset', ...at]);
    expect(own.code, own.stderr).toBe(0);
    const handed = secret('tobiko', 'executors-secrets');
    expect(handed?.metadata.uid).toBe(uid);
    expect(handed?.metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
    expect(handed?.metadata.labels?.['app.kubernetes.io/instance']).toBeUndefined();
    expect(decoded(handed?.data?.SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD)).toBe(SECRET_ENV.WAREHOUSE_PASSWORD);
    expect(existsSync(copy)).toBe(false);
    // back to create: true, the Secret edited since: refused before anything changes, as the apply would
    // replace what the user's Secret holds (it did, and took it back); --skip-check secret-owner takes it
    expect((await bed.kubectl('patch', 'secret', 'executors-secrets', '-n', 'tobiko', '--type=merge', '-p', '{"stringData":{"EXTRA_KEY":"mine"}}')).code).toBe(0);
    const back = await bed.hd(['install', '--yes', '--reset', ...TOBIKO]);
    expect(back.code, back.stderr).toBe(1);
    expect(back.stderr).toContain('secret-owner: Secret executors-secrets is in namespace tobiko, and hd-setup did not make it for release executors (or handed it over to you): the install would replace what it holds');
    expect(back.stderr).toContain('use it as it is (--set tobiko.secrets.create=false), name another (--set tobiko.secrets.name=…), or delete it first (kubectl delete secret executors-secrets -n tobiko)');
    expect(decoded(secret('tobiko', 'executors-secrets')?.data?.EXTRA_KEY)).toBe('mine');
    expect(secret('tobiko', 'executors-secrets')?.metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
    // (the gateway password kept from the Secret hd-setup made is no setting of the user's Secret: the
    // values listed it, and the read-back did not, so the re-run upgraded the release and restarted the pods)
    await keptByUninstall(at, 'tobiko', 'executors-secrets');
  }, T);

  it('Fivetran: the token Secret hd-setup made, named as the user\'s (tokenSecret), is handed over; an uninstall leaves it', async () => {
    const copy = join(bed.home, '.config/hd-setup/fivetran/fivetran/hd-agent/token-secret.yaml');
    expect(secret('fivetran', 'hd-agent-hd-setup-token')?.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('hd-setup');
    const preset = join(bed.home, 'own-token.yaml');
    writeFileSync(preset, readFileSync(join(ROOT, 'presets/fivetran-kubernetes.yaml'), 'utf8').replace(/^ {2}token: .*\n/m, ''));
    const at = ['--preset', preset, '--set', `fivetran.kubernetes.chart=${join(CHARTS, 'fivetran-0.24.0')}`, '--set', 'fivetran.kubernetes.tokenSecret={name: hd-agent-hd-setup-token}'];
    const own = await bed.hd(['install', '--yes', '--reset', ...at]);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stderr).toContain('Hand Secret hd-agent-hd-setup-token over to you (fivetran.kubernetes.tokenSecret): hd-setup made it, and will no longer change or delete it ...');
    expect(secret('fivetran', 'hd-agent-hd-setup-token')?.metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
    expect(token()).toBe(TOKEN);
    expect(existsSync(copy)).toBe(false);
    // the token delivered by a Secret hd-setup applies again: refused, the Secret being the user's now
    const back = await bed.hd(['install', '--yes', '--reset', ...FIVETRAN], { FIVETRAN_TOKEN: TOKEN2 });
    expect(back.code, back.stderr).toBe(1);
    expect(back.stderr).toContain("secret-owner: Secret hd-agent-hd-setup-token is in namespace fivetran, and hd-setup did not make it for release hd-agent (or handed it over to you)");
    expect(token()).toBe(TOKEN);
    await keptByUninstall(at, 'fivetran', 'hd-agent-hd-setup-token');
    // installed again as before, for the tests that follow
    expect((await bed.hd(['install', '--yes', '--reset', ...FIVETRAN], { FIVETRAN_TOKEN: TOKEN })).code).toBe(0);
  }, T);

  it('a Secret this release no longer reads that another workload of the namespace reads is left there, with a warning (it was deleted under the other release)', async () => {
    expect((await bed.hd(['install', '--yes', '--reset', ...TOBIKO])).code).toBe(0);
    // another release's executors, made to read this one's Secret (secrets.name of it, create: false)
    bed.api.seed({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'other-apply', namespace: 'tobiko', labels: { 'app.kubernetes.io/instance': 'other' } }, spec: { replicas: 0, selector: { matchLabels: { app: 'other' } }, template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'x', image: 'x', env: [{ name: 'TCLOUD_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'executors-secrets', key: 'TCLOUD_CLIENT_SECRET' } } }] }] } } } });
    const renamed = await bed.hd(['install', '--yes', ...TOBIKO, '--set', 'tobiko.secrets.name=executors-creds']);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stderr).not.toContain('Delete Secret executors-secrets');
    expect(renamed.stderr).toContain('Secret executors-secrets is no longer used by release executors, but another workload in namespace tobiko reads it: it is left there (delete it when nothing needs it: kubectl delete secret executors-secrets -n tobiko)');
    expect(secret('tobiko', 'executors-secrets')).toBeDefined();
    expect((await bed.kubectl('delete', 'deployment', 'other-apply', '-n', 'tobiko')).code).toBe(0);
    // what the other workloads read cannot be listed: nothing is deleted, and the run says what it left
    bed.api.scenario.forbidden = ['list cronjobs'];
    const unknown = await bed.hd(['install', '--yes', ...TOBIKO, '--set', 'tobiko.secrets.name=executors-creds']);
    bed.api.scenario.forbidden = [];
    expect(unknown.code, unknown.stderr).toBe(0);
    expect(unknown.stderr).toContain('Secret executors-secrets is no longer used by release executors; it is left there, as what the other workloads of namespace tobiko read cannot be listed (delete it when nothing needs it: kubectl delete secret executors-secrets -n tobiko)');
    expect(secret('tobiko', 'executors-secrets')).toBeDefined();
    const again = await bed.hd(['install', '--yes', ...TOBIKO, '--set', 'tobiko.secrets.name=executors-creds']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Delete Secret executors-secrets: no longer used (the executors read Secret executors-creds)');
    expect(secret('tobiko', 'executors-secrets')).toBeUndefined();
    expect((await bed.hd(['install', '--yes', '--reset', ...TOBIKO])).code).toBe(0);
  }, T);

  it('an agent parameter or an extra env var named like a secret: its values file is 0600 and the run says where the chart puts it (a ConfigMap, the Deployments), never its value; the pod checksum leaves it out', async () => {
    const DBPW = 'db-Pa55-k8s-7731', DBPW2 = 'db-Pa55-k8s-8842', AWSK = 'aws-Secret-k8s-K7MDENG';
    const values = (product: string, ns: string, rel: string) => join(bed.home, `.config/hd-setup/${product}/${ns}/${rel}/values.yaml`);
    const annotation = () => (bed.api.objects('apps', 'deployments', 'fivetran').find((d) => d.metadata.name === 'hd-agent')!.spec.template.metadata.annotations ?? {})['checksum/config'];
    const f = await bed.hd(['install', '--yes', ...FIVETRAN, '--set', 'fivetran.config.db_password=env:DBPW'], { DBPW });
    expect(f.code, f.stderr).toBe(0);
    expect(f.stderr).toContain('fivetran.config.db_password is named like a secret, and the chart puts the agent\'s config into the ConfigMap of release hd-agent in namespace fivetran, readable by anyone who may read ConfigMaps there (not a Secret)');
    expect(statSync(values('fivetran', 'fivetran', 'hd-agent')).mode & 0o777).toBe(0o600);
    expect(bed.api.objects('', 'configmaps', 'fivetran').find((c) => c.metadata.name === 'hd-agent-config')?.data?.db_password).toBe(DBPW);
    const sum = annotation();
    const f2 = await bed.hd(['install', '--yes', ...FIVETRAN, '--set', 'fivetran.config.db_password=env:DBPW'], { DBPW: DBPW2 });
    expect(f2.code, f2.stderr).toBe(0);
    expect(annotation()).toBe(sum);
    expect(f2.stderr).toMatch(/Restart the pods that did not pick up the change/);
    const t = await bed.hd(['install', '--yes', ...TOBIKO, '--set', 'tobiko.kubernetes.extraEnv=[{name: AWS_SECRET_ACCESS_KEY, value: "env:AWSK"}]'], { AWSK });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toContain('the extra env var AWS_SECRET_ACCESS_KEY is named like a secret, and the chart writes extra env vars into the executors\' Deployments in namespace tobiko as they are, readable by anyone who may read Deployments there (not a Secret)');
    expect(statSync(values('tobiko', 'tobiko', 'executors')).mode & 0o777).toBe(0o600);
    for (const out of [f, f2, t]) for (const v of [DBPW, DBPW2, AWSK]) expect(out.stdout + out.stderr).not.toContain(v);
  }, T);

  it('status counts the pods the install runs: one Deployment scaled to 0 by hand is not healthy (it said every pod ready, exit 0); start scales it back', async () => {
    const at = ['--set', 'product=tobiko', '--set', 'runtime=kubernetes'];
    const ok = await bed.hd(['status', ...at]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const run = (await bed.kubectl('get', 'deployments', '-n', 'tobiko', '-o', 'name')).stdout.split('\n').find((n) => n.endsWith('-run'))!;
    expect((await bed.kubectl('scale', run, '-n', 'tobiko', '--replicas=0')).code).toBe(0);
    const short = await bed.hd(['status', ...at]);
    expect(short.code, short.stdout).toBe(1);
    expect(short.stdout).toMatch(/pods ready 1\/\d+\n/);
    expect(short.stdout).toMatch(/✖ 1 of the \d+ pods the install runs are ready \(a Deployment scaled down by hand\?\)\n {4}fix: hd-setup start/);
    expect((await bed.hd(['start', ...at])).code).toBe(0);
    expect((await bed.hd(['status', ...at])).code).toBe(0);
  }, T);
});

describe('an install made before a gateway param counted as key material (api_key, unmarked: in the release values, the Deployments\' env)', () => {
  it('is never shown: export-preset and a plain re-run refuse naming the --set that mends it (the re-run dropped it, exit 0); that --set alone moves it into the Secret; a stored secret the re-run keeps is masked in the diff of secret.yaml', async () => {
    const KEY = 'apikey-VALUE-987';
    const bed = await startBed({}, SECRET_ENV);
    try {
      expect((await bed.hd(['install', '--yes', ...TOBIKO])).code).toBe(0);
      // as the older hd-setup rendered it: the param among the connection's values, not in secretParams
      const up = await bed.helm('upgrade', 'executors', join(CHARTS, 'tobiko-hybrid-executors-prerelease'), '-n', 'tobiko', '--reuse-values', '--set', `global.sqlmesh.gateways.warehouse.connection.api_key=${KEY}`);
      expect(up.code, up.stderr).toBe(0);
      const env = () => JSON.stringify(bed.api.objects('apps', 'deployments', 'tobiko').map((d) => d.spec.template.spec.containers[0].env));
      expect(env()).toContain(KEY);
      const FIX = '--set tobiko.secretParams=[api_key]';
      const exported = await bed.hd(['export-preset']);
      expect(exported.code, exported.stderr).toBe(2);
      expect(exported.stdout).toBe('');
      expect(exported.stderr).toMatch(new RegExp(`has settings this version of hd-setup refuses \\(tobiko\\.gateways\\.warehouse\\.api_key is key material.*install it again with the fix: hd-setup install --preset … ${FIX.replace(/[[\]]/g, '\\$&')}\n$`));
      // the diagnostics bundle masks it, as a secret (it held it in clear, in helm-values.json and the preset)
      const bundle = join(bed.dir, 'old.tar.gz');
      const doctor = await bed.hd(['doctor', '--bundle', bundle]);
      expect(existsSync(bundle), doctor.stderr).toBe(true);
      const unpacked = mkdtempSync(join(bed.dir, 'unpacked-'));
      expect(spawnSync('tar', ['-xzf', bundle, '-C', unpacked]).status).toBe(0);
      const inBundle = spawnSync('grep', ['-rl', KEY, unpacked], { encoding: 'utf8' });
      expect(inBundle.stdout).toBe('');
      expect(spawnSync('grep', ['-rl', 'api_key', unpacked], { encoding: 'utf8' }).stdout).not.toBe('');
      const plain = await bed.hd(['install', '--yes', ...TOBIKO]);
      expect(plain.code, plain.stderr).toBe(2);
      expect(plain.stderr).toContain(FIX);
      expect(env()).toContain(KEY);
      const dry = await bed.hd(['install', '--dry-run', ...TOBIKO, ...FIX.split(' ')]);
      expect(dry.code, dry.stderr).toBe(0);
      const mended = await bed.hd(['install', '--yes', ...TOBIKO, ...FIX.split(' ')]);
      expect(mended.code, mended.stderr).toBe(0);
      expect(mended.stderr).toContain('Keeping the stored secret: tobiko.gateways.warehouse.api_key\n');
      expect(env()).not.toContain(KEY);
      const secret = bed.api.objects('', 'secrets', 'tobiko').find((s) => s.metadata.name === 'executors-secrets');
      expect(decoded(secret?.data?.SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__API_KEY)).toBe(KEY);
      // the release's values name each secret param once (a reviewer thought the mend listed api_key twice)
      const values = JSON.stringify(JSON.parse((await bed.helm('get', 'values', 'executors', '-n', 'tobiko', '-o', 'json')).stdout));
      const lists = [...values.matchAll(/\[("[^"\]]*"(?:,"[^"\]]*")*)\]/g)].map((m) => JSON.parse(`[${m[1]}]`) as string[]);
      expect(lists.some((l) => l.includes('api_key'))).toBe(true);
      for (const l of lists) expect(new Set(l).size, l.join(',')).toBe(l.length);
      // a re-run that gives no password keeps the stored one; the local copy it rewrites held it: masked in the diff
      const kept = await bed.hd(['install', '--dry-run', ...TOBIKO, ...FIX.split(' ')], { WAREHOUSE_PASSWORD: '' });
      expect(kept.code, kept.stderr).toBe(0);
      for (const r of [exported, doctor, plain, dry, mended, kept]) {
        expect(r.stdout + r.stderr).not.toContain(KEY);
        expect(r.stdout + r.stderr).not.toContain(SECRET_ENV.WAREHOUSE_PASSWORD);
      }
    } finally {
      await bed.stop();
    }
  }, T);
});

describe('an install made before a gateway param\'s value counted as a secret (sslrootcert: a URL with a password, unmarked: in the release values, the Deployments\' env)', () => {
  it('export-preset and a plain re-run refuse naming the --set that marks it (export printed it masked, and its copy installed the mask); that --set alone moves it into the Secret, kept', async () => {
    const PW = 'Old1nstallUrlPw';
    const URL_PW = `postgresql://u:${PW}@h:5432/db`;
    const bed = await startBed({}, SECRET_ENV);
    try {
      expect((await bed.hd(['install', '--yes', ...TOBIKO])).code).toBe(0);
      // as the older hd-setup rendered it: among the connection's values, not in secretParams
      const up = await bed.helm('upgrade', 'executors', join(CHARTS, 'tobiko-hybrid-executors-prerelease'), '-n', 'tobiko', '--reuse-values', '--set-string', `global.sqlmesh.gateways.warehouse.connection.sslrootcert=${URL_PW}`);
      expect(up.code, up.stderr).toBe(0);
      const env = () => JSON.stringify(bed.api.objects('apps', 'deployments', 'tobiko').map((d) => d.spec.template.spec.containers[0].env));
      expect(env()).toContain(PW);
      const FIX = '--set tobiko.secretParams=[sslrootcert]';
      const exported = await bed.hd(['export-preset']);
      expect(exported.code, exported.stderr).toBe(2);
      expect(exported.stdout).toBe('');
      expect(exported.stderr).toMatch(new RegExp(`has settings this version of hd-setup refuses \\(tobiko\\.gateways\\.warehouse\\.sslrootcert holds a secret \\(a URL with a password in it\\).*install it again with the fix: hd-setup install --preset … ${FIX.replace(/[[\]]/g, '\\$&')}\n$`));
      const plain = await bed.hd(['install', '--yes', ...TOBIKO]);
      expect(plain.code, plain.stderr).toBe(2);
      expect(plain.stderr).toContain(FIX);
      expect(env()).toContain(PW);
      const mended = await bed.hd(['install', '--yes', ...TOBIKO, ...FIX.split(' ')]);
      expect(mended.code, mended.stderr).toBe(0);
      expect(mended.stderr).toContain('Keeping the stored secret: tobiko.gateways.warehouse.sslrootcert\n');
      expect(env()).not.toContain(PW);
      const secret = bed.api.objects('', 'secrets', 'tobiko').find((s) => s.metadata.name === 'executors-secrets');
      expect(decoded(secret?.data?.SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__SSLROOTCERT)).toBe(URL_PW);
      const after = await bed.hd(['export-preset']);
      expect(after.code, after.stderr).toBe(0);
      expect(after.stdout).toContain('secretParams:\n    - sslrootcert\n');
      for (const r of [exported, plain, mended, after]) expect(r.stdout + r.stderr).not.toContain(PW);
    } finally {
      await bed.stop();
    }
  }, T);
});
