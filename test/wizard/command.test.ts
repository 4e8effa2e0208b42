// The wizard's equivalent command (service/command.ts): the flags it prints load back to exactly the
// answers, and the bin run with them writes the same files (render here; a full install on the stub
// runtime in test/wizard/review.test.ts).
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { equivalentCommand } from '../../src/service/command.js';
import { buildRaw, parseModel } from '../../src/products/load.js';
import { render } from '../../src/service/plan.js';
import { CLIENT_SECRET, RENDER_ENV, SECRET_ENV, TOKEN, WAREHOUSE_PASSWORD, cli, expectNoSecrets, tmp } from '../helpers.js';

const fivetranK8s = {
  product: 'fivetran',
  runtime: 'kubernetes',
  proxy: { https: 'http://proxy.internal:3128', http: 'http://proxy.internal:3128', noProxy: ['localhost', '10.0.0.0/8'] },
  fivetran: {
    token: TOKEN,
    kubernetes: {
      namespace: 'hd',
      dataVolumePvc: 'fivetran-data',
      context: 'staging-live',
      affinityRules: { 'big.pool': { mode: 'preferred', weight: 5, match: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] } },
      affinity: [{ rule: 'big.pool', connectors: ['c1', 'c2'], default: true }],
      resources: { limits: { cpu: '4', memory: '8Gi' } },
    },
  },
};
const tobikoDocker = {
  product: 'tobiko',
  runtime: 'docker',
  tobiko: {
    org: 'acme',
    project: 'analytics',
    clientId: 'cid',
    clientSecret: CLIENT_SECRET,
    gateways: { warehouse: { type: 'postgres', host: 'db', port: 5432, database: 'analytics', user: 'sqlmesh', password: WAREHOUSE_PASSWORD } },
    defaultGateway: 'warehouse',
  },
};
const fivetranDocker = { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN, installDir: '~/agent 1' } };
/** The wizard's Kubernetes answers with every default kept (no resources: the chart's own). */
const fivetranK8sPlain = { product: 'fivetran', runtime: 'kubernetes', fivetran: { token: TOKEN, kubernetes: { namespace: 'fivetran', dataVolumePvc: 'fivetran-data' } } };
const tobikoK8s = {
  product: 'tobiko',
  runtime: 'kubernetes',
  tobiko: { ...tobikoDocker.tobiko, gateways: { warehouse: { ...tobikoDocker.tobiko.gateways.warehouse, host: 'postgres.data.svc.cluster.local' } }, kubernetes: { namespace: 'tobiko', run: { replicas: 3 } } },
};

const files = (answers: Record<string, unknown>) => render(parseModel(structuredClone(answers), { env: SECRET_ENV }).model, RENDER_ENV).map((f) => [f.path, f.mode, f.content]);
const setsOf = (argv: string[]) => argv.flatMap((a, i) => (argv[i - 1] === '--set' ? [a] : []));
const presetOf = (argv: string[]) => argv[argv.indexOf('--preset') + 1];

