// The wizard's views: thin, over the pure state machine in state.ts. One input owner at a time: the
// current question's input is focused; the root only handles Esc, ← and Ctrl-C; exit happens in one place.
import React, { useEffect, useReducer, useRef, useState } from 'react';
import { Box, Text, useApp } from 'ink';
import { useTerminalSize } from '../use-terminal-size.js';
import { Field, TextView, lineParts } from './Field.js';
import type { Held } from './hidden.js';
import { Choice } from './Choice.js';
import { useRawInput } from './use-keys.js';
import { oneByOne, parseInput, type KeyPress } from './keys.js';
import { DEFAULT_PRESET_PATH, presetPath } from './preset-path.js';
import { wrapLines } from '../summary.js';
import { colorsEnabled } from '../theme.js';
import { questions, runtimeNotesFor, type Answers, type Detection, type Question } from './questions.js';
import { contextInUse } from './context.js';
import { openViewer, viewLines, viewerKey, viewerKeys, viewerTitleLines, type ViewFile, type ViewerState } from './viewer.js';
import { createState, currentQuestion, envSourceNote, fieldText, foundNote, hiddenOf, prefill, progress, reduce, visibleNote, type WizardState } from './state.js';

export interface ReviewText {
  ok: boolean;
  text: string;
  /** Preflight checks that failed; the review offers to skip them. */
  failed?: string[];
  /** The files the install writes, secrets masked (key v shows them). */
  files?: ViewFile[];
}

export interface WizardProps {
  initial?: Answers;
  /** Known facts, or a function that detects them: called after the first frame is on screen. */
  detection?: Detection | (() => Promise<Detection>);
  /** What detection learns later (each kube context's answer), once `detection` has given the rest: merged as it comes. */
  moreDetection?: () => Promise<Partial<Detection>> | undefined;
  /** hd-setup has installed here before: no question until detection has looked (keys typed meanwhile wait). */
  waitForInstall?: boolean;
  /**
   * Build the review: files, diff against the install, exact commands (secrets masked). `plain`: for the
   * line prompts, whose keys are typed lines (`<` goes back, not Esc).
   */
  review: (answers: Answers, how?: { plain?: boolean; width?: number }) => Promise<ReviewText>;
  /** Write the answers as a preset (secrets as references); returns a message. */
  save: (answers: Answers, path: string) => Promise<string>;
  onSecret?: (value: string) => void;
  /** Skip these preflight checks from now on (review screen, key k). */
  skipChecks?: (ids: string[]) => void;
  onDone: (result: { kind: 'install' | 'cancel'; answers: Answers }) => void;
}

const color = <T extends string>(c: T): T | undefined => (colorsEnabled() ? c : undefined);

/** The title line and the steps line (`lines`: the review on a small terminal keeps only the title, or neither). */
function Header({ s, lines = 2 }: { s: WizardState; lines?: 1 | 2 }) {
  const { steps, current } = progress(s);
  const { columns } = useTerminalSize();
  const sep = steps.join(' › ').length <= columns - 2 ? ' › ' : '›';
  // Every Kubernetes screen says which cluster it is about.
  const kube = s.answers.runtime === 'kubernetes' ? (contextInUse({ answers: s.answers, drafts: s.drafts, detection: s.detection }) ?? 'none found') : undefined;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        hd-setup · set up a hybrid-deployment agent
        {kube ? <Text color={color('cyan')}>{` · Kubernetes context ${kube}`}</Text> : null}
      </Text>
      {lines > 1 ? <Text wrap="truncate-end">
        {steps.map((st, i) => (
          <Text key={st} color={st === current ? color('cyan') : undefined} bold={st === current} dimColor={st !== current}>
            {i ? sep : ''}
            {st}
          </Text>
        ))}
      </Text> : null}
    </Box>
  );
}

function OptionItem({ isSelected, label, hint }: { isSelected: boolean; label: string; hint?: string | undefined }) {
  return (
    <Text wrap="truncate-end">
      <Text color={isSelected ? color('cyan') : undefined} bold={isSelected}>
        {label}
      </Text>
      {hint ? <Text dimColor>{`  ${hint}`}</Text> : null}
    </Text>
  );
}

