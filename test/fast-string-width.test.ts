// The bundle puts src/util/fast-string-width.ts in front of every string-width import. It must agree
// with the real library, both the v8 Ink uses and the v7 wrap-ansi uses, wherever it answers.
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import stringWidth8 from 'string-width';
import { fastStringWidth, isSimpleCodePoint } from '../src/util/fast-string-width.js';

const require = createRequire(import.meta.url);
const wrapAnsiDir = dirname(require.resolve('wrap-ansi'));
const stringWidth7: (s: string, o?: object) => number = (await import(pathToFileURL(join(wrapAnsiDir, 'node_modules/string-width/index.js')).href)).default;

const simple: number[] = [];
for (let c = 0; c <= 0xffff; c++) if (isSimpleCodePoint(c)) simple.push(c);

describe('fast string width', () => {
  it('covers the characters the screens draw', () => {
    for (const ch of '›●○◉◯✔✖✗⚠↑↓←→─│┌┐└┘├┤…—–•·×▸▶⏵★') expect(fastStringWidth(ch), ch).not.toBeUndefined();
    for (const ch of '›●○─│…—•↑↓←→') expect(fastStringWidth(ch, {}, true), ch).not.toBeUndefined();
  });

  for (const [name, real, legacy] of [['string-width 8', stringWidth8, false], ['string-width 7', stringWidth7, true]] as const) {
    it(`agrees with ${name} on every code point it answers for, both ambiguity settings`, () => {
      const wrong: string[] = [];
      for (const c of simple) {
        const ch = String.fromCharCode(c);
        for (const ambiguousIsNarrow of [true, false]) {
          const fast = fastStringWidth(ch, { ambiguousIsNarrow }, legacy);
          if (fast === undefined && legacy) continue;
          if (fast !== real(ch, { ambiguousIsNarrow })) wrong.push(`U+${c.toString(16)} ${ambiguousIsNarrow}`);
        }
      }
      expect(wrong).toEqual([]);
    });

    it(`agrees with ${name} on mixed strings with ANSI styles`, () => {
      let seed = 7;
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
      for (let i = 0; i < 2000; i++) {
        let s = '';
        for (let j = rnd(12); j >= 0; j--) s += rnd(3) === 0 ? `\u001B[${30 + rnd(8)}m` : String.fromCharCode(simple[rnd(simple.length)]!);
        const fast = fastStringWidth(s, {}, legacy);
        if (fast !== undefined) expect(fast, JSON.stringify(s)).toBe(real(s));
      }
    });
  }

  it('leaves everything else to the library', () => {
    for (const s of ['👍', 'e\u0301', '\u200b', '日本', 'a\u00ad', '\u2028', '🇫🇷', '\u2764\ufe0f']) expect(fastStringWidth(s), JSON.stringify(s)).toBeUndefined();
    expect(fastStringWidth('abc', { countAnsiEscapeCodes: true })).toBeUndefined();
    expect(fastStringWidth('')).toBe(0);
  });
});
