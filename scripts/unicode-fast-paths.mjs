// esbuild plugin: keep Unicode set-up work out of start-up. Ink measures and slices every line of every
// frame with string-width, slice-ansi and @alcalzone/ansi-tokenize. Loaded as published, they cost the
// wizard's first frame ~55 ms before it can draw anything:
// - string-width 8 declares `/^\p{RGI_Emoji}$/v`; V8 expands that set of strings when it parses the
//   literal (~35 ms). Here it is built on first use instead.
// - four modules build an `Intl.Segmenter` when they load; the first one initialises ICU (~20 ms). Here
//   they get src/util/lazy-segmenter.ts, which answers for text whose every code unit is a grapheme of
//   its own and builds the real segmenter only when some text needs it.
// - every `import stringWidth from 'string-width'` goes through src/util/fast-string-width.ts first,
//   in front of the version that importer would have had (wrap-ansi pins v7), so plain text never
//   reaches the emoji regexes.
// The two src/ helpers are checked against the real libraries, code point by code point, in test/.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const majorVersion = (file) => Number(JSON.parse(readFileSync(join(dirname(file), 'package.json'), 'utf8')).version.split('.')[0]);
const EAGER_RGI = 'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;';
const LAZY_RGI = String.raw`let rgiEmojiCompiled; const rgiEmojiRegex = { test: (s) => (rgiEmojiCompiled ??= new RegExp('^\\p{RGI_Emoji}$', 'v')).test(s) };`;

export function unicodeFastPaths(root) {
  const lazySegmenter = join(root, 'src/util/lazy-segmenter.ts');
  const fastStringWidth = join(root, 'src/util/fast-string-width.ts');
  return {
    name: 'unicode-fast-paths',
    setup(b) {
      b.onResolve({ filter: /^string-width$/ }, async (args) => {
        if (args.pluginData?.real) return undefined;
        const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { real: true } });
        if (real.errors.length) return { errors: real.errors };
        return { path: real.path, namespace: 'fast-string-width' };
      });
      b.onLoad({ filter: /.*/, namespace: 'fast-string-width' }, (args) => ({
        resolveDir: root,
        loader: 'js',
        contents: [
          `import real from ${JSON.stringify(args.path)};`,
          `import { fastStringWidth } from ${JSON.stringify(fastStringWidth)};`,
          `export default function stringWidth(text, options) { const w = fastStringWidth(text, options, ${majorVersion(args.path) < 8}); return w === undefined ? real(text, options) : w; }`,
        ].join('\n'),
      }));
      b.onLoad({ filter: /[\\/]node_modules[\\/].*\.m?js$/, namespace: 'file' }, (args) => {
        let source = readFileSync(args.path, 'utf8');
        const segmenter = source.includes('new Intl.Segmenter(');
        const rgi = /[\\/]string-width[\\/]index\.js$/.test(args.path) && majorVersion(args.path) >= 8;
        if (!segmenter && !rgi) return undefined;
        if (rgi) {
          if (!source.includes(EAGER_RGI)) return { errors: [{ text: `${args.path} no longer declares \`${EAGER_RGI}\`: update scripts/unicode-fast-paths.mjs` }] };
          source = source.replace(EAGER_RGI, () => LAZY_RGI);
        }
        if (segmenter) source = `import { LazySegmenter as __HdLazySegmenter } from ${JSON.stringify(lazySegmenter)};\n${source.replaceAll('new Intl.Segmenter(', 'new __HdLazySegmenter(')}`;
        return { contents: source, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}