function SelectQuestion({ q, choice, limit }: { q: Question & { kind: 'select' }; choice: number; limit: number }) {
  return <Choice items={q.options} cursor={choice} limit={limit} render={(o, selected) => <OptionItem isSelected={selected} label={o.label} hint={[o.isDefault ? 'default' : '', o.hint].filter(Boolean).join(' · ') || undefined} />} />;
}

function TextQuestion({ q, value, real, table, caret, error }: { q: Question & { kind: 'text' }; value: string; real: string; table: readonly Held[] | undefined; caret: number; error?: string | undefined }) {
  // The check sees what will be stored (trimmed: the real text, not its hidden parts' placeholders); a failing
  // check is not repeated under the error (nor under the note that says the value is an exported variable's).
  const live = q.live?.(real.trim());
  return (
    <Box flexDirection="column">
      <Box>
        {/* (the space as the box's width, not text: a value that wraps made Ink trim it, "›http://…") */}
        <Box width={2} flexShrink={0}>
          <Text color={color('cyan')}>›</Text>
        </Box>
        <TextView value={value} cursor={caret} {...(q.secret ? { mask: '•' } : {})} {...(q.display ? { display: q.display } : {})} table={table} />
      </Box>
      {live && !(error && !live.ok) ? <Text color={color(live.ok ? 'green' : 'yellow')}>{`${live.ok ? '✔' : '…'} ${live.text}`}</Text> : null}
    </Box>
  );
}

/** How wide the text field's line is drawn (a long secret is a short mask and its length). */
function lineLength(q: Question & { kind: 'text' }, s: WizardState): number {
  const table = hiddenOf(s);
  const p = lineParts(s.text, s.caret, { ...(q.secret ? { mask: '•' } : {}), ...(q.display ? { display: q.display } : {}), ...(table ? { table } : {}) });
  return [...`${p.before}${p.at}${p.after}`].length;
}

// Long lines (the exact commands) wrap at spaces or path boundaries, with hanging indents.
export { wrapLines } from '../summary.js';

