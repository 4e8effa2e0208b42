// Bundle the CLI with esbuild so that start-up is fast. Code splitting keeps the entry chunk tiny:
// `--version` loads a few hundred bytes; commands load their own chunks.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { unicodeFastPaths } from './unicode-fast-paths.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
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
  banner: { js: "import { createRequire as __hdCreateRequire } from 'node:module'; const require = __hdCreateRequire(import.meta.url);" },
  plugins: [unicodeFastPaths(root)],
  logLevel: 'warning',
});

// The preset JSON Schema, precomputed: `--set` and HD_SETUP_* parsing read it instead of building it.
const schema = spawnSync(process.execPath, [join(root, 'dist/hd-setup.mjs'), 'schema'], { encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
if (schema.status !== 0) throw new Error(`hd-setup schema failed: ${schema.stderr}`);
JSON.parse(schema.stdout);
writeFileSync(join(root, 'dist/preset.schema.json'), schema.stdout);
