// A single-line text field (the review's save-as-preset path) and the view of a line of text with its
// cursor (the wizard's text questions too). The field keeps its line in a ref, so keys that arrive
// faster than renders (pasting, fast typing) are not lost; the editing is keys.ts's line editor.
import React, { useLayoutEffect, useRef, useState } from 'react';
import { Text } from 'ink';
import { cleared, editLine, graphemes, lineAt, parseInput, pastedText, type KeyPress, type LineState } from './keys.js';
import { useRawInput } from './use-keys.js';
import { HIDDEN_MASK, drawn, type Held } from './hidden.js';

/**
 * `replaceOnType`: the value is a suggestion (a default path): typing text first replaces it whole, as a
 * selected placeholder would; a movement, Backspace or Ctrl-U first edits it instead.
 */
export function Field({ value, onChange, onSubmit, onCancel, onRefuse, isActive = true, replaceOnType = false, initialKeys }: { value: string; onChange: (v: string) => void; onSubmit: (v: string) => void; onCancel?: () => void; onRefuse?: (why: string) => void; isActive?: boolean; replaceOnType?: boolean; /** Keys that arrived with the one that opened the field (one chunk): they are its first. */ initialKeys?: readonly KeyPress[] }) {
  const line = useRef<LineState>(lineAt(value));
  const pristine = useRef(replaceOnType);
  const [, redraw] = useState(0);
  // Adopt the value only when it changed from outside (a new default); never from a late render of a
  // value we emitted earlier (that would overwrite keys typed in between).
  const emitted = useRef(value);
  if (value !== emitted.current) {
    line.current = lineAt(value);
    emitted.current = value;
  }
  // A chunk can hold several keys (fast typing, a paste, tmux): apply them in order; an Enter in it
  // submits what came before.
  const apply = (keys: readonly KeyPress[]) => {
    let l = line.current;
    let submit = false;
    let cancel = false;
    for (let k of keys) {
      if (k.paste) {
        // One line, inserted as typed text; a paste of several lines goes in nowhere (keys.ts pastedText).
        const p = pastedText(k.input, false);
        if ('error' in p) {
          onRefuse?.(p.error);
          continue;
        }
        k = { input: p.text, pasted: true };
      }
      if (k.escape && !l.prefix) {
        // (after Ctrl-X, Esc is the sequence's second key: keys.ts editLine)
        cancel = true;
        break;
      }
      if (pristine.current) {
        pristine.current = false;
        if (k.input && !k.ctrl && !k.meta && !k.return) l = cleared(l);
      }
      const r = editLine(l, k);
      if (r === 'submit') {
        submit = true;
        break;
      }
      if (r !== undefined) l = r;
    }
    const before = line.current;
    line.current = l;
    if (l.text !== before.text) {
      emitted.current = l.text;
      onChange(l.text);
    }
    if (l.cursor !== before.cursor || l.text !== before.text) redraw((n) => n + 1);
    if (cancel) onCancel?.();
    else if (submit) onSubmit(l.text);
  };
  useRawInput((data) => apply(parseInput(data)), { isActive });
  // once, when the field opens
  useLayoutEffect(() => {
    if (initialKeys?.length) apply(initialKeys);
  }, []);
  return <TextView value={line.current.text} cursor={line.current.cursor} />;
}

/** Secrets longer than this draw as this many bullets and their length, not one bullet per character
 * (so the mask never shrinks as one types). */
export const MASK_CELLS = 8;

/** "44 characters", and the spaces around it that are dropped when it is stored. */
function maskedLength(g: string[]): string {
  let lead = 0;
  while (lead < g.length && /^\s$/u.test(g[lead]!)) lead++;
  let trail = 0;
  while (trail < g.length - lead && /^\s$/u.test(g[g.length - 1 - trail]!)) trail++;
  const n = g.length - lead - trail;
  const spaces = lead + trail;
  return `${n} character${n === 1 ? '' : 's'}${spaces ? `; ${spaces} space${spaces === 1 ? '' : 's'} around it dropped` : ''}`;
}

/**
 * What a line shows: before the cursor, the cell under it (a space at the end), after it. `table`: the
 * line's hidden parts (hidden.ts): each run of their placeholders draws as the mask, wherever it is.
 */
export function lineParts(value: string, cursor: number, opts: { mask?: string; display?: (v: string) => string; table?: readonly Held[] } = {}): { before: string; at: string; after: string } {
  const g = graphemes(value);
  const c = Math.max(0, Math.min(cursor, g.length));
  if (opts.mask) {
    if (g.length <= MASK_CELLS) return { before: opts.mask.repeat(c), at: c < g.length ? opts.mask : ' ', after: opts.mask.repeat(Math.max(0, g.length - c - 1)) };
    // A long token would draw as lines of bullets: a short mask, the length, and where the cursor is.
    const bullets = opts.mask.repeat(MASK_CELLS);
    const length = maskedLength(g);
    return c === g.length ? { before: `${bullets} (${length})`, at: ' ', after: '' } : { before: `${bullets} (${length}; cursor at ${c + 1})`, at: '', after: '' };
  }
  const shown = opts.display ? opts.display(value) : value;
  let d = g;
  let at = c;
  if (shown !== value) {
    // A display transform (credentials in a URL masked): the cursor keeps its place in the unchanged
    // prefix or suffix; inside the masked part it shows at the start of the mask (nothing leaks).
    d = graphemes(shown);
    let pre = 0;
    while (pre < g.length && pre < d.length && g[pre] === d[pre]) pre++;
    let suf = 0;
    while (suf < g.length - pre && suf < d.length - pre && g[g.length - 1 - suf] === d[d.length - 1 - suf]) suf++;
    at = c <= pre ? c : c >= g.length - suf ? d.length - (g.length - c) : pre;
  }
  if (opts.table?.length) {
    // Hidden parts the display left (an edit moved them out of what it masks): each run as the mask, the
    // cursor inside one at its start; a private-use character of the text itself as it is.
    const cells: string[] = [];
    let runStart = 0;
    let cell = -1;
    for (let i = 0; i < d.length; i++) {
      const x = drawn(d[i]!, opts.table);
      const hidden = x === 'hidden';
      if (hidden && !(i > 0 && drawn(d[i - 1]!, opts.table) === 'hidden')) {
        runStart = cells.length;
        cells.push(...graphemes(HIDDEN_MASK));
      } else if (!hidden) cells.push(x ? x.shown : d[i]!);
      if (i === at) cell = hidden ? runStart : cells.length - 1;
    }
    d = cells;
    at = cell >= 0 ? cell : d.length;
  }
  return { before: d.slice(0, at).join(''), at: d[at] ?? ' ', after: d.slice(at + 1).join('') };
}

export function TextView({ value, cursor, mask, display, table }: { value: string; cursor?: number; mask?: string; display?: (v: string) => string; table?: readonly Held[] | undefined }) {
  const p = lineParts(value, cursor ?? graphemes(value).length, { ...(mask ? { mask } : {}), ...(display ? { display } : {}), ...(table ? { table } : {}) });
  return (
    <Text>
      {p.before}
      {p.at ? <Text inverse>{p.at}</Text> : null}
      {p.after}
    </Text>
  );
}
