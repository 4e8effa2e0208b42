// Keys as pure data, shared by the wizard's reducer (state.ts) and the review's save field (Field.tsx):
// how raw terminal input splits into keys, and what one key does to a line of text (a small readline).
//
// Raw input, not Ink's useInput: Ink reports Backspace (DEL, 0x7f) and the Delete key (ESC [3~) both as
// `delete`, and has no notion of Alt-b/Alt-f/Alt-d; so the wizard reads the raw sequences Ink's input
// parser hands to its listeners (one sequence per event, plain text in runs) and parses them here.
import { LazySegmenter } from '../../util/lazy-segmenter.js';
import { controlCode } from '../../util/control.js';

/** One key (the subset the wizard uses). `input` is printable text: one character, or a pasted run. */
export interface KeyPress {
  input: string;
  /** A multi-line paste into a secret field (state.ts secretPaste): its line breaks are kept. */
  multiline?: boolean;
  /** A bracketed paste (the terminal marked it: ESC[200~ … ESC[201~): `input` is its text, line breaks
   * and all, never keys: a line break in it is no Enter. */
  paste?: boolean;
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  /** Backspace (DEL or ^H): the character before the cursor. */
  backspace?: boolean;
  /** The Delete key (ESC [3~): the character at the cursor. */
  delete?: boolean;
  tab?: boolean;
  ctrl?: boolean;
  /** Alt (Meta): ESC before the key, or the modifier parameter of a CSI sequence. */
  meta?: boolean;
}

const ESC = '\u001B';

/** A CSI/SS3 sequence: its final byte and parameters, e.g. ESC [1;3D -> ('D', [1, 3]). */
function csiKey(final: string, params: number[], meta: boolean): KeyPress {
  const mod = Math.max(0, (params[1] ?? 1) - 1); // xterm: 1 shift, 2 alt, 4 ctrl, 8 meta
  const m: KeyPress = { input: '', ...((mod & 10) || meta ? { meta: true } : {}), ...(mod & 4 ? { ctrl: true } : {}) };
  switch (final) {
    case 'A':
      return { ...m, upArrow: true };
    case 'B':
      return { ...m, downArrow: true };
    case 'C':
      return { ...m, rightArrow: true };
    case 'D':
      return { ...m, leftArrow: true };
    case 'H':
      return { ...m, home: true };
    case 'F':
      return { ...m, end: true };
    case 'Z':
      return { input: '' }; // shift-tab: nothing
    case '~':
      switch (params[0]) {
        case 1:
        case 7:
          return { ...m, home: true };
        case 4:
        case 8:
          return { ...m, end: true };
        case 3:
          return { ...m, delete: true };
        case 5:
          return { ...m, pageUp: true };
        case 6:
          return { ...m, pageDown: true };
      }
      return { input: '' };
    // rxvt: ESC O a..d are ctrl-arrows, ESC [ a..d shift-arrows
    case 'c':
      return { ...m, rightArrow: true, ...(meta ? {} : { ctrl: true }) };
    case 'd':
      return { ...m, leftArrow: true, ...(meta ? {} : { ctrl: true }) };
  }
  return { input: '' };
}

/** A control character outside an escape sequence. */
function controlKey(ch: string): KeyPress | undefined {
  if (ch === '\r' || ch === '\n') return { input: '', return: true };
  if (ch === '\u007F' || ch === '\b') return { input: '', backspace: true };
  if (ch === '\t') return { input: '', tab: true };
  const c = ch.charCodeAt(0);
  if (c >= 1 && c <= 26) return { input: String.fromCharCode(c + 96), ctrl: true };
  return undefined; // NUL, ^\ ^] ^^ ^_, C1 controls: dropped
}

const isPrintable = (ch: string) => {
  const c = ch.codePointAt(0)!;
  return c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c < 0xa0);
};

/**
 * Raw terminal input (one Ink input event, a paste, keystrokes coalesced over SSH, tmux send-keys) as
 * keys in order: escape sequences become one key each, runs of printable text one key each (a paste
 * inserts at the cursor in one step), every control character one key; CR LF is one Enter. A bracketed
 * paste (joinPastes made it one unit) is one key, `paste`, its text whole.
 */
export function parseInput(raw: string): KeyPress[] {
  if (!raw.includes(PASTE_START)) return parseKeys(raw);
  const out: KeyPress[] = [];
  let i = 0;
  while (i < raw.length) {
    const start = raw.indexOf(PASTE_START, i);
    if (start < 0) {
      out.push(...parseKeys(raw.slice(i)));
      break;
    }
    out.push(...parseKeys(raw.slice(i, start)));
    const from = start + PASTE_START.length;
    const end = raw.indexOf(PASTE_END, from);
    out.push({ input: raw.slice(from, end < 0 ? raw.length : end), paste: true });
    i = end < 0 ? raw.length : end + PASTE_END.length;
  }
  return out;
}

