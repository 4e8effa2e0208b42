// A display that masks parts of a text (a URL's password, the values of secret NAME=value pairs) and says
// which parts: the wizard's line editor needs the parts themselves (state.ts), to keep a stored secret
// hidden wherever an edit moves it, not only where the text's parse finds it after the edit.

/** [start, end) in UTF-16 offsets. */
export type Span = readonly [number, number];

/** A display transform and the parts of the text it masks (as the parse of that text finds them). */
export interface SpanMask {
  (text: string): string;
  hidden(text: string): Span[];
}

/** `text` with each span (in order, not overlapping) replaced by `mask` (an empty span too: the mask is inserted). */
export function maskSpans(text: string, spans: readonly Span[], mask: string): string {
  let out = '';
  let last = 0;
  for (const [a, b] of spans) {
    out += text.slice(last, a) + mask;
    last = b;
  }
  return out + text.slice(last);
}

/** A SpanMask from the function finding the spans: the display masks every one of them with `mask`. */
export function spanMask(hidden: (text: string) => Span[], mask: string): SpanMask {
  return Object.assign((text: string) => maskSpans(text, hidden(text), mask), { hidden });
}
