// The text fields' line editor (keys.ts): raw terminal sequences -> keys, and each key on a line, as
// readline users expect it. A property test checks random key sequences against a plain reference
// model of a line editor (arrays, no graphemes, no shared code).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PASTE_END, PASTE_LIMIT, PASTE_START, closePaste, editLine, joinPastes, lineAt, parseInput, pastedText, type KeyPress, type LineState, type PasteJoin } from '../../src/ui/wiz/keys.js';
import { lineParts } from '../../src/ui/wiz/Field.js';

/** Apply raw input to a line, stopping at Enter. */
function typeInto(line: LineState, raw: string): LineState {
  let l = line;
  for (const k of parseInput(raw)) {
    const r = editLine(l, k);
    if (r === 'submit') break;
    if (r) l = r;
  }
  return l;
}
/** The line as text with `|` at the cursor. */
const show = (l: LineState) => {
  const g = [...new Intl.Segmenter().segment(l.text)].map((s) => s.segment);
  return `${g.slice(0, l.cursor).join('')}|${g.slice(l.cursor).join('')}`;
};
/** A line from `before|after`. */
const at = (marked: string): LineState => {
  const i = marked.indexOf('|');
  const text = marked.replace('|', '');
  return { ...lineAt(text), cursor: [...new Intl.Segmenter().segment(marked.slice(0, i))].length };
};

describe('raw input -> keys', () => {
  const one = (raw: string) => {
    const ks = parseInput(raw);
    expect(ks).toHaveLength(1);
    return ks[0]!;
  };
  it('reads the sequences terminals send for editing keys', () => {
    for (const s of ['\x1b[H', '\x1bOH', '\x1b[1~', '\x1b[7~']) expect(one(s)).toMatchObject({ home: true });
    for (const s of ['\x1b[F', '\x1bOF', '\x1b[4~', '\x1b[8~']) expect(one(s)).toMatchObject({ end: true });
    expect(one('\x1b[3~')).toEqual({ input: '', delete: true });
    expect(one('\x7f')).toEqual({ input: '', backspace: true });
    expect(one('\b')).toEqual({ input: '', backspace: true });
    expect(one('\x1b\x7f')).toEqual({ input: '', backspace: true, meta: true });
    expect(one('\x1bb')).toEqual({ input: 'b', meta: true });
    expect(one('\x1bf')).toEqual({ input: 'f', meta: true });
    expect(one('\x1bd')).toEqual({ input: 'd', meta: true });
    expect(one('\x1b[1;3D')).toEqual({ input: '', leftArrow: true, meta: true });
    expect(one('\x1b[1;3C')).toEqual({ input: '', rightArrow: true, meta: true });
    expect(one('\x1b[1;5D')).toEqual({ input: '', leftArrow: true, ctrl: true });
    expect(one('\x1b\x1b[D')).toEqual({ input: '', leftArrow: true, meta: true });
    expect(one('\x1b[D')).toEqual({ input: '', leftArrow: true });
    expect(one('\x1bOC')).toEqual({ input: '', rightArrow: true });
    expect(one('\x1b[5~')).toMatchObject({ pageUp: true });
    expect(one('\x1b')).toEqual({ input: '', escape: true });
    expect(one('\x01')).toEqual({ input: 'a', ctrl: true });
    expect(one('\x15')).toEqual({ input: 'u', ctrl: true });
    expect(one('\x17')).toEqual({ input: 'w', ctrl: true });
    expect(one('\x19')).toEqual({ input: 'y', ctrl: true });
    expect(one('\x03')).toEqual({ input: 'c', ctrl: true });
  });
  it('splits a chunk into keys: text runs stay whole (a paste), CR LF is one Enter', () => {
    expect(parseInput('abc\x1b[Dx\r\nq')).toEqual([{ input: 'abc' }, { input: '', leftArrow: true }, { input: 'x' }, { input: '', return: true }, { input: 'q' }]);
    expect(parseInput('\r\r')).toHaveLength(2);
    expect(parseInput('a\x1b')).toEqual([{ input: 'a' }, { input: '', escape: true }]);
    // Escape pressed n times, arriving in one chunk: n Escapes (it went back ceil(n/2) screens)
    for (const n of [2, 3, 4]) expect(parseInput('\x1b'.repeat(n))).toEqual(Array.from({ length: n }, () => ({ input: '', escape: true })));
    expect(parseInput('\x1b\x1b\x1b[D')).toEqual([{ input: '', escape: true }, { input: '', leftArrow: true, meta: true }]);
    expect(parseInput('\x1b[1;3')).toEqual([]); // an unterminated sequence is dropped, not typed
    expect(parseInput('\x00\x1c')).toEqual([]);
  });
});

