// The bundle uses src/util/lazy-segmenter.ts as `Intl.Segmenter`. Wherever it answers by itself it must
// give exactly what ICU gives; everything else goes to the real segmenter.
import { describe, expect, it } from 'vitest';
import { LazySegmenter, isTriviallySegmented } from '../src/util/lazy-segmenter.js';

const units: number[] = [];
for (let c = 0; c <= 0xffff; c++) if (isTriviallySegmented(String.fromCharCode(c))) units.push(c);
const real = new Intl.Segmenter();
const lazy = new LazySegmenter();
const plain = (xs: Iterable<Intl.SegmentData>) => [...xs].map(({ segment, index, input }) => ({ segment, index, input }));

function same(text: string) {
  expect(plain(lazy.segment(text)), JSON.stringify(text)).toEqual(plain(real.segment(text)));
  for (let i = -1; i <= text.length; i++) {
    const a = lazy.segment(text).containing(i);
    const b = real.segment(text).containing(i);
    expect(a && { segment: a.segment, index: a.index, input: a.input }, `${JSON.stringify(text)} containing(${i})`).toEqual(b && { segment: b.segment, index: b.index, input: b.input });
  }
}

describe('lazy grapheme segmenter', () => {
  it('answers for every unit it claims, as ICU would, next to any other such unit', () => {
    // each unit alone, then each unit between two neighbours drawn from the whole set
    const s = units.map((c) => String.fromCharCode(c)).join('');
    same(s);
    for (let k = 0; k < units.length; k += 97) same(String.fromCharCode(units[k]!, units[(k * 31) % units.length]!, units[(k * 7) % units.length]!));
  });

  it('handles the text the screens draw, ANSI styles included', () => {
    for (const t of ['› Fivetran Hybrid Deployment Agent', '\u001B[36m●\u001B[39m ○ ─│┌┐', '↑↓ move · ← back', '\t\n\u001B[1m']) {
      expect(isTriviallySegmented(t)).toBe(true);
      same(t);
    }
  });

  it('hands everything else to Intl.Segmenter', () => {
    for (const t of ['👍🏽', 'e\u0301', '\r\n', '🇫🇷', '\u2764\ufe0f', '한국', 'a\u200db']) {
      expect(isTriviallySegmented(t)).toBe(false);
      same(t);
    }
    const words = new LazySegmenter('en', { granularity: 'word' });
    expect([...words.segment('hello world')].map((s) => s.isWordLike)).toEqual([true, false, true]);
    expect(lazy.resolvedOptions().granularity).toBe('grapheme');
    expect(LazySegmenter.supportedLocalesOf('en')).toEqual(['en']);
  });
});
