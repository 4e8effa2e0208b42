// The redaction mechanism: every form a secret can take is masked, short secrets only as whole words,
// chunked output too; the one URL userinfo parser; structure-first helpers; files holding secrets.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MASK, MIN_MASKABLE, Redactor, shortSecretWarning } from '../src/util/redact.js';
import { findUserinfos, hasPassword, maskUrl, maskUrlCredentials, parseUserinfo, urlPasswords } from '../src/util/url-userinfo.js';
import { maskArgv, maskEnvFile, maskJsonPaths, maskSecretManifests, maskYamlPaths } from '../src/util/mask-fields.js';
import { backupFile, timestamp } from '../src/util/fsx.js';
import { toYaml } from '../src/render/yaml.js';
import { ROOT, load, tmp } from './helpers.js';

const RUNS = { numRuns: 150 };

// ---- generators ----

const SPECIALS = ['@', ':', '/', '%', '"', "'", '$', '#', '\\', ' ', '+', '=', '&', '?', '<', '>'];
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''));
// (and characters YAML writes as escapes: NBSP, from a password pasted out of a web page, is "\\_" in a dump)
const YAML_ESCAPED = ['\u00a0', '\u0085', '\u2028', '\u2029', '\u001b', '\t', '\u0007', '\ufeff', '\u0001', '\u{1F511}'];
const secretChar = fc.oneof({ weight: 4, arbitrary: alnum }, { weight: 2, arbitrary: fc.constantFrom(...SPECIALS) }, { weight: 1, arbitrary: fc.constantFrom('é', 'ß', '€', '中') }, { weight: 1, arbitrary: fc.constantFrom(...YAML_ESCAPED) });
const str = (c: fc.Arbitrary<string>, min: number, max: number) => fc.array(c, { minLength: min, maxLength: max }).map((a) => a.join(''));

/** Secrets of 8+ characters, of every shape the issue names. */
const longSecret = fc.oneof(
  str(alnum, 8, 40),
  str(secretChar, 8, 40).filter((s) => s.trim().length >= 8),
  fc.constantFrom('postgres', 'password', 'changeme', 'administrator'),
  fc.tuple(str(alnum, 8, 24), str(alnum, 8, 24), str(alnum, 8, 24)).map(([a, b, c]) => `${a}\n${b}\n${c}`),
  fc.tuple(str(secretChar, 8, 16), str(alnum, 8, 16)).map(([a, b]) => `${a}\n${b}`).filter((s) => s.split('\n')[0]!.trim().length >= 8),
  str(alnum, 4096, 4096),
  fc.uint8Array({ minLength: 12, maxLength: 48 }).map((b) => Buffer.from(b).toString('base64')),
);

/** Surrounding text: words, punctuation, newlines; never a run that decodes to anything by accident. */
const filler = str(fc.oneof(alnum, fc.constantFrom(' ', '\n', '-', '.', ',', ':', '=', '{', '}', '"')), 0, 60);

const json = (s: string) => JSON.stringify(s).slice(1, -1);

