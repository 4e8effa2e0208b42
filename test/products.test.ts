// A product is one module and one registry line: a tiny fake product goes through the same generic
// machinery (the model union, the JSON Schema, render, plan, the read-back) as the real ones.
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { posix } from 'node:path';
import { sectionOf, type BaseModel } from '../src/model/base.js';
import { zodProblems } from '../src/model/errors.js';
import { PRODUCTS, computePresetJsonSchema, modelSchemaOf, productOf } from '../src/products/index.js';
import { canonical, minimize, readBack } from '../src/products/readback.js';
import { fileKey, type ProductModule } from '../src/products/types.js';
import { filesStep } from '../src/plan/containers.js';
import { expandTilde, homeRelative } from '../src/util/paths.js';
import { HOST, RENDER_ENV } from './helpers.js';

interface Echo {
  message: string;
  installDir: string;
}

const echo: ProductModule = {
  id: 'echo',
  title: 'Echo agent',
  schema: z.strictObject({ message: z.string().min(1).default('hello'), installDir: z.string().default('~/echo') }),
  runtimes: ['docker'],
  requiredHint: '--set echo.message=hello',
  refine(model, ctx) {
    if (sectionOf<Echo>(model, 'echo').message.includes('\n')) ctx.addIssue({ code: 'custom', path: ['echo', 'message'], message: 'one line only' });
  },
  location: (model, home) => ({ product: 'echo', runtime: model.runtime, installDir: posix.resolve(expandTilde(sectionOf<Echo>(model, 'echo').installDir, home)) }),
  locate: (_raw, runtime, home) => ({ product: 'echo', runtime, installDir: posix.join(home, 'echo') }),
  settingPath: (setting) => `echo.${setting}`,
  render: (model) => [{ path: 'echo.txt', base: 'install', rel: 'echo.txt', mode: 0o600, content: `${sectionOf<Echo>(model, 'echo').message}\n`, secret: false, description: 'the message' }],
  containers: () => [],
  containerNames: [],
  image: () => 'echo:1',
  configFiles: () => [{ base: 'install', rel: 'echo.txt' }],
  decode: (a, env) => ({ product: 'echo', runtime: a.location.runtime, echo: { message: (a.files[fileKey('install', 'echo.txt')] ?? '').trimEnd(), installDir: homeRelative(a.location.installDir ?? '', env.home) } }),
  reads: () => ({ files: [{ base: 'install', rel: 'echo.txt' }], containers: [] }),
  plan: (model, _host, _state, files, installDir) => ({ product: 'echo', runtime: model.runtime, steps: [filesStep(files, [{ path: installDir, mode: 0o700 }], 'echo.installDir')], files, nextSteps: [] }),
  kube: () => {
    throw new Error('echo runs on docker only');
  },
  host: { runtimeMinimumRequired: false },
  secretPaths: () => [],
  secretEnvName: (p) => p.toUpperCase(),
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
    const plan = mod.plan(m, HOST, { containers: {}, networks: [], images: [], files: {} }, files.map((f) => ({ ...f, dest: posix.join(loc.installDir!, f.rel) })), loc.installDir!);
    expect(plan.steps[0]!.actions).toContainEqual({ kind: 'write', path: '/home/ana/echo/echo.txt', mode: 0o600, content: 'hi there\n', secret: false, backup: false });
    const back = readBack({ location: loc, files: { [fileKey('install', 'echo.txt')]: files[0]!.content }, containers: {} }, RENDER_ENV, list, parse);
    expect(back.preset).toEqual({ product: 'echo', runtime: 'docker', echo: { message: 'hi there' } });
    expect(canonical(parse(back.preset))).toBe(canonical(m));
  });
  it('minimize drops exactly the values the model would give anyway', () => {
    const root = computePresetJsonSchema(list);
    expect(minimize({ product: 'echo', runtime: 'docker', echo: { message: 'hello', installDir: '/srv/echo' } }, parse, root)).toEqual({ product: 'echo', runtime: 'docker', echo: { installDir: '/srv/echo' } });
  });
});
