// User-facing errors: one line per problem, naming the field and the fix. Exit code 2, no stack trace.
import type { z } from 'zod';
import { CONTROL, controlCode, printable } from '../util/control.js';

export interface Problem {
  path: string;
  message: string;
  /**
   * The way out, when the message ends with it (a report that shows the fix apart, doctor's, takes it from
   * here). From a model rule: the --set flags that mend a value refused only for a setting elsewhere.
   */
  fix?: string;
  /** The settings those --set flags set (a model rule's `mend`): what a run that gives them anew mends. */
  fixSets?: string[];
}

export class UserError extends Error {
  readonly problems: Problem[];
  readonly exitCode: number;
  constructor(problems: Problem[] | string, exitCode = 2) {
    const list = typeof problems === 'string' ? [{ path: '', message: problems }] : problems;
    super(list.map(formatProblem).join('\n'));
    this.problems = list;
    this.exitCode = exitCode;
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s)) out += out ? `.${s}` : s;
      else out += `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

/** The settings that mend a value a model rule refuses for a setting elsewhere (zod issue `params.mend`). */
export type Mend = readonly { path: string; value: string }[];

/** `--set path=value …`, as a message and a fix say them. */
export function setFlags(mend: Mend): string {
  return mend.map((m) => `--set ${m.path}=${m.value}`).join(' ');
}

export function formatProblem(p: Problem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

type Issue = z.core.$ZodIssue;

function friendly(issue: Issue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; check the spelling (see: hd-setup schema)`;
    case 'invalid_type': {
      if (issue.input === undefined) return `is required`;
      const what = issue.message.replace(/^Invalid input: /, '');
      // the fix, never the value (it may be a secret typed without quotes)
      if (issue.expected === 'string' && (typeof issue.input === 'number' || typeof issue.input === 'boolean')) return `${what}; put the value in quotes (it was read as a ${typeof issue.input})`;
      if (Array.isArray(issue.input) && ['string', 'number', 'boolean'].includes(issue.expected)) return `${what}; give one value, not a list`;
      return what;
    }
    case 'invalid_value':
      if ('input' in issue && issue.input === undefined) return `is required: one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}

/** Flatten zod issues (including record-key and union sub-issues) to one problem per line. */
export function zodProblems(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_key') {
      const key = path.at(-1);
      for (const sub of zodProblems(issue.issues as Issue[], [])) {
        out.push({ path: formatPath(path), message: `key ${JSON.stringify(key)}: ${sub.message}` });
      }
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length === 0 && 'discriminator' in issue) {
      // No branch for this value of the discriminator (product): name the choices.
      const u = issue as unknown as { discriminator: string; options?: unknown[]; input?: Record<string, unknown> };
      const p = issue.path.at(-1) === u.discriminator ? path : [...path, u.discriminator];
      const missing = Boolean(u.input && typeof u.input === 'object' && u.input[u.discriminator] === undefined);
      const choices = (u.options ?? []).map((v) => JSON.stringify(v)).join(', ');
      out.push({
        path: formatPath(p),
        message: missing ? `is required: one of ${choices}; pass --set ${formatPath(p)}=${String(u.options?.[0] ?? '...')} or a preset: --preset <name> (see: hd-setup presets)` : `must be one of ${choices}`,
      });
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // A value of none of the types the branches take (a null where a string, number or boolean goes): name them all.
      const types = issue.errors.map((e) => (e.length === 1 && e[0]!.code === 'invalid_type' && e[0]!.path.length === 0 && e[0]!.input !== undefined ? e[0]!.expected : undefined));
      if (types.every((t) => t !== undefined)) {
        const input = (issue as { input?: unknown }).input;
        const got = input === null ? 'null' : Array.isArray(input) ? 'a list' : typeof input === 'object' ? 'an object' : typeof input;
        out.push({ path: formatPath(path), message: `expected ${[...new Set(types)].join(', ').replace(/, ([^,]*)$/, ' or $1')}, received ${got}` });
        continue;
      }
      // Some values and some types ("auto", or true/false): name every one the branches take.
      const alts = issue.errors.map((e) => {
        const only = e.length === 1 && e[0]!.path.length === 0 ? e[0]! : undefined;
        if (only?.code === 'invalid_value') return only.values.map((v) => JSON.stringify(v));
        if (only?.code === 'invalid_type') return only.expected === 'boolean' ? ['true', 'false'] : [`a ${only.expected}`];
        return undefined;
      });
      if (alts.every((a) => a !== undefined) && issue.errors.some((e) => e[0]?.code === 'invalid_value')) {
        out.push({ path: formatPath(path), message: `must be ${[...new Set(alts.flat())].join(', ').replace(/, ([^,]*)$/, ' or $1')}` });
        continue;
      }
      // Report the branch that got furthest (fewest issues).
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      out.push(...zodProblems(best as Issue[], path));
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out.push({ path: formatPath([...path, k]), message: `unknown key; check the spelling (see: hd-setup schema)` });
      continue;
    }
    // a string refused for its format that holds a control character: that is what to fix (a line break at the
    // end of a variable read from a file, a tab pasted in), named without the value
    const input = (issue as { input?: unknown }).input;
    if ((issue.code === 'invalid_format' || issue.code === 'custom' || issue.code === 'invalid_value') && typeof input === 'string' && CONTROL.test(input)) {
      out.push({ path: formatPath(path), message: `holds a control character (${controlCode(input)}${/[\r\n]$/.test(input) ? ', at its end' : ''}); remove it` });
      continue;
    }
    let message = friendly(issue);
    if (message.startsWith('is required') && !/\bpass --(set|preset)\b/.test(message)) {
      // Name the flag that supplies it (unless the rule already did, or named the preset that does).
      const p = formatPath(path);
      const example = issue.code === 'invalid_value' ? String(issue.values[0]) : '...';
      message += `; pass --set ${p}=${example}${path.length === 1 ? ' or a preset: --preset <name> (see: hd-setup presets)' : ''}`;
    }
    // A rule's message may echo a value ("a\nb" is not a gateway): one line, its control characters spelled out.
    // A rule that refuses a value only for a setting elsewhere names the --set flags that mend it (params.mend).
    const mend = issue.code === 'custom' ? (issue.params as { mend?: Mend } | undefined)?.mend : undefined;
    out.push({ path: formatPath(path), message: printable(message), ...(mend?.length ? { fix: setFlags(mend), fixSets: mend.map((m) => m.path) } : {}) });
  }
  // One line per distinct problem.
  const seen = new Set<string>();
  return out.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
