import { describe, expect, it } from 'vitest';
import { findResets, keepStoredSecrets, resetRefusal, type Installed } from '../src/model/reconcile.js';
import { parseModel } from '../src/products/load.js';
import { presetWithRefs } from '../src/service/lifecycle.js';
import { urlPasswords } from '../src/util/redact.js';
import { TOKEN } from './helpers.js';

const validate = (env: NodeJS.ProcessEnv) => (raw: Record<string, unknown>) => void parseModel(structuredClone(raw), { env });
const credentials = (v: unknown) => typeof v === 'string' && urlPasswords(v).length > 0;

const installed: Installed = {
  product: 'fivetran',
  runtime: 'docker',
  preset: { product: 'fivetran', runtime: 'docker', proxy: { https: 'http://proxy:3128', noProxy: ['localhost'] }, fivetran: { token: TOKEN, config: { custom_dns: '1.1.1.1' } } },
  secretPaths: ['fivetran.token'],
  where: '/home/ana/fivetran',
};

describe('re-running against an install', () => {
  it('keeps the stored token when the preset cannot resolve a new one', () => {
    const raw: Record<string, unknown> = { product: 'fivetran', runtime: 'docker', fivetran: { token: 'env:FIVETRAN_TOKEN' } };
    expect(keepStoredSecrets(raw, installed, {}, validate({}))).toEqual(['fivetran.token']);
    expect((raw.fivetran as { token: string }).token).toBe(TOKEN);
  });
  it('uses a new token when one is given', () => {
    const raw: Record<string, unknown> = { product: 'fivetran', runtime: 'docker', fivetran: { token: 'env:FIVETRAN_TOKEN' } };
    expect(keepStoredSecrets(raw, installed, { FIVETRAN_TOKEN: TOKEN }, validate({ FIVETRAN_TOKEN: TOKEN }))).toEqual([]);
    expect((raw.fivetran as { token: string }).token).toBe('env:FIVETRAN_TOKEN');
  });
  it('on Kubernetes, a token kept in the Secret hd-setup made is kept as a stored reference', () => {
    const k: Installed = {
      product: 'fivetran',
      runtime: 'kubernetes',
      preset: { product: 'fivetran', runtime: 'kubernetes', fivetran: { token: 'stored:secret/hd-agent-hd-setup-token#token', kubernetes: { dataVolumePvc: 'd' } } },
      secretPaths: ['fivetran.token'],
      where: 'release hd-agent',
    };
    const raw: Record<string, any> = { product: 'fivetran', runtime: 'kubernetes', fivetran: { token: 'env:FIVETRAN_TOKEN', kubernetes: { dataVolumePvc: 'd' } } };
    expect(keepStoredSecrets(raw, k, {}, validate({}))).toEqual(['fivetran.token']);
    expect(raw.fivetran.token).toBe('stored:secret/hd-agent-hd-setup-token#token');
    expect(raw.fivetran.kubernetes.tokenSecret).toBeUndefined();
  });
  it('a stored token is not kept where the preset chose a Secret of its own instead', () => {
    const k: Installed = {
      product: 'fivetran',
      runtime: 'kubernetes',
      preset: { product: 'fivetran', runtime: 'kubernetes', fivetran: { token: 'stored:secret/hd-agent-hd-setup-token#token', kubernetes: { dataVolumePvc: 'd' } } },
      secretPaths: ['fivetran.token'],
      where: 'release hd-agent',
    };
    const raw: Record<string, any> = { product: 'fivetran', runtime: 'kubernetes', fivetran: { kubernetes: { dataVolumePvc: 'd', tokenSecret: { name: 'mine' } } } };
    expect(keepStoredSecrets(raw, k, {}, validate({}))).toEqual([]);
    expect(raw.fivetran.token).toBeUndefined();
  });
  it('finds the settings a preset would silently reset', () => {
    const raw = { product: 'fivetran', runtime: 'docker', fivetran: { token: 'env:FIVETRAN_TOKEN' } };
    expect(findResets(raw, installed, validate({ FIVETRAN_TOKEN: TOKEN })).map((r) => r.path)).toEqual(['proxy.https', 'proxy.noProxy', 'fivetran.config.custom_dns']);
  });
  it('an explicit new value is a change, not a reset', () => {
    const raw = { product: 'fivetran', runtime: 'docker', proxy: { https: 'http://other:3128', noProxy: [] }, fivetran: { config: { custom_dns: '8.8.8.8' } } };
    expect(findResets(raw, installed, validate({}))).toEqual([]);
  });
  it('a setting the preset cannot have beside its own choice is a change, not a reset', () => {
    const k: Installed = {
      product: 'fivetran',
      runtime: 'kubernetes',
      preset: { product: 'fivetran', runtime: 'kubernetes', fivetran: { kubernetes: { dataVolumePvc: 'd', nodeSelector: { pool: 'a' } } } },
      secretPaths: [],
      where: 'release hd-agent',
    };
    const raw = {
      product: 'fivetran',
      runtime: 'kubernetes',
      fivetran: { token: TOKEN, kubernetes: { dataVolumePvc: 'd', affinityRules: { r: { match: [{ key: 'k', values: ['v'] }] } }, affinity: [{ rule: 'r', default: true }] } },
    };
    expect(findResets(raw, k, validate({}))).toEqual([]);
  });
  it('a different product or runtime is a different install', () => {
    expect(findResets({ product: 'fivetran', runtime: 'podman' }, installed, validate({}))).toEqual([]);
  });
  it('the refusal names the settings and the exact command that keeps them; never a secret', () => {
    const withCreds: Installed = { ...installed, preset: { ...installed.preset, proxy: { https: 'http://bob:pw123456@proxy:3128' } } };
    const lines = resetRefusal(findResets({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }, withCreds, validate({}), credentials), withCreds, 'hd-setup install --preset fivetran-docker --yes').map(
      (p) => p.message,
    );
    expect(lines[0]).toMatch(/^this preset would reset 2 settings the installed agent has \(\/home\/ana\/fivetran\): proxy\.https, fivetran\.config\.custom_dns=1\.1\.1\.1$/);
    expect(lines[1]).toBe('to keep them: hd-setup install --preset fivetran-docker --yes --set proxy.https=env:YOUR_SECRET_VAR --set fivetran.config.custom_dns=1.1.1.1');
    // Where the registry names the secret's variable, the suggestion references it.
    const named = resetRefusal(findResets({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }, withCreds, validate({}), (v) => (credentials(v) ? 'HTTPS_PROXY' : false)), withCreds, 'hd-setup install');
    expect(named[1]!.message).toBe('to keep them: hd-setup install --set proxy.https=env:HTTPS_PROXY --set fivetran.config.custom_dns=1.1.1.1');
    expect(lines.join('\n')).not.toContain('pw123456');
    expect(lines[2]).toContain('--reset');
  });
});

