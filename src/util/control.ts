// Control characters: C0 (a line break, a tab, ESC), DEL and C1. Checked in settings and paths (model/),
// spelled out where a message echoes input (util/output.ts printable).
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * One line of a message that may echo the user's input (a --set path, a file's line), as the terminal should
 * show it: control characters spelled out (`\x1b`), so an echoed ESC or line break cannot act on it.
 */
const CONTROLS = new RegExp(CONTROL.source, 'g');
export function printable(line: string): string {
  return line.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The first control character of a text, as messages name it (never the text): "U+001B". */
export function controlCode(s: string): string | undefined {
  const ch = CONTROL.exec(s)?.[0];
  return ch === undefined ? undefined : `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
