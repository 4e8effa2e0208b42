// Control characters: C0 (a line break, a tab, ESC), DEL and C1. Checked in settings and paths (model/),
// spelled out where a message echoes input (util/output.ts printable).
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
