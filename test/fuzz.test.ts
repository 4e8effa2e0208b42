// Property-based fuzzing of the input path (issue 13): presets and --set values derived from the preset
// JSON Schema, then mutated (wrong types, huge numbers, control characters, prototype keys, deep nesting,
// long strings and lists). In-process: the loaders, the model and the renderer either accept or throw a
// UserError (exit 2), in bounded time, without polluting Object.prototype. Process-level: `render --out` on
// the built CLI exits 0 or 2, prints no stack trace, writes nothing on exit 2, within a memory cap.
// HD_TEST_FUZZ_RUNS sets the number of in-process cases (default 300, and 20 processes; with it set, a tenth run
// as processes). HD_TEST_FUZZ_SEED replays a failure.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../src/model/errors.js';
import { listPresets, parsePresetText } from '../src/model/load.js';
import { buildRaw, parseModel } from '../src/products/load.js';
import { load as loadYaml } from 'js-yaml';
import { presetJsonSchema } from '../src/products/index.js';
import { render } from '../src/service/plan.js';
import { BIN, HOST, SECRET_ENV, tmp } from './helpers.js';

const RUNS = Math.max(1, Number(process.env.HD_TEST_FUZZ_RUNS) || 300);
const PROCESS_RUNS = process.env.HD_TEST_FUZZ_RUNS ? Math.max(20, Math.floor(RUNS / 10)) : 20;
const SEED = process.env.HD_TEST_FUZZ_SEED ? Number(process.env.HD_TEST_FUZZ_SEED) : undefined;
const params = (numRuns: number) => ({ numRuns, ...(SEED !== undefined ? { seed: SEED } : {}) });

type JS = Record<string, any>;
const root = presetJsonSchema() as JS;
const deref = (s: JS | undefined): JS | undefined => (s?.$ref ? deref(root.$defs?.[String(s.$ref).replace('#/$defs/', '')]) : s);

// ---- valid-looking values from the schema ----

const SAMPLE_STRINGS = ['fivetran', 'hd-agent', 'env:FIVETRAN_TOKEN', 'env:TCLOUD_CLIENT_SECRET', 'env:WAREHOUSE_PASSWORD', '~/fivetran', '/opt/x', 'http://proxy.internal:3128', '5m', '2Gi', '500m', 'ssd', 'a', ''];

function fromSchema(s: JS | undefined, depth: number): fc.Arbitrary<unknown> {
  const d = deref(s);
  if (!d || depth > 6) return fc.constantFrom<unknown>('x', 1, true);
  if (d.const !== undefined) return fc.constant(d.const);
  if (Array.isArray(d.enum)) return fc.constantFrom(...(d.enum as unknown[]));
  const alts = (d.anyOf ?? d.oneOf) as JS[] | undefined;
  if (alts?.length) return fc.oneof(...alts.map((a) => fromSchema(a, depth + 1)));
  const type = Array.isArray(d.type) ? d.type[0] : d.type;
  switch (type) {
    case 'string':
      return d.default !== undefined ? fc.oneof(fc.constant(d.default), fc.constantFrom(...SAMPLE_STRINGS)) : fc.constantFrom(...SAMPLE_STRINGS);
    case 'integer':
    case 'number':
      return fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(d.default ?? 1));
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(fromSchema(d.items, depth + 1), { maxLength: 3 });
    case 'object': {
      const props = (d.properties ?? {}) as Record<string, JS>;
      const keys = Object.keys(props);
      const rec = keys.length
        ? fc.record(Object.fromEntries(keys.map((k) => [k, fromSchema(props[k], depth + 1)])), { requiredKeys: (d.required as string[] | undefined)?.filter((k) => keys.includes(k)) ?? [] })
        : fc.constant({});
      const extra = d.additionalProperties && typeof d.additionalProperties === 'object' ? fc.dictionary(fc.constantFrom('wh', 'ssd', 'custom_dns', 'kubernetes.io/arch', 'host', 'port'), fromSchema(d.additionalProperties, depth + 1), { maxKeys: 2 }) : fc.constant({});
      return fc.tuple(rec, extra).map(([a, b]) => ({ ...b, ...a }));
    }
    default:
      return fc.constantFrom<unknown>('x', 1, true, null);
  }
}

// ---- hostile values ----