function Review({ s, note, errorLines, review, save, skipChecks, onConfirm, onBack }: { s: WizardState; note: string | undefined; errorLines: string[]; review: WizardProps['review']; save: WizardProps['save']; skipChecks: WizardProps['skipChecks']; onConfirm: () => void; onBack: (rest: readonly KeyPress[]) => void }) {
  const { columns, rows: height } = useTerminalSize();
  const [result, setResult] = useState<ReviewText | undefined>();
  const [top, setTop] = useState(0);
  const [saving, setSaving] = useState<string | undefined>();
  /** The preset is being written (the save field waits for the answer). */
  const [writing, setWriting] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  // The file viewer (key v), over the review while it is open.
  const [viewing, setViewing] = useState<ViewerState | undefined>();
  const width = columns - 1;
  // Bumped to work the plan out again (after skipping checks).
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setResult(undefined);
    review(s.answers, { width }).then(
      (r) => live && setResult(r),
      (e: Error) => live && setResult({ ok: false, text: e.message }),
    );
    return () => {
      live = false;
    };
    // Not on a resize: the text is wrapped again below; the plan is not worked out again. Again once detection
    // is in (a --preset reaches the review before it): the install it found decides the changes the review says.
  }, [s.answers, review, round, s.detection.pending]);
  // Long lines (the exact commands) wrap instead of being cut, so every word can be read.
  const lines = wrapLines((result?.text ?? 'Working out the plan (read-only checks of what is installed)…').split('\n'), width);
  // The list gets what the frame has left: the title, the "lines … of …" line, the save field, the
  // message, the key hints and an error are counted first, so the title and the keys always show and the
  // frame stays shorter than the terminal; on a small one the banner and the header give way to the list
  // (reviewLayout: whatever the plan's length, so that nothing moves when it comes, or another file shows).
  const messageLines = message ? wrapText(message, width) : [];
  const keysNow = reviewKeys({ result, saving: saving !== undefined, scrolls: true });
  const files = result?.files ?? [];
  // The viewer: its title may take two lines (a long path on 80 columns), then the list, its "lines"
  // line and the keys.
  const file = viewing ? files[viewing.index] : undefined;
  const all = file ? viewLines(file, width) : [];
  const own = file ? 2 + 1 + keyLines(viewerKeys(files, true), width).length : 1 + 1 + (saving !== undefined ? 1 : 0) + messageLines.length + keyLines(keysNow, width).length;
  const noteLines = note ? wrapText(note, width) : [];
  const fit = reviewLayout({ rows: height, fixed: own + errorLines.length, note: noteLines, noteLine: note ? oneLine(note, width) : '', want: REVIEW_ROWS });
  const rows = fit.list;
  const vrows = fit.list;
  // A terminal made taller (or wider: fewer lines) leaves no empty space below the last line.
  const maxTop = Math.max(0, lines.length - rows);
  const at = Math.min(top, maxTop);
  // Raw input through a handler that is always this render's (useRawInput keeps the latest): an Enter
  // that arrives right after the plan became ready sees it ready.
  // Keys for the save field that came with the one that opened it ("s~/mine.yaml⏎" at once: a slow link,
  // tmux), until the field is drawn and takes keys itself.
  const forSave = useRef<KeyPress[]>([]);
  // What takes keys now, known at once: input that arrives before the next render (Ink hands a chunk over
  // as several events) goes where the keys before it led, never to the review behind the field or viewer.
  const savingNow = useRef(false);
  const viewingNow = useRef<ViewerState | undefined>(undefined);
  const showViewer = (v: ViewerState | undefined) => {
    viewingNow.current = v;
    setViewing(v);
  };
  // The keys of one chunk, one by one (a run of text is one key per character): a key that opens the save
  // field or the viewer hands it the rest of the chunk, and Escapes go back as many screens. (Compared
  // whole, "s~/mine.yaml" was no key, and the Enter after it installed.)
  const act = (keys: readonly KeyPress[]): void => {
    if (savingNow.current) return void forSave.current.push(...keys);
    if (viewingNow.current) return view(keys);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key.paste) continue; // pasted text is no key: its "s" saves nothing, its line break installs nothing
      const input = key.meta || key.ctrl ? '' : key.input;
      if (key.downArrow) setTop((t) => Math.min(maxTop, Math.min(t, maxTop) + 1));
      else if (key.upArrow) setTop((t) => Math.max(0, Math.min(t, maxTop) - 1));
      else if (key.pageDown || input === ' ') setTop((t) => Math.min(maxTop, Math.min(t, maxTop) + rows));
      else if (key.pageUp) setTop((t) => Math.max(0, Math.min(t, maxTop) - rows));
      else if (key.home || input === 'g') setTop(0);
      else if (key.end || input === 'G') setTop(maxTop);
      else if (key.return && result?.ok) return onConfirm();
      else if (input === 's' && result) {
        forSave.current = keys.slice(i + 1);
        savingNow.current = true;
        return setSaving(DEFAULT_PRESET_PATH);
      } else if (input === 'v' && files.length) {
        viewingNow.current = openViewer();
        return view(keys.slice(i + 1));
      }
      else if (input === 'k' && result?.failed?.length && skipChecks) {
        skipChecks(result.failed);
        setTop(0);
        setRound((r) => r + 1);
        return;
      } else if (key.escape || key.leftArrow) return onBack(keys.slice(i + 1));
    }
  };
  /** The viewer takes keys until one closes it; the rest of the chunk goes to the review again. */
  const view = (keys: readonly KeyPress[]) => {
    let v = viewingNow.current;
    let i = 0;
    for (; i < keys.length && v; i++) if (!keys[i]!.paste) v = viewerKey(v, keys[i]!, files, width, vrows);
    showViewer(v);
    if (!v) act(keys.slice(i));
  };
  useRawInput((data) => act(oneByOne(parseInput(data))), { isActive: saving === undefined });
  // the header, the banner and a blank line above the review (or the viewer), and an error below it
  const frame = (body: React.ReactNode) => (
    <Box flexDirection="column">
      {fit.header ? <Header s={s} lines={fit.header} /> : null}
      <Lines lines={fit.note} color={color('yellow')} />
      <Box flexDirection="column" marginTop={fit.gaps ? 1 : 0}>
        {body}
        <Lines lines={errorLines} color={color('red')} />
      </Box>
    </Box>
  );
  if (viewing && file) {
    const vtop = Math.min(viewing.top, Math.max(0, all.length - vrows));
    return frame(
      <Box flexDirection="column">
        <Lines lines={viewerTitleLines(viewing, files, width, wrapText)} bold />
        <Box flexDirection="column" height={Math.min(vrows, all.length)}>
          {all.slice(vtop, vtop + vrows).map((l, i) => (
            <Text key={i + vtop} wrap="truncate-end">
              {l || ' '}
            </Text>
          ))}
        </Box>
        {all.length > vrows ? <Text dimColor>{`lines ${vtop + 1}-${Math.min(all.length, vtop + vrows)} of ${all.length}`}</Text> : null}
        <KeyHints keys={viewerKeys(files, all.length > vrows)} width={width} gap={fit.gaps} />
      </Box>,
    );
  }
  return frame(
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {result?.ok === false ? 'Not ready to install:' : 'Review: files, changes and the exact commands (secrets masked)'}
      </Text>
      <Box flexDirection="column" height={Math.min(rows, lines.length)}>
        {lines.slice(at, at + rows).map((l, i) => (
          <Text key={i + at} wrap="truncate-end" color={l.startsWith('✖') ? color('red') : l.startsWith('        +') ? color('green') : l.startsWith('        -') ? color('red') : undefined}>
            {l || ' '}
          </Text>
        ))}
      </Box>
      {lines.length > rows ? <Text dimColor>{`lines ${at + 1}-${Math.min(lines.length, at + rows)} of ${lines.length} (↑↓ pgup/pgdn home/end)`}</Text> : null}
      {saving !== undefined ? (
        <Box>
          <Text>Save preset to: </Text>
          <Field
            value={saving}
            replaceOnType
            onChange={(v) => {
              setSaving(v);
              setMessage(undefined); // a refused paste's message is about the text before
            }}
            onCancel={() => {
              savingNow.current = false;
              setSaving(undefined);
              setMessage(undefined);
            }}
            onRefuse={(why) => setMessage(`error: ${why}`)}
            initialKeys={forSave.current}
            isActive={!writing}
            onSubmit={(p) => {
              // A path the save refuses (not a preset, no such folder) keeps the prompt open with it and the
              // reason, to be corrected; only a save that worked closes it.
              const path = presetPath(p);
              if (!path) return setMessage('error: give a file name for the preset, e.g. ./hd-setup-preset.yaml');
              setWriting(true);
              save(s.answers, path).then(
                (m) => {
                  savingNow.current = false;
                  setWriting(false);
                  setSaving(undefined);
                  setMessage(m);
                },
                (e: Error) => {
                  setWriting(false);
                  setSaving(p);
                  setMessage(`error: ${e.message}`);
                },
              );
            }}
          />
        </Box>
      ) : null}
      {message ? <Lines lines={messageLines} color={color(message.startsWith('error') ? 'red' : 'green')} /> : null}
      <KeyHints keys={reviewKeys({ result, saving: saving !== undefined, scrolls: lines.length > rows })} width={width} gap={fit.gaps} />
    </Box>,
  );
}

