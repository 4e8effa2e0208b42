// The wizard's state machine: pure, tested without Ink. One question is current; Enter submits it,
// Esc goes back one question and keeps every answer.
// Keys are state too: the text being typed and the highlighted option live here, and the view sends
// every key as a 'key' action from a single input handler. React applies queued actions in order, so
// keys that arrive together (fast typing, a paste, keystrokes coalesced over SSH, tmux send-keys) act
// exactly as if they came one by one, even across questions: "↓ enter" picks the second option.
import { cleared, editLine, graphemes, parseInput, pastedText, splitKeys, type KeyPress, type LineMemo, type LineState } from './keys.js';
import { WIZARDS, wizardOf } from '../../products/wizards.js';
import { get, questions, set, withEnvSecrets, type Answers, type Ctx, type Detection, type Drafts, type Question } from './questions.js';
import { isStored } from '../../model/stored.js';
import { HIDDEN_MASK, decodeHidden, encodeHidden, escapePrivate, hiddenStillMasked, holdsHidden, holdsPrivate, renderHidden, trimEncoded, type Held } from './hidden.js';

export interface WizardState {
  answers: Answers;
  drafts: Drafts;
  detection: Detection;
  cursor: string;
  history: string[];
  error?: string;
  /** Shown above the question, e.g. that an existing install was found. */
  note?: string;
  /** The product and runtime the note is about: it shows only while the answers are for them. */
  noteFor?: { product?: unknown; runtime?: unknown };
  result?: { kind: 'install' | 'cancel' };
  /** The text typed into the current text question. */
  text: string;
  /** The text cursor, in grapheme clusters (0: before the first). */
  caret: number;
  /** The rest of the text's line editor (keys.ts): its kill ring, undo list, a Ctrl-X waiting for its key. */
  edit: LineMemo;
  /** The highlighted option of the current select question. */
  choice: number;
  /** The user typed or moved on this question (detection then leaves it alone). */
  touched: boolean;
  /** Text typed into a question and left with Esc (or ←) before Enter, by question id: there again when it is
   * (as `text` holds it: a masked field's hidden parts as placeholders). */
  unsent?: Record<string, string>;
  /**
   * The hidden parts of the fields whose display masks some (a proxy URL's password, secret NAME=value pairs),
   * by question id (hidden.ts): what their placeholders in `text` stand for. `kept`: the text sent with Enter,
   * as it was held, so that the field shows it so again (its parse may no longer find a moved secret).
   */
  hidden?: Record<string, { table: Held[]; kept?: string }>;
  /** Secret answers entered so far, for the output redactor. */
  secrets: string[];
  /** The user pressed a key: a found install no longer replaces the answers. */
  interacted?: boolean;
  /**
   * Waiting for detection to say whether an install is here (a re-run): no question shows yet, and input
   * waits in `held` to act on the screen that comes next (the found install's), not on a question about
   * to be replaced. Ctrl-C still quits at once.
   */
  waiting?: boolean;
  /**
   * Input that waits for detection: all of it while `waiting`, and what is typed past the product question
   * before detection has answered (to act on the runtime question with the detected runtime preselected and
   * on fields it fills, an exported token; without this, Enters typed ahead found the token field still
   * empty: "the token is required"). A chunk of input that waits whole is kept as it came, and read when it
   * acts, by the screen it reaches then, as if it had come then: a paste of several lines into a secret field
   * stays its value (read as keys by the screen it came to, its line breaks were Enters that answered screens
   * never seen). The rest of a chunk a screen began to act on waits as keys (read by that screen, as a chunk
   * is), and so does a key.
   */
  held?: (KeyPress | string)[];
  /**
   * The install's own value of each secret an exported variable took the place of (path -> value): an
   * emptied field keeps it, as it does without the variable.
   */
  installedSecrets?: Record<string, string>;
}


export type { KeyPress } from './keys.js';