describe('bracketed paste (the terminal marks a paste: ESC[200~ … ESC[201~)', () => {
  /** Ink's input events in order, through joinPastes as the wizard's input hook feeds them. */
  const join = (...events: string[]) => {
    let state: PasteJoin = {};
    const units: string[] = [];
    for (const e of events) {
      const r = joinPastes(state, e);
      state = r.state;
      units.push(...r.units);
    }
    return { units, state, keys: units.flatMap((u) => parseInput(u)) };
  };
  it('a paste that came in several events (markers, text runs, escapes, reads) is one unit; keys around it stay keys', () => {
    // as Ink hands them over: each marker and escape sequence an event, text runs between
    const { units, state, keys } = join('a', PASTE_START, 'line one\r', 'line two', '\x1b[A', '\r', PASTE_END, '\r');
    expect(state).toEqual({});
    expect(units).toEqual(['a', `${PASTE_START}line one\rline two\x1b[A\r${PASTE_END}`, '\r']);
    expect(keys).toEqual([{ input: 'a' }, { input: 'line one\rline two\x1b[A\r', paste: true }, { input: '', return: true }]);
    // all in one event, twice over
    expect(join(`x${PASTE_START}p${PASTE_END}${PASTE_START}q\n${PASTE_END}y`).keys).toEqual([{ input: 'x' }, { input: 'p', paste: true }, { input: 'q\n', paste: true }, { input: 'y' }]);
    // Ctrl-C inside a paste is pasted text, not an interrupt
    expect(parseInput(`${PASTE_START}\x03${PASTE_END}`)).toEqual([{ input: '\x03', paste: true }]);
  });
  it('a marker cut in two by a read (Ink passes "ESC[20" on as an event of its own) is still a marker', () => {
    // the end cut: the paste ends there, and the keys after it are keys (they were held in the paste, then replayed)
    const cutEnd = join(PASTE_START, 'abc', '\x1b[20', '1~', '\x1b[B', '\x03');
    expect(cutEnd.state).toEqual({});
    expect(cutEnd.keys).toEqual([{ input: 'abc', paste: true }, { input: '', downArrow: true }, { input: 'c', ctrl: true }]);
    for (const at of [1, 2, 3, 4, 5]) expect(join(PASTE_START, `abc${PASTE_END.slice(0, at)}`, `${PASTE_END.slice(at)}\r`).keys).toEqual([{ input: 'abc', paste: true }, { input: '', return: true }]);
    // the start cut: its line break is still no Enter
    for (const at of [3, 4, 5]) expect(join(`x${PASTE_START.slice(0, at)}`, `${PASTE_START.slice(at)}a\rb${PASTE_END}`).keys).toEqual([{ input: 'x' }, { input: 'a\rb', paste: true }]);
    // what only looked like the start of one is keys as before: a lone Escape is never held
    expect(join('\x1b').keys).toEqual([{ input: '', escape: true }]);
    expect(join('\x1b[2', '~').keys).toEqual([{ input: '' }]); // Insert: nothing
  });
  it('a paste not yet ended waits for its end; what it holds is bounded: PASTE_LIMIT + 1 characters and its last few', () => {
    let r = joinPastes({}, `${PASTE_START}abc`);
    expect(r).toEqual({ state: { open: 'abc' }, units: [] });
    r = joinPastes(r.state, 'def');
    expect(r).toEqual({ state: { open: 'abcdef' }, units: [] });
    let state: PasteJoin = r.state;
    const chunk = 'x'.repeat(16 * 1024);
    for (let i = 0; i < 64; i++) state = joinPastes(state, chunk).state; // 1 MiB pasted
    expect(state.open!.length).toBeLessThanOrEqual(PASTE_LIMIT + PASTE_END.length);
    const done = joinPastes(state, `\x1b[2`); // its end, cut after the limit
    const ended = joinPastes(done.state, `01~z`);
    expect(ended.state).toEqual({});
    expect(ended.units[1]).toBe('z');
    expect(pastedText(parseInput(ended.units[0]!)[0]!.input, true)).toEqual({ error: 'The paste is longer than 65,536 characters; nothing was inserted' });
    // one that never ends is closed by the input hook after PASTE_WAIT_MS: the keys held in it stay text
    expect(parseInput(closePaste('abc\x03'))).toEqual([{ input: 'abc\x03', paste: true }]);
  });
  it('into a field: without the blank lines around it; a one-line field refuses one of several lines, a multi-line one keeps them as "\\n"; no control character goes in', () => {
    expect(pastedText('token-123\n', false)).toEqual({ text: 'token-123' });
    expect(pastedText('\r\ntoken-123\r\n  \r\n', false)).toEqual({ text: 'token-123' });
    expect(pastedText('a\nb', false)).toEqual({ error: 'The paste spans several lines and this field takes one: nothing was inserted; copy a single line' });
    expect(pastedText('-----BEGIN-----\r\nMIIE\r-----END-----\r\n', true)).toEqual({ text: '-----BEGIN-----\nMIIE\n-----END-----' });
    expect(pastedText('x'.repeat(PASTE_LIMIT), false)).toEqual({ text: 'x'.repeat(PASTE_LIMIT) });
    expect(pastedText('a\tb', false)).toEqual({ error: 'The paste holds a control character (U+0009: a tab, an escape code): nothing was inserted' });
    expect(pastedText('\x1b[31mred', true)).toEqual({ error: 'The paste holds a control character (U+001B: a tab, an escape code): nothing was inserted' });
  });
});

