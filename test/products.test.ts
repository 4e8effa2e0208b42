// A product is one module and one registry line: a tiny fake product goes through the same generic
// machinery (the model union, the JSON Schema, render, plan, the read-back) as the real ones.
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { posix } from 'node:path';
import { sectionOf, type BaseModel } from '../src/model/base.js';
import { zodProblems } from '../src/model/errors.js';
import { PRODUCTS, computePresetJsonSchema, modelSchemaOf, productOf } from '../src/products/index.js';
import { minimize, readBack } from '../src/products/readback.js';
import { canonical } from '../src/util/canonical.js';
import { fileKey, type ProductModule } from '../src/products/types.js';
import { bootStep, filesStep } from '../src/plan/containers.js';
import { expandTilde, homeRelative } from '../src/util/paths.js';
import { HOST, RENDER_ENV } from './helpers.js';
import { secret } from '../src/model/common.js';
import { withResolveContext } from '../src/model/refs.js';
import { findResets, keepStoredSecrets, resetRefusal } from '../src/model/reconcile.js';
import { withSecretRefs } from '../src/model/secret-refs.js';
import { secretFields, secretValues } from '../src/products/secrets.js';
import { planToJson, planToText } from '../src/plan/describe.js';
import { Redactor } from '../src/util/redact.js';

interface Echo {
  message: string;
  installDir: string;
  apiKey?: string;
}

const echo: ProductModule = {
  id: 'echo',
  title: 'Echo agent',
  noun: 'the echo agent',
  short: 'Echo agent',
  // apiKey is secret by its schema mark alone: no list anywhere names it.
  schema: z.strictObject({ message: z.string().min(1).default('hello'), installDir: z.string().default('~/echo'), apiKey: secret('Echo API key.').optional() }),
  runtimes: ['docker'],
  requiredHint: '--set echo.message=hello',
  refine(model, ctx) {
    if (sectionOf<Echo>(model, 'echo').message.includes('\n')) ctx.addIssue({ code: 'custom', path: ['echo', 'message'], message: 'one line only' });
  },
  location: (model, home) => ({ product: 'echo', runtime: model.runtime, installDir: posix.resolve(expandTilde(sectionOf<Echo>(model, 'echo').installDir, home)) }),
  locate: (_raw, runtime, home) => ({ product: 'echo', runtime, installDir: posix.join(home, 'echo') }),
  settingPath: (setting) => `echo.${setting}`,
  render: (model) => {
    const e = sectionOf<Echo>(model, 'echo');
    return [{ path: 'echo.txt', base: 'install', rel: 'echo.txt', mode: 0o600, content: `${e.message}\n${e.apiKey ? `key=${e.apiKey}\n` : ''}`, secret: Boolean(e.apiKey), description: 'the message' }];
  },
  containers: () => [],
  containerNames: [],
  image: () => 'echo:1',
  configFiles: () => [{ base: 'install', rel: 'echo.txt' }],
  decode: (a, env) => {
    const [message, key] = (a.files[fileKey('install', 'echo.txt')] ?? '').trimEnd().split('\n');
    return { product: 'echo', runtime: a.location.runtime, echo: { message, installDir: homeRelative(a.location.installDir ?? '', env.home), ...(key ? { apiKey: key.slice(4) } : {}) } };
  },
  reads: () => ({ files: [{ base: 'install', rel: 'echo.txt' }], containers: [] }),
  // no boot unit of its own: the shared boot step says so (skipped), as a product with one enables it
  plan: (model, host, _state, files, installDir) => ({ product: 'echo', runtime: model.runtime, steps: [filesStep(files, [{ path: installDir, mode: 0o700 }], 'echo.installDir'), bootStep(host, undefined, 'docker', false, files, 'the echo')], files, nextSteps: [] }),
  kube: () => {
    throw new Error('echo runs on docker only');
  },
  host: {},
  endpoints: () => [],
};

const list = [...PRODUCTS, echo];
const schema = modelSchemaOf(list);
const parse = (raw: Record<string, unknown>) => {
  const r = schema.safeParse(structuredClone(raw));
  if (!r.success) throw new Error(zodProblems(r.error.issues).map((p) => `${p.path}: ${p.message}`).join('\n'));
  return r.data as BaseModel;
};

