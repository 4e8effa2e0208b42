// Hostile input (issue 13): bounded reads, caps, prototype keys, strict JSON, and formats checked where
// the value is used. Each case is exit 2 with one line naming the field, in-process and through the CLI.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from '../src/model/errors.js';
import { parseSetPath } from '../src/model/load.js';
import { buildRaw } from '../src/products/load.js';
import { LIMITS } from '../src/model/limits.js';
import { readBoundedText } from '../src/util/bounded-read.js';
import { BIN, CLIENT_SECRET, ROOT as ROOT_DIR, SECRET_ENV, TOKEN, WAREHOUSE_PASSWORD, cli, load, problems, tmp, tobikoPreset } from './helpers.js';

const fd = (extra: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
  product: 'fivetran',
  runtime: 'docker',
  ...top,
  fivetran: { token: 'env:FIVETRAN_TOKEN', ...extra },
});
const fk = (kubernetes: Record<string, unknown>) => ({ product: 'fivetran', runtime: 'kubernetes', fivetran: { token: 'env:FIVETRAN_TOKEN', kubernetes: { dataVolumePvc: 'data', ...kubernetes } } });
const tob = (tobiko: Record<string, unknown>, runtime = 'docker') => tobikoPreset(tobiko, runtime, 'db.internal');
const gw = (params: Record<string, unknown>) => tob({ gateways: { wh: { type: 'postgres', host: 'db.internal', port: 5432, database: 'd', user: 'u', password: 'p', ...params } } });

/** The CLI: render --out into a fresh dir; on exit 2 nothing may be written and no stack trace printed. */
function renderRejects(args: string[], expected: RegExp, env: Record<string, string> = {}) {
  const dir = tmp();
  const out = join(dir, 'out');
  const r = cli(['render', ...args, '--out', out], { env: { FIVETRAN_TOKEN: TOKEN, ...env } });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(expected);
  expect(r.stderr).not.toMatch(/\n\s+at |HD_SETUP_DEBUG/);
  expect(existsSync(out)).toBe(false);
  return r;
}

describe('bounded reads: regular files only, capped, strict UTF-8', () => {
  it('refuses devices, FIFOs and directories at once, and never reads past the cap', () => {
    const dir = tmp();
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const t0 = Date.now();
    expect(readBoundedText('/dev/zero')).toEqual({ ok: false, why: 'is a character device, not a regular file' });
    expect(readBoundedText(join(dir, 'fifo'))).toEqual({ ok: false, why: 'is a FIFO (named pipe), not a regular file' });
    expect(readBoundedText(dir)).toMatchObject({ ok: false, why: expect.stringMatching(/directory/) });
    expect(Date.now() - t0).toBeLessThan(5000); // a FIFO nobody writes must not hang
    writeFileSync(join(dir, 'big'), Buffer.alloc(LIMITS.fileBytes + 1, 0x61));
    expect(readBoundedText(join(dir, 'big'))).toEqual({ ok: false, why: `is larger than ${LIMITS.fileBytes} bytes` });
    writeFileSync(join(dir, 'exact'), Buffer.alloc(LIMITS.fileBytes, 0x61));
    expect(readBoundedText(join(dir, 'exact'))).toMatchObject({ ok: true });
    writeFileSync(join(dir, 'latin1'), Buffer.from([0x61, 0xff, 0xfe]));
    expect(readBoundedText(join(dir, 'latin1'))).toEqual({ ok: false, why: 'is not valid UTF-8 text' });
  });

  it('reads a symlinked regular file (a mounted Secret) but not a symlink to a device', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'real'), 'hello\n');
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    symlinkSync('/dev/zero', join(dir, 'zero'));
    expect(readBoundedText(join(dir, 'link'))).toMatchObject({ ok: true, text: 'hello\n' });
    expect(readBoundedText(join(dir, 'zero'))).toMatchObject({ ok: false, why: 'is a character device, not a regular file' });
  });

  it('file: secrets: /dev/zero, /dev/urandom, a FIFO, a directory and invalid UTF-8 are field errors', () => {
    const dir = tmp();
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    writeFileSync(join(dir, 'bad'), Buffer.from([0x74, 0x6f, 0xc3]));
    for (const [ref, why] of [
      ['file:/dev/zero', /is a character device, not a regular file; point file: at a regular UTF-8 file/],
      ['file:/dev/urandom', /is a character device/],
      [`file:${join(dir, 'fifo')}`, /is a FIFO/],
      [`file:${dir}`, /directory/],
      [`file:${join(dir, 'bad')}`, /is not valid UTF-8 text/],
    ] as const) {
      const lines = problems(() => load({ presetObject: fd({ token: ref }) }));
      expect(lines.some((l) => /^fivetran\.token: file /.test(l) && why.test(l)), lines.join('\n')).toBe(true);
    }
  });

  it('--preset: /dev/zero, a FIFO and a directory exit 2 through the CLI, at once', () => {
    const dir = tmp();
    execFileSync('mkfifo', [join(dir, 'p.yaml')]);
    const t0 = Date.now();
    renderRejects(['--preset', '/dev/zero'], /^error: --preset: \/dev\/zero is a character device, not a regular file; give a \.yaml or \.json preset file/);
    renderRejects(['--preset', join(dir, 'p.yaml')], /--preset: .*p\.yaml is a FIFO \(named pipe\), not a regular file/);
    renderRejects(['--preset', `${dir}/`], /--preset: .* is a directory, not a regular file/);
    renderRejects(['--set', 'product=fivetran', '--set', 'runtime=docker', '--set', 'fivetran.token=file:/dev/zero'], /^error: fivetran\.token: file \/dev\/zero is a character device/);
    expect(Date.now() - t0).toBeLessThan(25_000);
  });

  it('a pipe given as a path (/dev/stdin, /dev/fd/N of a <(...)) is named a pipe, not "does not exist"; --preset - says to write the preset to a file', () => {
    // through a shell's pipe (a child's stdin from node is a socket)
    const piped = (args: string[]) => {
      const out = join(tmp(), 'out');
      const r = spawnSync('bash', ['-c', 'printf "product: fivetran\nruntime: docker\n" | "$0" "$@"', process.execPath, BIN, 'render', ...args, '--out', out], { env: { PATH: process.env.PATH, HOME: tmp(), CI: 'true', NO_COLOR: '1', FIVETRAN_TOKEN: TOKEN }, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(existsSync(out)).toBe(false);
      return r.stderr;
    };
    expect(piped(['--preset', '/dev/stdin'])).toBe(`error: --preset: /dev/stdin is a FIFO (named pipe), not a regular file; give a .yaml or .json preset file of at most ${LIMITS.fileBytes} bytes\n`);
    expect(piped(['--preset', '/dev/fd/0'])).toMatch(/^error: --preset: \/dev\/fd\/0 is a FIFO \(named pipe\), not a regular file;/);
    expect(piped(['--preset', 'fivetran-docker', '--set', 'fivetran.token=file:/dev/stdin'])).toMatch(/^error: fivetran\.token: file \/dev\/stdin is a FIFO \(named pipe\), not a regular file;/);
    expect(piped(['--preset', '-'])).toBe('error: --preset: - (standard input) is not read: a preset is a file; write it to one (hd-setup export-preset --out FILE does) and give its path\n');
  });
});