export { DEFAULT_PRESET_PATH, presetPath } from './preset-path.js';

/** The review's keys: only those that do something now. */
export function reviewKeys({ result, saving }: { result: ReviewText | undefined; saving: boolean; /** ↑↓ is said on the "lines … of …" line: the keys fit in 80 columns. */ scrolls: boolean }): string {
  if (saving) return 'type a path to replace it · enter save · ←→ edit it · esc cancel · ctrl-c quit';
  return [
    result?.ok ? 'enter install' : '',
    result?.failed?.length ? `k skip check${result.failed.length > 1 ? 's' : ''}` : '',
    result?.files?.length ? 'v view files' : '',
    result ? 's save as preset' : '',
    'esc back',
    'ctrl-c quit',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Key hints as lines of at most `width` columns, broken between hints (at " · "), never inside one. */
export function keyLines(keys: string, width: number): string[] {
  const out: string[] = [];
  for (const k of keys.split(' · ')) {
    const last = out.at(-1);
    if (last !== undefined && [...last].length + 3 + [...k].length <= width) out[out.length - 1] = `${last} · ${k}`;
    else out.push(k);
  }
  return out;
}

/** Lines of text wrapped by us (no line starts with the space it broke at); Ink only draws them. */
function Lines({ lines, dim, bold, color: c }: { lines: string[]; dim?: boolean; bold?: boolean; color?: string | undefined }) {
  return (
    <>
      {lines.map((l, i) => (
        <Text key={i} dimColor={dim} bold={bold} color={c} wrap="truncate-end">
          {l || ' '}
        </Text>
      ))}
    </>
  );
}

function KeyHints({ keys, width, gap = true }: { keys: string; width: number; gap?: boolean }) {
  return (
    <Box marginTop={gap ? 1 : 0} flexDirection="column">
      <Lines lines={keyLines(keys, width)} dim />
    </Box>
  );
}

/**
 * Prose (a title, help, a note) wrapped to `width` at spaces, words whole: every line starts at the
 * margin, never with the space it broke at (Ink's own wrapping keeps it). Only a word longer than the
 * line is cut.
 */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(10, width);
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (let word of para.split(/ +/).filter(Boolean)) {
      while ([...word].length > w) {
        if (line) out.push(line);
        line = '';
        // a word longer than the line (a URL, a path): cut after its last "/" (or ":", "=", ",") that fits
        const chars = [...word];
        let cut = w;
        for (let i = w; i > Math.floor(w / 2); i--) {
          if ('/:=,'.includes(chars[i - 1]!)) {
            cut = i;
            break;
          }
        }
        out.push(chars.slice(0, cut).join(''));
        word = chars.slice(cut).join('');
      }
      if (!line) line = word;
      else if ([...line].length + 1 + [...word].length <= w) line += ` ${word}`;
      else {
        out.push(line);
        line = word;
      }
    }
    out.push(line);
  }
  return out;
}