const deep = (n: number, leaf: unknown = 'x', list = false): unknown => {
  let v = leaf;
  for (let i = 0; i < n; i++) v = list ? [v] : { a: v };
  return v;
};
const protoObject = (k: string) => JSON.parse(`{"${k}": {"polluted": "yes"}}`) as unknown;
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, -1, 0, 99999, 65536, 1e308, -1e308, 2 ** 53 + 1, 4294967294, 1.5, '', ' ', '-x', '--privileged', 'a\nb', 'a\u0000b', 'x\r\nTCLOUD_URL=evil', 'javascript:alert(1)', 'ftp://h/x', 'http://h:99999', 'http://-h:1', 'http://[::1::2]:1', 'http://h:1 trailing', '\u202e', '💥'.repeat(10), '__proto__', 'constructor', [], {}, [null], [[[]]], true, false),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype').map(protoObject),
  fc.integer({ min: 20, max: 300 }).chain((n) => fc.constantFrom(deep(n), deep(n, 'x', true))),
  fc.constantFrom(70_000, 200_000).map((n) => 'x'.repeat(n)),
  fc.constantFrom(1001, 5000).map((n) => Array(n).fill('a')),
  fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom<unknown>('v', 1, null), { maxKeys: 4 }),
);

/** Replace the value at a random path (or add a random key) with a hostile one. */
function mutate(value: unknown, choices: number[], bad: unknown, key: string): unknown {
  if (choices.length === 0 || value === null || typeof value !== 'object') return bad;
  const [c, ...rest] = choices;
  if (Array.isArray(value)) {
    if (value.length === 0) return [bad];
    const i = c! % (value.length + 1);
    const out = [...value];
    out[Math.min(i, value.length)] = mutate(value[i], rest, bad, key);
    return out;
  }
  const keys = Object.keys(value);
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (keys.length === 0 || c! % 5 === 0) {
    Object.defineProperty(out, key, { value: bad, enumerable: true, writable: true, configurable: true });
    return out;
  }
  const k = keys[c! % keys.length]!;
  out[k] = mutate(out[k], rest, bad, key);
  return out;
}

// Valid starting points: the bundled presets, with one option set to a value its schema allows.
const BUNDLED = listPresets().map((p) => loadYaml(readFileSync(p.file, 'utf8')) as Record<string, unknown>);
const OPTION_PATHS: { path: string[]; schema: JS }[] = [];
(function walk(sch: JS | undefined, path: string[]) {
  const d = deref(sch);
  if (!d || path.length > 5) return;
  const alts = (d.anyOf ?? d.oneOf) as JS[] | undefined;
  const obj = d.properties ? d : alts?.map(deref).find((a) => a?.properties);
  if (obj?.properties) for (const [k, v] of Object.entries(obj.properties as Record<string, JS>)) walk(v, [...path, k]);
  else if (path.length) OPTION_PATHS.push({ path, schema: d });
})(root, []);
const setAt = (o: Record<string, unknown>, path: string[], v: unknown): Record<string, unknown> => {
  const out = structuredClone(o);
  let cur: Record<string, unknown> = out;
  for (const k of path.slice(0, -1)) cur = (cur[k] && typeof cur[k] === 'object' ? cur[k] : (cur[k] = {})) as Record<string, unknown>;
  cur[path.at(-1)!] = v;
  return out;
};
const validish = fc.oneof(
  fc.constantFrom(...BUNDLED),
  fc.tuple(fc.constantFrom(...BUNDLED), fc.constantFrom(...OPTION_PATHS).chain((o) => fromSchema(o.schema, 0).map((v) => [o.path, v] as const))).map(([base, [path, v]]) => setAt(base, path, v)),
);
const mutated = fc
  .tuple(validish, fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), hostile, fc.constantFrom('extra', '__proto__', 'constructor', 'prototype', 'x\ny', 'a=b', ''))
  .map(([v, path, bad, key]) => mutate(v, path, bad, key) as Record<string, unknown>);
const presetArb = fc.oneof({ weight: 1, arbitrary: validish }, { weight: 3, arbitrary: mutated });

/** One case through the whole in-process path: ok, or a UserError; anything else is a bug. */
function loadAndRender(opts: Parameters<typeof buildRaw>[0]): 'ok' | 'rejected' {
  try {
    const { raw, baseDir } = buildRaw({ env: {}, ...opts });
    const { model } = parseModel(raw, { env: { ...SECRET_ENV }, baseDir, home: '/home/ana' });
    render(model, HOST);
    return 'ok';
  } catch (e) {
    if (e instanceof UserError) {
      for (const p of e.problems) expect(`${p.path}: ${p.message}`).not.toMatch(/\n/);
      return 'rejected';
    }
    throw e;
  }
}

