// Control characters: C0 (a line break, a tab, ESC), DEL and C1. Checked in settings and paths (model/),
// spelled out where a message echoes input (util/output.ts printable).
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The first control character of a text, as messages name it (never the text): "U+001B". */
export function controlCode(s: string): string | undefined {
  const ch = CONTROL.exec(s)?.[0];
  return ch === undefined ? undefined : `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
