// A fast path in front of `string-width`, wired in by the bundler (scripts/build.mjs) for every package
// that imports it (Ink, wrap-ansi, widest-line, cli-truncate).
//
// Why: string-width decides emoji width with `/^\p{RGI_Emoji}$/v` (v8) or emoji-regex (v7). The first
// test of the RGI regex compiles a huge character-class-of-strings and costs ~30 ms, and Ink measures
// every non-ASCII character of the first frame (the bullets, arrows and rules of the wizard), so it used
// to land right on the time to the wizard's first frame.
//
// The fast path answers only for text whose every code point is its own grapheme cluster and can never
// take part in an emoji sequence: printable ASCII, Latin-1 and Latin Extended letters and the
// punctuation, arrows, maths, box-drawing, geometric shapes and symbols blocks (U+2010–U+2BFF minus
// the invisible and bidi controls). For those, both string-width versions return the East Asian Width
// of each code point (the Unicode rule that makes every Emoji_Presentation character Wide keeps the
// emoji ones consistent). Anything else returns `undefined`, and the caller asks the real library.
// test/render/fast-string-width.test.ts checks every code point of these ranges against both versions.
import { eastAsianWidth } from 'get-east-asian-width';
import stripAnsi from 'strip-ansi';

export interface StringWidthOptions {
  ambiguousIsNarrow?: boolean;
  countAnsiEscapeCodes?: boolean;
}

/** True for code points the fast path may measure on their own. */
export function isSimpleCodePoint(c: number): boolean {
  if (c >= 0x20 && c <= 0x7e) return true;
  if (c >= 0xa0 && c <= 0x2ff) return c !== 0xad; // soft hyphen is default-ignorable
  if (c >= 0x2010 && c <= 0x2027) return true; // dashes, quotes, bullets, ellipsis
  if (c >= 0x2030 && c <= 0x205e) return true; // per mille … (not U+2028–202F line/bidi controls)
  if (c >= 0x2100 && c <= 0x2bff) return true; // letterlike … arrows, box drawing, shapes, dingbats
  return false;
}

// string-width 7 counts text-presentation emoji (©, ↔, ✔, ⚠ …) as 2 columns where v8 and terminals
// use 1; in front of v7 the fast path leaves every emoji code point to it, so nothing changes there.
const emojiCodePoint = /\p{Emoji}/u;

export function fastStringWidth(input: unknown, options: StringWidthOptions = {}, legacy = false): number | undefined {
  if (typeof input !== 'string' || input.length === 0) return 0;
  if (options.countAnsiEscapeCodes) return undefined;
  const text = input.includes('\u001B') || input.includes('\u009B') ? stripAnsi(input) : input;
  const ambiguousAsWide = options.ambiguousIsNarrow === false;
  let width = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      width++;
      continue;
    }
    if (!isSimpleCodePoint(c) || (legacy && emojiCodePoint.test(text[i]!))) return undefined;
    width += eastAsianWidth(c, { ambiguousAsWide });
  }
  return width;
}
