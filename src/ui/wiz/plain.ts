// The accessible wizard: the same questions, answers and review as the Ink wizard (the same pure state
// machine, state.ts), as numbered line prompts that never repaint: usable with a screen reader, over a
// dumb serial console, or on a terminal too small to draw on. ACCESSIBLE=1 (the convention of
// charmbracelet/huh) or --plain; used by itself on a terminal below 40×10 or with TERM=dumb.
// Input is read as plain lines (LineReader); a secret is read without echo.
import { runtimeNotesFor, type Answers, type Question } from './questions.js';
import { createState, currentQuestion, envSource, foundNote, initialValue, otherInstallNote, prefill, progress, reduce, type WizardState } from './state.js';
import type { ReviewText, WizardProps } from './Wizard.js';
import { DEFAULT_PRESET_PATH, presetPath } from './preset-path.js';
import { wrapLines } from '../summary.js';

export type PlainResult = { kind: 'install' | 'cancel'; answers: Answers };

interface In extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
}
interface Out {
  write(s: string): unknown;
  columns?: number;
}

/**
 * Lines from the input. On a terminal, the reader keeps it in raw mode for the whole session and echoes
 * what is typed itself: a secret typed ahead (before its prompt) is never echoed by the terminal, and
 * a secret is read without echo. Backspace, Ctrl-U, Enter; Ctrl-C or Ctrl-D on an empty line cancel.
 */
export class LineReader {
  private pending = '';
  private buf = '';
  private hidden = false;
  private waiting: ((line: string | undefined) => void) | undefined;
  private ended = false;
  private readonly raw: boolean;
  private onData = (d: string | Buffer) => {
    this.pending += String(d);
    this.pump();
  };
  private onEnd = () => {
    this.ended = true;
    this.pump();
  };
  constructor(
    private readonly input: In,
    private readonly echo: (s: string) => void,
  ) {
    this.raw = Boolean(input.isTTY && input.setRawMode);
    if (this.raw) input.setRawMode!(true);
    input.setEncoding?.('utf8');
    input.on('data', this.onData);
    input.on('end', this.onEnd);
    input.resume?.();
  }
  /** End the waiting read with `line` (undefined: cancelled). */
  finish(line: string | undefined) {
    const w = this.waiting;
    this.waiting = undefined;
    this.buf = '';
    w?.(line);
  }
  private show(s: string) {
    if (this.raw && !this.hidden) this.echo(s);
  }
  private pump() {
    while (this.waiting && this.pending) {
      const ch = [...this.pending][0]!;
      this.pending = this.pending.slice(ch.length);
      if (ch === '\r' || ch === '\n') {
        if (ch === '\n' && this.lastCr) {
          this.lastCr = false;
          continue;
        }
        this.lastCr = ch === '\r';
        if (this.raw) this.echo('\n');
        this.finish(this.buf);
        continue;
      }
      this.lastCr = false;
      if (ch === '\u0003' || (ch === '\u0004' && this.buf === '')) {
        if (this.raw) this.echo('\n');
        this.finish(undefined);
      } else if (ch === '\u007F' || ch === '\b') {
        if (this.buf) this.show('\b \b');
        this.buf = [...this.buf].slice(0, -1).join('');
      } else if (ch === '\u0015') {
        this.show('\b \b'.repeat([...this.buf].length));
        this.buf = '';
      } else if (ch === '\u001B') {
        // an escape sequence (an arrow key): not text; skip it whole
        const m = /^(\[[0-?]*[ -/]*[@-~]|O.|.)?/su.exec(this.pending);
        this.pending = this.pending.slice(m?.[0].length ?? 0);
      } else if (ch >= ' ') {
        this.buf += ch;
        this.show(ch);
      }
    }
    if (this.waiting && this.ended && !this.pending) this.finish(undefined);
  }
  private lastCr = false;
  read(hidden = false): Promise<string | undefined> {
    this.hidden = hidden;
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.pump();
    });
  }
  close() {
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    if (this.raw) this.input.setRawMode!(false);
    this.input.pause?.();
  }
}