describe('export-preset', () => {
  it('turns stored secrets into env: references', () => {
    const { preset, vars } = presetWithRefs(installed);
    expect((preset.fivetran as { token: string }).token).toBe('env:FIVETRAN_TOKEN');
    expect(vars).toEqual(['FIVETRAN_TOKEN']);
    expect(JSON.stringify(preset)).not.toContain(TOKEN);
  });
  it('names gateway secrets and proxy credentials', () => {
    const { preset, vars } = presetWithRefs({
      preset: { product: 'tobiko', runtime: 'docker', proxy: { https: 'http://u:p4ssword@proxy:1' }, tobiko: { clientSecret: 's', gateways: { warehouse: { type: 'postgres', password: 'pw' } } } },
    });
    expect(vars).toEqual(['AGENT_HTTPS_PROXY', 'TCLOUD_CLIENT_SECRET', 'WAREHOUSE_PASSWORD']);
    expect(JSON.stringify(preset)).not.toMatch(/p4ssword|"pw"|"s"/);
  });
});

describe('the keep command of a refusal (keepArgv)', () => {
  it('rewrites the value of each --set shape (--set k=v, --set=k=v, -s k=v, -sk=v) as the rewrite says; a reference, a flag with no value and what it leaves alone stay as given', async () => {
    const { keepArgv } = await import('../src/service/install.js');
    const rewrite = (_v: string, path: string) => (path === 'fivetran.token' ? 'env:FIVETRAN_TOKEN' : path === 'tobiko.gateways.x' ? '{"password":"env:X"}' : undefined);
    expect(keepArgv(['install', '--set', 'fivetran.token=abc', '--set=fivetran.token=abc', '-s', 'fivetran.token=abc', '-sfivetran.token=abc', '--set', 'fivetran.token=env:MINE', '--set', 'tobiko.gateways.x={"password":"p"}', '--set', 'fivetran.memory=3g', '--set'], rewrite)).toEqual([
      'install', '--set', 'fivetran.token=env:FIVETRAN_TOKEN', '--set=fivetran.token=env:FIVETRAN_TOKEN', '-s', 'fivetran.token=env:FIVETRAN_TOKEN', '-sfivetran.token=env:FIVETRAN_TOKEN', '--set', 'fivetran.token=env:MINE', '--set', 'tobiko.gateways.x={"password":"env:X"}', '--set', 'fivetran.memory=3g', '--set',
    ]);
  });
});
