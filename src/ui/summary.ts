// The final summary as plain lines: shared by the plain reporter and the Ink screen. And the wrapping of
// such lines (the summary, the review's plan and commands) to a terminal width, so that nothing wraps
// to column 0 or breaks inside a word.
import type { Summary } from '../exec/events.js';

/** The summary's lines; with a width (a terminal), wrapped to it with hanging indents. */
export function summaryLines(s: Summary, subject: string, width?: number): string[] {
  const out: string[] = [];
  const title = (id: string) => s.titles?.[id] ?? id;
  if (s.ok) out.push(`✔ ${subject}: done.`);
  else if (s.cancelled) out.push(`✖ ${subject}: cancelled.`);
  else out.push(`✖ ${subject}: failed at "${title(s.failed!)}".`);
  if (!s.ok && s.error) out.push(`  Error: ${s.error}`);
  if (!s.ok && s.fix) out.push(`  Fix:   ${s.fix}`);
  if (!s.ok && s.undo) out.push(`  Undo:  ${s.undo}`);
  if (s.changes.length) out.push('  Changed:', ...s.changes.map((c) => `    - ${c}`));
  else out.push('  Changed: nothing');
  if (!s.ok && s.notRun.length) out.push(`  Not done: ${s.notRun.map(title).join(', ')}`);
  if (s.backups.length) out.push('  Backups:', ...s.backups.map((b) => `    - ${b}`));
  if (s.warnings.length) out.push('  Warnings:', ...s.warnings.map((w) => `    - ${w}`));
  if (s.ok && s.state?.length) out.push('  State:', ...s.state.map((l) => `    ${l}`));
  if (s.ok && s.nextSteps.length) out.push('  Next steps:', ...s.nextSteps.map((n) => `    ${n}`));
  return width !== undefined && width >= 20 ? wrapLines(out, width) : out;
}

// Where a continuation line starts: under the text after a bullet, a number, a "Label:" or a "$ "
// prompt (a command continues 4 deeper than its "$"), else 2 deeper than the line.
// A doctor row ("  fail    clock-skew: …") hangs under its message.
const LEAD = /^( *)(?:(\$ )|([-•✔✖!↷] |\d+\. |(?:ok|warn|fail|skipped) +[a-z][\w.-]*: +|[A-Za-z][A-Za-z ]{0,15}: +))?/;
/** Characters after which a long path, URL or image reference may break (a path-segment boundary). */
const SEPARATORS = new Set(['/', ':', ',', '=', '&', '?', '@', ';', '|']);

function hangOf(line: string, width: number): number {
  const m = LEAD.exec(line)!;
  const lead = m[1]!.length;
  const hang = m[2] ? lead + 4 : m[3] ? m[0].length : lead + 2;
  return Math.min(hang, Math.floor(width / 2));
}

/**
 * Wrap lines to `width` columns: at a space; a long path, URL or image reference after a `/`, `:` … (not
 * inside a word); only a word longer than the line is cut. Continuation lines hang under the text. A line
 * of a diff (after a "@@ … @@" header) keeps its "+"/"-" on every piece, so a wrapped added line still
 * reads as added.
 */
export function wrapLines(lines: string[], width: number): string[] {
  const out: string[] = [];
  const w = Math.max(10, width);
  let hunk: string | undefined; // the indent of the diff being read
  for (const line of lines) {
    const header = /^( *)@@ .* @@/.exec(line);
    if (header) hunk = header[1];
    else if (hunk !== undefined && !(line.startsWith(hunk) && /^[-+ ]/.test(line.slice(hunk.length)))) hunk = undefined;
    let chars = [...line.trimEnd()];
    if (chars.length <= w) {
      out.push(chars.join(''));
      continue;
    }
    const diff = !header && hunk !== undefined ? hunk + line[hunk.length] : undefined;
    const pad = diff !== undefined ? `${diff}${' '.repeat(Math.min(3, Math.max(0, w - diff.length - 8)))}` : ' '.repeat(hangOf(line, w));
    let first = true;
    while (chars.length > w) {
      const start = first ? (diff?.length ?? LEAD.exec(line)?.[0].length ?? 0) : pad.length;
      let space = -1;
      let loose = -1;
      let slash = -1;
      let other = -1;
      for (let i = start + 1; i <= w; i++) {
        if (chars[i] === ' ' && chars[i - 1] !== ' ') {
          loose = i;
          // a flag keeps its value on its line ("-l app=x", "--set a=b"): no break between them
          if (!gluedAt(chars, i)) space = i;
        }
        if (i < w && SEPARATORS.has(chars[i]!) && chars[i + 1] !== ' ') {
          if (chars[i] === '/') slash = i + 1;
          else other = i + 1;
        }
      }
      if (space <= start) space = loose;
      // after the last "/" of a path (an image's name:tag stays whole), else after ":", "=", ","…
      const sep = slash > start ? slash : other;
      // The word after the last space (a flag with its value) fits on a line of its own: break there, so
      // no word that fits is split (an argument of a command stays whole, to be copied).
      let next = space + 1;
      while (next < chars.length && (chars[next] !== ' ' || gluedAt(chars, next))) next++;
      const fitsWhole = space > start && next - (space + 1) <= w - pad.length;
      // Else a space, unless it comes early and a path boundary comes later (a long image reference).
      const cut = fitsWhole || (space > 0 && (space >= start + (w - start) / 2 || sep <= space)) ? space : sep > start ? sep : w;
      out.push(chars.slice(0, cut).join('').trimEnd());
      chars = [...pad, ...chars.slice(cut).join('').trimStart()];
      first = false;
    }
    out.push(chars.join(''));
  }
  return out;
}