const BACK = '<';
/** The first and last lines of a PEM block (-----BEGIN PRIVATE KEY-----, -----END ENCRYPTED PRIVATE KEY-----). */
const PEM_BEGIN = /^-----BEGIN [A-Z0-9 ]+-----$/;
const PEM_END = /^-----END [A-Z0-9 ]+-----$/;

/**
 * What Enter picks on a choice is marked "[default]"; where the model's default (an option hinted
 * "default") is another option than the one set now, Enter keeps the one set now: "[current]".
 */
function enterMark(q: Question & { kind: 'select' }): string {
  const initial = initialValue(q);
  return q.options.some((o) => o.isDefault && o.value !== initial) ? 'current' : 'default';
}

/** A question as lines: its number in the steps, title, help and (for a choice) numbered options. */
export function questionText(s: WizardState, q: Question): string[] {
  const { steps, current } = progress(s);
  const out = [`Step ${steps.indexOf(current) + 1} of ${steps.length} (${current}): ${q.title}`];
  if (q.help) out.push(q.help);
  if (q.kind === 'select') {
    const initial = initialValue(q);
    const mark = enterMark(q);
    q.options.forEach((o, i) => {
      // the option Enter picks is marked once: never "(default) [default]"
      const tags = [o.isDefault && o.value !== initial ? 'default' : '', o.hint].filter(Boolean).join('; ');
      const hint = tags ? ` (${tags})` : '';
      out.push(`  ${i + 1}. ${o.label}${hint}${o.value === initial ? ` [${mark}]` : ''}`);
    });
  }
  return out;
}

/** What a typed line means for a question: a value to submit, back, or a problem to show. */
export function answerOf(q: Question, line: string): { value: string } | { back: true } | { problem: string } {
  const t = line.trim();
  if (t === BACK) return { back: true };
  if (q.kind === 'select') {
    if (t === '') return { value: initialValue(q) };
    const n = Number(t);
    if (Number.isInteger(n) && n >= 1 && n <= q.options.length) return { value: q.options[n - 1]!.value };
    const byLabel = q.options.find((o) => o.label.toLowerCase() === t.toLowerCase() || o.value === t);
    if (byLabel) return { value: byLabel.value };
    if (q.options.length === 1) return { problem: `press Enter to choose ${q.options[0]!.label}, or type ${BACK} to go back` };
    return { problem: `type a number from 1 to ${q.options.length}, or Enter for the ${enterMark(q)} one` };
  }
  if (q.kind === 'text') {
    if (t === '') return { value: q.initial };
    if (t === '-') return { value: '' };
    return { value: line };
  }
  return { problem: 'nothing to answer here' };
}

/** Whether the field refuses an empty answer (a required one; a secret it has is then kept: state.ts). */
function refusesEmpty(q: Question & { kind: 'text' }, s: WizardState): boolean {
  return q.validate?.('', { answers: s.answers, drafts: s.drafts, detection: s.detection }) !== undefined;
}

/** The secret a field has, as Enter keeps it: a secret exported in this shell (TCLOUD_CLIENT_SECRET) is named, as the screen's note names it. */
function keptSecret(q: Question & { kind: 'text' }, s: WizardState): string {
  const src = envSource(s, q);
  return src ? `$${src.env} (exported in this shell${src.installed !== undefined ? ', in place of the installed one' : ''})` : 'the value already set';
}

