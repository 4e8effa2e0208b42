// The review's file viewer (key v): each rendered file, as it will be written but with secrets masked,
// one at a time, scrollable. Pure: the state and what a key does to it; Wizard.tsx draws it.
import type { KeyPress } from './keys.js';

/** A file as the review shows it: its content already masked. */
export interface ViewFile {
  path: string;
  mode: string;
  content: string;
}

export interface ViewerState {
  /** Which file. */
  index: number;
  /** The first line shown. */
  top: number;
}

export const openViewer = (): ViewerState => ({ index: 0, top: 0 });

/** A file's lines, long ones cut into pieces of `width` (nothing is hidden past the edge). */
export function viewLines(f: ViewFile, width: number): string[] {
  const w = Math.max(10, width);
  return f.content.replace(/\n$/, '').split('\n').flatMap((l) => {
    const chars = [...l];
    if (chars.length <= w) return [l];
    const out: string[] = [];
    for (let i = 0; i < chars.length; i += w) out.push(chars.slice(i, i + w).join(''));
    return out;
  });
}

/**
 * One key: ↑↓ (j/k) a line, PgUp/PgDn (space) a page, Home/End (g/G) the ends; ←→, Tab or n/p another
 * file (from its top); Esc, q or v closes (undefined).
 */
export function viewerKey(s: ViewerState, k: KeyPress, files: readonly ViewFile[], width: number, rows: number): ViewerState | undefined {
  const n = files.length;
  // Ctrl-C is the root's (quit): closing the viewer too would draw the review as the last frame.
  if (k.escape || k.input === 'q' || k.input === 'v') return undefined;
  if (n === 0) return s;
  const lines = viewLines(files[s.index]!, width).length;
  const last = Math.max(0, lines - rows);
  const to = (top: number) => ({ ...s, top: Math.min(last, Math.max(0, top)) });
  const file = (i: number) => ({ index: ((i % n) + n) % n, top: 0 });
  // From where the screen shows it: a resize may have left the top past the last page.
  const at = Math.min(s.top, last);
  if (k.downArrow || k.input === 'j') return to(at + 1);
  if (k.upArrow || k.input === 'k') return to(at - 1);
  if (k.pageDown || k.input === ' ') return to(at + rows);
  if (k.pageUp) return to(at - rows);
  if (k.home || k.input === 'g') return to(0);
  if (k.end || k.input === 'G') return to(last);
  if (k.rightArrow || (k.tab && !k.meta) || k.input === 'n') return file(s.index + 1);
  if (k.leftArrow || k.input === 'p') return file(s.index - 1);
  return s;
}

/** The viewer's heading and key line. */
export function viewerTitle(s: ViewerState, files: readonly ViewFile[], path?: string): string {
  const f = files[s.index];
  return f ? `File ${s.index + 1} of ${files.length}: ${path ?? f.path} (${f.mode}, secrets masked)` : 'No files to show';
}

/**
 * The title in at most `max` lines of `width`: a path too long for them loses its start ("…/user/x.service"),
 * never its file name or mode. `wrap` is the screen's word wrap.
 */
export function viewerTitleLines(s: ViewerState, files: readonly ViewFile[], width: number, wrap: (t: string, w: number) => string[], max = 2): string[] {
  const path = files[s.index]?.path ?? '';
  let lines = wrap(viewerTitle(s, files), width);
  for (let keep = path.length - 1; lines.length > max && keep > 8; keep -= Math.max(1, Math.floor(width / 8))) {
    lines = wrap(viewerTitle(s, files, `…${path.slice(-keep)}`), width);
  }
  return lines.slice(0, max);
}

export function viewerKeys(files: readonly ViewFile[], scrolls: boolean): string {
  return [files.length > 1 ? '←→ another file' : '', scrolls ? '↑↓ pgup/pgdn scroll' : '', 'esc back to the review', 'ctrl-c quit'].filter(Boolean).join(' · ');
}
