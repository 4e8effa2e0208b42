// A plan describes itself: every step and exact command, secrets masked (dry-run and the wizard's review).
import { createTwoFilesPatch } from 'diff';
import { modeString } from '../render/types.js';
import { maskArgv, maskSecretManifests } from '../util/mask-fields.js';
import { maskUrlCredentials, type Redactor } from '../util/redact.js';
import { shellLine } from '../util/shell.js';
import type { Action, Plan, PlannedFile, SettingChange, Step } from './types.js';
import { looser } from './containers.js';
import { parseJsonStrict } from '../model/json-strict.js';
import { settingNamedLikeSecret } from '../model/secret-names.js';
import { MASK } from '../util/redact.js';

/** 'mode': the same text, with a mode that lets others do more than its own (written again with its own). */
export type FileStatus = 'new' | 'changed' | 'mode' | 'unchanged';

export function fileStatus(f: PlannedFile): FileStatus {
  return f.current === undefined ? 'new' : f.current !== f.content ? 'changed' : looser(f) ? 'mode' : 'unchanged';
}

export interface DescribedAction {
  kind: Action['kind'];
  command?: string;
  stdin?: { label: string; content: string };
  path?: string;
  mode?: string;
  bytes?: number;
  backup?: boolean;
  checks?: string[];
  /** exec: the command run instead when this one fails so (`orElse`), and when */
  orElse?: { when: string; command: string };
  /** preflight: the checks skipped with --skip-check */
  skipped?: string[];
  /** mkdir: the directory is not there (the run makes it) */
  missing?: boolean;
  /** mkdir: something that is not a folder is there (the run stops at its preflight) */
  blocked?: string;
  text?: string;
}

export interface DescribedStep {
  id: string;
  title: string;
  skip?: string;
  actions: DescribedAction[];
}

export function describeAction(a: Action, r: Redactor): DescribedAction {
  const clean = (s: string) => maskUrlCredentials(r.redact(s));
  switch (a.kind) {
    case 'preflight':
      return { kind: a.kind, checks: a.checks };
    case 'mkdir':
      return { kind: a.kind, path: a.path, mode: modeString(a.mode), ...(a.missing ? { missing: true } : {}), ...(a.blocked ? { blocked: a.blocked } : {}) };
    case 'write':
      return { kind: a.kind, path: a.path, mode: modeString(a.mode), bytes: Buffer.byteLength(a.content), backup: a.backup };
    case 'exec':
      return {
        kind: a.kind,
        command: clean(shellLine(maskArgv(a.argv, r))),
        ...(a.stdin !== undefined ? { stdin: { label: a.stdinLabel ?? 'stdin', content: clean(maskSecretManifests(a.stdin, r)) } } : {}),
        ...(a.orElse ? { orElse: { when: `its error says ${a.orElse.when.map((w) => `"${w}"`).join(' or ')}`, command: clean(shellLine(maskArgv(a.orElse.argv, r))) } } : {}),
      };
    case 'waitContainers':
      return { kind: a.kind, command: `poll "${a.runtimeBin} inspect" until ${a.names.join(', ')} running (timeout ${a.timeoutMs / 1000}s)` };
    case 'note':
      return { kind: a.kind, text: clean(a.text) };
    case 'boot':
      return { kind: a.kind, command: `systemctl --user daemon-reload${a.generated ? '' : ` && systemctl --user enable ${a.unit}`}; then check it is enabled and that ${a.user} lingers (loginctl show-user ${a.user} -p Linger)` };
    case 'remove':
      return { kind: a.kind, command: a.ifEmpty ? `${shellLine(['rmdir', a.path])}   (if nothing else is left in it)` : shellLine(['rm', a.recursive ? '-rf' : '-f', a.path]) };
    case 'restore':
      return { kind: a.kind, command: `restore ${a.to} from ${a.from} (atomic; the current file is backed up first)` };
    case 'releaseStatus':
      return { kind: a.kind, command: `report the revision of ${a.release} and its ready pods (helm status, kubectl get pods -l ${a.selector})` };
    case 'rollout':
      return { kind: a.kind, command: `kubectl rollout restart the Deployments of ${a.release} whose pod template is as in revision ${a.since} (helm get manifest), then kubectl rollout status --timeout=${a.timeout}` };
  }
}

export function describeStep(s: Step, r: Redactor): DescribedStep {
  return { id: s.id, title: s.title, ...(s.skip ? { skip: s.skip } : {}), actions: s.skip ? [] : s.actions.map((a) => describeAction(a, r)) };
}

/** What a plan is shown with besides itself: the checks skipped with --skip-check (they run no more). */
export interface ShownWith {
  skipChecks?: readonly string[];
  /** A re-run: the settings it changes on the install (said first). */
  changes?: readonly SettingChange[];
}

/** A setting's value as the changes list shows it. */
const shownValue = (v: unknown) => (v === undefined ? 'none' : typeof v === 'string' ? v : JSON.stringify(v));

