// The wizard's vocabulary, for the product modules: what a question is (plain data: a title, a check
// and what the answer writes into the preset), and what a product's questions are. The wizard itself
// (the flow, how each kind is drawn and edited, the shared questions: product, runtime, proxy, the
// Advanced step, review) lives in src/ui/wiz/; each product declares its own questions in
// src/products/<name>/questions.ts, listed in src/products/wizards.ts.
// No zod here or in any question file: the wizard's first frame loads them (npm run bench).
import { PATTERNS, mismatch, urlProblem, type Pattern } from '../model/patterns.js';
import { settingHoldsSecret } from '../model/secret-names.js';
import { MASK } from '../util/redact.js';
import { spanMask, type Span, type SpanMask } from '../util/mask-spans.js';
import { STORED_PREFIX, isStored } from '../model/stored.js';
import type { LocalChart } from '../util/local-chart.js';

export type Answers = Record<string, any>;

export interface Detection {
  docker?: { version?: string; rootless: boolean; reachable: boolean };
  podman?: { version?: string; rootless: boolean; reachable: boolean };
  kubeContext?: string;
  /** Every kubeconfig context, probed (the runtime step's context picker); `asking`: listed, its answer not in yet. */
  kubeContexts?: { name: string; current: boolean; reachable: boolean; version?: string; problem?: string; asking?: true }[];
  /** --context, given to the wizard. */
  contextFlag?: string;
  /** Where each product keeps its Kubernetes context in a preset (product id -> path). */
  contextPaths?: Record<string, string>;
  /** What to say about this host when a runtime is chosen, whatever the product (runtime -> lines). */
  runtimeNotes?: Record<string, string[]>;
  /**
   * What to say about this host for the install found here, in place of `runtimeNotes` of its runtime, only
   * while its product and runtime are chosen (root allowed: it was made with --allow-root).
   */
  installNotes?: { product: string; runtime: string; notes: string[] };
  /** What to say when a runtime is chosen for a product (its own minimum versions): product id -> runtime -> lines. */
  productNotes?: Record<string, Record<string, string[]>>;
  /** Detection is still running (the first frame shows before it): the runtime hints say so, not "not found". */
  pending?: boolean;
  /** Secrets whose environment variable is set (FIVETRAN_TOKEN, say): they prefill their fields. */
  envSecrets?: { path: string; env: string; value: string }[];
  /** An existing install found on this machine, as a preset. */
  installed?: { where: string; preset: Answers; /** Its containers or release exist now (false: only its settings were kept, e.g. after uninstall). */ present?: boolean; /** Its last install stopped before it finished (its record says "started"). */ unfinished?: boolean };
  /** The other installs found here (not prefilled): choosing one's product and runtime is said, as those answers would replace its settings. */
  others?: { product: string; runtime: string; where: string }[];
  /**
   * What a chart reference names on this host, read when asked (util/local-chart.ts): a local chart's version,
   * or why it has none; undefined for a reference that is no local path (a registry's).
   */
  localChart?: (ref: string) => LocalChart | undefined;
}

/**
 * Transient editing state: the shared ones are named; a product keeps its own (a gateway or an affinity
 * rule being entered) under its own keys.
 */
export interface Drafts {
  proxy?: 'none' | 'set';
  /** The proxy is entered in this run (it was not in the answers when "Use a proxy" was chosen): its fields start from the usual values. */
  proxyNew?: boolean;
  /** The fields of that new proxy answered already (Enter): they show their answer, not the usual value. */
  proxySent?: { http?: boolean; no?: boolean };
  advanced?: 'defaults' | 'edit';
  /** Sections of the products not chosen now (a --set for the other product), kept for a change back. */
  parked?: Answers;
  /**
   * A re-run's secrets whose exported variable (FIVETRAN_TOKEN) holds another value than the install's, by
   * path: the install's value, and which of the two the user chose (none yet: the wizard asks, the
   * install's first). The answers hold the install's until the variable's is chosen.
   */
  envVsInstalled?: Record<string, { installed: string; use?: 'installed' | 'env' }>;
  [key: string]: any;
}

export interface Ctx {
  answers: Answers;
  drafts: Drafts;
  detection: Detection;
  /** List the whole way ahead, as if every open list (menu) were finished (the header's steps). */
  whole?: boolean;
}

export interface Option {
  label: string;
  value: string;
  hint?: string;
  /** The model's default (choosing it leaves the setting unset): marked "default" beside its hint. */
  isDefault?: boolean;
}