export type WizardAction =
  | { type: 'submit'; value: string }
  | { type: 'back' }
  | { type: 'detected'; detection: Detection }
  /** What detection learned later (the contexts' answers): merged, the question in hand left as it is. */
  | { type: 'detectedMore'; detection: Partial<Detection> }
  | { type: 'prefill'; answers: Answers; note: string }
  /** Detection is over (found an install or not): stop waiting, and the keys typed meanwhile act now. */
  | { type: 'settled' }
  | { type: 'confirm' }
  | { type: 'cancel' }
  | { type: 'error'; message: string }
  | { type: 'key'; key: KeyPress }
  /** Raw terminal input: parsed into keys (keys.ts), each acting in order. */
  | { type: 'input'; data: string };

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

export function createState(answers: Answers = {}, detection: Detection = {}, drafts: Drafts = {}): WizardState {
  return enter({ answers, drafts, detection, cursor: 'product', history: [], text: '', caret: 0, edit: {}, choice: 0, touched: false, secrets: [] });
}

/** Arrive at the current question: its text (cursor at the end) or highlighted option start from its
 * initial value. The kill ring and the undo list do not travel between questions (they may hold a secret). */
function enter(s: WizardState): WizardState {
  const q = currentQuestion(s);
  const initial = initialValue(q);
  const unsent = q.kind === 'text' ? s.unsent?.[q.id] : undefined;
  let text = q.kind === 'text' ? (unsent ?? initial) : '';
  let hidden = s.hidden;
  if (q.kind === 'text' && q.display && unsent === undefined) {
    // The parts the display masks become placeholders, hidden wherever an edit moves them (hidden.ts).
    const was = s.hidden?.[q.id];
    if (was?.kept !== undefined && decodeHidden(was.kept, was.table) === initial) text = was.kept;
    else {
      const e = encodeHidden(initial, q.display.hidden(initial));
      text = e.text;
      hidden = { ...s.hidden, [q.id]: { table: e.table } };
    }
  }
  return { ...s, ...(hidden ? { hidden } : {}), text, caret: graphemes(text).length, edit: {}, choice: q.kind === 'select' ? Math.max(0, q.options.findIndex((o) => o.value === initial)) : 0, touched: unsent !== undefined };
}

/** With a prefilled preset, accept every answer it already gives and stop at the first missing one. */
export function prefill(s: WizardState): WizardState {
  if (Object.keys(s.answers).length === 0) return s;
  let cur = s;
  for (let i = 0; i < 200; i++) {
    const q = currentQuestion(cur);
    if (q.kind === 'review') break;
    // An open list (gateways, rules) continues when it can; an empty one is where the user starts.
    const menu = q.kind === 'select' ? q.menu : undefined;
    if (q.kind === 'select' && menu && !q.options.some((o) => o.value === menu.done)) break;
    if ((q.id === 'product' && !cur.answers.product) || (q.id === 'runtime' && !cur.answers.runtime)) break;
    // a choice the user is to see (an exported secret that is not the installed one)
    if (q.kind === 'select' && q.ask) break;
    const value = menu ? menu.done : initialValue(q);
    const next = reduce(cur, { type: 'submit', value });
    if (next.error || next.cursor === cur.cursor) return enter({ ...cur, error: undefined });
    cur = next;
  }
  return enter(cur);
}

/**
 * Input into a secret field. A paste that spans lines (a PEM private key) arrives as one chunk: its line
 * breaks are part of the value, never Enter, or its next lines would land, unmasked, in the next fields.
 * A line break at the very end still submits.
 */
export function secretPaste(data: string): KeyPress[] {
  const body = data.replace(/(?:\r\n|\r|\n)$/, '');
  if (!/[\r\n]/.test(body) || body.includes('\u001b')) return parseInput(data);
  const keys: KeyPress[] = [{ input: body.replace(/\r\n?/g, '\n'), multiline: true }];
  if (body.length < data.length) keys.push({ input: '', return: true });
  return keys;
}

