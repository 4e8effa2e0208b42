// Bundle the CLI with esbuild so that start-up is fast. Code splitting keeps the entry chunk tiny:
// `--version` loads a few hundred bytes; commands load their own chunks.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { unicodeFastPaths } from './unicode-fast-paths.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// Every chunk may require() a CommonJS dependency: ESM output has no require of its own.
const BANNER = "import { createRequire as __hdCreateRequire } from 'node:module'; const require = __hdCreateRequire(import.meta.url);";
rmSync(join(root, 'dist'), { recursive: true, force: true });
const result = await build({
  metafile: true,
  entryPoints: { 'hd-setup': join(root, 'src/cli/entry.ts') },
  outdir: join(root, 'dist'),
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  alias: { 'react-devtools-core': join(root, 'scripts/stubs/react-devtools-core.mjs') },
  minify: !process.env.HD_NOMINIFY, // HD_NOMINIFY=1 for readable profiles
  sourcemap: 'linked',
  legalComments: 'none',
  define: { __HD_BUNDLE__: 'true', 'process.env.NODE_ENV': '"production"', __HD_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: BANNER },
  plugins: [unicodeFastPaths(root)],
  logLevel: 'warning',
});

// The entry answers --version with nothing loaded: not even the banner's node:module (it needs no require).
const entryFile = join(root, 'dist/hd-setup.mjs');
const entry = readFileSync(entryFile, 'utf8');
const body = entry.replace(BANNER, ''); // its line stays, empty: the source map still fits
if (/\brequire\b/.test(body) || /^import[\s{]/m.test(body)) throw new Error('the entry chunk imports something: --version would load it');
writeFileSync(entryFile, body);

// The preset JSON Schema, precomputed: `--set` and HD_SETUP_* parsing read it instead of building it.
const schema = spawnSync(process.execPath, [join(root, 'dist/hd-setup.mjs'), 'schema'], { encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
if (schema.status !== 0) throw new Error(`hd-setup schema failed: ${schema.stderr}`);
JSON.parse(schema.stdout);
writeFileSync(join(root, 'dist/preset.schema.json'), schema.stdout);

// The bundle carries third-party code: their licenses go with it (dist/THIRD_PARTY_NOTICES.md), one
// entry per package whose code is in the bundle, from the package's own license file.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^(?:[^:]+:)?(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (m) packages.set(resolve(root, m[1]), m[2]);
}
const notices = new Map();
for (const [abs, name] of packages) {
  const meta = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8'));
  const file = readdirSync(abs).find((f) => /^(licen[cs]e|copying)([.-]|$)/i.test(f));
  const author = typeof meta.author === 'string' ? meta.author : meta.author?.name;
  const text = file ? readFileSync(join(abs, file), 'utf8').trim() : `License: ${meta.license ?? 'see the package'}${author ? `, copyright ${author}` : ''} (the package ships no license file)`;
  notices.set(`${name} ${meta.version}`, `## ${name} ${meta.version}\n\n${text}\n`);
}
writeFileSync(join(root, 'dist/THIRD_PARTY_NOTICES.md'), `# Third-party software in this bundle\n\nhd-setup's bin bundles the following packages.\n\n${[...notices].sort(([a], [b]) => a.localeCompare(b)).map(([, t]) => t).join('\n')}`);