describe('line editor: each key', () => {
  const cases: [string, string, string][] = [
    // [line before, raw keys, line after]
    ['abc|', '\x1b[D', 'ab|c'],
    ['abc|', '\x02', 'ab|c'],
    ['|abc', '\x1b[C', 'a|bc'],
    ['|abc', '\x06', 'a|bc'],
    ['|abc', '\x1b[D', '|abc'],
    ['abc|', '\x1b[C', 'abc|'],
    ['ab|c', '\x1b[H', '|abc'],
    ['ab|c', '\x1b[1~', '|abc'],
    ['ab|c', '\x01', '|abc'],
    ['a|bc', '\x1b[F', 'abc|'],
    ['a|bc', '\x1b[4~', 'abc|'],
    ['a|bc', '\x05', 'abc|'],
    ['ab|c', '\x7f', 'a|c'],
    ['ab|c', '\b', 'a|c'],
    ['|abc', '\x7f', '|abc'],
    ['ab|c', '\x1b[3~', 'ab|'],
    ['ab|c', '\x04', 'ab|'],
    ['abc|', '\x1b[3~', 'abc|'],
    ['ab|cd', '\x15', '|cd'],
    ['ab|cd', '\x0b', 'ab|'],
    ['ab|cd', 'XY', 'abXY|cd'],
    // readline: Alt-B/F/D and Alt-Backspace stop at non-alphanumerics; Ctrl-W kills back to whitespace
    ['localhost, 127.0.0.1|', '\x1bb', 'localhost, 127.0.0.|1'],
    ['localhost, 127.0.0.1|', '\x1b[1;3D', 'localhost, 127.0.0.|1'],
    ['localhost, 127.0.0.1|', '\x1bb\x1bb\x1bb', 'localhost, 127.|0.0.1'],
    ['|localhost, 127.0.0.1', '\x1bf', 'localhost|, 127.0.0.1'],
    ['|localhost, 127.0.0.1', '\x1bf\x1bf', 'localhost, 127|.0.0.1'],
    ['|localhost, 127.0.0.1', '\x1b[1;3C', 'localhost|, 127.0.0.1'],
    ['localhost|, 127.0.0.1', '\x1bd', 'localhost|.0.0.1'],
    ['http://proxy.internal:3128 a/b-c|', '\x17', 'http://proxy.internal:3128 |'],
    ['http://proxy.internal:3128 a/b-c  |', '\x17', 'http://proxy.internal:3128 |'],
    ['http://proxy.internal:3128 a/b-c|', '\x1b\x7f', 'http://proxy.internal:3128 a/b-|'],
    ['one two|', '\x17\x17', '|'],
    // yank: the last kill, at the cursor; consecutive kills add up as one
    ['ab|cd', '\x0b\x01\x19', 'cd|ab'],
    ['one two three|', '\x17\x17\x19', 'one two three|'],
    ['one two three|', '\x17\x17\x1b[H\x19', 'two three|one '],
    ['one two|', '\x17X\x17\x19', 'one X|'], // X broke the run of kills: the second kill is "X" alone
    ['|abc', '\x19', '|abc'],
    // graphemes: an accented letter (e + combining acute) or an emoji is one cursor step
    ['cafe\u0301|', '\x1b[D', 'caf|e\u0301'],
    ['cafe\u0301|', '\x7f', 'caf|'],
    ['a👩‍💻|b', '\x1b[D\x1b[3~', 'a|b'],
  ];
  for (const [before, keys, after] of cases) {
    it(`${JSON.stringify(before)} + ${JSON.stringify(keys)} -> ${JSON.stringify(after)}`, () => {
      expect(show(typeInto(at(before), keys))).toBe(after);
    });
  }
  it('Enter submits; keys that do not edit leave the line to the caller', () => {
    expect(editLine(at('ab|'), { input: '', return: true })).toBe('submit');
    for (const k of [{ upArrow: true }, { downArrow: true }, { escape: true }, { tab: true }, { input: 'c', ctrl: true }, { input: 'x', meta: true }] as Partial<KeyPress>[]) {
      expect(editLine(at('ab|'), { input: '', ...k } as KeyPress)).toBeUndefined();
    }
  });
});