/**
 * How many lines a question's screen may give its options: the frame must stay shorter than the
 * terminal (a frame as tall as it makes Ink clear the screen and print it again, into the scrollback).
 * Help, then the note, are cut when even a few options would not fit.
 */
export function questionLayout(p: { rows: number; fixed: number; help: string[]; note: string[]; notes?: string[]; options: number }): { help: string[]; note: string[]; notes: string[]; limit: number } {
  const budget = p.rows - 1;
  let { help, note } = p;
  let notes = p.notes ?? [];
  // a window needs one option and its "↑/↓ n more" lines: 3 lines at the least
  const want = Math.min(p.options, 3);
  const used = () => p.fixed + help.length + note.length + notes.length;
  while (used() + want > budget && help.length) help = help.slice(0, -1);
  while (used() + want > budget && note.length) note = note.slice(0, -1);
  // the runtime's notes last: what stands in the way is said while anything can be
  while (used() + want > budget && notes.length) notes = notes.slice(0, -1);
  const room = Math.max(1, budget - used());
  // the window shows "↑ n more" and "↓ n more" when it does not hold every option
  const limit = p.options <= room ? p.options : Math.max(1, Math.min(10, room - 2));
  // (below 3 lines of room a window of one option still shows its two "more" lines: the frame is cut
  // as far as it can be; 40×10 is the smallest size drawn at all)
  return { help, note, notes, limit: Math.min(limit, 10) };
}

/** The fewest lines of the plan (or of a file in the viewer) the review keeps before the banner and the header give way. */
export const REVIEW_ROWS = 5;

/**
 * How the review fits the terminal: its list (the plan, or a file in the viewer) gets the lines the rest
 * leaves (`fixed`: the review's own title, "lines … of …" line, save field, message and keys, and an error).
 * On a small terminal (40×10, 50×12) the rest gives way, step by step, until the list has `want` lines: the
 * banner becomes its first words on one line, the blank lines go, then the header's steps, the banner, the
 * header's title; the review's title and keys always stay. The frame stays shorter than the terminal.
 */