/** The settings a re-run changes, a line each (secrets named, never shown), or nothing when there are none. */
function changesText(changes: readonly SettingChange[] | undefined, r: Redactor): string[] {
  if (!changes?.length) return [];
  const lines: string[] = [];
  const said = new Set<string>();
  for (const c of changes) {
    if (!c.entry) {
      lines.push(`  ${c.path}: ${c.secret ? (c.removed ? 'removed (a secret, or holding one)' : 'a new value (a secret, or holding one: not shown)') : r.redact(c.text ?? `${shownValue(c.from)} -> ${shownValue(c.to)}`)}`);
      continue;
    }
    // an entry added or removed whole: one line (its settings when added; a secret among them named, never shown)
    const e = c.entry;
    if (said.has(e.path)) continue;
    said.add(e.path);
    const parts = changes.filter((d) => d.entry?.path === e.path);
    const name = (d: SettingChange) => d.path.slice(e.path.length + 1);
    const shown = parts.filter((d) => !d.secret).map((d) => `${name(d)} ${shownValue(d.to)}`);
    const hidden = parts.filter((d) => d.secret).map(name);
    const what = [shown.join(', '), hidden.length ? `${hidden.join(', ')}: a secret, not shown` : ''].filter(Boolean).join('; ');
    lines.push(`  ${e.path}: ${e.kind === 'added' ? r.redact(`added (${what})`) : 'removed'}`);
  }
  return [`Changes to the install's settings:`, ...lines, ''];
}

/** The changes as --json has them: a secret's values left out. */
function changesJson(changes: readonly SettingChange[], r: Redactor): Record<string, unknown>[] {
  const masked = (v: unknown) => {
    if (typeof v === 'string') return r.redact(v);
    try {
      return JSON.parse(r.redact(JSON.stringify(v))) as unknown;
    } catch {
      return MASK; // a mask that broke the JSON: it held a secret
    }
  };
  return changes.map((c) => (c.secret ? { path: c.path, secret: true, ...(c.removed ? { removed: true } : {}) } : { path: c.path, ...('from' in c ? { from: masked(c.from) } : {}), ...('to' in c ? { to: masked(c.to) } : {}) }));
}

/** The preflight of a step, as it runs: the checks it makes, and those skipped (--skip-check) that it would have made. */
function shownChecks(a: DescribedAction, w: ShownWith): DescribedAction {
  if (a.kind !== 'preflight' || !w.skipChecks?.length) return a;
  const all = a.checks ?? [];
  const skipped = all.filter((c) => w.skipChecks!.includes(c));
  return skipped.length ? { ...a, checks: all.filter((c) => !skipped.includes(c)), skipped } : a;
}

export function planToJson(plan: Plan, r: Redactor, w: ShownWith = {}): Record<string, unknown> {
  return {
    product: plan.product,
    runtime: plan.runtime,
    // what the text says first ("Nothing to change"): for a script that asks whether a run would change anything
    changesNothing: changesNothing(plan),
    ...(w.changes ? { changes: changesJson(w.changes, r) } : {}),
    files: plan.files.map((f) => ({ path: f.dest, mode: modeString(f.mode), bytes: Buffer.byteLength(f.content), secret: f.secret, status: fileStatus(f) })),
    steps: plan.steps.map((s) => {
      const d = describeStep(s, r);
      return { ...d, actions: d.actions.map((a) => shownChecks(a, w)) };
    }),
    warnings: (plan.warnings ?? []).map((w) => r.redact(w)),
  };
}

/**
 * A unified diff of a file against what is installed, headed as git heads one (`--- path` / `+++ path`;
 * a new file is `--- /dev/null`, all lines added); secrets masked. Empty when nothing changes.
 */
export function fileDiff(f: PlannedFile, r: Redactor): string {
  if (f.current === f.content) return '';
  // A Secret manifest's values are masked whole on both sides: the installed copy may hold one this run was
  // not given (a stored secret it keeps, which the new copy leaves out), which the redactor cannot know.
  // So is the value of a secret-named key in a secret JSON file, whatever its type: a hand edit may have
  // made the token a number or an object, which no secret the redactor knows matches.
  const masked = (t: string) => maskSecretManifests(f.secret && f.dest.endsWith('.json') ? maskJsonSecretValues(t) : t, r);
  const patch = createTwoFilesPatch(f.dest, f.dest, masked(f.current ?? ''), masked(f.content), '', '', { context: 2 });
  // The patch's own header (a separator, names with a tab after them) gives way to git's.
  const hunks = patch.split('\n').filter((l, i) => i > 3 || !/^(={3,}|--- |\+\+\+ |Index: )/.test(l));
  // The file changes, and masked the two are the same: only a secret in it changed (never shown)
  if (!hunks.some((l) => l.startsWith('@@'))) return `--- ${f.dest}\n+++ ${f.dest}\n(only a secret in it changes; masked, the lines read the same)`;
  return [`--- ${f.current === undefined ? '/dev/null' : f.dest}`, `+++ ${f.dest}`, ...hunks].join('\n');
}