describe('masked and displayed lines', () => {
  it('a short secret draws a bullet per character with the cursor among them', () => {
    expect(lineParts('secret', 2, { mask: '•' })).toEqual({ before: '••', at: '•', after: '•••' });
    expect(lineParts('secret', 6, { mask: '•' })).toEqual({ before: '••••••', at: ' ', after: '' });
  });
  it('a long token draws as a short mask and its length, never its characters', () => {
    const token = 'Y2xldmVyX3RpZ2VyOlN1cDNyUzNjcmV0VG9rZW5QYXJ0';
    const end = lineParts(token, token.length, { mask: '•' });
    expect(end.before).toBe(`•••••••• (${token.length} characters)`);
    const mid = lineParts(token, 3, { mask: '•' });
    expect(`${mid.before}${mid.at}${mid.after}`).toBe(`•••••••• (${token.length} characters; cursor at 4)`);
  });
  it('the mask never shrinks as one types: eight bullets, then eight and the length', () => {
    expect(lineParts('12345678', 8, { mask: '•' }).before).toBe('••••••••');
    expect(lineParts('123456789', 9, { mask: '•' }).before).toBe('•••••••• (9 characters)');
  });
  it('the length counts what is stored: spaces around a pasted secret are counted apart, as dropped', () => {
    const token = 'Y2xldmVyX3RpZ2VyOlN1cDNyUzNjcmV0VG9rZW5QYXJ0';
    expect(lineParts(`  ${token} `, token.length + 3, { mask: '•' }).before).toBe(`•••••••• (${token.length} characters; 3 spaces around it dropped)`);
    expect(lineParts(`${token}\t`, 0, { mask: '•' }).before).toBe(`•••••••• (${token.length} characters; 1 space around it dropped; cursor at 1)`);
    // spaces inside are the secret's own
    expect(lineParts('abcd efgh ij', 12, { mask: '•' }).before).toBe('•••••••• (12 characters)');
  });
  it('credentials masked on display: the cursor keeps its place outside the mask, nothing leaks', () => {
    const mask = (v: string) => v.replace(/(:\/\/[^:@]+:)[^@]+@/, '$1***@');
    const url = 'http://u:hunter2@proxy:3128';
    const p = lineParts(url, url.length - 2, { display: mask });
    expect(`${p.before}[${p.at}]${p.after}`).toBe('http://u:***@proxy:31[2]8');
    const inside = lineParts(url, 11, { display: mask });
    expect(`${inside.before}${inside.at}${inside.after}`).not.toContain('hunter');
  });
});

// ---- property: random editing keys against a reference model ----
type Op =
  | { k: 'ins'; s: string }
  | { k: 'left' | 'right' | 'home' | 'end' | 'bs' | 'del' | 'ku' | 'kk' | 'kw' | 'md' | 'mbs' | 'wl' | 'wr' | 'yank' };
