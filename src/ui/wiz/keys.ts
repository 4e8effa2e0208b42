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
  /** Text from a paste, vetted for the field (pastedText, secretPaste): the editor inserts it whole, as one
   * undo step (typed text is undone in runs of up to 20 characters, as readline does). */
  pasted?: boolean;
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
  if (c === 0x1f) return { input: '_', ctrl: true }; // Ctrl-_ (terminals send it for Ctrl-/ too): undo
  return undefined; // NUL, ^\ ^] ^^, C1 controls: dropped
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

/**
 * One step of a line's undo list (readline's), in UTF-16 offsets into the text, so that undoing is exact
 * whatever the grapheme clusters around it. Undoing an insertion leaves the cursor where it began, undoing a
 * deletion after the text put back, as readline does.
 */
export type UndoStep =
  | { insert: readonly [number, number] }
  | { deleted: string; at: number }
  /** One key's several steps (Ctrl-T, a case change), undone together. */
  | { group: readonly UndoStep[] };

/** A line being edited. `cursor` counts grapheme clusters (what the view draws as one cell). */
export interface LineState {
  text: string;
  cursor: number;
  /** The kill ring (Ctrl-U/K/W, Alt-D, Alt-Backspace, Ctrl-X Backspace), oldest first: the last KILL_RING
   * kills, as readline keeps them. */
  ring?: readonly string[];
  /** The ring entry Ctrl-Y yanks: the newest kill, or the one Alt-Y went back to (readline's kill index). */
  ringAt?: number;
  /** The last key was a kill: the next kill adds to the newest entry (backward ones in front). */
  killing?: boolean;
  /** The last key was Ctrl-Y or Alt-Y and put in [from, to) (UTF-16 offsets): Alt-Y may replace it. */
  yanked?: readonly [number, number];
  /** The undo list, oldest first (Ctrl-_, Ctrl-/ or Ctrl-X Ctrl-U undoes the last step). */
  undo?: readonly UndoStep[];
  /** Ctrl-X was pressed: the next key, whatever it is, completes the sequence (in one chunk or the next). */
  prefix?: 'ctrl-x';
}

/** What a line keeps besides its text and cursor (the wizard's state holds these apart). */
export type LineMemo = Omit<LineState, 'text' | 'cursor'>;

/** How many kills the ring keeps (readline's default). */
export const KILL_RING = 10;
/** readline undoes typed characters in runs of up to this many (rl_insert_text). */
const UNDO_RUN = 20;