export function reviewLayout(p: { rows: number; fixed: number; note: string[]; noteLine: string; want: number }): { header: 0 | 1 | 2; note: string[]; gaps: boolean; list: number } {
  type Fit = { header: 0 | 1 | 2; note: string[]; gaps: boolean };
  const list = (f: Fit) => p.rows - 1 - f.header - f.note.length - (f.gaps ? 2 : 0) - p.fixed;
  const steps: ((f: Fit) => Fit)[] = [
    (f) => ({ ...f, note: f.note.length > 1 ? [p.noteLine] : f.note }),
    (f) => ({ ...f, gaps: false }),
    (f) => ({ ...f, header: 1 }),
    (f) => ({ ...f, note: [] }),
    (f) => ({ ...f, header: 0 }),
  ];
  let fit: Fit = { header: 2, note: p.note, gaps: true };
  for (const step of steps) {
    if (list(fit) >= p.want) break;
    fit = step(fit);
  }
  return { ...fit, list: Math.max(1, list(fit)) };
}

/** A text on one line of `width` columns: its first words, and "…" when it goes on. */
export function oneLine(text: string, width: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  if ([...words.join(' ')].length <= width) return words.join(' ');
  let line = '';
  for (const w of words) {
    const next = line ? `${line} ${w}` : w;
    if ([...next].length > width - 1) break;
    line = next;
  }
  // a first word longer than the line: cut
  return `${line || [...words[0]!].slice(0, width - 1).join('')}…`;
}

/** The keys of a question (the review draws its own: they depend on its state). */
export function questionKeys(q: Question, prefilled: boolean, back = true): string {
  // Back is offered only where there is a screen to go back to (not on the first).
  return q.kind === 'select'
    ? `↑↓ move · enter choose · ${back ? 'esc/← back · ' : ''}ctrl-c quit`
    : prefilled
      ? q.kind === 'text' && (q.suggested || q.secret)
        ? `enter keeps it · typing replaces it · ←→ edit it · ${back ? 'esc back · ' : ''}ctrl-c quit` // (state.ts: what is typed first replaces it)
        : `enter keeps it · ctrl-u clears · ←→ move · ${back ? 'esc back · ' : ''}ctrl-c quit`
      : `type · enter next · ${back ? 'esc back · ' : ''}ctrl-c quit (nothing is written)`;
}

/** Esc (or ←) goes somewhere from here: a question answered before this one is still asked. */
export function canGoBack(s: WizardState): boolean {
  const ids = new Set(questions({ answers: s.answers, drafts: s.drafts, detection: s.detection }).map((q) => q.id));
  return s.history.some((id) => ids.has(id));
}