describe('adding a product: one module, one registry line', () => {
  it('the model takes it, with its own rules, and names it in errors', () => {
    expect(sectionOf<Echo>(parse({ product: 'echo', runtime: 'docker', echo: {} }), 'echo')).toEqual({ message: 'hello', installDir: '~/echo' });
    expect(() => parse({ product: 'echo', runtime: 'docker', echo: { message: 'a\nb' } })).toThrow('echo.message: one line only');
    expect(() => parse({ product: 'echo', runtime: 'kubernetes', echo: {} })).toThrow(/runtime/);
    expect(() => parse({ product: 'echo', runtime: 'docker' })).toThrow('echo: is required when product is echo; pass --set echo.message=hello');
    expect(() => parse({ product: 'echo', runtime: 'docker', echo: {}, fivetran: {} })).toThrow('fivetran: is for product fivetran, but product is echo');
    expect(() => parse({ product: 'nope', runtime: 'docker' })).toThrow('product: must be one of "fivetran", "tobiko", "echo"');
  });
  it('the JSON Schema describes it', () => {
    const js = computePresetJsonSchema(list) as { properties: Record<string, { enum?: string[] }> };
    expect(js.properties.product!.enum).toEqual(['fivetran', 'tobiko', 'echo']);
    expect(Object.keys(js.properties)).toContain('echo');
  });
  it('renders, plans and reads back through the generic read-back (defaults dropped, settings kept)', () => {
    const m = parse({ product: 'echo', runtime: 'docker', echo: { message: 'hi there', installDir: '~/echo' } });
    const mod = productOf(m, list);
    expect(mod).toBe(echo);
    const files = mod.render(m, RENDER_ENV);
    const loc = mod.location(m, HOST.home);
    const plan = mod.plan(m, HOST, { containers: {}, networks: [], images: [], files: {} }, files.map((f) => ({ ...f, dest: posix.join(loc.installDir!, f.rel) })), loc.installDir!, []);
    expect(plan.steps[0]!.actions).toContainEqual({ kind: 'write', path: '/home/ana/echo/echo.txt', mode: 0o600, content: 'hi there\n', secret: false, backup: false });
    expect(plan.steps[1]).toEqual({ id: 'boot', title: 'Start on boot', actions: [], skip: 'no unit for this product' });
    expect(bootStep(HOST, undefined, 'docker', true, []).skip).toBe('restart policy brings the containers back when the runtime starts');
    const back = readBack({ location: loc, files: { [fileKey('install', 'echo.txt')]: files[0]!.content }, containers: {} }, RENDER_ENV, list, parse);
    expect(back.preset).toEqual({ product: 'echo', runtime: 'docker', echo: { message: 'hi there' } });
    expect(canonical(parse(back.preset))).toBe(canonical(m));
  });
  it('minimize drops exactly the values the model would give anyway', () => {
    const root = computePresetJsonSchema(list);
    expect(minimize({ product: 'echo', runtime: 'docker', echo: { message: 'hello', installDir: '/srv/echo' } }, parse, root)).toEqual({ product: 'echo', runtime: 'docker', echo: { installDir: '/srv/echo' } });
  });
});

