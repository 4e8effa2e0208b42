// The hidden parts of a text field's value (a stored proxy password, a secret NAME=value's value), kept hidden
// wherever an edit moves them. A field with a masking display (SpanMask) holds each grapheme of the parts its
// display masks when the field opens as a placeholder, a private-use character standing for it (a table
// per field, in the wizard's state): the line editor moves placeholders as any character (the kill ring and
// undo too), the view draws every one as the mask, and the text is decoded wherever it leaves the field.
// Masking only what the parse of the text after each key finds took the mask off a stored secret the moment
// an edit changed how the text parses (a "/" typed before the password ends the URL's authority there).
// A private-use character that is the text's own (typed, pasted, or in the value found) is escaped the same
// way, as one shown: a placeholder always stands for an entry of the table.
import { graphemes } from './keys.js';
import type { Span } from '../../util/mask-spans.js';
import { URL_MASK } from '../../util/url-userinfo.js';

/** How a run of hidden characters draws, wherever it is (as a URL's password does). */
export const HIDDEN_MASK = URL_MASK;

/** What a placeholder stands for: a grapheme of a hidden part, or a private-use character of the text itself (shown). */
export interface Held {
  g: string;
  shown?: true;
}

/** The private-use areas, in the order placeholders are taken from them. */
const AREAS: readonly (readonly [number, number])[] = [
  [0xe000, 0xf8ff],
  [0xf0000, 0xffffd],
  [0x100000, 0x10fffd],
];
const PRIVATE = /[\uE000-\uF8FF\u{F0000}-\u{10FFFD}]/gu;

function placeholder(i: number): string | undefined {
  for (const [a, b] of AREAS) {
    if (i <= b - a) return String.fromCodePoint(a + i);
    i -= b - a + 1;
  }
  return undefined;
}

function indexOf(ch: string): number | undefined {
  const cp = ch.codePointAt(0)!;
  let base = 0;
  for (const [a, b] of AREAS) {
    if (cp >= a && cp <= b) return base + cp - a;
    base += b - a + 1;
  }
  return undefined;
}

/** Whether a text holds a private-use character (one a placeholder could be mistaken for). */
export function holdsPrivate(text: string): boolean {
  return new RegExp(PRIVATE.source, 'u').test(text);
}

/** A text's private-use characters as shown placeholders (added to `table`); one no placeholder is left for is dropped. */
export function escapePrivate(text: string, table: Held[]): string {
  return text.replace(PRIVATE, (ch) => {
    const p = placeholder(table.length);
    if (p !== undefined) table.push({ g: ch, shown: true });
    return p ?? '';
  });
}

/** A field's text as it opens: each grapheme of the hidden spans a placeholder, and the table they stand for. */
export function encodeHidden(text: string, spans: readonly Span[]): { text: string; table: Held[] } {
  const table: Held[] = [];
  let out = '';
  let last = 0;
  for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0])) {
    if (a < last || b <= a) continue;
    out += escapePrivate(text.slice(last, a), table);
    for (const g of graphemes(text.slice(a, b))) {
      const p = placeholder(table.length);
      if (p === undefined) out += g; // (beyond 137,000 hidden characters: never in a field's value)
      else {
        table.push({ g });
        out += p;
      }
    }
    last = b;
  }
  return { text: out + escapePrivate(text.slice(last), table), table };
}

/** The real text: every placeholder back to what it stands for. */
export function decodeHidden(text: string, table: readonly Held[]): string {
  if (!table.length) return text;
  return text.replace(PRIVATE, (ch) => table[indexOf(ch) ?? -1]?.g ?? ch);
}

/** What a grapheme of an encoded text draws as: undefined when it holds no placeholder, 'hidden', or the text shown. */
export function drawn(g: string, table: readonly Held[]): 'hidden' | { shown: string } | undefined {
  const first = String.fromCodePoint(g.codePointAt(0)!);
  const i = indexOf(first);
  if (i === undefined) return undefined;
  const h = table[i];
  return !h || !h.shown ? 'hidden' : { shown: h.g + decodeHidden(g.slice(first.length), table) };
}

/** An encoded text as text to show (a message that quotes it): each run of hidden placeholders as `mask`. */
export function renderHidden(text: string, table: readonly Held[], mask: string): string {
  let out = '';
  let run = false;
  for (const g of graphemes(text)) {
    const d = drawn(g, table);
    if (d !== 'hidden') out += d ? d.shown : g;
    else if (!run) out += mask;
    run = d === 'hidden';
  }
  return out;
}

/** Whether an encoded text holds a hidden placeholder. */
export function holdsHidden(text: string, table: readonly Held[]): boolean {
  return graphemes(text).some((g) => drawn(g, table) === 'hidden');
}

/** An encoded text without the whitespace around its real text (what is stored): its placeholders kept. */
export function trimEncoded(text: string, table: readonly Held[]): string {
  const g = graphemes(text);
  const blank = (x: string) => decodeHidden(x, table).trim() === '';
  let a = 0;
  let b = g.length;
  while (a < b && blank(g[a]!)) a++;
  while (b > a && blank(g[b - 1]!)) b--;
  return g.slice(a, b).join('');
}

/**
 * Whether every hidden part of an encoded text is still where the real text's parse masks a secret (`spans`,
 * UTF-16 offsets into the real text): one an edit moved elsewhere (its URL's ":" deleted, a name typed before
 * it) would be sent as plain text, shown by every output after the field.
 */
export function hiddenStillMasked(text: string, table: readonly Held[], spans: readonly (readonly [number, number])[]): boolean {
  let off = 0;
  for (const g of graphemes(text)) {
    const real = decodeHidden(g, table);
    if (drawn(g, table) === 'hidden' && !spans.some(([a, b]) => a <= off && off + real.length <= b)) return false;
    off += real.length;
  }
  return true;
}