/** Every spelling of a secret that a reader (or a decoder) could turn back into it. */
function spellings(secret: string): string[] {
  const out = new Set([secret, json(secret), json(json(secret)), encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+')]);
  const b64 = Buffer.from(secret).toString('base64');
  out.add(b64.replace(/=+$/, ''));
  return [...out].filter(Boolean);
}

/** Does any run of base64 characters in text decode, at any alignment, to bytes containing the secret? */
function decodesToSecret(text: string, secret: string, rawBytes = false): boolean {
  const needle = Buffer.from(secret, rawBytes ? 'latin1' : 'utf8');
  for (const run of text.match(/[A-Za-z0-9+/]{4,}/g) ?? []) {
    for (let k = 0; k < 4; k++) {
      const part = run.slice(k);
      const usable = part.slice(0, part.length - (part.length % 4));
      if (usable.length >= 4 && Buffer.from(usable, 'base64').includes(needle)) return true;
    }
  }
  return false;
}

type Form = (s: string, pre: string, post: string) => string;
const u4 = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
// (Go also escapes U+2028 and U+2029, as \u2028 and \u2029)
const goJson = (v: unknown) => JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, u4);
/** The text with YAML's double-quoted escapes read (\\_ is NBSP, \\e ESC, \\L U+2028, \\xHH, \\UHHHHHHHH): what a reader of the dump sees. */
const YAML_READ: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', t: '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\', '/': '/', ' ': ' ', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029' };
const unescapedYaml = (t: string) => t.replace(/\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0abtnvfre"\\/ N_LP])/g, (_, e: string) => (e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1), 16)) : YAML_READ[e]!));
/** The text with its \uXXXX escapes read, at every depth: what a reader of the JSON sees. */
const unescapedU = (t: string) => t.replace(/\\+u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

const FORMS: Record<string, Form> = {
  plain: (s, a, b) => `${a} ${s} ${b}`,
  glued: (s, a, b) => `${a}${s}${b}`,
  json: (s, a, b) => `${a} ${JSON.stringify({ password: s, next: b })}`,
  jsonTwice: (s, a, b) => JSON.stringify({ stdout: `${a}${JSON.stringify({ password: s })}${b}` }),
  urlComponent: (s, a, b) => `${a} https://example.test/cb?code=${encodeURIComponent(s)}&x=${b}`,
  formEncoded: (s, a, b) => `${a} user=x&password=${encodeURIComponent(s).replace(/%20/g, '+')}&${b}`,
  yamlBlock: (s, a, b) => `${a}\nstringData:\n  KEY: |\n${s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n  OTHER: ${b}\n`,
  yamlDump: (s, a, b) => `${a}\n${toYaml({ stringData: { KEY: s, OTHER: b } })}`,
  base64: (s, a, b) => `${a} data: ${Buffer.from(s).toString('base64')} ${b}`,
  base64Pair: (s, a, b) => `${a} auth: ${Buffer.from(`${b || 'user'}:${s}`).toString('base64')}`,
  base64Embedded: (s, a, b) => `${a} ${Buffer.from(`${a.slice(0, 5)}${s}${b.slice(0, 7)}`).toString('base64')} ${b}`,
  // Go's encoding/json (helm get values -o json, kubectl -o json): & < > as \u0026 \u003c \u003e, U+2028/9 as \u2028/9
  goJson: (s, a, b) => `${a} ${goJson({ password: s, next: b })}`,
  goJsonTwice: (s, a, b) => goJson({ stdout: `${a}${goJson({ password: s })}${b}` }),
  // JSON kept to ASCII (Python's json.dumps): every other character as \uXXXX
  asciiJson: (s, a, b) => `${a} ${JSON.stringify({ password: s, next: b }).replace(/[^\x00-\x7f]/g, u4)}`,
};

// ---- properties ----

describe('Redactor: every form of a secret of 8+ characters', () => {
  for (const [name, form] of Object.entries(FORMS)) {
    it(`masks it ${name}`, () => {
      fc.assert(
        fc.property(longSecret, filler, filler, (secret, pre, post) => {
          const r = new Redactor([secret]);
          const text = form(secret, pre, post);
          const out = r.redact(text);
          for (const sp of spellings(secret)) expect(out.includes(sp), `${JSON.stringify(sp)} in ${JSON.stringify(out.slice(0, 300))}`).toBe(false);
          for (const line of secret.split('\n')) if (line.trim().length >= MIN_MASKABLE) expect(out.includes(line.trim())).toBe(false);
          expect(decodesToSecret(out, secret)).toBe(false);
          for (const line of secret.split('\n')) if (line.trim().length >= MIN_MASKABLE) expect(unescapedU(unescapedU(out)).includes(line.trim())).toBe(false);
          if (name === 'yamlDump') for (const line of secret.split('\n')) if (line.trim().length >= MIN_MASKABLE) expect(unescapedYaml(out).includes(line.trim()), JSON.stringify(out.slice(0, 300))).toBe(false);
          expect(out).toContain(MASK);
        }),
        RUNS,
      );
    });
  }

  it('masks a secret split over lines (each line of a multi-line secret, whatever the indentation)', () => {
    fc.assert(
      fc.property(fc.array(str(alnum, 8, 30), { minLength: 2, maxLength: 5 }), filler, fc.constantFrom('', '  ', '\t', '        '), (lines, pre, indent) => {
        const secret = lines.join('\n');
        const r = new Redactor([secret]);
        const out = r.redact(`${pre}\n${lines.map((l) => `${indent}${l}   `).join('\r\n')}\n`);
        for (const l of lines) expect(out).not.toContain(l);
      }),
      RUNS,
    );
  });

  it('masks base64 wrapped over lines (PEM, base64 at 76 columns), at any width and alignment', () => {
    fc.assert(
      fc.property(fc.oneof(str(secretChar, 24, 200), str(alnum, 24, 3000)), fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 20, max: 80 }), (secret, prefix, width) => {
        const r = new Redactor([secret]);
        const b64 = Buffer.concat([Buffer.from(prefix), Buffer.from(secret), Buffer.from(prefix)]).toString('base64');
        const wrappedText = b64.match(new RegExp(`.{1,${width}}`, 'g'))!.join('\n');
        const out = r.redact(`key: |\n${wrappedText}\n`);
        // Joined again, no part of it decodes to 6 bytes of the secret in a row.
        const joined = out.replace(/\n/g, '');
        const bytes = Buffer.from(secret);
        for (let i = 0; i + 6 <= bytes.length; i += 3) expect(decodesToSecret(joined, bytes.subarray(i, i + 6).toString('latin1'), true)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('a multi-line secret (a JSON key file) does not mask every brace of the output', () => {
    const key = '{\n  "type": "service_account",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----\\n"\n}';
    const r = new Redactor([key]);
    expect(r.redact('{"ok": true, "items": [1, 2]}')).toBe('{"ok": true, "items": [1, 2]}');
    expect(r.redact(key)).not.toContain('MIIEvQIBADANBg');
  });

  it('a line of a multi-line secret made of symbols alone is masked once it is 8 characters long (fast-check found "@@@@@@@€" left in a YAML block); a short one (`--`) is not', () => {
    const r = new Redactor(['@@@@@@@€\naaaaaaaa', 'first-line-of-it\n--']);
    expect(r.redact('KEY: |\n    @@@@@@@€\n    aaaaaaaa\n')).toBe('KEY: |\n    ********\n    ********\n');
    expect(r.redact('a -- b')).toBe('a -- b');
  });

  it('leaves the text around a masked secret as it was', () => {
    fc.assert(
      fc.property(str(alnum, 8, 30), fc.array(str(fc.constantFrom(...'abcdefghijklmnop-. '.split('')), 1, 12), { maxLength: 8 }), (secret, words) => {
        const r = new Redactor([secret]);
        const text = words.join(` ${secret} `);
        fc.pre(!words.some((w) => w.includes(secret)));
        expect(r.redact(text)).toBe(words.join(` ${MASK} `));
      }),
      RUNS,
    );
  });

  it('masks every registered secret at once, overlapping ones included, never a part of one', () => {
    fc.assert(
      fc.property(fc.array(longSecret, { minLength: 2, maxLength: 6 }), filler, (secrets, pre) => {
        const r = new Redactor(secrets);
        const out = r.redact(`${pre}${secrets.join('')}${secrets.map((s) => s.slice(2) + s).join(' ')}`);
        for (const s of secrets) expect(out.includes(s)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe('Redactor: a secret that is base64 of text', () => {
  it('masks the text too, and of a <name>:<secret> pair the secret alone (a Fivetran token decoded in the agent log)', () => {
    fc.assert(
      fc.property(str(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')), 3, 10), str(secretChar, 8, 40).filter((x) => x.trim().length >= 8 && !/[\x00-\x1f\x7f\ufeff]/.test(x)), filler, (id, part, around) => {
        const token = Buffer.from(`${id}_tiger:${part}`).toString('base64');
        const r = new Redactor([token]);
        for (const text of [`${around} decoded token ${id}_tiger:${part} ${around}`, `secret part only: ${part}`, `${around}${JSON.stringify({ auth: `${id}_tiger:${part}` })}`]) {
          const out = r.redact(text);
          expect(out.includes(part.trim()), JSON.stringify(out)).toBe(false);
          expect(out).toContain(MASK);
        }
      }),
      RUNS,
    );
  });
  it('a part after ":" shorter than 8 characters is not masked on its own (the docs\' token clever_tiger:secret masked every "secret" word, a --json key among them)', () => {
    const r = new Redactor([Buffer.from('clever_tiger:secret').toString('base64')]);
    expect(r.redact('{"secret": true} a secret word; clever_tiger:secret')).toBe(`{"secret": true} a secret word; ${MASK}`);
  });
  it('a secret whose base64 reading is no text (a random key) adds nothing: the text around stays', () => {
    const key = Buffer.from([0xff, 0xfe, 0x80, 0x81, 0x00, 0x9f, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28]).toString('base64');
    const r = new Redactor([key]);
    expect(r.redact(`key ${key} and the words around it`)).toBe(`key ${MASK} and the words around it`);
  });
});

describe('Redactor: a secret of 8+ characters is masked inside other words too (issue point 3)', () => {
  it('common words and word-like secrets, glued to letters on either side', () => {
    const r = new Redactor(['postgres', 'password1', 'postgres1', 'changeme']);
    expect(r.redact('postgresql://db')).toBe(`${MASK}ql://db`);
    expect(r.redact('mypassword123 xpostgres1y')).toBe(`my${MASK}23 x${MASK}y`);
    expect(r.redact('changemechangeme')).toBe(MASK);
    expect(r.redact('SQLMESH__PASSWORD=password1\n')).toBe(`SQLMESH__PASSWORD=${MASK}\n`);
  });
  it('any 8+ character secret, whatever word characters surround it, and in chunks', () => {
    fc.assert(
      fc.property(str(alnum, 8, 30), word, word, fc.integer({ min: 1, max: 40 }), (secret, a, b, cut) => {
        const r = new Redactor([secret]);
        const text = `${a}${secret}${b} ${secret}`;
        const out = r.redact(text);
        expect(out.includes(secret)).toBe(false);
        expect(out.startsWith(a)).toBe(true);
        expect(out.endsWith(` ${MASK}`)).toBe(true);
        const st = r.stream();
        const i = Math.min(cut, text.length);
        expect(st.feed(text.slice(0, i)) + st.feed(text.slice(i)) + st.end()).toBe(out);
      }),
      RUNS,
    );
  });
});

const shortSecret = fc.oneof(str(alnum, 1, 7), str(secretChar, 1, 7).filter((s) => s.trim() === s && s.length > 0), fc.constantFrom('y', 'admin', 'root', 'test', 'pass', '1234'));
const word = str(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split('')), 1, 12);

describe('Redactor: secrets shorter than 8 characters', () => {
  it('are masked as whole tokens, and every other word stays intact (even one that contains the secret)', () => {
    fc.assert(
      fc.property(shortSecret, fc.array(fc.oneof(word, fc.tuple(word, word).map(([a, b]) => [a, b])), { minLength: 1, maxLength: 10 }), fc.constantFrom(' ', '=', ': ', '\n', '"', ', '), (secret, parts, sep) => {
        // Words that contain the secret inside them (`tcloud-apply-executor` for `y`).
        const words = parts.map((p) => (Array.isArray(p) ? `${p[0]}${secret}${p[1]}` : p));
        fc.pre(!words.includes(secret) && /^[a-z0-9]/i.test(secret[0]!) === /^[a-z0-9]/i.test(secret.at(-1)!));
        fc.pre(words.every((w) => /^[a-z0-9]/.test(w) && /[a-z0-9]$/.test(w)) && /^[A-Za-z0-9]+$/.test(secret));
        const r = new Redactor([secret]);
        const text = [...words, secret, ...words].join(sep);
        expect(r.redact(text)).toBe([...words, MASK, ...words].join(sep));
      }),
      RUNS,
    );
  });

  it('never show as a token, in any form, whatever the characters', () => {
    fc.assert(
      fc.property(shortSecret, filler, fc.constantFrom(' ', '\n', '\t'), (secret, around, sep) => {
        const r = new Redactor([secret]);
        const text = [around, secret, JSON.stringify(secret), encodeURIComponent(secret), Buffer.from(secret).toString('base64'), around].join(sep);
        const tokens = r.redact(text).split(/\s+/);
        for (const sp of spellings(secret)) expect(tokens.includes(sp), `${sp} in ${tokens.join(' ')}`).toBe(false);
        expect(tokens).not.toContain(JSON.stringify(secret));
        expect(tokens).not.toContain(Buffer.from(secret).toString('base64'));
      }),
      RUNS,
    );
  });

  it("a short secret's base64 is a whole token next to a non-ASCII letter (no base64 character), not inside a longer run", () => {
    const r = new Redactor(['pw12']); // base64 cHcxMg==
    expect(r.redact('clé=écHcxMg==中')).toBe(`clé=é${MASK}中`);
    expect(r.redact('ÄcHcxMg== cHcxMg==')).toBe(`Ä${MASK} ${MASK}`);
    expect(r.redact('xcHcxMg== cHcxMg==y')).toBe('xcHcxMg== cHcxMg==y'); // part of other base64: not this secret
    // the text spelling of a short secret is a word: a letter of any script glued to it makes another word
    expect(r.redact('épw12 pw12中 pw12')).toBe(`épw12 pw12中 ${MASK}`);
  });

  it('the issue: WAREHOUSE_PASSWORD=y no longer wrecks tcloud-apply-executor', () => {
    const r = new Redactor(['y']);
    expect(r.redact('tcloud-apply-executor hd-setup.pull-policy=always\nWAREHOUSE_PASSWORD=y\n')).toBe(`tcloud-apply-executor hd-setup.pull-policy=always\nWAREHOUSE_PASSWORD=${MASK}\n`);
    expect(r.redact('{"PASSWORD":"y","data":"eQ=="}')).toBe(`{"PASSWORD":"${MASK}","data":"${MASK}"}`);
  });

  it('a warning names the field when one is given, and the model gives it', () => {
    expect(shortSecretWarning('tobiko.gateways.lake.password', 'y')).toMatch(/^tobiko\.gateways\.lake\.password is shorter than 8 characters/);
    expect(shortSecretWarning('x', 'long-enough')).toBeUndefined();
    const l = load({ preset: 'tobiko-docker', env: { TCLOUD_CLIENT_SECRET: 'abc', WAREHOUSE_PASSWORD: 'y' } });
    expect(l.warnings.join('\n')).toContain('tobiko.gateways.warehouse.password is shorter than 8 characters');
    expect(l.warnings.join('\n')).toContain('Tobiko Cloud OAuth client secret is shorter than 8 characters');
    expect(l.warnings.join('\n')).not.toMatch(/\by\b|abc/);
    expect(load({ preset: 'tobiko-docker' }).warnings).toEqual([]);
  });
});

describe('Redactor: output in chunks', () => {
  it('a secret split across writes is masked exactly as the whole text would be', () => {
    fc.assert(
      fc.property(fc.oneof(longSecret, shortSecret), filler, filler, fc.array(fc.nat(), { maxLength: 8 }), (secret, pre, post, cuts) => {
        const r = new Redactor([secret]);
        const text = `${pre} ${secret} ${post} http://bob:${encodeURIComponent(secret)}@proxy:3128 ${Buffer.from(secret).toString('base64')}\n`;
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const s = r.stream();
        let out = '';
        let last = 0;
        for (const p of points) {
          out += s.feed(text.slice(last, p));
          last = p;
        }
        out += s.feed(text.slice(last)) + s.end();
        expect(out).toBe(r.redact(text));
      }),
      RUNS,
    );
  });

  it('holds back only what may be the start of a secret', () => {
    const s = new Redactor(['supersecretvalue']).stream();
    expect(s.feed('abc super')).toBe('abc ');
    expect(s.feed('secretval')).toBe('');
    expect(s.feed('ue done\n')).toBe(`${MASK} done\n`);
    expect(s.feed('plain line\n')).toBe('plain line\n');
    expect(s.held).toBe(0);
  });

  it('process.stdout: a secret written in two write() calls, and on exit, never shows', () => {
    const code = `
      import { guardOutput, redactor } from './src/util/output.ts';
      guardOutput();
      redactor.add(['Zq81-very-secret', 'y']);
      process.stdout.write('a Zq81-ve');
      process.stdout.write(Buffer.from('ry-secret b\\n'));
      process.stderr.write('proxy http://bob:Pr0xy@Pa');
      setTimeout(() => { process.stderr.write('55@host:3128 tcloud-apply-executor y\\n'); process.stdout.write('tail Zq81-very'); process.exit(0); }, 5);
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).not.toContain('Pa55');
    expect(r.stdout).toBe(`a ${MASK} b\ntail Zq81-very`);
    expect(r.stderr).toContain(`proxy http://bob:${MASK}@host:3128 tcloud-apply-executor ${MASK}\n`);
  });
});

describe('one URL userinfo parser', () => {
  it('splits at the last @ and percent-decodes', () => {
    expect(parseUserinfo('http://bob:Pr0xy@Pa55@host:3128')).toMatchObject({ user: 'bob', password: 'Pr0xy@Pa55' });
    expect(urlPasswords('http://bob:p%40ss%3Aw@host')).toEqual(['p%40ss%3Aw', 'p@ss:w']);
    expect(urlPasswords('http://bob:%E0%A4%A@host')).toEqual(['%E0%A4%A']);
    expect(urlPasswords('http://bob@host')).toEqual([]);
    expect(urlPasswords('http://host:3128')).toEqual([]);
    expect(urlPasswords('no url at all')).toEqual([]);
    expect(hasPassword('https://u:@h')).toBe(true);
    expect(hasPassword('https://h/a:b@c')).toBe(false);
    expect(maskUrl('http://bob:Pr0xy@Pa55@[::1]:3128/x?y=1')).toBe(`http://bob:${MASK}@[::1]:3128/x?y=1`);
  });

  it('finds every password in free text, as a random password spells it', () => {
    const pw = str(fc.oneof(alnum, fc.constantFrom('@', ':', '%', '!', '$', "'", '(', ')', '*', '+', ',', ';', '=', '~', '.', '-', '_')), 1, 30);
    fc.assert(
      fc.property(str(alnum, 1, 10), pw, filler, (user, p, around) => {
        const url = `http://${user}:${p}@proxy.internal:3128`;
        expect(parseUserinfo(url)).toMatchObject({ user, password: p });
        const text = `${around} ${url}/path "${url}" ${around}`;
        expect(maskUrlCredentials(text)).toBe(`${around} http://${user}:${MASK}@proxy.internal:3128/path "http://${user}:${MASK}@proxy.internal:3128" ${around}`);
      }),
      RUNS,
    );
  });

  it('replaces the five regexes: proxy rendering, registration, resets, masking agree', async () => {
    const { proxyHasCredentials } = await import('../src/render/proxy.js');
    const l = load({ preset: 'fivetran-docker', sets: ['proxy.https=http://bob:Pr0xy@Pa55@proxy.internal:3128'] });
    expect(proxyHasCredentials(l.model)).toBe(true);
    expect([...l.secrets]).toContain('Pr0xy@Pa55');
    const { findResets } = await import('../src/model/reconcile.js');
    const { hasPassword } = await import('../src/util/url-userinfo.js');
    const resets = findResets(
      { product: 'fivetran', runtime: 'docker', fivetran: {} },
      { product: 'fivetran', runtime: 'docker', preset: { proxy: { https: 'http://bob:Pr0xy@Pa55@h:1' } }, secretPaths: [], where: '/x' },
      () => undefined,
      (v) => typeof v === 'string' && hasPassword(v),
    );
    expect(resets).toEqual([{ path: 'proxy.https', value: 'http://bob:Pr0xy@Pa55@h:1', secret: true }]);
  });

  it('a URL with a user and no password: the user is not a secret, and every surface agrees', async () => {
    // What users expect: the user names the account (curl, git and npm print it too); only a password is
    // a credential. So the URL is shown whole, is not exported as a reference, does not make a file
    // secret, and a re-run that drops it shows it in the refusal, like any other setting.
    const url = 'http://bob@proxy.internal:3128';
    expect(parseUserinfo(url)).toMatchObject({ user: 'bob' });
    expect(parseUserinfo(url)?.password).toBeUndefined();
    expect(hasPassword(url)).toBe(false);
    expect(urlPasswords(url)).toEqual([]);
    expect(maskUrlCredentials(`proxy ${url} and http://bob:@h`)).toBe(`proxy ${url} and http://bob:${MASK}@h`);
    expect(new Redactor(['unrelated-secret']).redact(`HTTPS_PROXY=${url}`)).toBe(`HTTPS_PROXY=${url}`);
    const { proxyHasCredentials } = await import('../src/render/proxy.js');
    const { secretFields, secretValues } = await import('../src/products/secrets.js');
    const { withSecretRefs } = await import('../src/model/secret-refs.js');
    const l = load({ preset: 'fivetran-docker', sets: [`proxy.https=${url}`] });
    expect(proxyHasCredentials(l.model)).toBe(false);
    expect([...l.secrets].some((s) => s.includes('bob'))).toBe(false);
    const preset = { product: 'fivetran', runtime: 'docker', proxy: { https: url, http: 'http://bob:Pr0xy@Pa55@proxy.internal:3128' } };
    expect(secretValues(preset)).toEqual(['Pr0xy@Pa55']);
    const out = withSecretRefs(preset, secretFields(preset));
    expect(out.preset.proxy).toEqual({ https: url, http: 'env:AGENT_HTTP_PROXY' });
    expect(out.vars).toEqual(['AGENT_HTTP_PROXY']);
  });

  it('is linear: a long run without delimiters is scanned once (no backtracking)', () => {
    const text = `http://${'a'.repeat(200_000)}`.repeat(3) + ` http://u:${'b'.repeat(200_000)}@h`;
    expect(findUserinfos(text)).toHaveLength(1);
    expect(maskUrlCredentials(text).endsWith(`http://u:${MASK}@h`)).toBe(true);
  });
});

describe('structure first', () => {
  const r = new Redactor(['s3cr3t-value-1', 'y']);
  it('argv: an element that is a secret, or whose value is one', () => {
    expect(maskArgv(['tool', 's3cr3t-value-1', '--password=y', 'KEY=y', '--type=yes', 'x-s3cr3t-value-1'], r)).toEqual(['tool', MASK, `--password=${MASK}`, `KEY=${MASK}`, '--type=yes', `x-${MASK}`]);
  });
  it('YAML and JSON documents: the values at given paths, whole, whatever they are', () => {
    const yaml = 'a:\n  password: p\n  user: u\nlist:\n  - token: "x"\n  - token: z\n';
    expect(maskYamlPaths(yaml, [['a', 'password'], ['list', '*', 'token']])).toBe(`a:\n  password: "${MASK}"\n  user: u\nlist:\n  - token: "${MASK}"\n  - token: "${MASK}"\n`);
    expect(maskJsonPaths('{"a":{"b":"p","c":1}}', [['a', 'b']])).toBe(`{"a":{"b":"${MASK}","c":1}}`);
    expect(maskJsonPaths('not json s3cr3t-value-1', [['a']], r)).toBe(`not json ${MASK}`);
  });
  it('an env-file: values of named or secret-holding lines', () => {
    const env = '# comment\nA=1\nPASSWORD=p\nTOKEN="s3cr3t-value-1"\nHTTPS_PROXY=http://u:pw@h:1\nEMPTY=\n';
    expect(maskEnvFile(env, ['PASSWORD'], r)).toBe(`# comment\nA=1\nPASSWORD=${MASK}\nTOKEN=${MASK}\nHTTPS_PROXY=${MASK}\nEMPTY=\n`);
  });
  it('a Secret manifest shown as stdin: every value masked whole, the layout kept', () => {
    const manifest = toYaml({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, stringData: { KEY: 'two\nlines-of-it\n--', SHORT: 'q', TOKEN: 'abc%40def' } });
    const out = maskSecretManifests(manifest, new Redactor());
    expect(out).toBe(`apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  KEY: |-\n    ${MASK}\n    ${MASK}\n    ${MASK}\n  SHORT: ${MASK}\n  TOKEN: ${MASK}\n`);
    // Not in the block layout (flow style): written again, the values still masked whole.
    expect(maskSecretManifests('{kind: Secret, stringData: {A: "q\\n--"}}\n', new Redactor())).toBe(`kind: Secret\nstringData:\n  A: "${MASK}"\n`);
    expect(maskSecretManifests('kind: ConfigMap\ndata:\n  a: q\n', new Redactor())).toBe('kind: ConfigMap\ndata:\n  a: q\n');
  });
  it('redactValue keeps the structure', () => {
    expect(r.redactValue({ a: ['s3cr3t-value-1', 'n y n', 'y\\n'], b: 1 })).toEqual({ a: [MASK, `n ${MASK} n`, `${MASK}\\n`], b: 1 });
  });
});

describe('files that hold secrets', () => {
  it('a backup is 0600 whatever the source mode and umask', () => {
    const dir = tmp();
    const f = join(dir, 'values.yaml');
    writeFileSync(f, 'secret: x\n');
    chmodSync(f, 0o644);
    const old = process.umask(0);
    try {
      const b = backupFile(f)!.path;
      expect(statSync(b).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('a backup never writes through a symlink planted at its name', () => {
    const dir = tmp();
    const f = join(dir, 'values.yaml');
    writeFileSync(f, 'secret: x\n');
    const now = new Date('2026-01-02T03:04:05Z');
    const target = join(dir, 'elsewhere');
    symlinkSync(target, `${f}.bak-${timestamp(now)}`);
    try {
      backupFile(f, now);
    } catch {
      /* refusing is fine */
    }
    expect(existsSync(target)).toBe(false);
  });

  it('a temp dir is removed on return, throw, process.exit and SIGTERM; a stale one by the next run', () => {
    const base = tmp('hd-tempdirs-');
    const child = (body: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { tempDir, withTempDir } from './src/util/tempdir.ts'; const base = ${JSON.stringify(base)}; ${body}`], { cwd: ROOT, encoding: 'utf8' });
    child(`await withTempDir('hd-t-', async (d) => { (await import('node:fs')).writeFileSync(d + '/s', 'x'); }, base);`);
    child(`await withTempDir('hd-t-', async () => { throw new Error('boom'); }, base).catch(() => {});`);
    child(`tempDir('hd-t-', base); process.exit(3);`);
    const killed = child(`tempDir('hd-t-', base); process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 5000);`);
    expect(killed.signal).toBe('SIGTERM');
    expect(readdirSync(base)).toEqual([]);
    // A run killed with SIGKILL leaves its dir; the next run removes it.
    const stale = join(base, 'hd-t-999999-abcdef');
    mkdirSync(stale);
    writeFileSync(join(stale, 'secret'), 'x');
    child(`await withTempDir('hd-t-', async () => {}, base);`);
    expect(existsSync(stale)).toBe(false);
  });
});