// Lazy: the first frame's empty or ASCII fields need no ICU (building a real Intl.Segmenter costs ~20 ms once).
let segmenter: LazySegmenter | undefined;
/** The grapheme clusters of a text: an emoji or a letter with its accent is one cell, one cursor step. */
export function graphemes(text: string): string[] {
  segmenter ??= new LazySegmenter(undefined, { granularity: 'grapheme' });
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** A line with the cursor at its end: how a prefilled value starts. */
export function lineAt(text: string): LineState {
  return { text, cursor: graphemes(text).length };
}

/** The line emptied as one undo step, its kill ring kept: a suggestion or a hidden secret that typing replaces. */
export function cleared(l: LineState): LineState {
  const { text: _t, cursor: _c, killing: _k, yanked: _y, prefix: _p, ...keep } = l;
  return l.text ? { ...keep, text: '', cursor: 0, undo: [...(l.undo ?? []), { deleted: l.text, at: 0 }] } : { ...keep, text: '', cursor: 0 };
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

/** The UTF-16 offset of grapheme `i`. */
const offsetOf = (g: string[], i: number) => {
  let n = 0;
  for (let j = 0; j < i && j < g.length; j++) n += g[j]!.length;
  return n;
};
const cursorAt = (text: string, offset: number) => graphemes(text.slice(0, offset)).length;

/** Remove [from, to) (graphemes), as one undo step: the line, and the text removed. */
function remove(l: LineState, g: string[], from: number, to: number): LineState {
  if (from < 0 || from >= to || to > g.length) return l;
  const a = offsetOf(g, from);
  const b = a + g.slice(from, to).join('').length;
  return { ...l, text: l.text.slice(0, a) + l.text.slice(b), cursor: from, undo: [...(l.undo ?? []), { deleted: l.text.slice(a, b), at: a }] };
}

/**
 * Insert `s` at the cursor. Whole (a paste, a yank): one undo step. Typed: character by character as readline
 * does, each joining the insertion just before it while that one ends here and holds fewer than 20.
 */
function insert(l: LineState, g: string[], s: string, whole: boolean): LineState {
  const off = offsetOf(g, l.cursor);
  const text = l.text.slice(0, off) + s + l.text.slice(off);
  const undo = [...(l.undo ?? [])];
  const chars = graphemes(s);
  if (whole && chars.length > 1) undo.push({ insert: [off, off + s.length] });
  else {
    let p = off;
    const last = undo[undo.length - 1];
    // the length of the run being added to (a long paste counts as full)
    let run = last && 'insert' in last && last.insert[1] === off ? (off - last.insert[0] < UNDO_RUN * 8 ? graphemes(text.slice(last.insert[0], off)).length : UNDO_RUN) : UNDO_RUN;
    for (const c of chars) {
      const top = undo[undo.length - 1];
      if (top && 'insert' in top && run < UNDO_RUN) {
        undo[undo.length - 1] = { insert: [top.insert[0], p + c.length] };
        run++;
      } else {
        undo.push({ insert: [p, p + c.length] });
        run = 1;
      }
      p += c.length;
    }
  }
  return { ...l, text, cursor: cursorAt(text, off + s.length), undo };
}

/** Remove [from, to) into the kill ring; consecutive kills add up (backward ones in front). An empty kill
 * changes nothing and ends a run of kills (readline). */
function killRange(l: LineState, g: string[], from: number, to: number, backward: boolean): LineState {
  if (from >= to) {
    const { killing: _k, ...rest } = l;
    return rest;
  }
  const killed = g.slice(from, to).join('');
  const ring = [...(l.ring ?? [])];
  if (l.killing && ring.length) ring[ring.length - 1] = backward ? killed + ring[ring.length - 1] : ring[ring.length - 1] + killed;
  else ring.push(killed);
  while (ring.length > KILL_RING) ring.shift();
  return { ...remove(l, g, from, to), ring, ringAt: ring.length - 1, killing: true };
}

/** Ctrl-Y: the kill ring's current entry at the cursor. */
function yank(l: LineState, g: string[]): LineState {
  const ring = l.ring ?? [];
  const s = ring[l.ringAt ?? ring.length - 1];
  if (!s) return l;
  const off = offsetOf(g, l.cursor);
  return { ...insert(l, g, s, true), yanked: [off, off + s.length] };
}

/** Alt-Y, right after a yank: what it put in is replaced by the ring's previous entry (cycling). */
function yankPop(l: LineState, prev: LineState): LineState {
  const ring = prev.ring;
  const y = prev.yanked;
  if (!ring?.length || !y || prev.ringAt === undefined || l.text.slice(y[0], y[1]) !== ring[prev.ringAt]) return l;
  const g = graphemes(l.text);
  const from = cursorAt(l.text, y[0]);
  const removed = remove(l, g, from, from + graphemes(ring[prev.ringAt]!).length);
  return yank({ ...removed, ringAt: (prev.ringAt - 1 + ring.length) % ring.length }, graphemes(removed.text));
}

/** Undo the last step (readline's undo): nothing when there is none. */
function undoLast(l: LineState): LineState {
  const list = l.undo ?? [];
  const step = list[list.length - 1];
  if (!step) return l;
  let text = l.text;
  let off = 0;
  const back = (u: UndoStep) => {
    if ('insert' in u) {
      text = text.slice(0, u.insert[0]) + text.slice(u.insert[1]);
      off = u.insert[0];
    } else if ('deleted' in u) {
      text = text.slice(0, u.at) + u.deleted + text.slice(u.at);
      off = u.at + u.deleted.length;
    } else for (let i = u.group.length - 1; i >= 0; i--) back(u.group[i]!);
  };
  back(step);
  return { ...l, text, cursor: cursorAt(text, off), undo: list.slice(0, -1) };
}

/** Replace [from, to) with `by` (as long, in graphemes) as one undo step, the cursor at `to` (rl_modifying). */
function modify(l: LineState, g: string[], from: number, to: number, by: string[], cursor: number): LineState {
  const a = offsetOf(g, from);
  const old = g.slice(from, to).join('');
  const now = by.join('');
  const text = l.text.slice(0, a) + now + l.text.slice(a + old.length);
  return { ...l, text, cursor, undo: [...(l.undo ?? []), { group: [{ deleted: old, at: a }, { insert: [a, a + now.length] }] }] };
}

/** Ctrl-T: the character before the cursor and the one under it swap, the cursor after both; at the end of
 * the line, the two before it. Nothing at the start, or on a line shorter than two. */
function transpose(l: LineState, g: string[]): LineState {
  if (l.cursor === 0 || g.length < 2) return l;
  const i = l.cursor === g.length ? l.cursor - 1 : l.cursor;
  const a = offsetOf(g, i - 1);
  const text = l.text.slice(0, a) + g[i]! + g[i - 1]! + l.text.slice(a + g[i - 1]!.length + g[i]!.length);
  // readline: the character before is deleted, then inserted after the other one
  const at = a + g[i]!.length;
  return { ...l, text, cursor: i + 1, undo: [...(l.undo ?? []), { group: [{ deleted: g[i - 1]!, at: a }, { insert: [at, at + g[i - 1]!.length] }] }] };
}

/** One grapheme in another case, when that is one grapheme too (readline keeps ß: its upper case is two). */
function recase(c: string, up: boolean): string {
  const r = up ? c.toUpperCase() : c.toLowerCase();
  return r === c || graphemes(r).length === 1 ? r : c;
}

/** Alt-U / Alt-L / Alt-C: from the cursor to the end of the word (forward-word), upcased, downcased or
 * capitalized (its first letter or digit up, the rest down); the cursor after it. */
function changeCase(l: LineState, g: string[], how: 'u' | 'l' | 'c'): LineState {
  const to = wordEnd(g, l.cursor);
  if (to === l.cursor) return l;
  let inWord = false;
  const by = g.slice(l.cursor, to).map((c) => {
    if (!isWordChar(c)) {
      inWord = false;
      return c;
    }
    const up = how === 'u' || (how === 'c' && !inWord);
    inWord = true;
    return recase(c, up);
  });
  return modify(l, g, l.cursor, to, by, to);
}

/** The second key after Ctrl-X: Ctrl-U undoes, Backspace kills back to the start (backward-kill-line);
 * any other key does nothing (readline rings the bell), and is used up. */
function afterCtrlX(l: LineState, k: KeyPress, g: string[], killing: boolean | undefined): LineState {
  if (k.ctrl && !k.meta && k.input === 'u') return undoLast(l);
  if (k.backspace && !k.meta && !k.ctrl) return killRange({ ...l, killing }, g, 0, l.cursor, true);
  return l;
}

/**
 * One key on a line: the new line, 'submit' for Enter, or undefined for a key that is not an editing key
 * (the caller may give it another meaning: Esc, ↑↓, ← on an empty field). After Ctrl-X, every key is the
 * sequence's second (the caller still quits on Ctrl-C); a paste ends the sequence and goes in.
 */
export function editLine(l: LineState, k: KeyPress): LineState | 'submit' | undefined {
  const g = graphemes(l.text);
  const at = Math.max(0, Math.min(l.cursor, g.length));
  // What every key starts from: a kill, a yank and Ctrl-X last only until the next key.
  const { killing: _k, yanked: _y, prefix: _p, ...rest } = l;
  const base: LineState = { ...rest, cursor: at };
  if (l.prefix === 'ctrl-x' && !k.pasted && !k.multiline) {
    // A run of typed text (keys in one chunk: Ctrl-X, then "ab"): its first character is the second key,
    // the rest is typed.
    const plain = Object.entries(k).every(([name, v]) => name === 'input' || !v);
    const first = plain && k.input.length > 1 ? graphemes(k.input)[0]! : undefined;
    if (first && first !== k.input) return editLine(afterCtrlX(base, { input: first }, g, l.killing), { ...k, input: k.input.slice(first.length) });
    return afterCtrlX(base, k, g, l.killing);
  }
  if (k.return) return 'submit';
  const move = (cursor: number): LineState => ({ ...base, cursor: Math.max(0, Math.min(cursor, g.length)) });
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
        return remove(base, g, at - 1, at);
      case 'd':
        return remove(base, g, at, at + 1);
      case 'u':
        return killRange({ ...base, killing: l.killing }, g, 0, at, true);
      case 'k':
        return killRange({ ...base, killing: l.killing }, g, at, g.length, false);
      case 'w':
        return killRange({ ...base, killing: l.killing }, g, spaceWordStart(g, at), at, true);
      case 'y':
        return yank(base, g);
      case 't':
        return transpose(base, g);
      case '_':
        return undoLast(base);
      case 'x':
        return { ...base, ...(l.killing ? { killing: true } : {}), prefix: 'ctrl-x' };
    }
  }
  if (k.leftArrow) return move(k.meta || k.ctrl ? wordStart(g, at) : at - 1);
  if (k.rightArrow) return move(k.meta || k.ctrl ? wordEnd(g, at) : at + 1);
  if (k.home) return move(0);
  if (k.end) return move(g.length);
  if (k.backspace) {
    if (k.meta) return killRange({ ...base, killing: l.killing }, g, wordStart(g, at), at, true); // Alt-Backspace: backward-kill-word
    return remove(base, g, at - 1, at);
  }
  if (k.delete) return remove(base, g, at, at + 1);
  if (k.meta && !k.ctrl) {
    // readline: Alt with an upper-case letter is Alt with the lower-case one
    switch (/^[A-Z]$/.test(key) ? key.toLowerCase() : key) {
      case 'b':
        return move(wordStart(g, at));
      case 'f':
        return move(wordEnd(g, at));
      case 'd':
        return killRange({ ...base, killing: l.killing }, g, at, wordEnd(g, at), false);
      case 'u':
      case 'l':
      case 'c':
        return changeCase(base, g, key.toLowerCase() as 'u' | 'l' | 'c');
      case 'y':
        return yankPop(base, l);
    }
    return undefined;
  }
  if (k.ctrl || k.upArrow || k.downArrow || k.pageUp || k.pageDown || k.escape || k.tab) return undefined;
  const text = [...key].filter((ch) => isPrintable(ch) || (k.multiline === true && ch === '\n')).join('');
  if (!text) return undefined;
  return insert(base, g, text, k.pasted === true || k.multiline === true);
}