/**
 * A JSON text with the value of each key named like a secret (at any depth) replaced by the mask, as it is
 * written (the rest of the text as it is). Text that is not JSON is given back as it is.
 */
export function maskJsonSecretValues(text: string): string {
  const spans: [number, number][] = [];
  try {
    parseJsonStrict(text, '', (key, start, end) => settingNamedLikeSecret(key) && spans.push([start, end]));
  } catch {
    return text;
  }
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    if (start < at) continue; // inside one masked already
    out += `${text.slice(at, start)}"${MASK}"`;
    at = end;
  }
  return out + text.slice(at);
}

/** The kinds of action that only look or wait: a step of these alone changes no setting. */
const LOOKS: ReadonlySet<Action['kind']> = new Set(['preflight', 'mkdir', 'note', 'waitContainers', 'releaseStatus', 'boot']);

/**
 * Whether a plan changes no setting of the install: every file as it is, and every step skipped or only
 * looking (checks, waits), or putting back what it finds missing (a directory, the start at boot). A re-run of
 * the same preset says so before it runs.
 */
export function changesNothing(plan: Plan): boolean {
  if (plan.steps.some((s) => s.actions.some((a) => a.kind === 'mkdir' && a.blocked))) return false;
  return plan.files.every((f) => fileStatus(f) === 'unchanged') && plan.steps.every((s) => s.skip !== undefined || s.actions.every((a) => LOOKS.has(a.kind)));
}

/** The directories the plan makes that are not there now (known when the plan was made on this host). */
export function missingDirs(plan: Plan): string[] {
  return plan.steps.flatMap((s) => (s.skip !== undefined ? [] : s.actions.flatMap((a) => (a.kind === 'mkdir' && a.missing ? [a.path] : []))));
}

/** The first line of a plan that changes no setting, with what the run still does: directories found missing, and the start at boot, which it checks. */
function nothingToChange(plan: Plan): string {
  const dirs = missingDirs(plan);
  const boot = plan.steps.some((s) => s.skip === undefined && s.actions.some((a) => a.kind === 'boot'));
  const still = [
    ...(dirs.length ? [`puts back the missing folder${dirs.length > 1 ? 's' : ''} ${dirs.join(', ')}`] : []),
    ...(boot ? ['checks that it starts at boot (and puts that back if it is missing)'] : []),
  ];
  return `Nothing to change: the install has these settings${still.length ? `; the run ${still.join(', and ')}` : ''}`;
}

export function planToText(plan: Plan, r: Redactor, opts: { diffs?: boolean } & ShownWith = {}): string {
  const out: string[] = [];
  if (changesNothing(plan)) out.push(nothingToChange(plan), '');
  else out.push(...changesText(opts.changes, r));
  if (plan.files.length) out.push('Files');
  for (const f of plan.files) {
    const status = fileStatus(f) === 'mode' ? `mode ${modeString(f.currentMode!)} -> ${modeString(f.mode)}` : fileStatus(f);
    out.push(`  ${modeString(f.mode)}  ${f.dest}  (${status}${f.secret ? ', secret' : ''}) ${f.description}`);
    if (opts.diffs) {
      const d = fileDiff(f, r);
      if (d) out.push(...d.trimEnd().split('\n').map((l) => `        ${l}`));
    }
  }
  if (plan.files.length) out.push('');
  out.push('Steps');
  plan.steps.forEach((s, i) => {
    const d = describeStep(s, r);
    out.push(`  ${i + 1}. ${d.title}${d.skip ? `  (skip: ${d.skip})` : ''}`);
    for (const a of d.actions.map((x) => shownChecks(x, opts))) {
      if (a.kind === 'preflight') out.push(`       checks: ${a.checks?.join(', ')}${a.skipped?.length ? `; skipped (--skip-check): ${a.skipped.join(', ')}` : ''}`);
      else if (a.kind === 'mkdir') out.push(`       ${shellLine(['mkdir', '-p', '-m', a.mode!, a.path!])}${a.missing ? '   (missing)' : a.blocked ? `   (in the way: ${a.blocked}; the preflight stops here)` : ''}`);
      else if (a.kind === 'write') out.push(`       write ${a.path} (${a.mode}, ${a.bytes} bytes, atomic${a.backup ? '; the installed version is backed up first' : ''})`);
      else if (a.kind === 'note') out.push(...(a.text ?? '').split('\n').map((l) => `       ${l}`));
      else if (a.command) {
        out.push(`       $ ${a.command}${a.stdin ? `   # stdin: ${a.stdin.label}` : ''}`);
        if (a.orElse) out.push(`         when ${a.orElse.when}: $ ${a.orElse.command}`);
        if (a.stdin) out.push(...a.stdin.content.trimEnd().split('\n').map((l) => `         | ${l}`));
      }
    }
  });
  if (plan.warnings?.length) out.push('', 'Warnings', ...plan.warnings.map((w) => `  ! ${r.redact(w)}`));
  return out.join('\n');
}