describe('JSON presets: strict, and errors never quote the text', () => {
  const write = (text: string) => {
    const dir = tmp();
    writeFileSync(join(dir, 'p.json'), text);
    return join(dir, 'p.json');
  };
  it('rejects duplicate keys with file:line:column, as YAML does', () => {
    const f = write('{"product": "fivetran",\n  "runtime": "docker",\n  "product": "tobiko"}');
    expect(problems(() => buildRaw({ preset: f }))).toEqual([`${f}:3:3: invalid JSON: duplicate key (each key may appear once in a mapping)`]);
  });
  it('a syntax error names line and column and what was expected, never the text', () => {
    const f = write('{"product": "fivetran", "runtime": "docker",\n "fivetran": {"token": Sup3rS3cretUnquoted}}');
    const [line] = problems(() => buildRaw({ preset: f }));
    expect(line).toBe(`${f}:2:24: invalid JSON: expected a value (an object, list, string, number, true, false or null)`);
    expect(line).not.toContain('Sup3r');
  });
  it('a 5,000-deep value is exit 2, not a crash', () => {
    const f = write(`{"product": ${'['.repeat(5000)}${']'.repeat(5000)}}`);
    renderRejects(['--preset', f], new RegExp(`invalid JSON: nested deeper than ${LIMITS.depth} levels`));
    const y = join(tmp(), 'deep.yaml');
    writeFileSync(y, `product: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    renderRejects(['--preset', y], /invalid YAML/);
  });
  it('reads valid JSON as before', () => {
    const f = write(JSON.stringify(fd({ installDir: '/opt/ft' })));
    expect(load({ preset: f }).model.fivetran?.installDir).toBe('/opt/ft');
  });
  it('invalid UTF-8 in a preset is an error, not replaced', () => {
    const f = join(tmp(), 'p.yaml');
    writeFileSync(f, Buffer.concat([Buffer.from('product: fivetran\nruntime: docker\nfivetran:\n  installDir: /opt/'), Buffer.from([0xff]), Buffer.from('\n')]));
    expect(problems(() => buildRaw({ preset: f }))[0]).toMatch(/^--preset: .*p\.yaml is not valid UTF-8 text/);
  });
});

describe('YAML presets', () => {
  const yaml = (text: string) => {
    const f = join(tmp(), 'p.yaml');
    writeFileSync(f, text);
    return f;
  };
  it('YAML merge keys (<<: *anchor), as CI files and editors (yaml-language-server) take them: the merged settings; it was "fivetran["<<"]: unknown key"', () => {
    const files = (preset: string) => {
      const f = yaml(preset);
      const out = join(tmp(), 'out');
      const r = cli(['render', '--preset', f, '--out', out], { env: { FIVETRAN_TOKEN: TOKEN } });
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(join(out, 'values.yaml'), 'utf8');
    };
    const merged = files(
      'product: fivetran\nruntime: kubernetes\nfivetran:\n  token: env:FIVETRAN_TOKEN\n  kubernetes:\n    dataVolumePvc: data\n    resources:\n      requests: &small {cpu: "1", memory: 2Gi}\n      limits:\n        <<: *small\n        memory: 4Gi\n',
    );
    const plain = files('product: fivetran\nruntime: kubernetes\nfivetran:\n  token: env:FIVETRAN_TOKEN\n  kubernetes:\n    dataVolumePvc: data\n    resources:\n      requests: {cpu: "1", memory: 2Gi}\n      limits: {cpu: "1", memory: 4Gi}\n');
    expect(merged).toBe(plain);
    // a list of maps merges too, the first one before the next (a key written out wins over both, as above)
    expect(files('product: fivetran\nruntime: kubernetes\nfivetran:\n  token: env:FIVETRAN_TOKEN\n  kubernetes:\n    dataVolumePvc: data\n    resources:\n      requests: {cpu: "1"}\n      limits:\n        <<: [{cpu: "1", memory: 4Gi}, {memory: 8Gi}]\n')).toContain('memory: 4Gi');
    // "<<" in quotes is a key as written (and none this preset has); a merge of no mapping is the YAML error, where it is
    renderRejects(['--preset', yaml('product: fivetran\nruntime: docker\nfivetran:\n  "<<": {restartPolicy: always}\n  token: env:FIVETRAN_TOKEN\n')], /^error: fivetran\["<<"\]: unknown key/m);
    renderRejects(['--preset', yaml('product: fivetran\nruntime: docker\nfivetran:\n  <<: always\n  token: env:FIVETRAN_TOKEN\n')], /^error: \S+\.yaml:4:\d+: invalid YAML: cannot merge mappings/m);
  });
});

describe('caps on the structure and on --set', () => {
  it('--set indexes extend a list by at most one item', () => {
    expect(buildRaw({ sets: ['proxy.noProxy[0]=a', 'proxy.noProxy[1]=b', 'proxy.noProxy[0]=c'] }).raw).toEqual({ proxy: { noProxy: ['c', 'b'] } });
    expect(problems(() => buildRaw({ sets: ['proxy.noProxy[1]=x'] }))).toEqual(['--set: proxy.noProxy[1]: the list has 0 items; use an index up to 0 (0 appends)']);
  });
  it.each([
    ['proxy.noProxy[1000000]=x', /index 1000000 is past the longest list, 1000 items/],
    ['proxy.noProxy[4294967294]=x', /index 4294967294 is past the longest list/],
    ['proxy.noProxy[99999999999]=x', /index 99999999999 is past the longest list/],
    ['a["bad\\q"]=1', /cannot parse path .*a bad escape inside/],
    [`${'a.'.repeat(40)}b=1`, /more than 32 parts/],
    ['proxy.noProxy.x=1', /proxy\.noProxy is a list; address its items by index/],
  ])('%s is exit 2, at once', (set, expected) => {
    const t0 = Date.now();
    const lines = problems(() => buildRaw({ sets: ['proxy.noProxy[0]=a', set] }));
    expect(lines.join('\n')).toMatch(expected);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
  it('long strings, long lists and deep values are refused with the field named', () => {
    expect(problems(() => buildRaw({ presetObject: fd({ installDir: 'x'.repeat(LIMITS.stringLength + 1) }) }))[0]).toMatch(/^fivetran\.installDir: is longer than 65536 characters/);
    expect(problems(() => buildRaw({ presetObject: fd({}, { proxy: { https: 'http://p:1', noProxy: Array(LIMITS.listLength + 1).fill('a') } }) }))[0]).toMatch(/^proxy\.noProxy: lists more than 1000 items/);
    // the path of a value inside lists and maps is named whole (the walk keeps no path a value: it is made for a problem)
    expect(problems(() => buildRaw({ presetObject: fd({}, { proxy: { https: 'http://p:1', noProxy: ['a', 'x'.repeat(LIMITS.stringLength + 1)] } }) }))).toEqual(['proxy.noProxy[1]: is longer than 65536 characters; shorten it (long secrets go in a file: reference)']);
    expect(problems(() => buildRaw({ presetObject: fd({ config: { a: [{ b: [{}, { ['k'.repeat(LIMITS.keyLength + 1)]: 1 }] }] } }) }))).toEqual(['fivetran.config.a[0].b[1]: has a key longer than 320 characters; check the preset']);
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = { a: deep };
    expect(problems(() => buildRaw({ presetObject: fd({ config: deep }) }))[0]).toMatch(/nested deeper than 32 levels/);
    // too deep for YAML: it stays a string, which the model refuses where a map is expected
    expect(problems(() => load({ sets: ['product=fivetran', 'runtime=docker', 'fivetran.token=env:FIVETRAN_TOKEN', `fivetran.config=${'['.repeat(3000)}`] }))[0]).toMatch(/^fivetran\.config: expected record/);
  });
  it('a preset with many problems of structure names the first five, one line each', () => {
    const long = 'x'.repeat(LIMITS.stringLength + 1);
    const lines = problems(() => buildRaw({ presetObject: fd({ config: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, long])) }) }));
    expect(lines).toEqual(Array.from({ length: 5 }, (_, i) => `fivetran.config.k${i}: is longer than 65536 characters; shorten it (long secrets go in a file: reference)`));
  });
  it('YAML aliases cannot blow a small file up', () => {
    const f = join(tmp(), 'bomb.yaml');
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    writeFileSync(f, `product: fivetran\n${lines.join('\n')}\n`);
    const t0 = Date.now();
    expect(problems(() => buildRaw({ preset: f }))[0]).toMatch(/more than 100000 values|lists more than/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe('prototype keys are rejected everywhere', () => {
  it.each([
    [['__proto__.polluted=yes']],
    [['__proto__=1']],
    [['__proto__.__proto__.x=1']],
    [['fivetran.config.constructor=1']],
    [['fivetran.config["prototype"]=1']],
    [['fivetran.config={__proto__: {x: 1}}']],
    [['fivetran.kubernetes.nodeSelector={constructor: a}']],
  ])('--set %j', (sets) => {
    const lines = problems(() => buildRaw({ sets }));
    expect(lines.join('\n')).toMatch(/(__proto__|constructor|prototype).*is a reserved name/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('in a JSON preset, a YAML preset and the environment', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'p.json'), '{"product": "fivetran", "fivetran": {"config": {"__proto__": {"x": 1}}}}');
    writeFileSync(join(dir, 'p.yaml'), 'product: tobiko\ntobiko:\n  gateways:\n    constructor: {type: duckdb}\n');
    expect(problems(() => buildRaw({ preset: join(dir, 'p.json') }))[0]).toMatch(/p\.json:1:49: invalid JSON: key __proto__ is a reserved name/);
    expect(problems(() => buildRaw({ preset: join(dir, 'p.yaml') }))[0]).toBe('tobiko.gateways.constructor: is a reserved name (__proto__, constructor and prototype are never valid keys); remove it');
    expect(problems(() => buildRaw({ env: { HD_SETUP_FIVETRAN__CONFIG__CONSTRUCTOR: '1' } }))[0]).toMatch(/^HD_SETUP_FIVETRAN__CONFIG__CONSTRUCTOR: "constructor" is a reserved name/);
  });
  it('parseSetPath refuses them', () => {
    expect(() => parseSetPath('a["__proto__"]')).toThrow(UserError);
  });
});

describe('formats checked where the value is used', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['proxy port 99999', fd({}, { proxy: { http: 'http://proxy:99999' } }), /^proxy\.http: must be an http:\/\/ or https:\/\/ URL.*port must be an integer from 1 to 65535/],
    ['proxy port abc', fd({}, { proxy: { http: 'http://proxy:abc' } }), /^proxy\.http: .*port/],
    ['proxy host exa_mple..com', fd({}, { proxy: { http: 'http://exa_mple..com:3128' } }), /^proxy\.http: .*the host must be a host name/],
    ['proxy host -leading', fd({}, { proxy: { http: 'http://-proxy:3128' } }), /^proxy\.http: .*host/],
    ['proxy bad IPv6', fd({}, { proxy: { http: 'http://[fe80::1::2]:3128' } }), /^proxy\.http: .*host/],
    ['proxy newline', fd({}, { proxy: { http: 'http://proxy:3128\nx' } }), /^proxy\.http: holds a control character \(U\+000A\); remove it$/],
    ['memory below what docker takes', fd({ memory: '512k' }), /^fivetran\.memory: must be at least 6m: docker and podman refuse less$/],
    ['memory in a unit docker does not know', fd({ memory: '2t' }), /^fivetran\.memory: must be like 2048m or 2g$/],
    ['proxy trailing text', fd({}, { proxy: { http: 'http://proxy:3128 and more' } }), /^proxy\.http: /],
    ['proxy password with a "%" that escapes nothing', fd({}, { proxy: { http: 'http://u:50%off@proxy:3128' } }), /^proxy\.http: must be an http:\/\/ or https:\/\/ URL, e\.g\. http:\/\/proxy\.internal:3128, with "%" in the user and password only as a %XX escape \(write "%" itself as %25\)$/],
    ['proxy user ending in "%"', fd({}, { proxy: { https: 'http://u%:p@proxy:3128' } }), /^proxy\.https: .*"%" in the user and password only as a %XX escape/],
    ['noProxy garbage', fd({}, { proxy: { http: 'http://p:1', noProxy: ['ok.example.com', 'bad host!'] } }), /^proxy\.noProxy\[1\]: must be a host, an IP address, a CIDR/],
    ['tobiko.url javascript:', tob({ url: 'javascript:alert(1)' }), /^tobiko\.url: must be an http:\/\/ or https:\/\/ URL/],
    ['tobiko.url ftp:', tob({ url: 'ftp://cloud.example.com/x' }), /^tobiko\.url: must be an http/],
    ['gateway port abc', gw({ port: 'abc' }), /^tobiko\.gateways\.wh\.port: must be a port number, an integer from 1 to 65535/],
    ['gateway port 99999', gw({ port: 99999 }), /^tobiko\.gateways\.wh\.port: must be a port number/],
    ['gateway port -1', gw({ port: -1 }), /^tobiko\.gateways\.wh\.port: must be a port number/],
    ['gateway host', gw({ host: 'bad host!' }), /^tobiko\.gateways\.wh\.host: must be a host name/],
    ['param name with newline', gw({ 'x\nTCLOUD_URL': 'http://evil' }), /^tobiko\.gateways\.wh\["x\\nTCLOUD_URL"\]: connection param names use a-z, 0-9 and "_"/],
    ['param name with =', gw({ 'a=b': 'c' }), /^tobiko\.gateways\.wh\["a=b"\]: connection param names/],
    ['image --privileged', fd({ image: '--privileged' }), /^fivetran\.image: must be an image reference/],
    ['image with a space', fd({ image: 'alpine latest' }), /^fivetran\.image: must be an image reference/],
    ['image with a newline', tob({ docker: { image: 'alpine\n--privileged' } }), /^tobiko\.docker\.image: holds a control character \(U\+000A\); remove it$/],
    ['image repository', tob({ kubernetes: { image: { repository: '-x', tag: 'v1' } } }, 'kubernetes'), /^tobiko\.kubernetes\.image\.repository: must be an image repository/],
    ['chart empty', fk({ chart: '' }), /^fivetran\.kubernetes\.chart: must not be empty/],
    ['chart flag', fk({ chart: '--post-renderer=/tmp/x' }), /^fivetran\.kubernetes\.chart: must be a chart reference/],
    ['tobiko chart flag', tob({ kubernetes: { chart: '-x' } }, 'kubernetes'), /^tobiko\.kubernetes\.chart: must be a chart reference/],
    // credentials in a chart URL went into values.yaml (0644) and onto helm's command line
    ['chart URL with a password', fk({ chart: 'https://user:Ch4rtPassw0rd@charts.example.com/agent-0.24.0.tgz' }), /^fivetran\.kubernetes\.chart: must not hold a user or password .*helm registry login/],
    ['oci chart with a user', tob({ kubernetes: { chart: 'oci://robot@registry.example.com/charts/executors' } }, 'kubernetes'), /^tobiko\.kubernetes\.chart: must not hold a user or password/],
    // helm --timeout 0s gives up at once and leaves a failed release
    ['helm timeout 0s', fk({ timeout: '0s' }), /^fivetran\.kubernetes\.timeout: must be more than zero/],
    ['tobiko helm timeout 0m0s', tob({ kubernetes: { timeout: '0m0s' } }, 'kubernetes'), /^tobiko\.kubernetes\.timeout: must be more than zero/],
    ['egress check timeout 0s', fk({ egressCheck: { timeout: '0s' } }), /^fivetran\.kubernetes\.egressCheck\.timeout: must be more than zero/],
    ['release 54 chars', fk({ release: 'a'.repeat(54) }), /^fivetran\.kubernetes\.release: must be at most 53 characters/],
    ['node-selector key', fk({ nodeSelector: { 'bad key!': 'x' } }), /^fivetran\.kubernetes\.nodeSelector\["bad key!"\]: key "bad key!": must be a Kubernetes label key/],
    // the prefix is a DNS name of at most 253 characters (254 here, each label valid)
    ['node-selector key prefix of 254', fk({ nodeSelector: { [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}/disk`]: 'x' } }), /^fivetran\.kubernetes\.nodeSelector\["a+\.b+\.c+\.d+\/disk"\]: key "a+\.b+\.c+\.d+\/disk": must be a Kubernetes label key/],
    ['node-selector value', fk({ nodeSelector: { 'kubernetes.io/arch': 'a b' } }), /^fivetran\.kubernetes\.nodeSelector\["kubernetes\.io\/arch"\]: must be a Kubernetes label value/],
    ['affinity key', fk({ affinityRules: { ssd: { match: [{ key: '-disk', values: ['ssd'] }] } }, affinity: [{ rule: 'ssd', default: true }] }), /affinityRules\.ssd\.match\[0\]\.key: must be a Kubernetes label key/],
    ['installDir newline', fd({ installDir: '/opt/a\nb' }), /^fivetran\.installDir: holds a control character \(U\+000A\); remove it$/],
    ['installDir NUL', fd({ installDir: '/opt/a\u0000b' }), /^fivetran\.installDir: holds a control character \(U\+0000\); remove it$/],
    ['tobiko installDir', tob({ docker: { installDir: '/opt/\tx' } }), /^tobiko\.docker\.installDir: holds a control character \(U\+0009\); remove it$/],
    // a folder of the system, or one that depends on the working directory
    ['installDir /', fd({ installDir: '/' }), /^fivetran\.installDir: is a folder of the system \(\/\); give a folder of its own, e\.g\. ~\/agent or \/opt\/agent$/],
    ['installDir /opt/', fd({ installDir: '/opt/' }), /^fivetran\.installDir: is a folder of the system \(\/opt\)/],
    ['installDir in /etc', fd({ installDir: '/etc/fivetran' }), /^fivetran\.installDir: is inside \/etc, a folder of the system; give a folder of its own/],
    ['installDir in /run (gone at reboot)', tob({ docker: { installDir: '/run/user/0/tobiko' } }), /^tobiko\.docker\.installDir: is inside \/run, a folder of the system/],
    ['installDir via ..', fd({ installDir: '/opt/../usr/share/x' }), /^fivetran\.installDir: is inside \/usr, a folder of the system/],
    ['installDir with ":" (a bind mount would split there)', fd({ installDir: '~/a:b' }), /^fivetran\.installDir: must not hold ":" \(docker and podman read -v SRC:DST up to it, so it would mount another folder\); give a folder of its own/],
    ['installDir relative', fd({ installDir: 'agent' }), /^fivetran\.installDir: must be an absolute path or start with ~\/ \(a relative path names another folder from each working directory\)/],
    ['clientId newline', tob({ clientId: 'cid\nTCLOUD_URL=x' }), /^tobiko\.clientId: holds a control character \(U\+000A\); remove it$/],
    ['context newline', fk({ context: 'ctx\n--x' }), /^fivetran\.kubernetes\.context: holds a control character \(U\+000A\); remove it$/],
    ['context flag', fk({ context: '--kubeconfig=/x' }), /^fivetran\.kubernetes\.context: must not start with "-"/],
    ['image tag', tob({ kubernetes: { image: { repository: 'tobikodata/tcloud', tag: '-latest' } } }, 'kubernetes'), /^tobiko\.kubernetes\.image\.tag: must be an image tag/],
    ['token Secret key', fk({ tokenSecret: { name: 's', key: 'a b' } }), /^fivetran\.kubernetes\.tokenSecret\.key: must be a Secret key/],
    ['Gt value not an integer nor a label', fk({ affinityRules: { ssd: { operator: 'Gt', match: [{ key: 'cores', operator: 'Gt', values: ['a b'] }] } } }), /affinityRules\.ssd/],
    ['gateway name 64 chars', tob({ gateways: { ['g'.repeat(64)]: { type: 'duckdb' } } }), /^tobiko\.gateways\.g+: key "g+": Too big|at most 63/],
    ['noProxy port', fd({}, { proxy: { http: 'http://p:1', noProxy: ['db.internal:99999'] } }), /^proxy\.noProxy\[0\]: has a port that is not 1-65535/],
    ['noProxy CIDR bits', fd({}, { proxy: { http: 'http://p:1', noProxy: ['10.0.0.0/33'] } }), /^proxy\.noProxy\[0\]: must be a host/],
    ['keyPrefix newline', tob({ secrets: { strategy: 'externalSecrets', store: { name: 's' }, keyPrefix: 'a\nb' }, clientSecret: undefined, gateways: { wh: { type: 'duckdb' } } }, 'kubernetes'), /^tobiko\.secrets\.keyPrefix: holds a control character \(U\+000A\); remove it$/],
  ];
  it.each(cases)('%s', (_name, preset, expected) => {
    const lines = problems(() => load({ presetObject: preset }));
    expect(lines.some((l) => expected.test(l)), lines.join('\n')).toBe(true);
  });
  it('an install dir of its own is taken: under ~ (~ itself too), /opt, /srv, /var/lib, /usr/local', () => {
    for (const dir of ['~', '~/agents/ft', '/opt/fivetran', '/srv/x', '/var/lib/fivetran', '/usr/local/fivetran', '/data/agent']) {
      expect(load({ presetObject: fd({ installDir: dir }) }).model.fivetran?.installDir, dir).toBe(dir);
    }
  });
  it('a label key whose prefix is a DNS name of exactly 253 characters is taken', () => {
    const key = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}/disk`;
    expect(load({ presetObject: fk({ nodeSelector: { [key]: 'ssd' } }) }).model).toMatchObject({ fivetran: { kubernetes: { nodeSelector: { [key]: 'ssd' } } } });
  });

  it('extraEnv may not name a variable hd-setup writes itself (it would be read back as that setting)', () => {
    // in any case: SQLMesh reads its settings from the environment whatever their case (a trial got sqlmesh__gateways__… past)
    for (const name of ['TCLOUD_URL', 'SQLMESH__DEFAULT_GATEWAY', 'https_proxy', 'sqlmesh__gateways__warehouse__connection__password', 'Tcloud_Client_Secret']) {
      expect(problems(() => load({ presetObject: tob({ docker: { extraEnv: [{ name, value: 'x' }] } }) }))[0]).toBe(
        `tobiko.docker.extraEnv[0].name: ${name} is set by hd-setup; use the dedicated option (tobiko.url, tobiko.clientId, gateways, proxy)`,
      );
    }
    expect(() => load({ presetObject: tob({ docker: { extraEnv: [{ name: 'TZ', value: 'UTC' }] } }) })).not.toThrow();
  });

  it('accepts the valid forms', () => {
    const ok = [
      fd({}, { proxy: { http: 'http://user:p%40ss@proxy.internal:3128', https: 'https://[2001:db8::1]:8443/', noProxy: ['*', '.corp', 'localhost', '10.0.0.0/8', 'fd00::/8', '[::1]:8080', 'db.internal:5432', '192.168.1.1'] } }),
      fd({ image: 'localhost:5000/team/agent:1.2@sha256:' + 'a'.repeat(64) }),
      fd({ memory: '4G' }),
      fd({ memory: '6m' }),
      fd({ memory: '6291456b' }),
      fk({ chart: './charts/agent', release: 'a'.repeat(53), nodeSelector: { 'kubernetes.io/arch': 'amd64', disk: '' } }),
      fk({ chart: 'myrepo/hybrid-deployment-agent' }),
      tob({ url: 'https://cloud.example.com/sqlmesh/acme/p', gateways: { wh: { type: 'postgres', host: '10.0.0.5', port: '5432', database: 'd', user: 'u', password: 'p' } } }),
      tob({ kubernetes: { image: { repository: 'tobikodata/tcloud', tag: '1.2.3' } } }, 'kubernetes'),
    ];
    for (const p of ok) expect(() => load({ presetObject: p })).not.toThrow();
  });

  it('the CLI: exit 2, one line, nothing written, for an env-file injection and a flag as a chart', () => {
    renderRejects(['--preset', 'tobiko-docker', '--set', 'tobiko.gateways.warehouse["x\\nTCLOUD_URL"]=http://evil'], /tobiko\.gateways\.warehouse\["x\\nTCLOUD_URL"\]: connection param names/, {
      TCLOUD_CLIENT_SECRET: 's',
      WAREHOUSE_PASSWORD: 'p',
    });
    const r = renderRejects(['--preset', 'fivetran-kubernetes', '--set', 'fivetran.kubernetes.chart=--post-renderer=/tmp/x'], /^error: fivetran\.kubernetes\.chart: must be a chart reference/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a value read with a line break at its end (a variable from a file, --set or HD_SETUP_*): the message names that, not the format', () => {
    const s = tmp();
    const r1 = cli(['render', '--preset', 'fivetran-docker', '--out', join(s, 'o1'), '--set', 'fivetran.memory=3000m\n'], { env: SECRET_ENV });
    const r2 = cli(['render', '--preset', 'fivetran-docker', '--out', join(s, 'o2')], { env: { ...SECRET_ENV, HD_SETUP_FIVETRAN__MEMORY: '3000m\n' } });
    for (const [r, from] of [[r1, ''], [r2, ' (from HD_SETUP_FIVETRAN__MEMORY)']] as const) {
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: fivetran.memory${from}: holds a control character (U+000A, at its end); remove it\n`);
    }
  });

  it('a value an alias or a merge key uses in two places: a --set of one place changes that place only', () => {
    const s = tmp();
    const preset = join(s, 'shared.yaml');
    writeFileSync(
      preset,
      'product: fivetran\nruntime: kubernetes\nfivetran:\n  token: env:FIVETRAN_TOKEN\n  kubernetes:\n    dataVolumePvc: data\n' +
        '    resources:\n      requests: &r {cpu: "2", memory: 2Gi}\n      limits: *r\n' +
        '    affinityRules:\n      base: &b {mode: required, match: [{key: pool, values: [a]}]}\n      small: {<<: *b}\n' +
        '    affinity:\n      - {rule: base, default: true}\n      - {rule: small, connectors: [c1]}\n',
    );
    const r = cli(['render', '--preset', preset, '--out', join(s, 'o'), '--set', 'fivetran.kubernetes.resources.limits.memory=4Gi', '--set', 'fivetran.kubernetes.affinityRules.small.match[0].values[0]=zz'], { env: SECRET_ENV });
    expect(r.code, r.stderr).toBe(0);
    const values = readFileSync(join(s, 'o', 'values.yaml'), 'utf8');
    expect(values).toMatch(/limits:\n\s+cpu: "2"\n\s+memory: 4Gi\n\s+requests:\n\s+cpu: "2"\n\s+memory: 2Gi/);
    expect(values).toMatch(/base:[\s\S]*?values:\n\s+- a\n[\s\S]*small:[\s\S]*?values:\n\s+- zz\n/);
  });

  it('a setting from an HD_SETUP_* variable: its error names the variable (text and --json), one line a field; a variable set but empty is not used, and said', () => {
    const s = tmp();
    const bad = cli(['render', '--preset', 'fivetran-docker', '--out', join(s, 'o1')], { env: { ...SECRET_ENV, HD_SETUP_FIVETRAN__MEMORY: 'lots' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: fivetran.memory (from HD_SETUP_FIVETRAN__MEMORY): must be like 2048m or 2g\n');
    const json = cli(['render', '--preset', 'fivetran-docker', '--out', join(s, 'o1'), '--json'], { env: { ...SECRET_ENV, HD_SETUP_FIVETRAN__MEMORY: 'lots' } });
    expect(JSON.parse(json.stdout)).toEqual({ errors: [{ path: 'fivetran.memory', variable: 'HD_SETUP_FIVETRAN__MEMORY', message: 'must be like 2048m or 2g' }] });
    // a --set of the same setting wins, and its error is the --set's
    const set = cli(['render', '--preset', 'fivetran-docker', '--out', join(s, 'o1'), '--set', 'fivetran.memory=plenty'], { env: { ...SECRET_ENV, HD_SETUP_FIVETRAN__MEMORY: '3g' } });
    expect(set.stderr).toBe('error: fivetran.memory: must be like 2048m or 2g\n');
    // empty: what a CI variable that is not defined gives; the preset's value stands (one line a field: it said
    // "must not be empty" and the format too)
    for (const name of ['HD_SETUP_FIVETRAN__MEMORY', 'HD_SETUP_PROXY__NO_PROXY']) {
      const empty = cli(['render', '--preset', 'fivetran-docker', '--out', join(s, `o-${name}`)], { env: { ...SECRET_ENV, [name]: '' } });
      expect(empty.code, empty.stderr).toBe(0);
      expect(empty.stderr).toBe(`warning: ${name} is set but empty: not used (give it a value, or unset it; an empty value is given with --set ${name === 'HD_SETUP_FIVETRAN__MEMORY' ? 'fivetran.memory' : 'proxy.noProxy'}=)\n`);
    }
    // a --set of an item of a list a variable gave whole: its error is the --set's, not the variable's
    const item = cli(['render', '--preset', 'fivetran-docker', '--out', join(s, 'o3'), '--set', 'proxy.https=http://p:3128', '--set', 'proxy.noProxy[0]=bad host!'], { env: { ...SECRET_ENV, HD_SETUP_PROXY__NO_PROXY: '[localhost]' } });
    expect(item.code).toBe(2);
    expect(item.stderr).toMatch(/^error: proxy\.noProxy\[0\]: /);
    const blank = cli(['render', '--preset', 'fivetran-docker', '--out', join(s, 'o2'), '--set', 'fivetran.memory='], { env: SECRET_ENV });
    expect(blank.stderr).toBe('error: fivetran.memory: must not be empty\n');
  });

  it('control characters in a setting (ESC, OSC, a line break, a tab): exit 2 naming the field and the character, the value never echoed; a secret may hold them', () => {
    for (const [set, env, expected] of [
      ['fivetran.config.banner=a\u001b[2Jb', {}, 'error: fivetran.config.banner: holds a control character (U+001B); remove it\n'],
      ['fivetran.config.note=first\nsecond', {}, 'error: fivetran.config.note: holds a control character (U+000A); remove it\n'],
      ['fivetran.config.note=a\tb', {}, 'error: fivetran.config.note: holds a control character (U+0009); remove it\n'],
      ['fivetran.config.note=a\u009bb', {}, 'error: fivetran.config.note: holds a control character (U+009B); remove it\n'],
      ['fivetran.restartPolicy=always', { HD_SETUP_FIVETRAN__CONFIG__TITLE: 'x\u001b]0;owned\u0007' }, 'error: fivetran.config.title (from HD_SETUP_FIVETRAN__CONFIG__TITLE): holds a control character (U+001B); remove it\n'],
    ] as const) {
      const r = renderRejects(['--preset', 'fivetran-docker', '--set', set], /^error: /, env);
      expect(r.stderr).toBe(expected);
    }
    // a secret's line breaks are its own (a PEM key): see "key material … marked secret, it renders" below
  });

  it('a --set value written as YAML over several lines is the list or map it says (only text keeps its line breaks, and is refused)', () => {
    const { model } = load({ preset: 'fivetran-docker', sets: ['proxy.https=http://proxy.internal:3128', 'proxy.noProxy=- a.internal\n- b.internal'] });
    expect(model.proxy?.noProxy).toEqual(['a.internal', 'b.internal']);
    const env = load({ preset: 'fivetran-docker', env: { ...process.env, FIVETRAN_TOKEN: TOKEN, HD_SETUP_PROXY__HTTPS: 'http://p:3128', HD_SETUP_PROXY__NO_PROXY: '- a.internal\n- b.internal' } });
    expect(env.model.proxy?.noProxy).toEqual(['a.internal', 'b.internal']);
    expect(problems(() => load({ preset: 'fivetran-docker', sets: ['fivetran.config.note=first\nsecond'] }))).toEqual(['fivetran.config.note: holds a control character (U+000A); remove it']);
  });

  it('a --set value is taken as typed: an integer past 2^53, or a number spelled otherwise (0012), stays text (it became another number); one within stays a number', () => {
    const { model } = load({ preset: 'fivetran-docker', sets: ['fivetran.config.account_id=12345678901234567890', 'fivetran.config.port=9007199254740991', 'fivetran.config.neg=-9007199254740993'] });
    expect(model.fivetran?.config).toEqual({ account_id: '12345678901234567890', port: 9007199254740991, neg: '-9007199254740993' });
    // a number spelled otherwise than it is written back (leading zeros, hex, a sign, an exponent) stays as typed
    const spelled = load({ preset: 'fivetran-docker', sets: ['fivetran.config.a=0012', 'fivetran.config.b=0x1F', 'fivetran.config.c=+5', 'fivetran.config.d=1e3', 'fivetran.config.e=-0', 'fivetran.config.f=12', 'fivetran.config.g=1.5', 'fivetran.config.h=-3'] });
    expect(spelled.model.fivetran?.config).toEqual({ a: '0012', b: '0x1F', c: '+5', d: '1e3', e: '-0', f: 12, g: 1.5, h: -3 });
  });

  it('a rule whose message echoes a value keeps it one line: a line break in tobiko.defaultGateway is spelled out (fuzz seed -729057606)', () => {
    expect(problems(() => load({ preset: 'tobiko-kubernetes', sets: ['tobiko.defaultGateway=a\nb'] }))).toEqual(['tobiko.defaultGateway: "a\\x0ab" is not a gateway (defined: warehouse)']);
  });

  it('flags that would be taken half: --preset twice, an empty --bundle; a value none of a setting\'s choices take names them all: exit 2, one line', () => {
    const one = (args: string[], expected: string) => {
      const r = cli(args, { env: { FIVETRAN_TOKEN: TOKEN } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`error: ${expected}\n`);
    };
    one(['install', '--preset', '/nonexistent.yaml', '--preset', 'fivetran-docker', '--dry-run'], '--preset: is given twice; give one preset, and change its settings with --set');
    one(['render', '-p', 'fivetran-docker', '--preset', 'fivetran-podman', '--out', join(tmp(), 'o')], '--preset: is given twice; give one preset, and change its settings with --set');
    one(['doctor', '--bundle', ''], '--bundle: needs a file name, e.g. --bundle ./hd-setup-diagnostics.tar.gz');
    one(['render', '--preset', 'fivetran-docker', '--set', 'fivetran.selinux=maybe', '--out', join(tmp(), 'o')], 'fivetran.selinux: must be "auto", true or false');
  });

  it('an empty or blank secret (--set fivetran.token=, a file holding a blank line, a variable set to spaces) is one line naming the reference to give, and nothing written (a blank client secret was written as TCLOUD_CLIENT_SECRET=)', () => {
    const blank = join(tmp(), 'blank');
    writeFileSync(blank, '  \n');
    const one = (args: string[], expected: string, env: Record<string, string> = {}) => {
      const out = join(tmp(), 'o');
      const r = cli(['render', ...args, '--out', out], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`error: ${expected}\n`);
      expect(existsSync(out)).toBe(false);
    };
    const fix = (env: string) => `give it as env:${env} (export it first) or file:PATH`;
    one(['--preset', 'fivetran-docker', '--set', 'fivetran.token='], `fivetran.token: must not be empty; ${fix('FIVETRAN_TOKEN')}`);
    one(['--preset', 'fivetran-docker', '--set', `fivetran.token=file:${blank}`], `fivetran.token: is blank (spaces or line breaks only); ${fix('FIVETRAN_TOKEN')}`);
    one(['--preset', 'tobiko-docker', '--set', 'tobiko.clientSecret='], `tobiko.clientSecret: must not be empty; ${fix('TCLOUD_CLIENT_SECRET')}`, { WAREHOUSE_PASSWORD: 'pw' });
    one(['--preset', 'tobiko-docker', '--set', `tobiko.clientSecret=file:${blank}`], `tobiko.clientSecret: is blank (spaces or line breaks only); ${fix('TCLOUD_CLIENT_SECRET')}`, { WAREHOUSE_PASSWORD: 'pw' });
    // a gateway password of spaces would be masked wherever a space stands (every line of output garbled)
    const gw = 'is blank (spaces or line breaks only): a secret that output would mask wherever a space stands; give the value, or leave the setting out';
    one(['--preset', 'tobiko-docker'], `tobiko.gateways.warehouse.password: env:WAREHOUSE_PASSWORD ${gw}`, { WAREHOUSE_PASSWORD: ' ', TCLOUD_CLIENT_SECRET: 'sekrit-xyz-123' });
    one(['--preset', 'tobiko-docker', '--set', 'tobiko.gateways.warehouse.password='], `tobiko.gateways.warehouse.password: ${gw}`, { TCLOUD_CLIENT_SECRET: 'sekrit-xyz-123' });
  });

  it('a line break at the end of what env: or file: gives (a secrets manager, echo, a file saved on Windows, $(cat) of one) is not part of the value: the database password went into the Secret with its newline, the proxy URL was refused', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'db-pass'), 'file-pass-Zq81!x\r\n');
    writeFileSync(join(dir, 'proxy'), 'http://bob:pr0xy-Pass@proxy.internal:3128\r');
    const render = (args: string[], env: Record<string, string>) => {
      const out = join(tmp(), 'out');
      const r = cli(['render', ...args, '--out', out], { env });
      expect(r.code, r.stderr).toBe(0);
      return (f: string) => readFileSync(join(out, f), 'utf8');
    };
    // Kubernetes: the Secret held the password with its newline, and the executors logged in with it
    for (const end of ['\n', '\r\n', '\r']) {
      const file = render(['--preset', 'tobiko-kubernetes'], { TCLOUD_CLIENT_SECRET: `${CLIENT_SECRET}${end}`, WAREHOUSE_PASSWORD: `${WAREHOUSE_PASSWORD}${end}` });
      expect(file('secret.yaml')).toContain(`SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD: ${WAREHOUSE_PASSWORD}\n`);
    }
    // docker: refused, "use a single-line value (e.g. a key path instead of the key)"
    const env = render(['--preset', 'tobiko-docker', '--set', 'tobiko.docker.extraEnv=[{name: API_TOKEN, value: env:API_TOKEN}]', '--set', `tobiko.gateways.warehouse.sslrootcert=file:${join(dir, 'db-pass')}`, '--set', 'tobiko.secretParams=[sslrootcert]'], { ...SECRET_ENV, WAREHOUSE_PASSWORD: `${WAREHOUSE_PASSWORD}\n`, API_TOKEN: 'api-token-abc123\r' })('tobiko.env');
    expect(env).toContain(`SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__PASSWORD=${WAREHOUSE_PASSWORD}\n`);
    expect(env).toContain('SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__SSLROOTCERT=file-pass-Zq81!x\n');
    expect(env).toContain('API_TOKEN=api-token-abc123\n');
    // an agent parameter named as a secret: written into config.json with its newline
    const config = JSON.parse(render(['--preset', 'fivetran-docker', '--set', 'fivetran.config.db_password=env:DB_PASSWORD', '--set', `proxy.https=file:${join(dir, 'proxy')}`, '--set', 'proxy.http=env:AGENT_HTTP_PROXY'], { FIVETRAN_TOKEN: TOKEN, DB_PASSWORD: 'db-pass-Zq81!x\r\n', AGENT_HTTP_PROXY: 'http://bob:pr0xy-Pass@proxy.internal:3128\n' })('conf/config.json'));
    expect(config).toMatchObject({ db_password: 'db-pass-Zq81!x', https_proxy: 'http://bob:pr0xy-Pass@proxy.internal:3128', http_proxy: 'http://bob:pr0xy-Pass@proxy.internal:3128' });
    // only the one line end: a value of several lines keeps the others, and a blank one is still refused
    const two = cli(['render', '--preset', 'fivetran-docker', '--set', 'proxy.https=env:AGENT_HTTPS_PROXY', '--out', join(tmp(), 'o')], { env: { FIVETRAN_TOKEN: TOKEN, AGENT_HTTPS_PROXY: 'http://proxy.internal:3128\n\n' } });
    expect(two.code).toBe(2);
    // a variable holding a line break alone is empty, as one set to nothing is (not an empty secret)
    const empty = cli(['render', '--preset', 'tobiko-docker', '--set', 'tobiko.docker.extraEnv=[{name: API_TOKEN, value: env:API_TOKEN}]', '--out', join(tmp(), 'o')], { env: { ...SECRET_ENV, API_TOKEN: '\n' } });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('error: tobiko.docker.extraEnv[0].value: environment variable API_TOKEN is empty; export API_TOKEN=... first, or give file:PATH instead\n');
  });

  it('an integer past 2^53 in a preset file (YAML or JSON) or a --set flow map is written as its digits, never as another number', () => {
    const dir = tmp();
    const yaml = join(dir, 'big.yaml');
    writeFileSync(yaml, 'product: fivetran\nruntime: docker\nfivetran:\n  token: env:FIVETRAN_TOKEN\n  config:\n    account_id: 12345678901234567890\n    neg: -9007199254740993\n    hex: 0x1FFFFFFFFFFFFFFFFF\n    port: 9007199254740991\n    huge: 1.5e300\n');
    const json = join(dir, 'big.json');
    writeFileSync(json, JSON.stringify({ product: 'fivetran', runtime: 'docker', fivetran: { token: 'env:FIVETRAN_TOKEN' } }).replace('}}', ',"config":{"account_id":12345678901234567890,"neg":-9007199254740993,"port":9007199254740991,"huge":1.5e300}}}'));
    const configOf = (args: string[]) => {
      const out = join(tmp(), 'out');
      const r = cli(['render', ...args, '--out', out], { env: { FIVETRAN_TOKEN: TOKEN } });
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(join(out, 'conf/config.json'), 'utf8');
    };
    // the digits as given, as text; numbers a double holds exactly stay numbers
    expect(configOf(['--preset', yaml])).toContain('"account_id": "12345678901234567890",\n  "neg": "-9007199254740993",\n  "hex": "0x1FFFFFFFFFFFFFFFFF",\n  "port": 9007199254740991,\n  "huge": 1.5e+300');
    expect(configOf(['--preset', json])).toContain('"account_id": "12345678901234567890",\n  "neg": "-9007199254740993",\n  "port": 9007199254740991,\n  "huge": 1.5e+300');
    expect(configOf(['--preset', 'fivetran-docker', '--set', 'fivetran.config={account_id: 12345678901234567890, port: 9007199254740991}'])).toContain('"account_id": "12345678901234567890",\n  "port": 9007199254740991');
  });

  it('an error that echoes what was given (a --set path) spells its control characters out: nothing reaches the terminal to act on it', () => {
    const r = renderRejects(['--preset', 'fivetran-docker', '--set', 'a\u001b]0;owned\u0007b=1'], /^error: /);
    expect(r.stderr).toBe('error: --set: cannot parse path "a\\x1b]0;owned\\x07b" (control characters); use a.b.c, a.list[0].b or a["dotted.key"]\n');
  });

  it('key material the chart would not call secret (a Snowflake private key, a BigQuery JSON key) is refused until marked secret, never printed', () => {
    const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSj\n-----END PRIVATE KEY-----';
    const env = { TCLOUD_CLIENT_SECRET: 'client-s3cret-value', WAREHOUSE_PASSWORD: 'pg-pass-value', KEY };
    const base = ['--preset', 'tobiko-kubernetes', '--set', 'tobiko.gateways.lake.type=snowflake', '--set', 'tobiko.gateways.lake.account=acme', '--set', 'tobiko.gateways.lake.user=u'];
    for (const [param, fix] of [
      ['private_key', 'tobiko.secretParams=[private_key]'],
      ['private_key_passphrase', 'tobiko.secretParams=[private_key_passphrase]'],
      // hd-setup's own rule for names of key material, as for its settings (an API key)
      ['api_key', 'tobiko.secretParams=[api_key]'],
    ] as const) {
      const r = renderRejects([...base, '--set', 'tobiko.gateways.lake.private_key_path=/keys/k.p8', '--set', `tobiko.gateways.lake.${param}=env:KEY`], new RegExp(`^error: tobiko\\.gateways\\.lake\\.${param}: is key material.*--set ${fix.replace(/[[\].]/g, '\\$&')}$`, 'm'), env);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr + r.stdout).not.toContain('MIIE');
    }
    const bq = ['--set', 'tobiko.gateways.bq.type=bigquery', '--set', 'tobiko.gateways.bq.project=p', '--set', 'tobiko.gateways.bq.keyfile_json=env:KEY'];
    renderRejects(['--preset', 'tobiko-docker', ...bq], /tobiko\.gateways\.bq\.keyfile_json: is key material/, env);
    // marked secret, it renders: in the Secret, not in the 0644 values
    const dir = tmp();
    const ok = cli(['render', ...base, '--set', 'tobiko.secretParams=[private_key]', '--set', 'tobiko.gateways.lake.private_key=env:KEY', '--out', join(dir, 'out')], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out/values.yaml'), 'utf8')).not.toContain('MIIE');
    expect(readFileSync(join(dir, 'out/secret.yaml'), 'utf8')).toContain('MIIE');
    expect(ok.stderr + ok.stdout).not.toContain('MIIE');
  });

  it('a PEM key cut off (its first line only, as a paste that stopped early or a variable of one line gives it) is refused naming the field and the END line it lacks, never a line of it', () => {
    const base = ['--preset', 'tobiko-kubernetes', '--set', 'tobiko.gateways.lake.type=snowflake', '--set', 'tobiko.gateways.lake.account=acme', '--set', 'tobiko.gateways.lake.user=u', '--set', 'tobiko.secretParams=[private_key]'];
    for (const KEY of ['-----BEGIN PRIVATE KEY-----', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSj\n', '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----']) {
      const r = renderRejects([...base, '--set', 'tobiko.gateways.lake.private_key=env:KEY'], /^error: tobiko\.gateways\.lake\.private_key: env:KEY (is cut off: it has the -----BEGIN PRIVATE KEY----- line and no -----END PRIVATE KEY----- line|holds no key between)/m, { TCLOUD_CLIENT_SECRET: 'client-s3cret-value', WAREHOUSE_PASSWORD: 'pg-pass-value', KEY });
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr + r.stdout).not.toContain('MIIE');
    }
    // given in the preset itself (the wizard's answers are one): the same
    const dir = tmp();
    const preset = join(dir, 'p.yaml');
    writeFileSync(preset, `product: tobiko\nruntime: kubernetes\ntobiko:\n  org: acme\n  project: p\n  clientId: id\n  clientSecret: env:TCLOUD_CLIENT_SECRET\n  secretParams: [private_key]\n  gateways:\n    lake:\n      type: snowflake\n      account: acme\n      user: u\n      private_key: "-----BEGIN PRIVATE KEY-----\\nMIIEvQ"\n`);
    const r = renderRejects(['--preset', preset], /^error: tobiko\.gateways\.lake\.private_key: is cut off/m, { TCLOUD_CLIENT_SECRET: 'client-s3cret-value' });
    expect(r.stderr + r.stdout).not.toContain('MIIE');
  });
});