const SET_PATHS = ['product', 'runtime', 'proxy.http', 'proxy.noProxy[0]', 'proxy.noProxy[1]', 'fivetran.installDir', 'fivetran.image', 'fivetran.config.custom_dns', 'fivetran.kubernetes.release', 'fivetran.kubernetes.chart', 'fivetran.kubernetes.nodeSelector["kubernetes.io/arch"]', 'tobiko.url', 'tobiko.gateways.wh.port', 'tobiko.gateways.wh.host', 'tobiko.gateways.wh["x\\ny"]', 'tobiko.kubernetes.apply.replicas', '__proto__.x', 'a["bad\\q"]', 'proxy.noProxy[99999999999]', 'x[0][1]'];
const setValue = fc.oneof(
  fc.constantFrom('1', '-1', '99999', 'abc', '[a, b]', '{a: 1}', '{__proto__: 1}', '~', 'null', '', '--x', 'http://h:3128', `${'['.repeat(500)}`, 'x'.repeat(70_000)),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

describe('fuzz: presets and --set values derived from the schema, mutated', () => {
  it(`in-process: ${RUNS} presets accept or reject with a UserError, quickly, without prototype pollution`, () => {
    let ok = 0;
    fc.assert(
      fc.property(presetArb, (preset) => {
        const t0 = performance.now();
        if (loadAndRender({ presetObject: preset }) === 'ok') ok++;
        expect(performance.now() - t0).toBeLessThan(2000);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      params(RUNS),
    );
    // the generator reaches valid presets too, not only rejections
    expect(ok).toBeGreaterThan(RUNS / 20);
    if (process.env.HD_TEST_FUZZ_STATS) process.stderr.write(`accepted ${ok} of ${RUNS}\n`);
  }, 30_000 + RUNS * 30);

  it(`in-process: ${RUNS} --set lists over a bundled preset`, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...SET_PATHS), setValue), { minLength: 1, maxLength: 4 }), fc.constantFrom('fivetran-docker', 'fivetran-kubernetes', 'tobiko-docker', 'tobiko-kubernetes'), (sets, preset) => {
        const t0 = performance.now();
        loadAndRender({ preset, sets: sets.map(([p, v]) => `${p}=${v}`) });
        expect(performance.now() - t0).toBeLessThan(2000);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(({} as Record<string, unknown>).x).toBeUndefined();
      }),
      params(RUNS),
    );
  }, 30_000 + RUNS * 30);

  it(`in-process: ${RUNS} JSON and YAML texts (cut, duplicated keys, bytes) parse or reject with a UserError`, () => {
    fc.assert(
      fc.property(presetArb, fc.nat(), fc.constantFrom('cut', 'dup', 'byte', 'bare', 'none'), fc.boolean(), (preset, at, how, yaml) => {
        let text = JSON.stringify(preset) ?? 'null';
        const i = at % (text.length + 1);
        if (how === 'cut') text = text.slice(0, i);
        if (how === 'dup') text = text.replace(/^\{/, '{"product": "x", ');
        if (how === 'byte') text = text.slice(0, i) + String.fromCharCode(at % 256) + text.slice(i);
        // an unquoted secret where a value belongs (a forgotten pair of quotes)
        if (how === 'bare') text = text.replace(/:\s*"[^"]*"/, ': Sup3rS3cretBare');
        try {
          parsePresetText(text, yaml ? 'fuzz.yaml' : 'fuzz.json');
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          // never quotes the text: a secret-looking token placed in it is not echoed
          expect(e.message).not.toContain('clever_tiger');
          expect(e.message).not.toMatch(/Sup3r|S3cret|cretBare/);
        }
      }),
      params(RUNS),
    );
  }, 30_000 + RUNS * 30);

  it(`process-level: ${PROCESS_RUNS} render --out runs exit 0 or 2, no stack trace, nothing written on exit 2`, () => {
    const dir = tmp('hd-fuzz-');
    let n = 0;
    fc.assert(
      fc.property(presetArb, (preset) => {
        const file = join(dir, `p${n}.json`);
        const out = join(dir, `out${n++}`);
        writeFileSync(file, JSON.stringify(preset) ?? 'null');
        const t0 = Date.now();
        const r = spawnSync(process.execPath, ['--max-old-space-size=256', BIN, 'render', '--preset', file, '--out', out], {
          env: { PATH: process.env.PATH, HOME: dir, CI: 'true', NO_COLOR: '1', ...SECRET_ENV },
          encoding: 'utf8',
          timeout: 30_000,
          killSignal: 'SIGKILL', // a busy loop never runs the SIGTERM handler that replaces the default action
        });
        expect([0, 2], r.stderr).toContain(r.status);
        expect(r.stderr).not.toMatch(/\n\s+at |HD_SETUP_DEBUG|Error: /);
        if (r.status === 2) expect(existsSync(out)).toBe(false);
        expect(Date.now() - t0).toBeLessThan(30_000);
      }),
      params(PROCESS_RUNS),
    );
  }, 60_000 + PROCESS_RUNS * 30_000);
});
