// The text fields' line editor (keys.ts): raw terminal sequences -> keys, and each key on a line, as
// readline users expect it. A property test checks random key sequences against a plain reference
// model of a line editor (arrays, no graphemes, no shared code).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PASTE_END, PASTE_LIMIT, PASTE_START, closePaste, editLine, joinPastes, lineAt, parseInput, pastedText, type KeyPress, type LineState, type PasteJoin } from '../../src/ui/wiz/keys.js';
import { lineParts } from '../../src/ui/wiz/Field.js';
import { createState, currentQuestion, prefill, reduce, type WizardState } from '../../src/ui/wiz/state.js';
import { TOKEN } from '../helpers.js';

/** Apply raw input to a line, stopping at Enter (an Enter after Ctrl-X is its second key, not Enter). */
function typeInto(line: LineState, raw: string): LineState {
  let l = line;
  for (const k of parseInput(raw)) {
    // a bracketed paste goes in as the wizard's fields put it in (vetted: pastedText)
    const r = editLine(l, k.paste ? { input: k.input, pasted: true } : k);
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
    // undo (Ctrl-_, which terminals also send for Ctrl-/), Ctrl-X, Ctrl-T, Alt-U/L/C/Y
    expect(one('\x1f')).toEqual({ input: '_', ctrl: true });
    expect(one('\x18')).toEqual({ input: 'x', ctrl: true });
    expect(one('\x14')).toEqual({ input: 't', ctrl: true });
    for (const c of 'ulcy') expect(one(`\x1b${c}`)).toEqual({ input: c, meta: true });
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

// What `bash --norc` (readline 8.2, emacs mode, INPUTRC=/dev/null, C.UTF-8) did with the same keys, typed
// one by one into tmux (send-keys, 50 ms apart) from an empty line, read back with capture-pane and the
// cursor's column. The wizard gets the same line whether the keys come one by one or in one chunk (the
// property below), so each case is one chunk here.
describe('readline fidelity: what bash did', () => {
  const UNDO = '\x1f';
  const CX = '\x18';
  const L = '\x1b[D';
  const R = '\x1b[C';
  const BS = '\x7f';
  const KILLS = `x1 x2 x3\x17${BS}\x17${BS}\x17> `; // kill ring: x3, x2, x1 (the newest); the line "> "
  const cases: [string, string, string][] = [
    // undo: typed characters go in runs of up to 20; each deletion is a step; a cursor move does not end a run
    ['undo a typed run', `abc${UNDO}`, '|'],
    ['undo 25 typed: the last 5', `abcdefghijklmnopqrstuvwxy${UNDO}`, 'abcdefghijklmnopqrst|'],
    ['undo 25 typed, twice', `abcdefghijklmnopqrstuvwxy${UNDO}${UNDO}`, '|'],
    ['19 typed, then 3: the 20th joins the first run', `abcdefghijklmnopqrsxyz${UNDO}`, 'abcdefghijklmnopqrsx|'],
    ['a move back to the run\'s end does not end it', `abc${L}${R}d${UNDO}`, '|'],
    ['typing elsewhere is a new step', `abc${L}d${UNDO}`, 'ab|c'],
    ['... and the one before it', `abc${L}d${UNDO}${UNDO}`, '|'],
    ['a space does not end a run', `ab cd${UNDO}`, '|'],
    ['each Backspace is a step', `abcd${BS}${BS}${UNDO}`, 'abc|'],
    ['two Backspaces, two undos', `abcd${BS}${BS}${UNDO}${UNDO}`, 'abcd|'],
    ['undo Ctrl-U: the cursor after what comes back', `abcd${L}${L}\x15${UNDO}`, 'ab|cd'],
    ['undo Ctrl-K', `abcd${L}${L}\x0b${UNDO}`, 'abcd|'],
    ['undo Ctrl-D', `abcd\x01\x04${UNDO}`, 'a|bcd'],
    ['undo Alt-D', `ab cd ef\x01\x1bf\x1bd${UNDO}`, 'ab cd| ef'],
    ['two Ctrl-W, one undo: the second kill comes back', `one two three\x17\x17${UNDO}`, 'one two |'],
    ['undo with nothing to undo', `${UNDO}a`, 'a|'],
    ['typing after an undo joins the run it ends', `abc${BS}${UNDO}d${UNDO}`, '|'],
    ['Ctrl-X Ctrl-U undoes too', `ab cd${BS}${CX}\x15`, 'ab cd|'],
    ['Ctrl-X Ctrl-U, twice', `ab cd${BS}${CX}\x15${CX}\x15`, '|'],
    // Ctrl-X and a key it does not take: nothing at all (bash typed the "[D" of an arrow: not copied)
    ['Ctrl-X a', `abc${CX}a`, 'abc|'],
    ['Ctrl-X Enter', `abc${CX}\r`, 'abc|'],
    ['Ctrl-X ←', `abc${CX}${L}`, 'abc|'],
    ['Ctrl-X Ctrl-K (no kill)', `abc\x01${CX}\x0b`, '|abc'],
    ['Ctrl-X Backspace kills back to the start', `abcd${L}${CX}${BS}`, '|d'],
    ['... which undo puts back', `abcd${L}${CX}${BS}${UNDO}`, 'abc|d'],
    // Ctrl-T
    ['Ctrl-T at the end: the two before', 'abcd\x14', 'abdc|'],
    ['Ctrl-T in the middle', `abcd${L}${L}\x14`, 'acb|d'],
    ['Ctrl-T at the start: nothing', 'abcd\x01\x14', '|abcd'],
    ['Ctrl-T after the first', `abcd\x01${R}\x14`, 'ba|cd'],
    ['Ctrl-T on one character', 'a\x14', 'a|'],
    ['Ctrl-T on nothing', '\x14', '|'],
    ['Ctrl-T twice at the end', 'abcd\x14\x14', 'abcd|'],
    ['undo Ctrl-T (middle)', `abcd${L}${L}\x14${UNDO}`, 'ab|cd'],
    ['undo Ctrl-T (end)', `abcd\x14${UNDO}`, 'abc|d'],
    ['typing after Ctrl-T is a step of its own', `abcd${L}${L}\x14x${UNDO}`, 'acb|d'],
    ['... at the end too', `abcd\x14x${UNDO}${UNDO}`, 'abc|d'],
    ['Ctrl-T swaps letters with their accents', 'aé\x14', 'éa|'],
    ['Ctrl-T: e + combining acute is one', 'ae\u0301\x14', 'e\u0301a|'],
    // Alt-U / Alt-L / Alt-C: from the cursor to the end of the word, the cursor after it
    ['Alt-U', 'hello-world foo\x01\x1bu', 'HELLO|-world foo'],
    ['Alt-U twice', 'hello-world foo\x01\x1bu\x1bu', 'HELLO-WORLD| foo'],
    ['Alt-U in a word', `hello-world foo\x01${R}${R}\x1bu`, 'heLLO|-world foo'],
    ['Alt-Shift-U is Alt-U', 'ab cd\x01\x1bU', 'AB| cd'],
    ['Alt-C', 'hELLO-wORLD foo\x01\x1bc', 'Hello|-wORLD foo'],
    ['Alt-C three times', 'hELLO-wORLD foo\x01\x1bc\x1bc\x1bc', 'Hello-World Foo|'],
    ['Alt-C in a word: its first letter from the cursor', `hELLO-wORLD foo\x01${R}${R}\x1bc`, 'hELlo|-wORLD foo'],
    ['Alt-C: a digit first, the rest down', 'x 3ABC d\x01\x1bf\x1bc', 'x 3abc| d'],
    ['Alt-L', 'ABC DEF\x01\x1bl', 'abc| DEF'],
    ['Alt-L from a space', 'ABC DEF\x01\x1bf\x1bl', 'ABC def|'],
    ['Alt-U at the end: nothing', 'abc \x1bu', 'abc |'],
    ['undo Alt-U', 'abc def\x01\x1bu' + UNDO, 'abc| def'],
    ['Alt-U at the end is no step', 'abc\x1bu' + UNDO, '|'],
    ['Alt-U that changes nothing is a step', 'ABC def\x01\x1bu' + UNDO, 'ABC| def'],
    ['Alt-U with accents (ß stays: its upper case is two letters)', 'été straße\x01\x1bu\x1bu', 'ÉTÉ STRAßE|'],
    ['Alt-C with accents', 'éTÉ\x01\x1bc', 'Été|'],
    ['Alt-U: combining accents go with their letter', 'e\u0301te\u0301\x01\x1bu', 'E\u0301TE\u0301|'],
    // Alt-Y and the kill ring
    ['Ctrl-Y: the newest kill', `${KILLS}\x19`, '> x1|'],
    ['Alt-Y: the one before', `${KILLS}\x19\x1by`, '> x2|'],
    ['Alt-Y twice', `${KILLS}\x19\x1by\x1by`, '> x3|'],
    ['Alt-Y cycles', `${KILLS}\x19\x1by\x1by\x1by`, '> x1|'],
    ['Ctrl-Y after Alt-Y yanks where Alt-Y left', `${KILLS}\x19\x1by \x19`, '> x2 x2|'],
    ['Alt-Y without a yank: nothing', `${KILLS}\x1by`, '> |'],
    ['Alt-Y after a move: nothing', `${KILLS}\x19${L}${R}\x1by`, '> x1|'],
    ['undo Alt-Y: its yank goes', `${KILLS}\x19\x1by${UNDO}`, '> |'],
    ['... then the yank it replaced is back', `${KILLS}\x19\x1by${UNDO}${UNDO}`, '> x1|'],
    ['... then that goes', `${KILLS}\x19\x1by${UNDO}${UNDO}${UNDO}`, '> |'],
    ['Alt-Y in the middle of the line', `x1 x2 x3\x17${BS}\x17${BS}\x17<>${L}\x19\x1by`, '<x2|>'],
    ['a new kill is the newest again', `${KILLS}\x19\x1by k\x17\x19\x1by`, '> x2 x1|'],
    ['a kill after Alt-Y', `x1 x2\x17${BS}\x17\x19\x1by\x17\x19`, 'x2|'],
    ['one kill: Alt-Y yanks it again', `ab cd\x17\x19\x1by`, 'ab cd|'],
    ['typing after a yank joins its step', `ab cd\x17\x19z${UNDO}`, 'ab |'],
    ['the ring keeps 10: Alt-Y ×9', `k1 k2 k3 k4 k5 k6 k7 k8 k9 k10 k11${`\x17${BS}`.repeat(11)}\x19${'\x1by'.repeat(9)}`, 'k10|'],
    ['the ring keeps 10: Alt-Y ×10 is the newest again', `k1 k2 k3 k4 k5 k6 k7 k8 k9 k10 k11${`\x17${BS}`.repeat(11)}\x19${'\x1by'.repeat(10)}`, 'k1|'],
    // an empty kill changes nothing, the ring included, and ends a run of kills
    ['an empty Ctrl-K keeps the ring', `ab cd\x17${L}${R}\x0b\x19`, 'ab cd|'],
    ['an empty Ctrl-U keeps the ring', `ab cd\x17\x01\x15\x19`, 'cd|ab '],
    ['an empty Ctrl-K ends a run of kills', `ab cd\x17\x0b\x17\x19`, 'ab |'],
  ];
  for (const [what, keys, after] of cases) {
    it(`${what}: ${JSON.stringify(keys)} -> ${JSON.stringify(after)}`, () => {
      expect(show(typeInto(lineAt(''), keys))).toBe(after);
    });
  }
  it('a paste is one undo step; typing just after a short one joins it (as after a short yank)', () => {
    const paste = (t: string) => `${PASTE_START}${t}${PASTE_END}`;
    // bash, with tmux paste-buffer -p (bracketed)
    expect(show(typeInto(lineAt(''), `ab${paste('cdefghijklmnopqrstuvwxyz0123')}x${UNDO}`))).toBe('abcdefghijklmnopqrstuvwxyz0123|');
    expect(show(typeInto(lineAt(''), `ab${paste('cdefghijklmnopqrstuvwxyz0123')}x${UNDO}${UNDO}`))).toBe('ab|');
    expect(show(typeInto(lineAt(''), `ab${paste('cd')}x${UNDO}`))).toBe('ab|');
    // a multi-line secret pasted without the terminal's markers (state.ts secretPaste) is one step too
    const l = editLine(lineAt('k'), { input: '-----BEGIN-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END-----', multiline: true }) as LineState;
    expect(show(typeInto(l, UNDO))).toBe('k|');
  });
  it('Ctrl-X and its second key in two chunks, or in one with what follows', () => {
    const l = typeInto(lineAt(''), `ab cd${BS}`);
    expect(show(typeInto(typeInto(l, CX), '\x15'))).toBe('ab cd|');
    expect(show(typeInto(typeInto(l, CX), '\x15\x15'))).toBe('|'); // the first Ctrl-U undoes, the second kills the line
    expect(show(typeInto(typeInto(l, CX), 'ab'))).toBe('ab cb|'); // "a" was Ctrl-X's (nothing), "b" typed
    expect(show(typeInto(l, `${CX}ab`))).toBe('ab cb|');
    // a paste is no key: it ends the sequence and goes in
    expect(show(typeInto(typeInto(l, CX), `${PASTE_START}xy${PASTE_END}`))).toBe('ab cxy|');
    expect((editLine(typeInto(l, CX), { input: 'xy\nz', multiline: true }) as LineState).text).toBe('ab cxy\nz'); // a secret's lines (secretPaste)
  });
  it('the kill ring, undo list and Ctrl-X are the line\'s: a kill or a yank lasts one key', () => {
    const l = typeInto(lineAt(''), 'one two\x17');
    expect(l).toMatchObject({ ring: ['two'], ringAt: 0, killing: true });
    expect(typeInto(l, L).killing).toBeUndefined();
    expect(typeInto(l, '\x19')).toMatchObject({ yanked: [4, 7] });
    expect(typeInto(typeInto(l, '\x19'), R).yanked).toBeUndefined();
    expect(typeInto(l, CX).prefix).toBe('ctrl-x');
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
// The reference keeps readline's undo list as snapshots of the line (the editor keeps steps), its kill
// ring as an array, and follows what `bash --norc` did in tmux (see the readline-fidelity cases below).
type Op =
  | { k: 'ins' | 'paste'; s: string }
  | { k: 'left' | 'right' | 'home' | 'end' | 'bs' | 'del' | 'ku' | 'kk' | 'kw' | 'md' | 'mbs' | 'wl' | 'wr' | 'yank' | 'pop' | 'undo' | 'xjunk' | 'xbs' | 'tr' | 'up' | 'down' | 'cap' };
const RAW: Record<Exclude<Op['k'], 'ins' | 'paste'>, string[]> = {
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
  pop: ['\x1by'],
  undo: ['\x1f', '\x18\x15'],
  xjunk: ['\x18a', '\x18\x1b[D', '\x18\r'], // Ctrl-X and a key it does not take: nothing
  xbs: ['\x18\x7f'],
  tr: ['\x14'],
  up: ['\x1bu', '\x1bU'],
  down: ['\x1bl'],
  cap: ['\x1bc'],
};
class Ref {
  chars: string[] = [];
  cur = 0;
  ring: string[] = [];
  ringAt = -1;
  lastKill = false;
  lastYank: [number, number] | undefined;
  undos: { before: string[]; cursor: number; ins?: [number, number] }[] = [];
  constructor(text: string) {
    this.chars = [...text];
    this.cur = this.chars.length;
  }
  private word = (c: string) => /[A-Za-z0-9éÉ]/.test(c); // readline: letters and digits
  private snap = (cursor: number, ins?: [number, number]) => this.undos.push({ before: [...this.chars], cursor, ...(ins ? { ins } : {}) });
  private remove(from: number, to: number) {
    if (from >= to) return '';
    this.snap(to);
    this.cur = from;
    return this.chars.splice(from, to - from).join('');
  }
  private insert(s: string, whole: boolean) {
    const cs = [...s];
    if (whole && cs.length > 1) {
      this.snap(this.cur, [this.cur, this.cur + cs.length]);
      this.chars.splice(this.cur, 0, ...cs);
      this.cur += cs.length;
      return;
    }
    for (const c of cs) {
      const top = this.undos[this.undos.length - 1];
      if (top?.ins && top.ins[1] === this.cur && top.ins[1] - top.ins[0] < 20) top.ins[1]++;
      else this.snap(this.cur, [this.cur, this.cur + 1]);
      this.chars.splice(this.cur++, 0, c);
    }
  }
  private cut(from: number, to: number, back: boolean, wasKill: boolean) {
    if (from >= to) return; // readline: nothing, and the run of kills ends
    const s = this.remove(from, to);
    if (wasKill && this.ring.length) this.ring[this.ring.length - 1] = back ? s + this.ring[this.ring.length - 1] : this.ring[this.ring.length - 1] + s;
    else this.ring.push(s);
    if (this.ring.length > 10) this.ring.shift();
    this.ringAt = this.ring.length - 1;
    this.lastKill = true;
  }
  private yank() {
    if (!this.ring.length) return;
    const s = this.ring[this.ringAt]!;
    const from = this.cur;
    this.insert(s, true);
    this.lastYank = [from, this.cur];
  }
  apply(op: Op) {
    const wasKill = this.lastKill;
    const yanked = this.lastYank;
    this.lastKill = false;
    this.lastYank = undefined;
    const n = this.chars.length;
    let i = this.cur;
    const wordStart = () => {
      let j = i;
      while (j > 0 && !this.word(this.chars[j - 1]!)) j--;
      while (j > 0 && this.word(this.chars[j - 1]!)) j--;
      return j;
    };
    const wordEnd = () => {
      let j = i;
      while (j < n && !this.word(this.chars[j]!)) j++;
      while (j < n && this.word(this.chars[j]!)) j++;
      return j;
    };
    switch (op.k) {
      case 'ins':
      case 'paste':
        this.insert(op.s, op.k === 'paste');
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
        if (i > 0) this.remove(i - 1, i);
        break;
      case 'del':
        if (i < n) this.remove(i, i + 1);
        break;
      case 'wl':
        this.cur = wordStart();
        break;
      case 'wr':
        this.cur = wordEnd();
        break;
      case 'yank':
        this.yank();
        break;
      case 'pop':
        if (yanked && this.ring.length) {
          this.remove(yanked[0], yanked[1]);
          this.ringAt = (this.ringAt - 1 + this.ring.length) % this.ring.length;
          this.yank();
        }
        break;
      case 'undo': {
        const u = this.undos.pop();
        if (u) {
          this.chars = u.before;
          this.cur = u.cursor;
        }
        break;
      }
      case 'xjunk':
        break;
      case 'tr':
        if (i > 0 && n >= 2) {
          if (i === n) i--;
          this.snap(i);
          [this.chars[i - 1], this.chars[i]] = [this.chars[i]!, this.chars[i - 1]!];
          this.cur = i + 1;
        }
        break;
      case 'up':
      case 'down':
      case 'cap': {
        const to = wordEnd();
        if (to > i) {
          this.snap(to);
          let inWord = false;
          for (let j = i; j < to; j++) {
            const c = this.chars[j]!;
            if (!this.word(c)) inWord = false;
            else {
              this.chars[j] = op.k === 'up' || (op.k === 'cap' && !inWord) ? c.toUpperCase() : c.toLowerCase();
              inWord = true;
            }
          }
        }
        this.cur = to;
        break;
      }
      case 'ku':
        this.cut(0, i, true, wasKill);
        break;
      case 'xbs':
        this.cut(0, i, true, wasKill);
        break;
      case 'kk':
        this.cut(i, n, false, wasKill);
        break;
      case 'kw': {
        let j = i;
        while (j > 0 && this.chars[j - 1] === ' ') j--;
        while (j > 0 && this.chars[j - 1] !== ' ') j--;
        this.cut(j, i, true, wasKill);
        break;
      }
      case 'md':
        this.cut(i, wordEnd(), false, wasKill);
        break;
      case 'mbs':
        this.cut(wordStart(), i, true, wasKill);
        break;
    }
  }
}

const opArb: fc.Arbitrary<[Op, number]> = fc.tuple(
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', 'Z', '1', ' ', '/', '.', '-', ':', 'é'), minLength: 1, maxLength: 4 }).map((s): Op => ({ k: 'ins', s })) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', '.', 'é'), minLength: 1, maxLength: 25 }).map((s): Op => ({ k: 'paste', s })) },
    { weight: 7, arbitrary: fc.constantFrom(...(Object.keys(RAW) as (keyof typeof RAW)[])).map((k): Op => ({ k }) as Op) },
  ),
  fc.nat(3),
);
const rawOf = ([op, v]: [Op, number]) => (op.k === 'ins' ? op.s : op.k === 'paste' ? `${PASTE_START}${op.s}${PASTE_END}` : RAW[op.k][v % RAW[op.k].length]!);

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

// The wizard's questions (state.ts): the same editor, a secret too, with keys as the terminal sends them,
// in one chunk or several; what a masked field draws never holds the secret.
describe('the wizard\'s text questions, secrets included', () => {
  const input = (s: WizardState, ...chunks: string[]) => chunks.reduce((st, data) => reduce(st, { type: 'input', data }), s);
  const token = () => reduce(reduce(createState(), { type: 'submit', value: 'fivetran' }), { type: 'submit', value: 'docker' });
  const drawn = (s: WizardState) => Object.values(lineParts(s.text, s.caret, { mask: '•' })).join('');
  it('a secret: undo, Ctrl-T, Alt-U/L/C, Ctrl-Y and Alt-Y edit it, and it is never drawn', () => {
    let s = token();
    expect(currentQuestion(s).id).toBe('token');
    s = input(s, `${PASTE_START}${TOKEN}${PASTE_END}`, 'xy', '\x14');
    expect(s.text).toBe(`${TOKEN}yx`);
    s = input(s, '\x1f');
    expect(s.text).toBe(`${TOKEN}xy`);
    s = input(s, '\x1f');
    expect(s.text).toBe(TOKEN); // the typed run went; the paste is one step
    expect(input(s, '\x1f').text).toBe('');
    // case changes from the cursor, then undone one by one
    const key = input(token(), `${PASTE_START}sk-live-AbC${PASTE_END}`);
    const cased = [input(key, '\x01\x1bu'), input(key, '\x01\x1bu\x1bc'), input(key, '\x01\x1bu\x1bc\x1bl')];
    expect(cased.map((c) => show({ text: c.text, cursor: c.caret }))).toEqual(['SK|-live-AbC', 'SK-Live|-AbC', 'SK-Live-abc|']);
    expect(input(cased[2]!, '\x1f\x1f\x1f').text).toBe('sk-live-AbC');
    // the kill ring: two kills, Ctrl-Y the newest, Alt-Y the one before
    const ring = input(key, '\x01\x1bd', '\x05', '\x17', '\x19');
    expect(ring.text).toBe('-live-AbC');
    expect(input(ring, '\x1by').text).toBe('sk');
    for (const st of [s, key, ...cased, ring, input(ring, '\x1by'), input(s, '\x14')]) {
      expect(drawn(st)).not.toMatch(/sk|live|abc|Y2x/i);
      expect(drawn(st)).toMatch(/^•+/);
    }
    s = input(s, '\r');
    expect([currentQuestion(s).id, s.answers.fivetran.token]).toEqual(['proxy', TOKEN]);
  });
  it('Ctrl-X Ctrl-U undoes in one chunk or two; Ctrl-X then an unknown key does nothing (no kill)', () => {
    const s = input(token(), 'abc');
    expect(input(s, '\x18', '\x15').text).toBe('');
    expect(input(s, '\x18\x15').text).toBe('');
    expect(input(s, '\x18', 'q').text).toBe('abc');
    expect(input(s, '\x18q').text).toBe('abc');
  });
  it('after Ctrl-X, Esc and ← are its second key: they do not go back, nor Enter submit', () => {
    const s = input(token(), 'abc');
    expect(currentQuestion(input(s, '\x18', '\x1b')).id).toBe('token');
    expect(currentQuestion(input(s, '\x18', '\x1b', '\x1b')).id).toBe('runtime'); // the next Esc does
    const empty = token();
    expect(currentQuestion(input(empty, '\x18\x1b[D')).id).toBe('token');
    expect(currentQuestion(input(empty, '\x1b[D')).id).toBe('runtime');
    expect(currentQuestion(input(s, '\x18\r')).id).toBe('token');
    expect(input(s, '\x03').result).toEqual({ kind: 'cancel' });
    expect(input(s, '\x18', '\x03').result).toEqual({ kind: 'cancel' }); // Ctrl-C still quits
  });
  it('a prefilled secret typed over: undo brings the hidden one back, and Enter keeps it', () => {
    let s = prefill(createState({ product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }));
    while (currentQuestion(s).id !== 'token') s = reduce(s, { type: 'back' });
    s = input(s, 'oops');
    expect(s.text).toBe('oops');
    s = input(s, '\x1f');
    expect(s.text).toBe('');
    s = input(s, '\x1f');
    expect(s.text).toBe(TOKEN);
    s = input(s, '\r');
    expect(s.answers.fivetran.token).toBe(TOKEN);
  });
  it('the kill ring and the undo list stay with their question', () => {
    let s = input(createState(), '\x1b[B\r', '\r'); // Tobiko, docker
    expect(currentQuestion(s).id).toBe('org');
    s = input(s, 'acme-co\x17\r');
    expect(currentQuestion(s).id).toBe('org'); // empty: refused
    s = input(s, 'acme\r');
    expect(currentQuestion(s).id).toBe('project');
    expect(input(s, '\x19').text).toBe('');
    expect(input(s, '\x1f').text).toBe('');
  });
});