interface Base {
  id: string;
  step: string;
  title: string;
  help?: string;
}

export type Result = { answers?: Answers; drafts?: Drafts; goto?: string };

/** A list the user edits entry by entry (gateways, rules): `done` continues; back onto it, `reset` drops a half-entered entry. */
export interface Menu {
  done: string;
  reset(d: Drafts): Drafts;
}

export type Question =
  | (Base & {
      kind: 'select';
      options: Option[];
      initial?: string;
      menu?: Menu;
      /** A re-run's walk through the answers it has stops here, though the choice has one to take: the user is to see it. */
      ask?: boolean;
      /** Refuse a choice, with the reason (the model's rule, at the question). */
      validate?: (v: string, c: Ctx) => string | undefined;
      apply: (c: Ctx, v: string) => Result;
    })
  | (Base & {
      kind: 'text';
      secret?: boolean;
      /** The preset path the answer is written to, for a secret an exported variable may give (FIVETRAN_TOKEN): the wizard then says where its value came from. */
      path?: string;
      /** How the value is shown while typing (proxy URLs: credentials masked), and which parts it masks. */
      display?: SpanMask;
      initial: string;
      /** `initial` is a suggestion (a default, a new entry's name), not a value given: what is typed first replaces it whole (←/→ first edit it; Enter keeps it). */
      suggested?: boolean;
      placeholder?: string;
      validate?: (v: string, c: Ctx) => string | undefined;
      /** Shown under the field as you type (format checks). */
      live?: (v: string) => { ok: boolean; text: string } | undefined;
      apply: (c: Ctx, v: string) => Result;
    })
  | (Base & { kind: 'review' });

/**
 * A setting of the Advanced step: the wizard asks it as a choice (options) or a text (check), empty or
 * the default meaning "unset". Declared by the product, asked by the wizard (src/ui/wiz/questions.ts).
 */
export interface Field {
  /** Dotted path in the preset, as --set takes it. */
  path: string;
  label: string;
  help?: string;
  /** The model's default (shown; choosing it, or leaving the text empty, leaves the setting unset). */
  default?: string;
  /** A choice among these (the model's enum). */
  options?: readonly string[];
  /** What each option does, shown beside it. */
  optionHints?: Readonly<Record<string, string>>;
  /** The model's format check of a text value. */
  check?: (v: string) => string | undefined;
  /** Why the field may not be left empty with these answers (a setting that goes with another). */
  needed?: (answers: Answers) => string | undefined;
  /** Text to the preset's value (a number, a list); default: the text. */
  parse?: (v: string) => unknown;
  /** The preset's value to text; default: String. */
  show?: (v: unknown) => string;
  /** How the text is shown while it is typed (name=value pairs: the values of names that say secret, masked), and which parts it masks. */
  display?: SpanMask;
  /** Shown under the text as it is typed (what the value will mean). */
  live?: (v: string) => { ok: boolean; text: string } | undefined;
  /**
   * Settings that follow from this one's answer, set with it whether it is changed or kept (a local chart:
   * its version): the answers with this setting stored, to the answers with those too.
   */
  carries?: (answers: Answers) => Answers;
}

/** The questions a product adds to the shared flow. */
export interface ProductWizard {
  /** The product's id, as in a preset's `product`. */
  id: string;
  /** Its option on the product question. */
  option: { label: string; hint: string };
  /** The proxy question, e.g. "Does the agent reach the internet through a proxy?". */
  proxyTitle: string;
  /**
   * The product's questions after the runtime, in order. `shared.proxy()` gives the proxy questions to
   * place in the flow. Returning early (an open list not finished) ends the walk there (then the review).
   */
  questions(c: Ctx, shared: { proxy(): Question[] }): Question[];
  /** The Advanced step's settings for the runtime in hand (everything the main flow does not ask). */
  advanced(c: Ctx): Field[];
  /** Extra Advanced questions that are not single fields (resources, replicas). */
  advancedQuestions?(c: Ctx): Question[];
  /** What those extra questions hold now, as name=value (the Advanced step says what "keep" keeps). */
  advancedGiven?(c: Ctx): string[];
}

// ---- small path helpers (answers are plain objects) ----
export function get(o: Answers, path: string): any {
  return path.split('.').reduce<any>((x, k) => (x == null ? undefined : x[k]), o);
}