function promptOf(q: Question, s: WizardState): string {
  if (q.kind === 'select') {
    // one option (a note to read, a single choice): nothing to number
    if (q.options.length === 1) return `Press Enter to choose ${q.options[0]!.label} (${BACK}: back): `;
    return `Choose 1-${q.options.length} (Enter: the ${enterMark(q)} one, ${BACK}: back): `;
  }
  if (q.kind !== 'text') return '';
  // Empty is not always "none": the title says what it means (the same as HTTPS, the default image…).
  const empty = /\bempty: ([^;)]+)/.exec(q.title)?.[1];
  // an answer the field refuses empty (a required one): Enter gives nothing, and the prompt offers none
  const required = !q.initial && !empty && refusesEmpty(q, s);
  // "-" is offered only where the field takes an empty answer (a required one refuses it, a secret's keeps the value)
  const clears = refusesEmpty(q, s) ? '' : ', - clears it';
  const keep = q.initial ? `Enter keeps ${q.secret ? keptSecret(q, s) : `"${q.display ? q.display(q.initial) : q.initial}"`}${clears}` : empty ? `Enter: ${empty}` : required ? undefined : 'Enter for none';
  return `${q.secret ? 'Type it (hidden)' : q.display ? 'Answer (not echoed: it may hold a password; shown masked after Enter)' : 'Answer'} (${keep ? `${keep}, ` : ''}${BACK}: back): `;
}