describe('the equivalent command', () => {
  for (const [name, answers] of Object.entries({ fivetranK8s, tobikoDocker, fivetranDocker, fivetranK8sPlain, tobikoK8s })) {
    it(`${name}: its flags load back to the answers, secrets as env: references`, () => {
      const eq = equivalentCommand(answers);
      expect(eq.argv[0]).toBe('install');
      expect(eq.argv.at(-1)).toBe('--yes');
      expectNoSecrets(eq.command);
      // the quoted line splits back into the same words in a shell
      const words = spawnSync('sh', ['-c', `set -- ${eq.command}; printf '%s\\0' "$@"`], { encoding: 'utf8' }).stdout.split('\0').slice(0, -1);
      expect(words).toEqual(['hd-setup', ...eq.argv]);
      const raw = buildRaw({ ...(eq.argv.includes('--preset') ? { preset: presetOf(eq.argv) } : {}), sets: setsOf(eq.argv), env: {} }).raw;
      expect(files(raw)).toEqual(files(answers));
    });
  }
  it('answers prefilled from a preset file (with its "$schema") give the preset back, not a bare "install --yes"', () => {
    const fromPreset = { $schema: 'https://hd-setup.dev/preset.schema.json', ...fivetranK8sPlain, fivetran: { ...fivetranK8sPlain.fivetran, kubernetes: { ...fivetranK8sPlain.fivetran.kubernetes, chart: '/charts/fivetran-0.24.0' } } };
    expect(equivalentCommand(fromPreset).command).toBe('hd-setup install --preset fivetran-kubernetes --set fivetran.kubernetes.resources=null --set fivetran.kubernetes.chart=/charts/fivetran-0.24.0 --yes');
  });
  it('starts from the bundled preset that needs the fewest --set', () => {
    const eq = equivalentCommand({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN, pullPolicy: 'never' } });
    expect(eq.command).toBe('hd-setup install --preset fivetran-docker --set fivetran.pullPolicy=never --yes');
    expect(eq.vars).toEqual(['FIVETRAN_TOKEN']);
  });
  it('a Kubernetes install starts from a Kubernetes preset of its product, never the docker one with --set runtime=kubernetes', () => {
    // what the preset has and the answers do not is unset (--set path=null), so the closest preset is usable
    expect(equivalentCommand(fivetranK8sPlain).command).toBe('hd-setup install --preset fivetran-kubernetes --set fivetran.kubernetes.resources=null --yes');
    for (const answers of [fivetranK8s, fivetranK8sPlain, tobikoK8s]) {
      const eq = equivalentCommand(answers);
      expect(eq.command).not.toContain('runtime=');
      expect(presetOf(eq.argv)).toMatch(/-kubernetes/);
      expect(presetOf(eq.argv)?.split('-')[0]).toBe(answers.product);
    }
  });
  it('starts from the bundled preset with the fewest --set lines: Tobiko on Kubernetes with secrets given inline is tobiko-kubernetes, not the external-secrets one undone', () => {
    // the secret name in tobiko-kubernetes is text ("null" would be a name): its map is unset and set again
    const answers = { ...tobikoK8s, tobiko: { ...tobikoK8s.tobiko, secrets: { strategy: 'existingSecret' } } };
    const eq = equivalentCommand(answers);
    expect(presetOf(eq.argv)).toBe('tobiko-kubernetes');
    expect(eq.command).not.toContain('tobiko.secrets.store');
    const { $schema: _, ...back } = buildRaw({ preset: 'tobiko-kubernetes', sets: setsOf(eq.argv), env: SECRET_ENV }).raw;
    expect(parseModel(back, { env: SECRET_ENV }).model).toEqual(parseModel(structuredClone(answers), { env: SECRET_ENV }).model);
  });
  it('--set path=null unsets what the preset has there; a text setting keeps "null" as text', () => {
    const raw = buildRaw({ preset: 'fivetran-kubernetes', sets: ['fivetran.kubernetes.resources=null', 'fivetran.kubernetes.namespace=null'], env: {} }).raw as { fivetran: { kubernetes: Record<string, unknown> } };
    expect(raw.fivetran.kubernetes.resources).toBeUndefined();
    expect('resources' in raw.fivetran.kubernetes).toBe(false);
    expect(raw.fivetran.kubernetes.namespace).toBe('null');
    // nothing there: nothing to do
    expect(() => buildRaw({ sets: ['fivetran.kubernetes.resources=null'], env: {} })).not.toThrow();
  });
  it('keeps the reference a secret came from, and the choices (--allow-root, --skip-check)', () => {
    const eq = equivalentCommand(tobikoDocker, { refs: { 'tobiko.clientSecret': 'file:/run/secrets/tc' }, allowRoot: true, skipCheck: ['disk'] });
    expect(eq.command).toContain('--set tobiko.clientSecret=file:/run/secrets/tc');
    expect(eq.command).toMatch(/--allow-root --skip-check disk --yes$/);
    expect(eq.vars).toEqual(['WAREHOUSE_PASSWORD']);
  });
  it('an HTTP proxy "same as HTTPS" with a password is one variable to export, not the same URL twice', () => {
    const url = 'http://bob:Pr0xy-pw@proxy.internal:3128';
    const answers = { ...fivetranDocker, proxy: { https: url, http: url, noProxy: ['localhost'] } };
    const eq = equivalentCommand(answers);
    expectNoSecrets(eq.command);
    expect(eq.command).not.toContain('Pr0xy-pw');
    expect([...eq.vars].sort()).toEqual(['AGENT_HTTP_PROXY', 'FIVETRAN_TOKEN']);
    expect(setsOf(eq.argv)).toEqual(expect.arrayContaining(['proxy.http=env:AGENT_HTTP_PROXY', 'proxy.https=env:AGENT_HTTP_PROXY']));
    // two proxies: two variables
    const two = equivalentCommand({ ...answers, proxy: { ...answers.proxy, http: 'http://bob:other-pw@proxy.internal:3129' } });
    expect([...two.vars].sort()).toEqual(['AGENT_HTTPS_PROXY', 'AGENT_HTTP_PROXY', 'FIVETRAN_TOKEN']);
  });
  it('the bin, run with the printed flags, renders the same files', () => {
    for (const answers of [fivetranK8s, tobikoDocker, fivetranDocker, fivetranK8sPlain, tobikoK8s]) {
      const eq = equivalentCommand(answers);
      const out = tmp();
      const home = tmp('hd-home-');
      // through sh: the quoting is part of what is checked
      const argv = ['render', ...eq.argv.slice(1, -1), '--out', out];
      const run = cli(argv, { env: { ...SECRET_ENV, HOME: home } });
      expect(run.code, run.stderr).toBe(0);
      // the answers themselves, as a preset file: the same files, byte for byte
      const dir = tmp();
      writeFileSync(join(dir, 'answers.json'), JSON.stringify(answers));
      const direct = cli(['render', '--preset', join(dir, 'answers.json'), '--out', join(dir, 'out')], { env: { ...SECRET_ENV, HOME: home } });
      expect(direct.code, direct.stderr).toBe(0);
      const read = (d: string) => walk(d).map((f) => [f, readFileSync(join(d, f), 'utf8')]);
      expect(read(out)).toEqual(read(join(dir, 'out')));
      expect(read(out).length).toBeGreaterThan(0);
    }
  });
});

function walk(dir: string): string[] {
  const out: string[] = [];
  const go = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) go(p);
      else out.push(relative(dir, p));
    }
  };
  go(dir);
  return out;
}
