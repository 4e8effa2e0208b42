// Keys as pure data, shared by the wizard's reducer (state.ts) and the review's save field (Field.tsx):
// how a chunk of input splits into keys, and what one key does to a line of text.

/** A key as Ink's useInput reports it (the subset the wizard uses). */
export interface KeyPress {
  input: string;
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  tab?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

const isPlain = (k: KeyPress) => !k.upArrow && !k.downArrow && !k.leftArrow && !k.rightArrow && !k.pageUp && !k.pageDown && !k.escape && !k.ctrl && !k.meta;

function charKey(ch: string): KeyPress {
  if (ch === '\r' || ch === '\n') return { input: '', return: true };
  if (ch === '\u007f' || ch === '\b') return { input: '', backspace: true };
  if (ch === '\t') return { input: '', tab: true };
  return { input: ch };
}

/**
 * Ink hands over plain text that arrived in one piece (a paste, keystrokes coalesced over SSH, tmux
 * send-keys) as one input, Enter and backspace included: here it becomes one key per character.
 */
export function splitKeys(k: KeyPress): KeyPress[] {
  if (!isPlain(k) || k.return || k.backspace || k.delete || k.tab) return [k];
  const chars = [...k.input];
  if (chars.length === 0 || (chars.length === 1 && !/^[\r\n\b\t\u007f]$/.test(k.input))) return [k];
  return chars.map(charKey);
}

/**
 * One key on a line of text: the new text, 'submit' for Enter, or undefined for a key that does not
 * edit. With `replace`, typed text replaces the line (a prefilled value); backspace still edits it.
 */
export function editLine(text: string, k: KeyPress, replace = false): string | 'submit' | undefined {
  if (k.return) return 'submit';
  if (k.backspace || k.delete || (k.ctrl && k.input === 'h')) return [...text].slice(0, -1).join('');
  if (!isPlain(k) || k.tab || /^[\u0000-\u001f\u007f]*$/.test(k.input)) return undefined;
  return (replace ? '' : text) + k.input;
}