/** Ask every question in plain lines; resolves with the answers to install, or a cancel. */
export async function runPlainWizard(props: Omit<WizardProps, 'onDone'>, io: { input: In; output: Out } = { input: process.stdin, output: process.stdout }): Promise<PlainResult> {
  const out = io.output;
  const width = out.columns && out.columns >= 20 ? out.columns - 1 : undefined;
  const say = (lines: string[]) => out.write(`${(width ? wrapLines(lines, width) : lines).join('\n')}\n`);
  const reader = new LineReader(io.input, (t) => out.write(t));
  const onSigint = () => reader.finish(undefined);
  process.on('SIGINT', onSigint);
  try {
    say(['hd-setup · set up a hybrid-deployment agent (line mode: type the answer and press Enter; < goes back)']);
    let s = prefill(createState(props.initial ?? {}, typeof props.detection === 'function' ? {} : (props.detection ?? {})));
    if (typeof props.detection === 'function') {
      say(['Looking for docker, podman, kubectl and an installed agent…']);
      const d = await props.detection().catch(() => ({}));
      s = reduce(s, { type: 'detected', detection: d });
      // (lines are printed once: the contexts' answers are waited for here, not merged in later)
      const more = await props.moreDetection?.()?.catch(() => undefined);
      if (more) s = reduce(s, { type: 'detectedMore', detection: more });
      if ('installed' in d && d.installed) {
        s = reduce(s, { type: 'prefill', answers: d.installed.preset, note: foundNote(d.installed, '<') });
        say([s.note ?? '']);
      }
    }
    let reported = 0;
    // The review as last printed: printed again only when the answers (or the skipped checks) change,
    // so v, s or a mistyped key never reprints the whole plan.
    let shown: { answers: Answers; round: number; r: ReviewText } | undefined;
    let round = 0;
    for (;;) {
      for (const v of s.secrets.slice(reported)) props.onSecret?.(v);
      reported = s.secrets.length;
      const q = currentQuestion(s);
      if (q.kind === 'review') {
        if (!shown || shown.answers !== s.answers || shown.round !== round) {
          const r: ReviewText = await props.review(s.answers, { plain: true, ...(width ? { width } : {}) }).catch((e: Error) => ({ ok: false, text: e.message }));
          say(['', r.ok ? 'Review: files, changes and the exact commands (secrets masked)' : 'Not ready to install:', ...r.text.split('\n'), '']);
          shown = { answers: s.answers, round, r };
        }
        const r = shown.r;
        const files = r.files ?? [];
        const choices = [r.ok ? 'i install' : '', r.failed?.length ? `k skip the failed check${r.failed.length > 1 ? 's' : ''}` : '', files.length ? 'v view the files' : '', 's save as a preset', `${BACK} back`, 'q quit'].filter(Boolean);
        out.write(`${choices.join(', ')}: `);
        const line = await reader.read();
        if (line === undefined) return { kind: 'cancel', answers: s.answers };
        const t = line.trim().toLowerCase();
        if (t === 'i' && r.ok) return { kind: 'install', answers: s.answers };
        if (t === 'q') return { kind: 'cancel', answers: s.answers };
        if (t === BACK) s = reduce(s, { type: 'back' });
        else if (t === 'k' && r.failed?.length) {
          props.skipChecks?.(r.failed);
          round++; // the plan is worked out again without them
        }
        else if (t === 'v' && files.length) {
          // Every file in full, secrets masked: the terminal's own scrollback scrolls it.
          for (const [i, f] of files.entries()) say(['', `File ${i + 1} of ${files.length}: ${f.path} (${f.mode}, secrets masked)`, ...f.content.replace(/\n$/, '').split('\n').map((l) => `  | ${l}`), `(end of ${f.path})`]);
        }
        else if (t === 's') {
          out.write(`Save the preset to (Enter: ${DEFAULT_PRESET_PATH}): `);
          const p = await reader.read();
          if (p === undefined) return { kind: 'cancel', answers: s.answers };
          const path = presetPath(p.trim() || DEFAULT_PRESET_PATH);
          say([await props.save(s.answers, path).catch((e: Error) => `error: ${e.message}`)]);
        } else say([`✖ type one of: ${choices.map((c) => c.split(' ')[0]).join(', ')}`]);
        continue;
      }
      say(['', ...questionText(s, q)]);
      out.write(promptOf(q, s));
      // A URL whose user:password@ is masked on display is read without echo too, then shown masked.
      let line = await reader.read(q.kind === 'text' && (q.secret || q.display !== undefined));
      if (line === undefined) return { kind: 'cancel', answers: s.answers };
      // A PEM key pasted into a secret (a gateway's private_key) is one answer: its lines are read, hidden, to
      // its END line. Read a line at a time, its body answered the questions after it, shown as typed there.
      if (q.kind === 'text' && q.secret && PEM_BEGIN.test(line.trim())) {
        say(['  (a PEM block: its lines are read, not echoed, to its -----END line; an empty line ends it sooner)']);
        const lines = [line];
        // (an empty line ends it too: a paste cut off before its END line would otherwise swallow every answer
        // after it, Enter and "<" too; the field's check then says it is cut off)
        while (!PEM_END.test(lines.at(-1)!.trim())) {
          const more = await reader.read(true);
          if (more === undefined) return { kind: 'cancel', answers: s.answers };
          if (!more.trim()) break;
          lines.push(more);
        }
        line = lines.join('\n');
        say([`  (${lines.length} lines read)`]);
      }
      const a = answerOf(q, line);
      if (q.kind === 'text' && !q.secret && q.display && 'value' in a && line.trim()) say([`  ${q.display(line.trim())}`]);
      // "-" on a secret it has that cannot be empty: the reducer would keep that secret unsaid, after "clears it"
      if (q.kind === 'text' && q.secret && q.initial && 'value' in a && a.value === '' && refusesEmpty(q, s)) {
        say([`✖ it cannot be empty: Enter keeps ${keptSecret(q, s)}; or type another`]);
        continue;
      }
      if ('back' in a) {
        const back = reduce(s, { type: 'back' });
        // (the first question: it was asked again unsaid, as if "<" had not been read)
        if (back.cursor === s.cursor) say([`✖ this is the first question: there is nothing to go back to (Ctrl-C quits)`]);
        s = back;
        continue;
      }
      if ('problem' in a) {
        say([`✖ ${a.problem}`]);
        continue;
      }
      const next = reduce(s, { type: 'submit', value: a.value });
      // Said when the runtime is chosen, not at the review: root, an old runtime, a rootless socket.
      const notes = !next.error && q.id === 'runtime' ? runtimeNotesFor(s.detection, s.answers.product, a.value) : [];
      if (notes.length) say(notes.map((n) => `⚠ ${n}`));
      // (and another install of that product and runtime, not prefilled: the note the screen shows)
      const other = !next.error && q.id === 'runtime' ? otherInstallNote(next) : undefined;
      if (other) say([`⚠ ${other}`]);
      if (next.error) say([`✖ ${next.error}`]);
      else if (q.kind === 'text' && q.live && a.value.trim()) {
        const live = q.live(a.value.trim());
        if (live?.ok) say([`✔ ${live.text}`]);
      }
      s = next.error ? { ...next, error: undefined } : next;
    }
  } finally {
    process.off('SIGINT', onSigint);
    reader.close();
  }
}