// ---- bracketed paste ----
// With the terminal's bracketed-paste mode on (ESC[?2004h, as readline turns it on), a paste arrives
// between ESC[200~ and ESC[201~: the wizard inserts it as text, and a line break in it is never Enter.
// Without the mode (an old terminal, tmux send-keys), a paste is keys as before.

export const BRACKETED_PASTE_ON = '\u001B[?2004h';
export const BRACKETED_PASTE_OFF = '\u001B[?2004l';
export const PASTE_START = '\u001B[200~';
export const PASTE_END = '\u001B[201~';
/** How long a paste may go without its end marker before it is ended as it is (use-keys.ts). */
export const PASTE_WAIT_MS = 1000;
/** The longest paste taken (a PEM private key is ~3 KiB); a longer one is refused whole, and never held. */
export const PASTE_LIMIT = 64 * 1024;

/**
 * A paste being joined (joinPastes): its text so far, or a start marker cut short at the end of a read.
 * `open`: inside a paste, its text so far (a longer one keeps PASTE_LIMIT + 1 characters and its last few,
 * enough to refuse it and to find its end). `held`: the beginning of a start marker ("ESC[20") that ended
 * an event; the next event says whether it was one.
 */
export interface PasteJoin {
  open?: string;
  held?: string;
}

/**
 * Ink's input events (a paste comes as several: its markers, its text runs, its escape sequences, over as many
 * reads as the terminal needed; Ink passes on a sequence cut by a read as an event of its own, "ESC[20" then
 * "1~") joined back: each bracketed paste becomes one input unit, PASTE_START + text + PASTE_END, and what is
 * not in a paste stays as it came. A paste whose end never comes is closed by the caller (closePaste).
 */
export function joinPastes(state: PasteJoin, event: string): { state: PasteJoin; units: string[] } {
  const units: string[] = [];
  let data = (state.held ?? '') + event;
  let open = state.open;
  let i = 0;
  while (i < data.length) {
    if (open === undefined) {
      const start = data.indexOf(PASTE_START, i);
      if (start < 0) {
        // "ESC[2", "ESC[20", "ESC[200" at the very end may be a marker cut short: held for the next event (never
        // a lone ESC, which is the Escape key, nor a key's sequence: none begins "ESC[2" and ends there)
        const cut = [3, 4, 5].find((n) => data.endsWith(PASTE_START.slice(0, n)) && data.length - n >= i);
        const upTo = cut ? data.length - cut : data.length;
        if (upTo > i) units.push(data.slice(i, upTo));
        return { state: cut ? { held: data.slice(upTo) } : {}, units };
      }
      if (start > i) units.push(data.slice(i, start));
      open = '';
      i = start + PASTE_START.length;
      continue;
    }
    // The end marker may begin in what is already held (ESC[20 | 1~): looked for across the join.
    const joined = open + data.slice(i);
    const end = joined.indexOf(PASTE_END, Math.max(0, open.length - (PASTE_END.length - 1)));
    if (end < 0) return { state: { open: bounded(joined) }, units };
    units.push(closePaste(joined.slice(0, end)));
    data = joined.slice(end + PASTE_END.length);
    i = 0;
    open = undefined;
  }
  return { state: open === undefined ? {} : { open }, units };
}

/** A paste's text as held: at most PASTE_LIMIT + 1 characters, and the last few (an end marker's beginning). */
function bounded(text: string): string {
  return text.length <= PASTE_LIMIT + PASTE_END.length ? text : text.slice(0, PASTE_LIMIT + 1) + text.slice(-(PASTE_END.length - 1));
}

/** The unit of a paste (its text so far, when its end never came: the wizard takes keys again). */
export function closePaste(text: string): string {
  return PASTE_START + text + PASTE_END;
}

/**
 * What a paste puts into a field: its text without the blank lines around it (a copied line brings a line
 * break), or why it cannot go in. A one-line field takes no line break (the next lines would otherwise be
 * lost, or taken as answers); a multi-line one (a secret: a PEM key) keeps them, as "\n". A tab or an escape
 * code goes in nowhere: the settings hold no control character.
 */