export function set(o: Answers, path: string, v: unknown): Answers {
  const out = structuredClone(o);
  const keys = path.split('.');
  let cur = out;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] == null || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k];
  }
  if (v === undefined) delete cur[keys[keys.length - 1]!];
  else cur[keys[keys.length - 1]!] = v;
  return out;
}

/** `set`, and an unset leaves no empty object behind (`requests: {}` is not "unset" to a chart). */
export function put(o: Answers, path: string, v: unknown): Answers {
  if (v !== undefined) return set(o, path, v);
  let out = set(o, path, undefined);
  const keys = path.split('.');
  for (let i = keys.length - 1; i > 0; i--) {
    const parent = keys.slice(0, i).join('.');
    const p = get(out, parent);
    if (p && typeof p === 'object' && !Array.isArray(p) && Object.keys(p).length === 0) out = set(out, parent, undefined);
    else break;
  }
  return out;
}

// ---- checks, with the model's words ----
export const required = (label: string) => (v: string) => (v.trim() ? undefined : `${label} is required`);
const mapMessage = (label: string, m: string | undefined) => (m === undefined ? undefined : m.startsWith('must ') ? `${label} ${m}` : `${label}: ${m}`);
/** Required, and in the model's format (the same check and words as the preset mode). */
export const shaped = (label: string, p: Pattern) => (v: string) => (!v.trim() ? `${label} is required` : mapMessage(label, mismatch(p, v.trim())));
export const k8sName = (label: string) => shaped(label, PATTERNS.k8sName);
/** A proxy URL, checked as the model checks it (scheme, host, a port from 1 to 65535); env:/file: references pass. */
export const urlCheck = (v: string) => {
  const t = v.trim();
  return !t || /^(env|file):/.test(t) ? undefined : urlProblem(t, ['http', 'https'], 'http://proxy.internal:3128');
};
export const opt = (re: RegExp, ex: string) => (v: string) => (!v.trim() || re.test(v.trim()) ? undefined : `must look like ${ex}`);
export const isK8s = (c: Ctx) => c.answers.runtime === 'kubernetes';
/** Comma-separated text to a list. */
export const listOf = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);

/** The context the install will use: the one chosen (the runtime step's picker), else --context, else kubectl's current one. */
export function contextInUse(c: Ctx): string | undefined {
  const p = c.detection.contextPaths?.[c.answers.product as string];
  const chosen = p ? (get(c.answers, p) as string | undefined) : undefined;
  return chosen ?? c.detection.contextFlag ?? c.detection.kubeContexts?.find((k) => k.current)?.name ?? c.detection.kubeContext;
}

/** A text question's initial text: the value given, or a suggestion that typing replaces (Question.suggested). */
export function suggest(given: string | undefined, suggestion: string): { initial: string; suggested?: true } {
  return given === undefined ? { initial: suggestion, suggested: true } : { initial: given };
}

/** The namespace question of a product on Kubernetes. */
export function namespaceQuestion(c: Ctx, id: string, section: string): Question {
  // the context the header names (the one chosen in the picker), not kubectl's current one
  const context = contextInUse(c);
  return {
    id,
    step: 'Credentials',
    kind: 'text',
    title: 'Namespace',
    help: `Created when missing${context ? `; context ${context}` : ''}.`,
    ...suggest(c.answers[section]?.kubernetes?.namespace, section),
    validate: k8sName('the namespace'),
    apply: (cx, v) => ({ answers: set(cx.answers, `${section}.kubernetes.namespace`, v) }),
  };
}

/**
 * Asked before an entry of a list (a gateway, an affinity rule) is removed, with what goes with it: Enter
 * keeps it (one key on the list's menu removed what took a dozen to enter). `draft` holds the name asked
 * about; either answer goes back to the list (`back`).
 */
export function removalQuestion(o: { id: string; step: string; draft: string; back: string; title: string; help?: string; remove: (c: Ctx) => Answers }): Question {
  return {
    id: o.id,
    step: o.step,
    kind: 'select',
    title: o.title,
    ...(o.help ? { help: o.help } : {}),
    initial: 'keep',
    options: [
      { label: 'Keep it', value: 'keep' },
      { label: 'Remove it', value: 'remove' },
    ],
    apply: (c, v) => ({ ...(v === 'remove' ? { answers: o.remove(c) } : {}), drafts: { ...c.drafts, [o.draft]: undefined }, goto: o.back }),
  };
}