const RAW: Record<Exclude<Op['k'], 'ins'>, string[]> = {
  left: ['\x1b[D', '\x02', '\x1bOD'],
  right: ['\x1b[C', '\x06'],
  home: ['\x1b[H', '\x01', '\x1b[1~', '\x1bOH'],
  end: ['\x1b[F', '\x05', '\x1b[4~'],
  bs: ['\x7f', '\b'],
  del: ['\x1b[3~', '\x04'],
  ku: ['\x15'],
  kk: ['\x0b'],
  kw: ['\x17'],
  md: ['\x1bd'],
  mbs: ['\x1b\x7f'],
  wl: ['\x1bb', '\x1b[1;3D', '\x1b[1;5D'],
  wr: ['\x1bf', '\x1b[1;3C'],
  yank: ['\x19'],
};
class Ref {
  chars: string[] = [];
  cur = 0;
  kill = '';
  lastKill = false;
  constructor(text: string) {
    this.chars = [...text];
    this.cur = this.chars.length;
  }
  private word = (c: string) => /[A-Za-z0-9é]/.test(c); // readline: letters and digits
  private cut(from: number, to: number, back: boolean) {
    const s = this.chars.splice(from, to - from).join('');
    this.kill = this.lastKill ? (back ? s + this.kill : this.kill + s) : s;
    this.cur = from;
  }
  apply(op: Op) {
    const wasKill = this.lastKill;
    this.lastKill = false;
    const n = this.chars.length;
    let i = this.cur;
    switch (op.k) {
      case 'ins':
        this.chars.splice(this.cur, 0, ...op.s);
        this.cur += op.s.length;
        break;
      case 'left':
        this.cur = Math.max(0, i - 1);
        break;
      case 'right':
        this.cur = Math.min(n, i + 1);
        break;
      case 'home':
        this.cur = 0;
        break;
      case 'end':
        this.cur = n;
        break;
      case 'bs':
        if (i > 0) this.chars.splice(--this.cur, 1);
        break;
      case 'del':
        if (i < n) this.chars.splice(i, 1);
        break;
      case 'wl':
        while (i > 0 && !this.word(this.chars[i - 1]!)) i--;
        while (i > 0 && this.word(this.chars[i - 1]!)) i--;
        this.cur = i;
        break;
      case 'wr':
        while (i < n && !this.word(this.chars[i]!)) i++;
        while (i < n && this.word(this.chars[i]!)) i++;
        this.cur = i;
        break;
      case 'yank':
        this.chars.splice(this.cur, 0, ...this.kill);
        this.cur += [...this.kill].length;
        break;
      default: {
        this.lastKill = wasKill;
        if (op.k === 'ku') this.cut(0, i, true);
        else if (op.k === 'kk') this.cut(i, n, false);
        else if (op.k === 'kw') {
          let j = i;
          while (j > 0 && this.chars[j - 1] === ' ') j--;
          while (j > 0 && this.chars[j - 1] !== ' ') j--;
          this.cut(j, i, true);
        } else if (op.k === 'md') {
          let j = i;
          while (j < n && !this.word(this.chars[j]!)) j++;
          while (j < n && this.word(this.chars[j]!)) j++;
          this.cut(i, j, false);
        } else {
          let j = i;
          while (j > 0 && !this.word(this.chars[j - 1]!)) j--;
          while (j > 0 && this.word(this.chars[j - 1]!)) j--;
          this.cut(j, i, true);
        }
        this.lastKill = true;
      }
    }
  }
}

const opArb: fc.Arbitrary<[Op, number]> = fc.tuple(
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', 'Z', '1', ' ', '/', '.', '-', ':', 'é'), minLength: 1, maxLength: 4 }).map((s): Op => ({ k: 'ins', s })) },
    { weight: 7, arbitrary: fc.constantFrom(...(Object.keys(RAW) as (keyof typeof RAW)[])).map((k): Op => ({ k }) as Op) },
  ),
  fc.nat(3),
);
const rawOf = ([op, v]: [Op, number]) => (op.k === 'ins' ? op.s : RAW[op.k][v % RAW[op.k].length]!);

describe('line editor: property', () => {
  it('random editing keys give exactly the reference editor\'s line (nothing lost or duplicated)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '7', ' ', '.', '/'), maxLength: 12 }), fc.array(opArb, { maxLength: 40 }), (start, ops) => {
        const ref = new Ref(start);
        let l = lineAt(start);
        for (const op of ops) {
          ref.apply(op[0]);
          l = typeInto(l, rawOf(op));
          expect(l.text).toBe(ref.chars.join(''));
          expect(l.cursor).toBe(ref.cur);
        }
      }),
      { numRuns: 500 },
    );
  });
  it('the same keys in one chunk (a paste, a slow SSH link) give the same line as one by one', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
        const raws = ops.map(rawOf);
        // typed runs that touch would merge into one paste: the same text either way
        const oneByOne = raws.reduce((l, r) => typeInto(l, r), lineAt('start'));
        const chunk = typeInto(lineAt('start'), raws.join(''));
        expect(show(chunk)).toBe(show(oneByOne));
      }),
      { numRuns: 300 },
    );
  });
});