export function pastedText(text: string, multiline: boolean): { text: string } | { error: string } {
  if (text.length > PASTE_LIMIT) return { error: `The paste is longer than ${PASTE_LIMIT.toLocaleString('en-US')} characters; nothing was inserted` };
  const body = text
    .replace(/\r\n?/g, '\n')
    .replace(/^(?:[ \t]*\n)+/, '')
    .replace(/(?:\n[ \t]*)+$/, '');
  if (!multiline && body.includes('\n')) return { error: 'The paste spans several lines and this field takes one: nothing was inserted; copy a single line' };
  const control = controlCode(body.replace(/\n/g, ''));
  if (control) return { error: `The paste holds a control character (${control}: a tab, an escape code): nothing was inserted` };
  return { text: body };
}

function parseKeys(raw: string): KeyPress[] {
  const out: KeyPress[] = [];
  let run = '';
  const flush = () => {
    if (run) out.push({ input: run });
    run = '';
  };
  const chars = [...raw];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch !== ESC) {
      if (isPrintable(ch)) {
        run += ch;
        continue;
      }
      flush();
      if (ch === '\r' && chars[i + 1] === '\n') i++;
      const k = controlKey(ch);
      if (k) out.push(k);
      continue;
    }
    flush();
    // ESC ESC <sequence> is Alt + that key (iTerm, some tmux setups); ESC alone is Escape, and n of them in
    // one chunk (pressed fast, or over SSH) are n Escapes: each goes back one screen.
    let j = i + 1;
    let meta = false;
    if (chars[j] === ESC && (chars[j + 1] === '[' || chars[j + 1] === 'O')) {
      meta = true;
      j++;
    }
    const next = chars[j];
    if (next === undefined || next === ESC) {
      out.push({ input: '', escape: true });
      i = j - 1; // the next ESC, if any, starts a key of its own
      continue;
    }
    if (next === '[') {
      // CSI: parameter bytes 0x30-0x3f, intermediate 0x20-0x2f, one final byte 0x40-0x7e.
      let k = j + 1;
      while (k < chars.length && /^[\x20-\x3f]$/.test(chars[k]!)) k++;
      const final = chars[k];
      if (final === undefined || !/^[\x40-\x7e]$/.test(final)) {
        i = k - 1; // an unterminated sequence: dropped
        continue;
      }
      const params = chars.slice(j + 1, k).join('').split(';').map((p) => parseInt(p, 10) || 0);
      out.push(csiKey(final, params, meta));
      i = k;
      continue;
    }
    if (next === 'O' && chars[j + 1] !== undefined) {
      // SS3: ESC O A..D, H, F; rxvt ESC O c/d (ctrl-arrows)
      out.push(csiKey(chars[j + 1]!, [], meta));
      i = j + 1;
      continue;
    }
    // ESC + one key: Alt + that key.
    i = j;
    const k = isPrintable(next) ? { input: next } : controlKey(next);
    if (k) out.push({ ...k, meta: true });
  }
  flush();
  return out;
}

/** Each run of typed text as one key per character (grapheme): for screens whose keys are single letters. */
export function oneByOne(keys: readonly KeyPress[]): KeyPress[] {
  return keys.flatMap((k) => (!k.paste && Object.keys(k).length === 1 && k.input.length > 1 ? graphemes(k.input).map((g) => ({ input: g })) : [k]));
}

/**
 * A key as the tests and Ink's useInput describe it: a plain one whose input holds several keys (text
 * with Enter, backspace or escape sequences in it) becomes those keys, in order.
 */
export function splitKeys(k: KeyPress): KeyPress[] {
  const plain = Object.entries(k).every(([name, v]) => name === 'input' || !v);
  if (!plain) return [k];
  if (k.input === '') return [];
  return parseInput(k.input);
}

// ---- the line editor ----

/** A line being edited. `cursor` counts grapheme clusters (what the view draws as one cell). */
export interface LineState {
  text: string;
  cursor: number;
  /** The kill buffer (Ctrl-U/K/W, Alt-D, Alt-Backspace), yanked back by Ctrl-Y. */
  kill: string;
  /** The last key was a kill: the next kill adds to the buffer (readline's kill ring). */
  killing?: boolean;
}