/** The one-option "Secrets" note on docker/podman: where the secrets go (a question only to be read). */
export function secretsNote(help: string, label: string): Question {
  return { id: 'secrets-info', step: 'Secrets', kind: 'select', title: 'Secrets', help, options: [{ label, value: 'ok' }], apply: () => ({}) };
}

/** Everything the runtime step says about `runtime` for the chosen product: the host's notes, then the product's. */
export function runtimeNotesFor(d: Detection, product: unknown, runtime: string): string[] {
  const install = d.installNotes && d.installNotes.product === product && d.installNotes.runtime === runtime ? d.installNotes.notes : undefined;
  return [...(install ?? d.runtimeNotes?.[runtime] ?? []), ...(typeof product === 'string' ? (d.productNotes?.[product]?.[runtime] ?? []) : [])];
}

/** What the container runtimes' pull policies do (docker and podman run --pull). */
export const PULL_POLICY_HINTS: Readonly<Record<string, string>> = {
  always: 'pull the image each time a container is made: a new install or a changed config',
  missing: 'pull it only when it is not here',
  never: 'offline: use an image loaded beforehand (docker load, podman load)',
};

/** What the kubelet's image pull policies do. */
export const K8S_PULL_POLICY_HINTS: Readonly<Record<string, string>> = {
  Always: 'pull whenever a pod starts',
  IfNotPresent: 'pull only when the node does not have it',
  Never: 'use only an image already on the node',
};

/** What the container runtimes' restart policies do. */
export const RESTART_POLICY_HINTS: Readonly<Record<string, string>> = {
  'on-failure:3': 'restart after a crash, 3 times at most',
  always: 'restart it whenever it stops, also after the daemon restarts',
  'unless-stopped': 'like always, except after a manual stop',
};

/**
 * "NAME=value, …" as the wizard shows it while it is typed: a secret's value masked, by its name or by what it
 * holds (settingHoldsSecret: a URL with a password), unless it is an env:/file: reference (it showed as typed until saved).
 */
export const maskSecretPairs: SpanMask = spanMask(secretPairSpans, MASK);

/** The values maskSecretPairs masks: each from its first non-blank character to its last one. */
export function secretPairSpans(v: string): Span[] {
  const out: Span[] = [];
  let from = 0;
  for (const part of v.split(',')) {
    const at = part.indexOf('=');
    const value = at < 0 ? '' : part.slice(at + 1);
    if (at >= 0 && value.trim() && !/^\s*(env|file):/.test(value) && settingHoldsSecret(part.slice(0, at).trim(), value.trim())) {
      const start = from + at + 1 + value.match(/^\s*/)![0].length;
      out.push([start, start + value.trim().length]);
    }
    from += part.length + 1;
  }
  return out;
}

/** "a=1, b=x" as pairs, split at the first "=" of each; undefined pieces are dropped. */
export function pairsOf(v: string): [string, string][] {
  return v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const at = p.indexOf('=');
      return at < 0 ? [p, ''] : [p.slice(0, at).trim(), p.slice(at + 1).trim()];
    });
}

/** Why "key=value, …" text is not pairs whose keys pass `key` (undefined: it is). */
export function pairsProblem(v: string, key: (k: string) => string | undefined): string | undefined {
  for (const p of v.split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!p.includes('=')) return `"${p}" is not key=value`;
    const bad = key(p.slice(0, p.indexOf('=')).trim());
    if (bad) return bad;
  }
  return undefined;
}

/** A value as --set reads it: a whole or decimal number, true or false, else the text. */
export function scalarOf(v: string): string | number | boolean {
  if (v === 'true' || v === 'false') return v === 'true';
  return /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(v) ? Number(v) : v;
}

/** The in-cluster egress check as a choice: on ({}, or its settings kept) or off (unset). */
export function egressField(path: string): Field {
  return {
    path,
    label: 'Check from a pod that the cluster reaches the vendor',
    default: 'off',
    options: ['off', 'on'],
    optionHints: { off: 'the checks run from this host only', on: 'a short-lived pod with curl tries the endpoints, through the proxy' },
    parse: () => ({}),
    show: (v) => (v ? 'on' : 'off'),
  };
}

/** A re-run of a Kubernetes install: a secret kept in the Secret hd-setup made shows as the mask; what Enter does, said under it. */
export const storedSecretLive = (v: string): { ok: boolean; text: string } | undefined =>
  isStored(v) ? { ok: true, text: `kept where the install has it (${v.slice(STORED_PREFIX.length)}); Enter keeps it, or paste a new one` } : undefined;
