// `Intl.Segmenter` as the bundle sees it (scripts/build.mjs points `Intl.Segmenter` here).
//
// Why: Ink's output, slice-ansi and string-width each build a grapheme segmenter when they load, and
// the first one initialises ICU, ~20 ms on every start, before the wizard can draw anything. Yet the
// text of our screens is made of code points that are each their own grapheme (ASCII, Latin, the
// arrows, box drawing and symbols blocks, C0/C1 controls but CR). For such text the segments are
// simply the code units, so this answers directly and builds the real segmenter only for text that
// needs it (emoji, combining marks, CJK, CR LF …), or for word and sentence granularity.
// test/lazy-segmenter.test.ts checks it against Intl.Segmenter on every code unit it answers for.
import { isSimpleCodePoint } from './fast-string-width.js';

type Options = Intl.SegmenterOptions | undefined;
type Locales = string | string[] | undefined;

/** True when every UTF-16 unit of `text` is a grapheme cluster of its own. */
export function isTriviallySegmented(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x9f ? c === 0x0d : !isSimpleCodePoint(c)) return false;
  }
  return true;
}

class TrivialSegments {
  constructor(private readonly input: string) {}
  containing(index = 0): Intl.SegmentData | undefined {
    const i = Math.trunc(Number(index) || 0);
    if (i < 0 || i >= this.input.length) return undefined;
    return { segment: this.input[i]!, index: i, input: this.input };
  }
  *[Symbol.iterator](): IterableIterator<Intl.SegmentData> {
    const { input } = this;
    for (let i = 0; i < input.length; i++) yield { segment: input[i]!, index: i, input };
  }
}

export class LazySegmenter {
  private real: Intl.Segmenter | undefined;
  private readonly grapheme: boolean;
  constructor(
    private readonly locales?: Locales,
    private readonly options?: Options,
  ) {
    this.grapheme = (options?.granularity ?? 'grapheme') === 'grapheme';
    if (!this.grapheme) this.real = this.make();
  }
  private make(): Intl.Segmenter {
    // globalThis.Intl: the bundler rewrites the bare `Intl.Segmenter` to this class.
    return new globalThis.Intl.Segmenter(this.locales, this.options);
  }
  segment(input: string): Intl.Segments {
    const text = String(input);
    if (this.grapheme && isTriviallySegmented(text)) return new TrivialSegments(text) as unknown as Intl.Segments;
    return (this.real ??= this.make()).segment(text);
  }
  resolvedOptions(): Intl.ResolvedSegmenterOptions {
    return (this.real ??= this.make()).resolvedOptions();
  }
  static supportedLocalesOf(locales: Locales, options?: { localeMatcher?: 'lookup' | 'best fit' }): string[] {
    return globalThis.Intl.Segmenter.supportedLocalesOf(locales ?? [], options);
  }
}
