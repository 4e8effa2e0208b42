#!/usr/bin/env node
// Mutation sampling: make one-line changes to src/ (chosen at random from a seed, or listed in a file), and
// for each, build and run the suite (the test files that import the changed file first, then all of them, stopping at
// the first failure); then revert. Reports how many changes
// the suite noticed. Slow (up to a whole suite per unnoticed change): run it by hand, never in `npm test`.
//   node scripts/mutation-sample.mjs [--seed N] [--count N] [--skip N] [--list FILE] [--dry-run]
// A list file has one mutation per line: path<TAB>line<TAB>replacement-line (a replacement "" deletes it).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`Usage: node scripts/mutation-sample.mjs [--seed N] [--count N] [--skip N] [--list FILE] [--dry-run]

Makes one-line changes to src/ and runs the suite against each, then reverts it; reports how many the
suite noticed. Run it by hand in a clean tree (it edits src/ while it runs).

  --seed N     choose the changes from this seed (default: from the clock; printed, to repeat a run)
  --count N    how many changes (default 10)
  --skip N     leave out the first N changes of this seed's list (resume a run)
  --list FILE  the changes from FILE, one per line: path<TAB>line<TAB>replacement ("" deletes the line)
  --dry-run    list the changes, run nothing`);
  process.exit(0);
}
const known = new Set(['--seed', '--count', '--skip', '--list', '--dry-run']);
const unknown = args.find((a, i) => a.startsWith('-') && !known.has(a) && !['--seed', '--count', '--skip', '--list'].includes(args[i - 1]));
if (unknown) {
  console.error(`error: unknown option ${unknown} (see --help)`);
  process.exit(2);
}
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const seed = Number(opt('--seed', Date.now() % 100000));
const count = Number(opt('--count', 10));
const dry = args.includes('--dry-run');
const skip = Number(opt('--skip', 0)); // resume a run: leave out the first N changes of this seed's list
let s = seed >>> 0;
const rand = (n) => { // mulberry32
  s = (s + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (((t ^ (t >>> 14)) >>> 0) / 4294967296 * n) | 0;
};

/** The files under dir whose name matches re (test/e2e and test/fixtures left out: not in the suite). */
const filesUnder = (dir, re, out = []) => {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) { if (p !== 'test/e2e' && p !== 'test/fixtures') filesUnder(p, re, out); } else if (re.test(n)) out.push(p);
  }
  return out;
};
const files = filesUnder('src', /\.tsx?$/);

// Mutation operators: each takes a line and returns a changed line or undefined (does not apply).
const ops = [
  ['negate ===', (l) => (l.includes(' === ') ? l.replace(' === ', ' !== ') : undefined)],
  ['negate !==', (l) => (l.includes(' !== ') ? l.replace(' !== ', ' === ') : undefined)],
  ['&& to ||', (l) => (l.includes(' && ') ? l.replace(' && ', ' || ') : undefined)],
  ['true/false', (l) => (/\btrue\b/.test(l) ? l.replace(/\btrue\b/, 'false') : /\bfalse\b/.test(l) ? l.replace(/\bfalse\b/, 'true') : undefined)],
  ['drop a call statement', (l) => (/^\s+[\w.]+\(.*\);\s*$/.test(l) && !/^\s+(return|throw|const|let|if)\b/.test(l) ? '' : undefined)],
  ['empty a string', (l) => (/'[^'\\]{3,}'/.test(l) && !/import|from /.test(l) ? l.replace(/'[^'\\]{3,}'/, "''") : undefined)],
  ['off by one', (l) => (/\b[1-9]\d*\b/.test(l) && !/import|from /.test(l) ? l.replace(/\b([1-9]\d*)\b/, (m) => String(Number(m) + 1)) : undefined)],
  ['return early', (l) => (/^\s+return [^;]+;\s*$/.test(l) && !/return undefined;/.test(l) ? l.replace(/return [^;]+;/, 'return undefined as any;') : undefined)], // not on a line that returns undefined already: the same program
];

function pick() {
  const out = [];
  for (let tries = 0; out.length < count * 3 && tries < 100000; tries++) {
    const f = files[rand(files.length)];
    const lines = readFileSync(f, 'utf8').split('\n');
    const i = rand(lines.length);
    const l = lines[i];
    if (!l.trim() || /^\s*(\/\/|\*|\/\*|import |export type|type |interface )/.test(l)) continue;
    const [name, op] = ops[rand(ops.length)];
    const m = op(l);
    if (m === undefined || m === l) continue;
    if (out.some((o) => o.file === f && o.line === i + 1)) continue;
    out.push({ file: f, line: i + 1, op: name, from: l, to: m });
  }
  return out;
}

/**
 * The test files that import `file` (src/x/y.ts) by its path ('…/x/y.js'), then those that import a source
 * file that imports it: the tests nearest to the change, before the whole suite.
 */
function testFilesImporting(file) {
  const spec = (f) => `/${f.replace(/^src\//, '').replace(/\.tsx?$/, '')}.js'`;
  const read = (p) => readFileSync(p, 'utf8');
  const base = `/${file.split('/').pop().replace(/\.tsx?$/, '')}.js'`;
  const importers = files.filter((f) => f !== file && read(f).includes(base) && importsFile(f, file));
  const tests = filesUnder('test', /\.test\.tsx?$/).map((t) => [t, read(t)]);
  const direct = tests.filter(([, text]) => text.includes(spec(file))).map(([t]) => t);
  const near = tests.filter(([t, text]) => !direct.includes(t) && importers.some((f) => text.includes(spec(f)))).map(([t]) => t);
  return [...direct, ...near];
}

/** Whether source file `from` imports `to` by a relative specifier. */
function importsFile(from, to) {
  const dir = from.split('/').slice(0, -1);
  for (const m of readFileSync(from, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'|import\('(\.{1,2}\/[^']+)'\)/g)) {
    const parts = [...dir];
    for (const seg of (m[1] ?? m[2]).split('/')) {
      if (seg === '..') parts.pop();
      else if (seg !== '.') parts.push(seg);
    }
    if (parts.join('/').replace(/\.js$/, '') === to.replace(/\.tsx?$/, '')) return true;
  }
  return false;
}

const list = opt('--list') ? readFileSync(opt('--list'), 'utf8').split('\n').filter(Boolean).map((r) => { const [file, line, to] = r.split('\t'); const from = readFileSync(file, 'utf8').split('\n')[Number(line) - 1]; return { file, line: Number(line), op: 'listed', from, to: to ?? '' }; }) : pick();

console.log(`seed ${seed}: up to ${count} mutations that compile`);
let caught = 0;
const results = [];
for (const m of list.slice(skip)) {
  const orig = readFileSync(m.file, 'utf8');
  const lines = orig.split('\n');
  lines[m.line - 1] = m.to;
  console.log(`\n== ${m.file}:${m.line} (${m.op})\n-  ${m.from.trim()}\n+  ${m.to.trim()}`);
  if (dry) continue;
  writeFileSync(m.file, lines.join('\n'));
  const t0 = Date.now();
  let verdict;
  try {
    // incremental: only the changed file and its dependents are checked again (minutes saved per change)
    const tsc = spawnSync('npx', ['tsc', '--noEmit', '--incremental', '--tsBuildInfoFile', 'node_modules/.cache/mutation.tsbuildinfo'], { stdio: 'ignore' });
    if (tsc.status !== 0) verdict = 'does not compile';
    else {
      // The suite's global set-up builds dist/ from the changed source. The test files that import the
      // changed file run first (a fast verdict when they notice); only if they all pass does the whole
      // suite run, so the verdict is the whole suite's either way.
      const vitest = (extra) => {
        const r = spawnSync('npx', ['vitest', ...extra, '--bail=1', '--reporter=dot'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
        const failed = /FAIL\s+(\S+)/.exec((r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, ''));
        return r.status === 0 ? undefined : `caught (${failed ? failed[1] : 'exit ' + r.status})`;
      };
      // `vitest related` takes in every test that reaches the file through imports, most of the suite for most
      // files, slowest first: the test files that import it, or a file that imports it, go first instead.
      // A test file that fails under load (a timeout) is not a catch: a failing file is run again alone, the
      // change still in place, and counts only if it fails again. Otherwise the whole suite runs once more.
      const confirmed = (v) => {
        const file = /^caught \((\S+)\)$/.exec(v ?? '')?.[1];
        if (!file || !/\.test\.tsx?$/.test(file)) return v;
        return vitest(['run', file]) ? v : undefined;
      };
      const direct = testFilesImporting(m.file);
      const whole = () => {
        const v = vitest(['run']);
        return v === undefined ? undefined : confirmed(v) ?? confirmed(vitest(['run'])); // a flake: once more
      };
      verdict = (direct.length ? confirmed(vitest(['run', ...direct])) : undefined) ?? whole() ?? 'NOT NOTICED';
    }
  } finally {
    writeFileSync(m.file, orig);
  }
  // A test file that fails without the change too (a broken set-up, a missing tool) catches every change:
  // the sample would be worthless, so it stops here.
  const file = /^caught \((\S+)\)$/.exec(verdict ?? '')?.[1];
  if (file && spawnSync('npx', ['vitest', 'run', file, '--bail=1', '--reporter=dot'], { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } }).status !== 0) {
    console.log(`   ${file} fails without the change too: fix the suite first`);
    process.exit(2);
  }
  console.log(`   ${verdict} in ${Math.round((Date.now() - t0) / 1000)} s`);
  if (verdict === 'does not compile') continue; // not a sample: the type checker refuses it before any test
  if (verdict !== 'NOT NOTICED') caught++;
  results.push({ ...m, verdict, seconds: Math.round((Date.now() - t0) / 1000) });
  if (results.length >= count) break;
}
if (!dry) {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'ignore' });
  console.log(`\n${caught}/${results.length} noticed`);
  for (const r of results.filter((x) => x.verdict === 'NOT NOTICED')) console.log(`not noticed: ${r.file}:${r.line} ${r.op}: ${r.to.trim()}`);
}