/** The space at `i` follows a flag (-l, --set; not --flag=value) and comes before its value. */
function gluedAt(chars: string[], i: number): boolean {
  let b = i - 1;
  while (b >= 0 && chars[b] !== ' ') b--;
  const before = chars.slice(b + 1, i).join('');
  return /^--?[A-Za-z][\w-]*$/.test(before) && chars[i + 1] !== undefined && chars[i + 1] !== '-' && chars[i + 1] !== ' ';
}

/** Flags whose value goes on the same line as the flag. */
const PAIRED = new Set(['--set', '--preset', '--skip-check', '--context', '--out']);

/**
 * A command as a shell prints a long one: whole arguments (a flag with its value) packed into lines of
 * at most `width` columns, each but the last ending in " \\", continuations 4 deeper. An argument longer
 * than its line is cut with a backslash-newline and goes on at column 0, which the shell joins back into
 * the same word (a cut inside single quotes closes and reopens them), so that what is copied runs as is
 * and no line is wider than `width` (a wider line would be folded by the screen, indent and all).
 * `words` are already shell-quoted.
 */
export function shellLines(words: string[], width: number, indent = '  '): string[] {
  const units: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (PAIRED.has(words[i]!) && i + 1 < words.length) units.push(`${words[i]} ${words[++i]}`);
    else units.push(words[i]!);
  }
  const out: string[] = [];
  let line = indent;
  const cont = `${indent}    `;
  for (const u of units) {
    const start = line === indent || line === cont;
    // room for " \\" at the end of every line but the last
    if (!start && [...line].length + 1 + [...u].length + 2 > width) {
      out.push(`${line} \\`);
      line = cont + u;
    } else line = start ? line + u : `${line} ${u}`;
    // room for " \\" after it; a cut piece needs one column for its "\\"
    while ([...line].length + 2 > width && width > 8) {
      const [head, rest] = cutWord(line, width - 1, line.length - u.length);
      if (rest === undefined) break;
      out.push(`${head}\\`);
      line = rest;
    }
  }
  out.push(line);
  return out;
}

/**
 * The first `room` columns of a line that ends in a shell word, cut inside that word (never before `from`,
 * where the word starts): [the head, the rest]. Inside single quotes the head closes them and the rest
 * reopens them; a backslash escape outside them is not split from what it escapes.
 */
function cutWord(line: string, room: number, from: number): [string, string | undefined] {
  const chars = [...line];
  let quoted = false;
  let cut = -1;
  let cutQuoted = false;
  for (let i = 0; i < chars.length; i++) {
    const need = quoted ? 1 : 0; // a closing quote before the "\\"
    if (i >= from && i + need <= room && i > 0 && !(chars[i - 1] === '\\' && !quoted)) {
      cut = i;
      cutQuoted = quoted;
    }
    if (chars[i] === "'") quoted = !quoted;
  }
  if (cut <= from) return [line, undefined];
  const head = chars.slice(0, cut).join('');
  const rest = chars.slice(cut).join('');
  return cutQuoted ? [`${head}'`, `'${rest}`] : [head, rest];
}

/** "The same without the wizard" and its command, both wrapped to the width (the prose at words). */
export function sameWithoutWizard(eq: { words: string[]; vars: string[]; unset?: string[] }, width: number): string {
  const first = [...(eq.vars.length ? [`export ${eq.vars.join(', ')} first`] : []), ...(eq.unset?.length ? [`unset ${eq.unset.join(' ')} first: it keeps the installed secret, which the variable would replace`] : [])];
  const head = `The same without the wizard${first.length ? ` (${first.join('; ')})` : ''}:`;
  return [...wrapLines([head], width), ...shellLines(eq.words, width)].join('\n');
}