export function WizardApp(p: WizardProps) {
  const [s, dispatch] = useReducer(reduce, undefined, () => {
    const first = prefill(createState(p.initial ?? {}, typeof p.detection === 'function' ? { pending: true } : (p.detection ?? {})));
    return p.waitForInstall && typeof p.detection === 'function' ? { ...first, waiting: true } : first;
  });
  const q = currentQuestion(s);
  const { exit } = useApp();
  // Secrets typed so far go to the output redactor.
  const reported = useRef(0);
  useEffect(() => {
    for (const v of s.secrets.slice(reported.current)) p.onSecret?.(v);
    reported.current = s.secrets.length;
  }, [s.secrets]);
  useEffect(() => {
    const detect = p.detection;
    if (typeof detect !== 'function') return;
    // On the next turn of the event loop: the first frame is written before detection loads anything.
    const timer = setImmediate(() =>
      detect().then(
        (detection) => {
          dispatch({ type: 'detected', detection });
          if (detection.installed) {
            dispatch({ type: 'prefill', answers: detection.installed.preset, note: foundNote(detection.installed, 'esc') });
          }
          dispatch({ type: 'settled' });
          p.moreDetection?.()?.then(
            (more) => dispatch({ type: 'detectedMore', detection: more }),
            () => undefined,
          );
        },
        () => dispatch({ type: 'settled' }),
      ),
    );
    return () => clearImmediate(timer);
  }, [p.detection]);
  // Exit in one place, after the last state flush.
  useEffect(() => {
    if (s.result) {
      p.onDone({ kind: s.result.kind, answers: s.answers });
      exit();
    }
  }, [s.result]);
  // The one input handler for the questions: every key goes to the reducer (see state.ts). The review
  // screen has its own while it shows; here it only gets ctrl-c.
  // On the review its own handler acts on the keys: a key reaching both would act twice (one Esc went
  // back two steps), so only Ctrl-C comes here then.
  useRawInput((data) => {
    if (q.kind !== 'review' || data.includes('\u0003')) dispatch({ type: 'input', data });
  });
  // Every text is wrapped here (words whole, no line starting with a space) and every line counted:
  // no frame is as tall as the terminal (Ink would clear it and print it again, into the scrollback).
  const size = useTerminalSize();
  const width = size.columns - 1;
  const rows = size.rows;
  const note = visibleNote(s);
  const noteLines = note ? wrapText(note, width) : [];
  // A secret field holding an exported variable's value it refuses (masked: not seen to be the variable's).
  const envNote = s.error ? undefined : envSourceNote(s);
  const errorLines = s.error ? wrapText(`✖ ${s.error}`, width) : envNote ? wrapText(`⚠ ${envNote}`, width) : [];
  if (s.waiting) {
    return (
      <Box flexDirection="column">
        <Header s={s} />
        <Box flexDirection="column" marginTop={1}>
          <Lines lines={wrapText('Looking at what hd-setup installed here…', width)} />
        </Box>
        <KeyHints keys="ctrl-c quit" width={width} />
      </Box>
    );
  }
  if (q.kind === 'review') {
    // the review draws the header, the note and the error too: on a small terminal they give way to its list
    return (
      <Review s={s} note={note} errorLines={errorLines} review={p.review} save={p.save} skipChecks={p.skipChecks} onConfirm={() => dispatch({ type: 'confirm' })} onBack={(rest) => {
          dispatch({ type: 'back' });
          // the keys after the Escape (more Escapes: as many screens back) act on the screen it went to
          for (const key of rest) dispatch({ type: 'key', key });
        }} />
    );
  }
  const titleLines = wrapText(q.title, width);
  const notes = q.id === 'runtime' && q.kind === 'select' ? runtimeNotesFor(s.detection, s.answers.product, q.options[s.choice]?.value ?? '').flatMap((n) => wrapText(`⚠ ${n}`, width)) : [];
  const keys = keyLines(questionKeys(q, q.kind === 'text' && !s.touched && s.text !== '', canGoBack(s)), width);
  const live = q.kind === 'text' ? q.live?.(fieldText(s).trim()) : undefined;
  const textLines = q.kind === 'text' ? Math.ceil((lineLength(q, s) + 3) / (width + 1)) + (live ? wrapText(live.text, width - 2).length : 0) : 0;
  const base = 2 + 1 + titleLines.length + 1 + textLines + errorLines.length + 1 + keys.length;
  const options = q.kind === 'select' ? q.options.length : 0;
  const layout = (fixed: number) => questionLayout({ rows, fixed, help: q.help ? wrapText(q.help, width) : [], note: noteLines, notes, options });
  // On the smallest terminals the blank line above the options goes too.
  const roomy = layout(base);
  const tight = base + roomy.help.length + roomy.note.length + roomy.notes.length + Math.min(options, 3) > rows - 1;
  const fit = tight ? layout(base - 1) : roomy;
  return (
    <Box flexDirection="column">
      <Header s={s} />
      <Lines lines={fit.note} color={color('yellow')} />
      <Box flexDirection="column" marginTop={1}>
        <Lines lines={titleLines} bold />
        <Lines lines={fit.help} dim />
        <Box marginTop={tight ? 0 : 1} flexDirection="column">
          {q.kind === 'select' ? <SelectQuestion q={q} choice={s.choice} limit={fit.limit} /> : <TextQuestion q={q} value={s.text} real={fieldText(s)} table={hiddenOf(s)} caret={s.caret} error={s.error ?? envNote} />}
          <Lines lines={fit.notes} color={color('yellow')} />
        </Box>
        <Lines lines={errorLines} color={color(s.error ? 'red' : 'yellow')} />
      </Box>
      <KeyHints keys={questionKeys(q, q.kind === 'text' && !s.touched && s.text !== '', canGoBack(s))} width={width} />
    </Box>
  );
}