describe('a field marked secret in the schema is secret everywhere, with no other list naming it', () => {
  const KEY = 'echo-api-key-Zq81';
  const plain = (m: BaseModel) => ({ ...m }) as Record<string, unknown>;
  it('registered when parsed, listed by the registry, read back, masked in a diff, kept on a re-run, exported as a reference', () => {
    // Parsing registers it for the output redactor (resolved from env: like any secret field).
    const secrets = new Set<string>();
    const raw = { product: 'echo', runtime: 'docker', echo: { message: 'hi there', apiKey: 'env:ECHO_KEY' } };
    const m = withResolveContext({ env: { ECHO_KEY: KEY }, baseDir: '/', home: HOST.home, secrets }, () => parse(raw));
    expect([...secrets]).toEqual([KEY]);
    // The registry derives it from the schema's mark, and names the variable it is exported as.
    expect(secretFields(plain(m), list)).toEqual([{ path: 'echo.apiKey', kind: 'value', env: 'ECHO_APIKEY' }]);
    expect(secretValues(plain(m), list)).toEqual([KEY]);
    // The read-back of the install lists it as a secret: registered before anything prints it.
    const mod = productOf(m, list);
    const loc = mod.location(m, HOST.home);
    const files = mod.render(m, RENDER_ENV);
    const back = readBack({ location: loc, files: { [fileKey('install', 'echo.txt')]: files[0]!.content }, containers: {} }, RENDER_ENV, list, parse);
    expect(back.preset).toEqual({ product: 'echo', runtime: 'docker', echo: { message: 'hi there', apiKey: KEY } });
    expect(back.secretPaths).toEqual(['echo.apiKey']);
    // A re-run with a new key: the plan's diff (dry-run text; masked, the two lines are equal) and --json mask both, with a redactor fed
    // from the registry alone (the new preset's values and the read-back's).
    const NEW = 'echo-new-key-Wm40';
    const m2 = withResolveContext({ env: { ECHO_KEY: NEW }, baseDir: '/', home: HOST.home, secrets: new Set() }, () => parse(raw));
    const planned = mod.render(m2, RENDER_ENV).map((f) => ({ ...f, dest: posix.join(loc.installDir!, f.rel), current: files[0]!.content }));
    const plan = mod.plan(m2, HOST, { containers: {}, networks: [], images: [], files: {} }, planned, loc.installDir!, []);
    const r = new Redactor([...secretValues(plain(m2), list), ...secretValues(back.preset, list)]);
    const shown = planToText(plan, r, { diffs: true }) + JSON.stringify(planToJson(plan, r));
    expect(shown).toContain('echo.txt  (changed, secret)');
    // its diff says what changed without a line of it: the masked lines read the same
    expect(shown).toMatch(/\+\+\+ \S*echo\.txt\n\s+\(only a secret in it changes; masked, the lines read the same\)/);
    for (const k of [KEY, NEW]) expect(shown).not.toContain(k);
    // A re-run that omits it keeps it; a refusal never offers it.
    const installed = { product: 'echo', runtime: 'docker', preset: back.preset, secretPaths: back.secretPaths, where: loc.installDir! };
    const rerun: Record<string, unknown> = { product: 'echo', runtime: 'docker', echo: { message: 'changed' } };
    expect(keepStoredSecrets(rerun, installed, {}, parse)).toEqual(['echo.apiKey']);
    const refusal = resetRefusal(findResets({ product: 'echo', runtime: 'docker', echo: { installDir: '/srv/echo' } }, installed, parse), installed, 'hd-setup install');
    expect(refusal[0]!.message).toContain('echo.message=hi there');
    expect(JSON.stringify(refusal)).not.toContain(KEY);
    // export-preset and the wizard's saved preset: a reference, never the value.
    const { preset, vars } = withSecretRefs(back.preset, secretFields(back.preset, list));
    expect(preset.echo).toEqual({ message: 'hi there', apiKey: 'env:ECHO_APIKEY' });
    expect(vars).toEqual(['ECHO_APIKEY']);
  });
});

describe('each secret is exported under a variable of its own', () => {
  it('an extra variable is TOBIKO_<its name>, never its own name; two named alike (X_TOKEN and a gateway "tobiko"\'s x_token, or TOBIKO_X_TOKEN and X_TOKEN) get distinct ones (the export gave both one variable, so one value)', () => {
    const preset = {
      product: 'tobiko',
      runtime: 'docker',
      tobiko: {
        clientSecret: 'cs',
        secretParams: ['x_token'],
        gateways: { tobiko: { type: 'postgres', host: 'db', user: 'u', password: 'p', x_token: 't' } },
        docker: { extraEnv: [{ name: 'X_TOKEN', value: 'a' }, { name: 'TOBIKO_X_TOKEN', value: 'b' }, { name: 'AWS_SECRET_ACCESS_KEY', value: 'c' }] },
      },
    };
    const env = Object.fromEntries(secretFields(preset).map((f) => [f.path, f.env]));
    expect(env).toMatchObject({
      'tobiko.gateways.tobiko.x_token': 'TOBIKO_X_TOKEN',
      'tobiko.docker.extraEnv.0.value': 'TOBIKO_X_TOKEN_2',
      'tobiko.docker.extraEnv.1.value': 'TOBIKO_TOBIKO_X_TOKEN',
      'tobiko.docker.extraEnv.2.value': 'TOBIKO_AWS_SECRET_ACCESS_KEY',
    });
    expect(new Set(Object.values(env)).size).toBe(Object.values(env).length);
  });
});