// Lazy: the first frame's empty or ASCII fields need no ICU (building a real Intl.Segmenter costs ~20 ms once).
let segmenter: LazySegmenter | undefined;
/** The grapheme clusters of a text: an emoji or a letter with its accent is one cell, one cursor step. */
export function graphemes(text: string): string[] {
  segmenter ??= new LazySegmenter(undefined, { granularity: 'grapheme' });
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** A line with the cursor at its end: how a prefilled value starts. */
export function lineAt(text: string, kill = ''): LineState {
  return { text, cursor: graphemes(text).length, kill };
}

// readline's two notions of a word: Alt-B/F/D and Alt-Backspace stop at anything that is not a letter
// or digit; Ctrl-W (unix-word-rubout) kills back to whitespace.
const isWordChar = (g: string) => /^[\p{L}\p{N}]/u.test(g);
const isSpace = (g: string) => /^\s/u.test(g);

/** backward-word: back over non-word characters, then over the word. */
export function wordStart(g: string[], at: number): number {
  let i = at;
  while (i > 0 && !isWordChar(g[i - 1]!)) i--;
  while (i > 0 && isWordChar(g[i - 1]!)) i--;
  return i;
}

/** forward-word: forward over non-word characters, then to the end of the word. */
export function wordEnd(g: string[], at: number): number {
  let i = at;
  while (i < g.length && !isWordChar(g[i]!)) i++;
  while (i < g.length && isWordChar(g[i]!)) i++;
  return i;
}

/** unix-word-rubout's start: back over whitespace, then over everything that is not whitespace. */
export function spaceWordStart(g: string[], at: number): number {
  let i = at;
  while (i > 0 && isSpace(g[i - 1]!)) i--;
  while (i > 0 && !isSpace(g[i - 1]!)) i--;
  return i;
}

/** Remove [from, to) into the kill buffer; consecutive kills add up (backward ones in front). */
function killRange(l: LineState, g: string[], from: number, to: number, backward: boolean): LineState {
  const killed = g.slice(from, to).join('');
  const kill = l.killing ? (backward ? killed + l.kill : l.kill + killed) : killed;
  return { text: [...g.slice(0, from), ...g.slice(to)].join(''), cursor: from, kill, killing: true };
}

function insert(l: LineState, g: string[], s: string): LineState {
  const at = Math.min(l.cursor, g.length);
  return { text: g.slice(0, at).join('') + s + g.slice(at).join(''), cursor: at + graphemes(s).length, kill: l.kill };
}

/**
 * One key on a line: the new line, 'submit' for Enter, or undefined for a key that is not an editing key
 * (the caller may give it another meaning: Esc, ↑↓, ← on an empty field).
 */
export function editLine(l: LineState, k: KeyPress): LineState | 'submit' | undefined {
  if (k.return) return 'submit';
  const g = graphemes(l.text);
  const at = Math.max(0, Math.min(l.cursor, g.length));
  const move = (cursor: number): LineState => ({ text: l.text, cursor: Math.max(0, Math.min(cursor, g.length)), kill: l.kill });
  const key = k.input;
  if (k.ctrl && !k.meta) {
    switch (key) {
      case 'a':
        return move(0);
      case 'e':
        return move(g.length);
      case 'b':
        return move(at - 1);
      case 'f':
        return move(at + 1);
      case 'h':
        return at > 0 ? { text: [...g.slice(0, at - 1), ...g.slice(at)].join(''), cursor: at - 1, kill: l.kill } : move(at);
      case 'd':
        return at < g.length ? { text: [...g.slice(0, at), ...g.slice(at + 1)].join(''), cursor: at, kill: l.kill } : move(at);
      case 'u':
        return killRange(l, g, 0, at, true);
      case 'k':
        return killRange(l, g, at, g.length, false);
      case 'w':
        return killRange(l, g, spaceWordStart(g, at), at, true);
      case 'y':
        return l.kill ? insert(l, g, l.kill) : move(at);
    }
  }
  if (k.leftArrow) return move(k.meta || k.ctrl ? wordStart(g, at) : at - 1);
  if (k.rightArrow) return move(k.meta || k.ctrl ? wordEnd(g, at) : at + 1);
  if (k.home) return move(0);
  if (k.end) return move(g.length);
  if (k.backspace) {
    if (k.meta) return killRange(l, g, wordStart(g, at), at, true); // Alt-Backspace: backward-kill-word
    return at > 0 ? { text: [...g.slice(0, at - 1), ...g.slice(at)].join(''), cursor: at - 1, kill: l.kill } : move(at);
  }
  if (k.delete) return at < g.length ? { text: [...g.slice(0, at), ...g.slice(at + 1)].join(''), cursor: at, kill: l.kill } : move(at);
  if (k.meta && !k.ctrl) {
    if (key === 'b') return move(wordStart(g, at));
    if (key === 'f') return move(wordEnd(g, at));
    if (key === 'd') return killRange(l, g, at, wordEnd(g, at), false);
    return undefined;
  }
  if (k.ctrl || k.upArrow || k.downArrow || k.pageUp || k.pageDown || k.escape || k.tab) return undefined;
  const text = [...key].filter((ch) => isPrintable(ch) || (k.multiline === true && ch === '\n')).join('');
  if (!text) return undefined;
  return insert({ ...l, cursor: at }, g, text);
}