describe('mistyped flags', () => {
  const one = (r: { code: number; stderr: string; stdout: string }, re: RegExp) => {
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(re);
  };
  it('--skip-check with an id no check has: exit 2 naming it and the ids, before anything runs (install, doctor, start, the wizard)', () => {
    for (const args of [
      ['install', '--preset', 'fivetran-docker', '--skip-check', 'not_root', '--yes'],
      ['doctor', '--skip-check', 'bogus'],
      ['start', '--skip-check', 'bogus'],
      ['--skip-check', 'bogus'],
    ]) {
      const home = tmp('hd-home-');
      const r = cli(args, { env: { HOME: home, FIVETRAN_TOKEN: TOKEN } });
      one(r, /^error: --skip-check: no check is called "(not_root|bogus)".*; the checks: runtime-present, .*not-root, /);
      expect(readdirSync(home)).toEqual([]);
    }
    expect(cli(['install', '--preset', 'fivetran-docker', '--skip-check', 'not_root'], {}).stderr).toContain('did you mean not-root?');
  });
  it('--set with a space for the "=": the fix, not "too many arguments"; a value is never echoed', () => {
    one(cli(['install', '--preset', 'fivetran-docker', '--set', 'fivetran.memory', '4g', '--dry-run']), /^error: --set: "fivetran\.memory" has no value; write it as --set fivetran\.memory=VALUE/);
    one(cli(['--set', 'fivetran.memory', '4g']), /^error: --set: "fivetran\.memory" has no value/);
    const r = cli(['install', '--preset', 'fivetran-docker', '--set', TOKEN, '--dry-run']);
    one(r, /^error: --set: an argument is not path=value \(not shown: it may be a secret\)/);
    expect(r.stderr).not.toContain(TOKEN);
  });
});