/** Input waits (`held`): a re-run looking for its install, or detection not done and the screen past the product question. */
const holding = (s: WizardState): boolean => s.waiting === true || (s.detection.pending === true && s.cursor !== 'product' && !s.result);

/** Keys in order; from the first that would act past the product question while detection is pending, held (Ctrl-C still quits). */
function act(s: WizardState, keys: readonly KeyPress[]): WizardState {
  let cur = s;
  for (const [i, k] of keys.entries()) {
    if (holding(cur)) {
      const rest = keys.slice(i);
      return rest.some((x) => x.ctrl && x.input === 'c') ? reduce(cur, { type: 'cancel' }) : { ...cur, held: [...(cur.held ?? []), ...rest] };
    }
    cur = onKey(cur, k);
  }
  return cur;
}

/** The input that waited, in order: a raw chunk read by the screen it reaches now, as if it came now. */
function release(s: WizardState, held: readonly (KeyPress | string)[]): WizardState {
  return held.reduce<WizardState>((cur, h) => (typeof h === 'string' ? reduce(cur, { type: 'input', data: h }) : { ...act(cur, [h]), interacted: true }), s);
}

export function reduce(s: WizardState, a: WizardAction): WizardState {
  switch (a.type) {
    case 'detected': {
      // Secrets already in the environment fill their fields (now for the product chosen, the others' when
      // one is chosen: questions.ts), and say so.
      const found = a.detection.envSecrets ?? [];
      const answers = withEnvSecrets(s.answers, found);
      const next = { ...s, answers, detection: { ...s.detection, ...a.detection, pending: false }, secrets: [...s.secrets, ...found.map((e) => e.value)] };
      // The detected runtime becomes the preselected option, unless the user already moved.
      return s.touched ? next : enter(next);
    }
    case 'detectedMore':
      return { ...s, detection: { ...s.detection, ...a.detection } };
    case 'key':
      return { ...act(s, splitKeys(a.key)), ...(s.waiting ? {} : { interacted: true }) };
    case 'settled': {
      // (detection that failed leaves nothing pending either)
      const next: WizardState = { ...s, waiting: false, held: undefined, detection: { ...s.detection, pending: false } };
      return s.held?.length ? release(next, s.held) : next;
    }
    case 'input': {
      if (holding(s)) {
        if (parseInput(a.data).some((k) => k.ctrl && k.input === 'c')) return reduce(s, { type: 'cancel' });
        // (keys typed while waiting are not yet a choice: a found install still replaces the answers)
        return { ...s, held: [...(s.held ?? []), a.data], ...(s.waiting ? {} : { interacted: true }) };
      }
      const q = currentQuestion(s);
      const keys = q?.kind === 'text' && q.secret ? secretPaste(a.data) : parseInput(a.data);
      return { ...act(s, keys), interacted: true };
    }
    case 'error':
      return { ...s, error: a.message };
    case 'prefill':
      // Only before the user pressed anything: then the found install (with any --set values on top)
      // becomes the answers, walked through from the start.
      if (s.interacted) return s;
      {
        // A secret exported in this shell (FIVETRAN_TOKEN) that is not the installed one: an exported variable
        // is what the user gives (`install --preset` and the equivalent command the review prints take it), but
        // it may be the old value of a rotation made since, which one Enter at the review put back. So the
        // wizard says so and asks, just before the field (questions.ts), the installed one first: one step to
        // the variable's. A value the field refuses is in the field as before, which says it is the variable's.
        const newer = (s.detection.envSecrets ?? []).filter((e) => e.path.split('.')[0] === a.answers.product && get(a.answers, e.path) !== e.value);
        const installedOf = (e: { path: string }) => (typeof get(a.answers, e.path) === 'string' ? (get(a.answers, e.path) as string) : undefined);
        const found = createState(a.answers, s.detection);
        const fields = questions(ctx(found));
        const asked = newer.filter((e) => {
          const f = fields.find((q) => q.kind === 'text' && q.secret && q.path === e.path);
          return installedOf(e) !== undefined && f?.kind === 'text' && !f.validate?.(e.value, ctx(found));
        });
        const replaced = newer.filter((e) => !asked.includes(e));
        const answers = replaced.reduce((acc, e) => set(acc, e.path, e.value), a.answers);
        const words = [
          ...asked.map((e) =>
            isStored(installedOf(e))
              ? `$${e.env} (exported in this shell) may not be the installed ${e.path}, which is kept where hd-setup does not read it here: the installed one is kept unless you choose $${e.env}.`
              : `$${e.env} (exported in this shell) is not the installed ${e.path}: the installed one is kept unless you choose $${e.env}.`,
          ),
          ...(replaced.length ? [`From the environment, in place of the installed one: ${replaced.map((e) => `${e.env} (${e.path})`).join(', ')}; typing replaces it, empty keeps the installed one.`] : []),
        ];
        const note = [a.note, ...words].join(' ');
        const installedSecrets = Object.fromEntries(newer.flatMap((e) => (installedOf(e) !== undefined ? [[e.path, installedOf(e)!]] : [])));
        const envVsInstalled = Object.fromEntries(asked.map((e) => [e.path, { installed: installedOf(e)! }]));
        const start = { ...createState(answers, s.detection, asked.length ? { envVsInstalled } : {}), ...(Object.keys(installedSecrets).length ? { installedSecrets } : {}) };
        return { ...prefill(start), secrets: s.secrets, note, noteFor: { product: a.answers.product, runtime: a.answers.runtime } };
      }
    case 'cancel':
      return { ...s, result: { kind: 'cancel' } };
    case 'confirm':
      return { ...s, result: { kind: 'install' } };
    case 'back': {
      // What was typed here and not yet sent with Enter waits for the way back (readline keeps an edited line too).
      const here = currentQuestion(s);
      const unsent = here.kind === 'text' && s.touched ? { ...s.unsent, [here.id]: s.text } : s.unsent;
      s = { ...s, ...(unsent ? { unsent } : {}) };
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
      // Back onto a list (gateways, rules): a half-entered entry is abandoned, the list is open again.
      const target = questions(ctx(s)).find((q) => q.id === cursor);
      const drafts = target?.kind === 'select' && target.menu ? target.menu.reset(s.drafts) : s.drafts;
      return enter({ ...s, drafts, cursor, history, error: undefined });
    }
    case 'submit': {
      const q = currentQuestion(s);
      if (q.kind === 'review') return s;
      if (q.kind === 'text') {
        // Trimmed, secrets too: a token pasted with a space around it is stored without it.
        let value = a.value.trim();
        // A secret it had (the install's, one from the environment) typed over and left empty, where empty is
        // refused: Enter keeps the one it had (a key typed into a stored token lost it, with no way back).
        // One an exported variable put in place of the install's: empty keeps the install's, as without it.
        const src = envSource(s, q);
        if (q.secret && !value && q.validate?.('', ctx(s))) value = src?.installed ?? initialValue(q);
        const err = q.validate?.(value, ctx(s));
        // the field's text as held (hidden parts as placeholders), when it is what is sent
        const held = q.display ? s.hidden?.[q.id] : undefined;
        const sent = held && trimEncoded(s.text, held.table);
        const heldText = held && sent !== undefined && decodeHidden(sent, held.table) === value ? sent : undefined;
        if (err) {
          // the value refused is the variable's, which the field does not show: said, with the ways on
          if (src && value === src.value) return { ...s, error: envSourceWords(src, err) };
          // a check that quotes the value (pairsProblem: "…" is not key=value) quotes it as the field shows it
          const shown = held && heldText !== undefined && holdsHidden(heldText, held.table) ? q.validate?.(heldText, ctx(s)) : undefined;
          return { ...s, error: shown && held ? renderHidden(shown, held.table, HIDDEN_MASK) : err };
        }
        // a stored secret moved out of where the field keeps one would go on as plain text: refused
        if (q.display && held && heldText !== undefined && !hiddenStillMasked(heldText, held.table, q.display.hidden(value)))
          return { ...s, error: `the hidden part (${HIDDEN_MASK}) is no longer where a secret goes in this field, so it would be kept and shown as plain text: undo the edit (Ctrl-_), or delete it and type the secret again` };
        const { [q.id]: _sent, ...unsent } = s.unsent ?? {};
        const hidden = held ? { hidden: { ...s.hidden, [q.id]: { table: held.table, ...(heldText !== undefined ? { kept: heldText } : {}) } } } : {};
        return advance({ ...s, unsent, ...hidden, ...(q.secret && value ? { secrets: [...s.secrets, value] } : {}) }, q, value);
      }
      if (!q.options.some((o) => o.value === a.value)) return { ...s, error: 'choose one of the options' };
      const err = q.validate?.(a.value, ctx(s));
      if (err) return { ...s, error: err };
      // answered where the walk through a re-run's answers stopped for it: the walk goes on (to the review)
      return q.ask ? prefill(advance(s, q, a.value)) : advance(s, q, a.value);
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
  const walked = target === q.id ? s.history : [...s.history, q.id];
  // Back to a question already on the way (a list after an entry is added, kept or removed): the way is
  // as it was when that question was first reached, so Esc leaves the list at once (each round added one).
  const loop = walked.lastIndexOf(target);
  const history = loop >= 0 ? walked.slice(0, loop) : walked;
  return enter({ ...next, cursor: target, history });
}

/** One key; a chunk of them was split by splitKeys, so an Enter inside a paste submits and what follows
 * goes to the next question. */
function onKey(s: WizardState, k: KeyPress): WizardState {
  if (k.ctrl && k.input === 'c') return reduce(s, { type: 'cancel' });
  const q = currentQuestion(s);
  if (q.kind === 'review' || s.result) return s; // the review screen handles its own keys
  if (k.paste) {
    // Text goes into a text field, never into a choice; its line breaks are never Enter (keys.ts pastedText).
    if (q.kind !== 'text') return s;
    const p = pastedText(k.input, q.secret === true);
    if ('error' in p) return { ...s, error: p.error };
    return p.text ? onKey(s, { input: p.text, pasted: true, ...(p.text.includes('\n') ? { multiline: true } : {}) }) : s;
  }
  // After Ctrl-X the next key is the sequence's second, Esc and ← too (keys.ts editLine).
  const prefixed = q.kind === 'text' && s.edit.prefix !== undefined;
  if (k.escape && !prefixed) return reduce(s, { type: 'back' });
  if (q.kind === 'select') {
    // A run of typed text (keys coalesced: "jj") acts character by character; what follows a choice
    // goes to the next question.
    if (!k.ctrl && !k.meta && k.input.length > 1) return [...k.input].reduce<WizardState>((st, ch) => onKey(st, { input: ch }), s);
    const n = q.options.length;
    if (k.leftArrow) return reduce(s, { type: 'back' });
    if (k.upArrow || k.input === 'k') return { ...s, choice: (s.choice - 1 + n) % n, touched: true, error: undefined };
    if (k.downArrow || k.input === 'j') return { ...s, choice: (s.choice + 1) % n, touched: true, error: undefined };
    if (k.pageUp) return { ...s, choice: 0, touched: true, error: undefined };
    if (k.pageDown) return { ...s, choice: n - 1, touched: true, error: undefined };
    if (k.return) return reduce(s, { type: 'submit', value: q.options[s.choice]?.value ?? '' });
    return s;
  }
  if (k.leftArrow && !k.meta && !k.ctrl && s.text === '' && !prefixed) return reduce(s, { type: 'back' });
  // A line editor (keys.ts). A prefilled value (a default, or the installed one) is kept by Enter and
  // edited from its end; Ctrl-U clears it. A prefilled secret shows only as bullets: what is typed or
  // pasted into it replaces it (a token pasted after a hidden one would make a wrong one).
  const typed = !k.ctrl && !k.meta && !k.return && !k.backspace && !k.delete && !k.tab && !k.escape && k.input !== '';
  // (so is a suggestion: a default weight of 1 with 5 typed was 15, a valid weight the user never meant)
  const replacing = q.kind === 'text' && (q.secret || q.suggested) && !s.touched && s.text !== '' && typed;
  // A private-use character typed into a masked field is held as one shown: a placeholder stands only for its table's entries.
  const held = q.display ? s.hidden?.[q.id] : undefined;
  let hidden = s.hidden;
  if (held && typed && holdsPrivate(k.input)) {
    const table = [...held.table];
    k = { ...k, input: escapePrivate(k.input, table) };
    hidden = { ...s.hidden, [q.id]: { ...held, table } };
  }
  // (replaced as one undo step: Ctrl-_ brings it back)
  const edited = editLine(replacing ? cleared(lineOf(s)) : lineOf(s), k);
  if (edited === 'submit') return reduce(s, { type: 'submit', value: fieldText(s) });
  if (edited === undefined) return s;
  const changed = edited.text !== s.text;
  const { text, cursor, ...edit } = edited;
  return { ...s, ...(hidden ? { hidden } : {}), text, caret: cursor, edit, touched: true, ...(changed ? { error: undefined } : {}) };
}

/**
 * A secret field whose answer is an exported variable's value (FIVETRAN_TOKEN, TCLOUD_CLIENT_SECRET): the
 * variable, its value, and the install's own value it took the place of (a re-run). Any secret question
 * that names its `path` and has a variable in the environment.
 */
export function envSource(s: WizardState, q: Question): { env: string; value: string; installed?: string } | undefined {
  if (q.kind !== 'text' || !q.secret || !q.path) return undefined;
  const e = s.detection.envSecrets?.find((x) => x.path === q.path);
  if (!e || get(s.answers, q.path) !== e.value) return undefined;
  const installed = s.installedSecrets?.[q.path];
  return { env: e.env, value: e.value, ...(installed !== undefined ? { installed } : {}) };
}

function envSourceWords(src: { env: string; installed?: string }, problem: string): string {
  return `$${src.env} (exported in this shell) is refused: ${problem}. Fix it or unset it (unset ${src.env}) and run hd-setup again, or type another here${src.installed !== undefined ? ', or leave it empty to keep the installed one' : ''}.`;
}

/**
 * Said under a secret field that holds an exported variable's value the field's check refuses (the
 * value is masked: the user cannot see it is the variable's), or, emptied, what Enter keeps (trial: nothing
 * said that Enter brings the old one back).
 */
export function envSourceNote(s: WizardState): string | undefined {
  const q = currentQuestion(s);
  const src = envSource(s, q);
  // a secret it had (the install's, one typed before), emptied where empty is refused: Enter keeps it (said: the field shows nothing)
  if (!src && q.kind === 'text' && q.secret && !s.text.trim() && q.initial.trim() && q.validate?.('', ctx(s))) return 'Empty: Enter keeps the one it had.';
  if (!src || q.kind !== 'text') return undefined;
  if (s.text.trim() === src.value) {
    const bad = q.validate?.(src.value, ctx(s));
    return bad ? envSourceWords(src, bad) : undefined;
  }
  if (!s.text.trim() && src.installed !== undefined && q.validate?.('', ctx(s))) return `Empty: Enter keeps the installed one (not $${src.env}).`;
  return undefined;
}

/** The current text field's hidden parts (hidden.ts): what the placeholders in `text` stand for. */
export function hiddenOf(s: WizardState): readonly Held[] | undefined {
  const q = currentQuestion(s);
  return q.kind === 'text' && q.display ? s.hidden?.[q.id]?.table : undefined;
}

/** The current text field's real text: its hidden parts' placeholders decoded (what Enter sends). */
export function fieldText(s: WizardState): string {
  const table = hiddenOf(s);
  return table ? decodeHidden(s.text, table) : s.text;
}

/** The current text question's line, as the editor sees it (a masked field's hidden parts as placeholders). */
export function lineOf(s: WizardState): LineState {
  return { ...s.edit, text: s.text, cursor: s.caret };
}

/** Steps for the header: which are done, which is current. */
export function progress(s: WizardState): { steps: string[]; current: string } {
  // The steps as if the open menus (gateways, affinity rules) were finished, so the header shows the
  // whole way ahead and does not shrink while a list is edited.
  const c = ctx(s);
  const list = questions({ ...c, whole: true });
  const steps = [...new Set(list.map((q) => q.step))];
  return { steps, current: currentQuestion(s).step };
}

/** The note above the question, while it is true of the answers: a found install is not news while
 * another product or runtime is being configured. */
export function visibleNote(s: WizardState): string | undefined {
  const f = s.noteFor;
  const off = (k: 'product' | 'runtime') => f?.[k] !== undefined && s.answers[k] !== undefined && s.answers[k] !== f[k];
  if (s.note && !off('product') && !off('runtime')) return s.note;
  const other = otherInstallNote(s);
  if (other) return other;
  // else: which answers came from the environment (while they still hold its value)
  // (not one being typed over in its field: Enter would keep what is typed)
  const q = currentQuestion(s);
  const typedOver = (e: { path: string; value: string }) => q.kind === 'text' && q.path === e.path && s.touched && s.text.trim() !== e.value;
  const fromEnv = (s.detection.envSecrets ?? []).filter((e) => get(s.answers, e.path) === e.value && !typedOver(e));
  return fromEnv.length ? `From the environment: ${fromEnv.map((e) => `${e.env} (${e.path})`).join(', ')}; Enter keeps it, typing replaces it.` : undefined;
}

/**
 * Another install here, of the product and runtime now chosen, that was not prefilled: these answers would
 * replace its settings (a re-run of install refuses that; the review would only list the changes).
 */
export function otherInstallNote(s: WizardState): string | undefined {
  const other = s.detection.others?.find((o) => o.product === s.answers.product && o.runtime === s.answers.runtime);
  if (!other) return undefined;
  const what = wizardOf(other.product)?.option.label ?? 'install';
  return `Installed here and not prefilled: the ${what} on ${other.runtime} (${other.where}); these answers replace its settings. To start from them, quit (Ctrl-C) and run: hd-setup --set product=${other.product} --set runtime=${other.runtime}`;
}

/** What the wizard says about an install it found: installed now, or only its settings left behind. */
export function foundNote(found: { where: string; present?: boolean; unfinished?: boolean; preset?: Answers }, back: string): string {
  // named as the product question names it (the Tobiko executors are not "an agent")
  const what = wizardOf(found.preset?.product)?.option.label ?? 'install';
  return found.present === false
    ? `Found the settings of the ${what}, not installed now (${found.where}; ${found.unfinished ? 'its install did not finish' : 'kept after an uninstall'}). They are prefilled; ${back} walks back through them.`
    : `Found the ${what} installed here (${found.where}). Its settings are prefilled; ${back} walks back through them.${otherProducts(found.preset?.product)}`;
}

/** How to set up another product than the one found, without walking back through every answer. */
function otherProducts(found: unknown): string {
  const others = WIZARDS.filter((w) => w.id !== found);
  return others.length ? ` Another product: ${others.map((w) => `hd-setup --set product=${w.id}`).join(' or ')}.` : '';
}
