// The status screen's state: a pure reducer over execution events (tested without Ink).
import type { CheckReport, HdEvent, StepStatus, Summary } from '../../exec/events.js';

export const TAIL_LINES = 6;

export interface StepView {
  id: string;
  title: string;
  status: StepStatus;
  startedAt?: number;
  endedAt?: number;
  detail?: string;
  error?: string;
  fix?: string;
  checks: CheckReport[];
  notes: string[];
  hints: { message: string; fix?: string }[];
}

export interface StatusState {
  title: string;
  verb: string;
  steps: StepView[];
  current?: string;
  command?: string;
  stdin?: string;
  tail: string[];
  failureOutput: string[];
  summary?: Summary;
  /** A pod is stuck: the question on screen (w keeps waiting, Enter or s stops). */
  asking?: { id: string; message: string; fix: string };
}

/** The answer a key gives to the stuck question: w keeps waiting; Enter, s or Esc stops; anything else, none. */
export function stuckChoice(input: string, key: { return?: boolean; escape?: boolean } = {}): 'stop' | 'wait' | undefined {
  if (input === 'w' || input === 'W') return 'wait';
  if (key.return || key.escape || input === 's' || input === 'S') return 'stop';
  return undefined;
}

export const initialStatus: StatusState = { title: '', verb: 'installing', steps: [], tail: [], failureOutput: [] };

/** The step with this id; with two (a restart: the stop's and the start's "boot"), the later plan's. */
function update(state: StatusState, id: string, f: (s: StepView) => StepView): StatusState {
  const at = state.steps.map((s) => s.id).lastIndexOf(id);
  return { ...state, steps: state.steps.map((s, i) => (i === at ? f(s) : s)) };
}

export function statusReducer(state: StatusState, e: HdEvent, now = Date.now()): StatusState {
  switch (e.type) {
    case 'plan': {
      const steps: StepView[] = e.steps.map((s) => ({ ...s, status: 'pending', checks: [], notes: [], hints: [] }));
      return { ...initialStatus, title: e.title, verb: e.verb ?? 'installing', steps: e.append ? [...state.steps, ...steps] : steps };
    }
    case 'step:start':
      return { ...update(state, e.id, (s) => ({ ...s, title: e.title, status: 'running', startedAt: now })), current: e.id, command: undefined, stdin: undefined, tail: [] };
    case 'step:skip':
      // also after step:start: a step that ran and changed nothing
      return { ...update(state, e.id, (s) => ({ ...s, status: 'skipped', detail: e.reason, ...(s.startedAt ? { endedAt: now } : {}) })), ...(state.current === e.id ? { command: undefined, stdin: undefined } : {}) };
    case 'step:done':
      return { ...update(state, e.id, (s) => ({ ...s, status: 'done', endedAt: now, ...(e.detail ? { detail: e.detail } : {}) })), command: undefined, stdin: undefined };
    case 'step:fail':
      return {
        ...update(state, e.id, (s) => ({ ...s, status: 'failed', endedAt: now, error: e.error, ...(e.fix ? { fix: e.fix } : {}) })),
        failureOutput: (e.output ?? []).slice(-TAIL_LINES * 2),
      };
    case 'step:cancel':
      return update(state, e.id, (s) => ({ ...s, status: 'cancelled', ...(s.startedAt ? { endedAt: now } : {}) }));
    case 'command':
      return { ...state, command: e.command, stdin: e.stdin, tail: [] };
    case 'output':
      return { ...state, tail: [...state.tail, e.line].slice(-TAIL_LINES) };
    case 'check':
      return update(state, e.id, (s) => ({ ...s, checks: [...s.checks, e.check] }));
    case 'note':
      return update(state, e.id, (s) => ({ ...s, notes: [...s.notes, e.text] }));
    case 'hint':
      return update(state, e.id, (s) => ({ ...s, hints: [...s.hints.filter((h) => h.message !== e.message), { message: e.message, ...(e.fix ? { fix: e.fix } : {}) }] }));
    case 'stuck':
      return { ...state, asking: { id: e.id, message: e.message, fix: e.fix } };
    case 'stuck:answered': {
      const { asking: _asked, ...rest } = state;
      return e.choice === 'wait' ? update(rest, e.id, (s) => ({ ...s, notes: [...s.notes, 'kept waiting (you chose w)'] })) : rest;
    }
    case 'done': {
      const { asking: _asked, ...rest } = state;
      return { ...rest, summary: e.summary, current: undefined, command: undefined, stdin: undefined };
    }
  }
}

export function elapsed(s: StepView, now = Date.now()): string {
  if (!s.startedAt) return '';
  const ms = (s.endedAt ?? now) - s.startedAt;
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** Lines a text takes at `width` columns (an estimate that errs long: words wrap whole). */
export function linesOf(text: string, width: number): number {
  const w = Math.max(10, width);
  return text.split('\n').reduce((n, l) => n + Math.max(1, Math.ceil([...l].length / (w - 8))), 0);
}

/** The lines one step takes on screen (the view draws its checks, hints, notes and error under it). */
function stepLines(s: StepView, width: number): number {
  let n = linesOf(`${s.title} 00:00 ${s.status === 'skipped' && s.detail ? `(${s.detail})` : ''}`, width);
  for (const c of s.checks.filter((x) => x.status !== 'ok' || s.status === 'running')) n += linesOf(`${c.id}: ${c.message}`, width - 12) + (c.fix && c.status !== 'ok' ? linesOf(`fix: ${c.fix}`, width - 12) : 0);
  for (const h of s.hints) n += linesOf(h.message, width - 6) + (h.fix ? linesOf(`fix: ${h.fix}`, width - 6) : 0);
  for (const x of s.notes) n += linesOf(x, width - 4);
  if (s.status === 'failed' && !s.checks.some((c) => c.status === 'fail') && s.hints.length === 0) n += linesOf(s.error ?? '', width - 4) + (s.fix ? linesOf(`fix: ${s.fix}`, width - 4) : 0);
  return n;
}

/**
 * The state as it fits in `rows` lines (a frame as tall as the terminal makes Ink clear the screen and
 * print it again, which leaves copies in the scrollback): the output tail shrinks first, then the
 * finished steps at the top fold into one line ("folded": how many).
 */
export function fitStatus(state: StatusState, width: number, rows: number): StatusState & { folded: number } {
  const height = (st: StatusState, folded: number) =>
    1 +
    (folded ? 1 : 0) +
    st.steps.slice(folded).reduce((n, s) => n + stepLines(s, width), 0) +
    (st.command && !st.summary ? 2 + st.tail.length : 0) +
    (st.failureOutput.length ? 1 + st.failureOutput.length : 0) +
    (st.asking && !st.summary ? 1 + linesOf(st.asking.message, width) + linesOf(`fix: ${st.asking.fix}`, width) + 1 : 0);
  let st: StatusState = state;
  let folded = 0;
  while (height(st, folded) > rows && st.tail.length) st = { ...st, tail: st.tail.slice(1) };
  while (height(st, folded) > rows && st.failureOutput.length) st = { ...st, failureOutput: st.failureOutput.slice(1) };
  const finished = (s: StepView | undefined) => s && (s.status === 'done' || s.status === 'skipped') && !s.hints.length && !s.notes.length;
  while (height(st, folded) > rows && folded < st.steps.length - 1 && finished(st.steps[folded])) folded++;
  // still too tall (a long run of pending steps): keep the first steps that fit
  let steps = st.steps;
  while (height({ ...st, steps }, folded) > rows && steps.length > folded + 1) steps = steps.slice(0, -1);
  return { ...st, steps, folded };
}
