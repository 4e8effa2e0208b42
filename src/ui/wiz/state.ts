// The wizard's state machine: pure, tested without Ink. One question is current; Enter submits it,
// Esc goes back one question and keeps every answer.
import { questions, type Answers, type Ctx, type Detection, type Drafts, type Question } from './questions.js';

export interface WizardState {
  answers: Answers;
  drafts: Drafts;
  detection: Detection;
  cursor: string;
  history: string[];
  error?: string;
  /** Shown above the question, e.g. that an existing install was found. */
  note?: string;
  result?: { kind: 'install' | 'cancel' };
}

export type WizardAction =
  | { type: 'submit'; value: string }
  | { type: 'back' }
  | { type: 'detected'; detection: Detection }
  | { type: 'prefill'; answers: Answers; note: string }
  | { type: 'confirm' }
  | { type: 'cancel' }
  | { type: 'error'; message: string };

const ctx = (s: WizardState): Ctx => ({ answers: s.answers, drafts: s.drafts, detection: s.detection });

export function currentQuestion(s: WizardState): Question {
  const list = questions(ctx(s));
  return list.find((q) => q.id === s.cursor) ?? list[list.length - 1]!;
}

export function initialValue(q: Question): string {
  if (q.kind === 'text') return q.initial;
  if (q.kind === 'select') return q.initial ?? q.options[0]?.value ?? '';
  return '';
}

export function createState(answers: Answers = {}, detection: Detection = {}): WizardState {
  return { answers, drafts: {}, detection, cursor: 'product', history: [] };
}

/** With a prefilled preset, accept every answer it already gives and stop at the first missing one. */
export function prefill(s: WizardState): WizardState {
  if (Object.keys(s.answers).length === 0) return s;
  let cur = s;
  for (let i = 0; i < 200; i++) {
    const q = currentQuestion(cur);
    if (q.kind === 'review') break;
    if (q.kind === 'select' && (q.id === 'gw-menu' || q.id === 'rule-menu') && !q.options.some((o) => o.value === 'done')) break;
    if ((q.id === 'product' && !cur.answers.product) || (q.id === 'runtime' && !cur.answers.runtime)) break;
    const value = q.kind === 'select' && (q.id === 'gw-menu' || q.id === 'rule-menu') ? 'done' : initialValue(q);
    const next = reduce(cur, { type: 'submit', value });
    if (next.error || next.cursor === cur.cursor) return { ...cur, error: undefined };
    cur = next;
  }
  return cur;
}

export function reduce(s: WizardState, a: WizardAction): WizardState {
  switch (a.type) {
    case 'detected': {
      const detection = { ...s.detection, ...a.detection };
      return { ...s, detection };
    }
    case 'error':
      return { ...s, error: a.message };
    case 'prefill':
      // Only before the user answered anything: then the found install becomes the answers.
      if (s.history.length > 0 || Object.keys(s.answers).length > 0) return s;
      return { ...prefill({ ...s, answers: a.answers }), note: a.note };
    case 'cancel':
      return { ...s, result: { kind: 'cancel' } };
    case 'confirm':
      return { ...s, result: { kind: 'install' } };
    case 'back': {
      const history = [...s.history];
      const ids = new Set(questions(ctx(s)).map((q) => q.id));
      let cursor = s.cursor;
      while (history.length) {
        const prev = history.pop()!;
        if (ids.has(prev)) {
          cursor = prev;
          break;
        }
      }
      // Leaving a half-entered gateway or rule abandons the draft.
      const drafts = { ...s.drafts };
      if (cursor === 'gw-menu') {
        delete drafts.gateway;
        drafts.gatewaysDone = false;
      }
      if (cursor === 'rule-menu') {
        delete drafts.rule;
        drafts.rulesDone = false;
      }
      return { ...s, drafts, cursor, history, error: undefined };
    }
    case 'submit': {
      const q = currentQuestion(s);
      if (q.kind === 'review') return s;
      if (q.kind === 'text') {
        const value = q.secret ? a.value : a.value.trim();
        const err = q.validate?.(value, ctx(s));
        if (err) return { ...s, error: err };
        return advance(s, q, value);
      }
      if (!q.options.some((o) => o.value === a.value)) return { ...s, error: 'choose one of the options' };
      return advance(s, q, a.value);
    }
  }
}

function advance(s: WizardState, q: Question & { kind: 'text' | 'select' }, value: string): WizardState {
  const r = q.apply(ctx(s), value);
  const next: WizardState = { ...s, answers: r.answers ?? s.answers, drafts: r.drafts ?? s.drafts, error: undefined };
  const list = questions(ctx(next));
  let target = r.goto;
  if (!target) {
    const i = list.findIndex((x) => x.id === q.id);
    target = (i >= 0 ? list[i + 1] : undefined)?.id ?? 'review';
  }
  const history = target === q.id ? s.history : [...s.history, q.id];
  return { ...next, cursor: target, history };
}

/** Steps for the header: which are done, which is current. */
export function progress(s: WizardState): { steps: string[]; current: string } {
  const list = questions(ctx(s));
  const steps = [...new Set(list.map((q) => q.step))];
  return { steps, current: currentQuestion(s).step };
}