describe('local state is input too', () => {
  const stateHome = (files: Record<string, string>) => {
    const home = tmp('hd-home-');
    for (const [rel, text] of Object.entries(files)) {
      const p = join(home, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    }
    return home;
  };
  const reg = '.config/hd-setup/installs.json';
  it.each([
    ['{}', /installs\.json: is not a list of installs; fix it or move it away/],
    ['[null]', /installs\.json: install \[0\] is not an object; fix it or move it away/],
    ['[{"product": "fivetran", "runtime": "docker", "installDir": 5}]', /installs\.json: install \[0\] has a installDir that is not a string/],
    ['[{"product": "fivetran", "runtime": "docker", "installDir": "/x\\u0000y"}]', /installs\.json: install \[0\] has an invalid installDir/],
    // recorded absolute and normalized: a relative folder (another from each working directory), "/", ".." (they were taken)
    ['[{"product": "fivetran", "runtime": "docker", "installDir": "fivetran"}]', /installs\.json: install \[0\] has an invalid installDir \(hd-setup records an absolute folder\); fix it or move it away/],
    ['[{"product": "fivetran", "runtime": "docker", "installDir": "/"}]', /installs\.json: install \[0\] has an invalid installDir/],
    ['[{"product": "fivetran", "runtime": "docker", "installDir": "/opt/a/../b"}]', /installs\.json: install \[0\] has an invalid installDir/],
    // a trailing "/": the same folder, listed a second time beside the install it names (a trial's "2 installs found")
    ['[{"product": "fivetran", "runtime": "docker", "installDir": "/opt/a/"}]', /installs\.json: install \[0\] has an invalid installDir/],
    ['[{"product": "fivetran", "runtime": "docker", "installDir": ""}]', /installs\.json: install \[0\] has an invalid installDir/],
    ['[{"product": "fivetran",', /installs\.json:1:\d+: invalid JSON: .*; fix it or move it away/],
    // what an uninstall kept of its containers, read back by the next install: each must be {image, labels}
    ['[{"product": "fivetran", "runtime": "docker", "installDir": "/x", "containers": {"controller": "x"}}]', /installs\.json: install \[0\] has containers that are not \{name: \{image, labels, restart\}\}/],
    ['[{"product": "fivetran", "runtime": "docker", "installDir": "/x", "containers": {"controller": {"image": "i", "labels": {"a": 5}}}}]', /installs\.json: install \[0\] has containers that are not/],
    ['[{"product": "fivetran", "runtime": "docker", "installDir": "/x", "containers": {"controller": {"labels": {}}}}]', /installs\.json: install \[0\] has containers that are not/],
    // the settings given with --set, read by the next install: a list of paths (one that does not parse protects nothing)
    ['[{"product": "fivetran", "runtime": "docker", "installDir": "/x", "setPaths": "fivetran.memory"}]', /installs\.json: install \[0\] has setPaths that are not a list of setting paths/],
    ['[{"product": "fivetran", "runtime": "docker", "installDir": "/x", "setPaths": [5]}]', /installs\.json: install \[0\] has setPaths that are not a list of setting paths/],
  ])('installs.json %s: status exits 2 naming the file', (text, expected) => {
    const home = stateHome({ [reg]: text });
    const r = cli(['status'], { env: { HOME: home } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).not.toMatch(/\n\s+at |HD_SETUP_DEBUG/);
  });
  it('a corrupted config.json (null, a list, not JSON) is exit 2 naming it', () => {
    for (const text of ['null', '[1]', '{"token": ']) {
      const home = stateHome({ 'fivetran/conf/config.json': text });
      const r = cli(['status'], { env: { HOME: home } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/fivetran\/conf\/config\.json(:\d+:\d+)?: .*; fix it by hand \(it is the agent's config, a JSON object\), or move it away and install again\n$/);
    }
  });
  it('a FIFO or a directory where hd-setup keeps a file is exit 2 naming it, never a hang', () => {
    const home = stateHome({});
    mkdirSync(join(home, 'fivetran/conf'), { recursive: true });
    execFileSync('mkfifo', [join(home, 'fivetran/conf/config.json')]);
    const t0 = Date.now();
    const r = cli(['status'], { env: { HOME: home } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/fivetran\/conf\/config\.json: is a FIFO \(named pipe\), not a regular file; move it away and install again\n$/);
    expect(Date.now() - t0).toBeLessThan(20_000);
    const home2 = stateHome({});
    mkdirSync(join(home2, '.config/systemd/user/hd-fivetran-agent.service'), { recursive: true });
    const d = cli(['install', '--preset', 'fivetran-docker', '--dry-run'], { env: { HOME: home2, FIVETRAN_TOKEN: TOKEN, PATH: `${join(ROOT_DIR, 'test/stubs/bin')}:/usr/bin:/bin`, HD_STUB_STATE: join(home2, '.stub') } });
    expect(d.code, d.stderr).toBe(2);
    expect(d.stderr).toMatch(/hd-fivetran-agent\.service: is a directory, not a regular file; move it away/);
  });

  it('a Tobiko env-file with a bad line, a prototype name or a key set twice (a line added by hand) is exit 2 naming the line', () => {
    for (const [text, expected] of [
      ['TCLOUD_URL=https://x/sqlmesh/a/b\nnot a line\n', /tobiko\/tobiko\.env:2: is not a KEY=VALUE line/],
      ['TCLOUD_URL=https://x/sqlmesh/a/b\nSQLMESH__GATEWAYS__W__CONNECTION__PORT=5432\nSQLMESH__GATEWAYS__W__CONNECTION__PORT=9999\n', /tobiko\/tobiko\.env:3: sets SQLMESH__GATEWAYS__W__CONNECTION__PORT a second time \(docker and podman would take this one\); keep one of the two lines/],
      ['SQLMESH__GATEWAYS____PROTO____CONNECTION__HOST=x\n', /tobiko\/tobiko\.env:1: uses a reserved name/],
      // Windows line ends: docker keeps the carriage return in the value (clientId\r): refused, not read past
      ['TCLOUD_URL=https://x/sqlmesh/a/b\r\nTCLOUD_CLIENT_ID=abc\r\n', /tobiko\/tobiko\.env:1: ends in a carriage return \(the file was saved with Windows line ends, which docker keeps in the value\); save it with Unix line ends \(dos2unix\)/],
    ] as const) {
      const home = stateHome({ 'tobiko/tobiko.env': text });
      const r = cli(['status', '--set', 'product=tobiko', '--set', 'runtime=docker'], { env: { HOME: home } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(expected);
      expect(({} as Record<string, unknown>).host).toBeUndefined();
    }
  });
  it('export-preset of an install whose files do not make a whole install (its "# hd-setup:" line deleted) is exit 2 naming what is missing: it printed a preset with org: "" that would not install', async () => {
    const { stubEnv, rootFlags } = await import('./stub-runtime.js');
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const env = join(s.home, 'tobiko/tobiko.env');
    writeFileSync(env, readFileSync(env, 'utf8').replace(/^# hd-setup:.*\n/m, ''), { mode: 0o600 });
    const r = cli(['export-preset'], { env: s.env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: the files of the install at ${s.home}/tobiko do not make a whole install (tobiko.org must not be empty: the <org> in https://cloud.tobikodata.com/sqlmesh/<org>/<project>, tobiko.project must not be empty: the <project> in https://cloud.tobikodata.com/sqlmesh/<org>/<project>); put back their last backup (hd-setup rollback), or install it again (hd-setup install --preset … --reset)\n`);
    s.server.close();
  });
  it('an install made before a setting counted as key material (an api_key gateway param, not marked secret): export-preset names the --set that mends it, and that --set alone is taken, the key kept as a stored secret and never shown (it was refused as broken files)', async () => {
    const { stubEnv, rootFlags } = await import('./stub-runtime.js');
    const s = await stubEnv('docker', {}, { imagePresent: true });
    const env = { ...s.env, WAREHOUSE_API_KEY: 'api-key-value-1234' };
    const mark = ['--set', 'tobiko.secretParams=[api_key]', '--set', 'tobiko.gateways.warehouse.api_key=env:WAREHOUSE_API_KEY'];
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags, ...mark], { env }).code).toBe(0);
    // as the older hd-setup wrote it: the param, and no secretParams
    const file = join(s.home, 'tobiko/tobiko.env');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/,"secretParams":\["api_key"\]/, ''), { mode: 0o600 });
    const r = cli(['export-preset'], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`error: the install at ${s.home}/tobiko has settings this version of hd-setup refuses (tobiko.gateways.warehouse.api_key is key material, which the chart does not treat as a secret (no "password", "secret" or "token" in its name): mark it one with --set tobiko.secretParams=[api_key]); install it again with the fix: hd-setup install --preset … --set tobiko.secretParams=[api_key]\n`);
    const { WAREHOUSE_API_KEY: _, ...without } = env;
    const again = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags, '--set', 'tobiko.secretParams=[api_key]'], { env: without });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Keeping the stored secret: tobiko.gateways.warehouse.api_key\n');
    expect(again.stderr + again.stdout).not.toContain('api-key-value-1234');
    expect(readFileSync(file, 'utf8')).toContain('"secretParams":["api_key"]');
    expect(readFileSync(file, 'utf8')).toContain('SQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__API_KEY=api-key-value-1234\n');
    const exported = cli(['export-preset'], { env: without });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('      api_key: env:WAREHOUSE_API_KEY\n');
    expect(exported.stdout).not.toContain('api-key-value-1234');
    s.server.close();
  });
  it('two such params, one of them in nonSecretParams: the fix is one --set of each list, and works as printed; written into the preset file, it is taken too', async () => {
    const { stubEnv, rootFlags } = await import('./stub-runtime.js');
    for (const via of ['--set', 'preset file'] as const) {
      const s = await stubEnv('docker', {}, { imagePresent: true });
      const env = { ...s.env, K1: 'key-one-value-11', K2: 'key-two-value-22' };
      // installed from a preset file (a --set of these would hold them to it: a preset could not change them)
      const withLists = (text: string) => text.replace(/^(  clientSecret:)/m, '  secretParams: [api_key, app_key]\n  nonSecretParams: [port]\n$1');
      const initial = join(s.home, 'initial.yaml');
      writeFileSync(initial, withLists(readFileSync(join(ROOT_DIR, 'presets/tobiko-docker.yaml'), 'utf8')).replace(/^(      password: .*)$/m, '$1\n      api_key: env:K1\n      app_key: env:K2'));
      const first = cli(['install', '--preset', initial, '--yes', ...rootFlags], { env });
      expect(first.code, first.stderr).toBe(0);
      const file = join(s.home, 'tobiko/tobiko.env');
      // as an older hd-setup wrote it, with app_key said not to be a secret
      writeFileSync(file, readFileSync(file, 'utf8').replace('"secretParams":["api_key","app_key"],"nonSecretParams":["port"]', '"nonSecretParams":["app_key","port"]'), { mode: 0o600 });
      const { K1: _1, K2: _2, ...without } = env;
      const plain = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: without });
      expect(plain.code).toBe(2);
      const fix = / install it again with the fix: hd-setup install --preset … (.*)\n$/.exec(plain.stderr)?.[1];
      expect(fix).toBe('--set tobiko.secretParams=[api_key,app_key] --set tobiko.nonSecretParams=[port]');
      let mended;
      if (via === '--set') mended = cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags, ...fix!.split(' ')], { env: without });
      else {
        const preset = join(s.home, 'mine.yaml');
        writeFileSync(preset, withLists(readFileSync(join(ROOT_DIR, 'presets/tobiko-docker.yaml'), 'utf8')));
        mended = cli(['install', '--preset', preset, '--yes', ...rootFlags], { env: without });
      }
      expect(mended.code, `${via}: ${mended.stderr}`).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain('"secretParams":["api_key","app_key"],"nonSecretParams":["port"]');
      for (const out of [plain.stderr, mended.stdout, mended.stderr]) for (const v of ['key-one-value-11', 'key-two-value-22']) expect(out).not.toContain(v);
      s.server.close();
    }
  });
  it('an install rewrites a corrupted installs.json keeping the good entries, with a warning', async () => {
    const { remember, readRegistry } = await import('../src/exec/registry.js');
    const home = stateHome({ [reg]: '[null, {"product": "tobiko", "runtime": "kubernetes", "namespace": "t", "release": "e", "updatedAt": "x"}]' });
    const warnings: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (warnings.push(String(s)), true)) as typeof process.stderr.write;
    try {
      remember(home, { product: 'fivetran', runtime: 'docker', installDir: '/opt/f', updatedAt: 'now' });
    } finally {
      process.stderr.write = orig;
    }
    expect(warnings.join('')).toMatch(/install \[0\] is not an object; dropped it/);
    expect(readRegistry(home).map((r) => r.product)).toEqual(['fivetran', 'tobiko']);
  });
  it('a re-run leaves the registry as it is only when it holds the install as is and nothing in it is to be dropped', async () => {
    const { holdsRecord } = await import('../src/exec/registry.js');
    const rec = { product: 'fivetran', runtime: 'docker', installDir: '/opt/f', allowRoot: true, state: 'installed', updatedAt: '2026-01-01T00:00:00.000Z' } as const;
    const text = (list: unknown[]) => ({ [reg]: JSON.stringify(list) });
    expect(holdsRecord(stateHome(text([rec])), { ...rec, updatedAt: 'later' })).toBe(true);
    expect(holdsRecord(stateHome(text([{ ...rec, stoppedAt: '2026-01-02T00:00:00.000Z' }])), rec)).toBe(false); // an install clears it
    expect(holdsRecord(stateHome(text([{ ...rec, state: 'started' }])), rec)).toBe(false);
    expect(holdsRecord(stateHome(text([rec])), { ...rec, allowRoot: undefined })).toBe(false);
    expect(holdsRecord(stateHome(text([null, rec])), rec)).toBe(false); // the rewrite drops the bad entry
    expect(holdsRecord(stateHome({}), rec)).toBe(false);
  });
});

describe('where output goes (--out, --bundle): exit 2 naming the flag and the fix, before any work', () => {
  it.each([
    [['export-preset', '--out', 'nodir/x.yaml'], '--out: the folder <d>/nodir does not exist; create it first, or give a path in an existing folder'],
    [['export-preset', '--out', '.'], '--out: <d> is a folder; name a file in it, e.g. <d>/hd-setup-preset.yaml'],
    [['export-preset', '--out', 'afile/x.yaml'], '--out: <d>/afile is not a folder; give a path in an existing folder'],
    [['doctor', '--bundle', 'nodir/b.tgz'], '--bundle: the folder <d>/nodir does not exist; create it first, or give a path in an existing folder'],
    [['doctor', '--bundle', '.'], '--bundle: <d> is a folder; name a file in it, e.g. <d>/hd-setup-diagnostics.tar.gz'],
    [['render', '--preset', 'fivetran-docker', '--out', 'afile'], '--out: <d>/afile exists and is not a folder; give a folder (it is made when missing)'],
    // a link to a folder is said as a link (it said "is not a folder"), and never written through
    [['render', '--preset', 'fivetran-docker', '--out', 'alink'], '--out: <d>/alink is a symbolic link (to <d>/adir); hd-setup does not write through links: give the folder itself'],
    // a file of the user's is never written over (one hd-setup exported or saved before is: see lossless.test.ts)
    [['export-preset', '--out', 'afile'], '--out: <d>/afile exists and is not a preset hd-setup wrote; give another name, or move it away first'],
    [['doctor', '--bundle', 'afile'], '--bundle: <d>/afile exists and is not a diagnostics bundle hd-setup wrote; give another name, or move it away first'],
    // a FIFO is said as what it is, at once (never opened for writing, which would wait for a reader)
    [['export-preset', '--out', 'afifo'], '--out: <d>/afifo is a FIFO (named pipe), not a preset hd-setup wrote; give another name, or move it away first'],
    [['doctor', '--bundle', 'afifo'], '--bundle: <d>/afifo is a FIFO (named pipe), not a diagnostics bundle hd-setup wrote; give another name, or move it away first'],
  ])('%j', (args, expected) => {
    const d = tmp();
    writeFileSync(join(d, 'afile'), 'mine\n');
    execFileSync('mkfifo', [join(d, 'afifo')]);
    mkdirSync(join(d, 'adir'));
    symlinkSync(join(d, 'adir'), join(d, 'alink'));
    const r = cli(args, { cwd: d, env: { HOME: d, FIVETRAN_TOKEN: TOKEN } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: ${expected.replaceAll('<d>', d)}\n`);
    expect(readdirSync(d).sort()).toEqual(['adir', 'afifo', 'afile', 'alink']);
    expect(readdirSync(join(d, 'adir'))).toEqual([]);
  });
});

describe('a file where hd-setup keeps a folder', () => {
  it.each([
    ['its locks folder', (d: string) => (mkdirSync(join(d, '.config/hd-setup'), { recursive: true }), writeFileSync(join(d, '.config/hd-setup/locks'), 'x\n'), d), (d: string) => `${d}/.config/hd-setup/locks is not a folder; hd-setup keeps its files in a folder there: move it away and run this again`],
    ['HOME itself', (d: string) => (writeFileSync(join(d, 'home'), 'x\n'), join(d, 'home')), (d: string) => `HOME: is ${d}/home, not a folder; set HOME to an existing folder of yours (your home directory, or one made for hd-setup: mkdir it first)`],
  ])('%s: exit 2 naming it and the fix (it was exit 1 with a raw errno)', (_, make, expected) => {
    const d = tmp();
    const home = make(d);
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', '--allow-root'], { env: { HOME: home, FIVETRAN_TOKEN: TOKEN, PATH: `${join(ROOT_DIR, 'test/stubs/bin')}:/usr/bin:/bin`, HD_STUB_STATE: join(tmp(), 'stub') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: ${expected(d)}\n`);
  });
});

describe('HOME', () => {
  it('set but empty is the home of the password database, never the working directory; a relative HOME is exit 2', () => {
    const cwd = tmp();
    // the stub runtime: what the host's real docker holds (an e2e test's controller) does not matter here
    const dry = cli(['install', '--preset', 'fivetran-docker', '--dry-run'], { env: { HOME: '', FIVETRAN_TOKEN: TOKEN, PATH: `${join(ROOT_DIR, 'test/stubs/bin')}:/usr/bin:/bin`, HD_STUB_STATE: join(tmp(), 'stub') }, cwd });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`  ${join(userInfo().homedir, 'fivetran/conf/config.json')}  (`);
    const rel = cli(['status'], { env: { HOME: 'somewhere' }, cwd });
    expect(rel.code).toBe(2);
    expect(rel.stderr).toBe(`error: HOME: is "somewhere", not an absolute path; set HOME to your home directory (e.g. HOME=${userInfo().homedir})\n`);
    expect(readdirSync(cwd)).toEqual([]);
  });
  it('a HOME that does not exist is exit 2 naming it, for every command that keeps files there, and nothing is made (the install went into a folder made for it); render takes it', () => {
    const d = tmp();
    const home = join(d, 'gone/home');
    const env = { HOME: home, FIVETRAN_TOKEN: TOKEN, PATH: `${join(ROOT_DIR, 'test/stubs/bin')}:/usr/bin:/bin`, HD_STUB_STATE: join(tmp(), 'stub') };
    for (const args of [['install', '--preset', 'fivetran-docker', '--yes', '--allow-root'], ['install', '--preset', 'fivetran-docker', '--dry-run'], ['status'], ['uninstall', '--yes'], ['export-preset']]) {
      const r = cli(args, { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`error: HOME: is ${home}, which does not exist (hd-setup does not create it); set HOME to an existing folder of yours (your home directory, or one made for hd-setup: mkdir it first)\n`);
    }
    expect(readdirSync(d)).toEqual([]);
    // render keeps nothing under HOME: it writes its files into --out (a CI job's HOME=/nonexistent)
    const out = join(tmp(), 'out');
    const r = cli(['render', '--preset', 'fivetran-kubernetes', '--out', out], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).length).toBeGreaterThan(0);
    expect(readdirSync(d)).toEqual([]);
  });
  it.each(['newline\nx', 'tab\tx'])('a HOME holding a control character (%j) is exit 2 before anything is written (it made an install no later command could read)', (name) => {
    const home = join(tmp(), name);
    mkdirSync(home);
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', '--allow-root'], { env: { HOME: home, FIVETRAN_TOKEN: TOKEN, PATH: `${join(ROOT_DIR, 'test/stubs/bin')}:/usr/bin:/bin`, HD_STUB_STATE: join(tmp(), 'stub') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: HOME: holds a control character (a newline, a tab…); set HOME to your home directory (e.g. HOME=${userInfo().homedir})\n`);
    expect(readdirSync(home)).toEqual([]);
  });
  it('one folder spelled another way (HOME=/home/ana/, //home//ana) is the same home: start and a re-run change nothing (they recreated the agent, its HOST_USER_HOME_DIR another string)', async () => {
    const { stubEnv, rootFlags } = await import('./stub-runtime.js');
    const s = await stubEnv('docker', {}, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const n = s.calls().length;
    for (const home of [`${s.home}/`, `/${s.home}//`]) {
      const start = cli(['start', ...rootFlags], { env: { ...s.env, HOME: home } });
      expect(start.code, start.stderr).toBe(0);
      const again = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: { ...s.env, HOME: home } });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/Changed: nothing/);
    }
    expect(s.calls().slice(n).filter((c) => /^(run|rm|stop|pull|network (create|rm)) /.test(c))).toEqual([]);
    s.server.close();
  });
});

describe('proxy credentials', () => {
  it('a password with an unencoded "@" is accepted and masked whole', () => {
    const { model, secrets } = load({ presetObject: fd({}, { proxy: { http: 'http://user:p@ss-W0rd@proxy.internal:3128' } }) });
    expect(model.proxy?.http).toBe('http://user:p@ss-W0rd@proxy.internal:3128');
    expect([...secrets]).toContain('p@ss-W0rd');
    expect([...secrets]).not.toContain('p');
  });
  it('a password with an unencoded "/", "?" or "#" is named as such (it said "the port must be an integer"), the value never echoed', () => {
    for (const pw of ['pa/ss', 'pa?ss', 'pa#ss']) {
      const e = problems(() => load({ presetObject: fd({}, { proxy: { https: `http://u:${pw}@proxy.internal:3128` } }) }));
      expect(e).toEqual(['proxy.https: must be an http:// or https:// URL, e.g. http://proxy.internal:3128, with "/", "?" and "#" in the user and password written as %2F, %3F and %23']);
    }
    expect(load({ presetObject: fd({}, { proxy: { https: 'http://u:pa%2Fss@proxy.internal:3128' } }) }).model.proxy?.https).toBe('http://u:pa%2Fss@proxy.internal:3128');
  });
});
