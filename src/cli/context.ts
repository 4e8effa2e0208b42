// Shared CLI plumbing: model loading from flags, JSON/plain output, and error reporting.
import { UserError, formatProblem, type Problem } from '../model/errors.js';
import { loadModel, type Loaded } from '../products/load.js';
import { printable, redactor } from '../util/output.js';
import { LocalStateError, fileSystemProblem } from '../util/fsx.js';
import type { Choices } from '../service/install.js';
import { fixOrSkip, type FailedCheck } from '../exec/events.js';
import { variableFor } from '../model/env-names.js';

/** install's flags (the wizard takes them too). */
export interface InstallFlags extends ModelFlags, Choices {
  yes?: boolean;
  dryRun?: boolean;
  reset?: boolean;
}

export interface ModelFlags {
  preset?: string;
  set?: string[];
  json?: boolean;
  context?: string;
}

export function loadFromFlags(flags: ModelFlags, presetObject?: Record<string, unknown>): Loaded {
  const loaded = loadModel({ ...(flags.preset ? { preset: flags.preset } : {}), ...(presetObject ? { presetObject } : {}), sets: flags.set ?? [] });
  redactor.add(loaded.secrets);
  for (const w of loaded.warnings) process.stderr.write(`warning: ${printable(w)}\n`);
  return loaded;
}

/** The checks that failed, one `✖ id: message` and its `fix:` each (install and restart, before anything is changed). */
export function printFailedChecks(failed: readonly FailedCheck[]): void {
  for (const r of failed) process.stderr.write(`  ✖ ${r.id}: ${r.message}\n    fix: ${fixOrSkip(r)}\n`);
}

export function printJson(v: unknown): void {
  process.stdout.write(JSON.stringify(v, null, 2) + '\n');
}

/** `{"errors": […]}` on one line: a run whose --json is JSON lines (install, uninstall, start …) may end in it, read line by line. */
function printJsonErrors(problems: readonly (Pick<Problem, 'path' | 'message'> & { variable?: string })[]): void {
  process.stdout.write(`${JSON.stringify({ errors: problems.map((p) => ({ path: p.path, ...(p.variable ? { variable: p.variable } : {}), message: redactor.redact(p.message) })) })}\n`);
}

export function reportError(e: unknown, json: boolean): number {
  if (e instanceof LocalStateError) e = new UserError(e.message);
  const fs = fileSystemProblem(e);
  if (fs) e = new UserError([{ path: '', message: fs }]);
  if (e instanceof UserError) {
    // a setting an HD_SETUP_* variable gave: the variable is named (the user typed no --set for it)
    const problems = e.problems.map((p) => ({ ...p, variable: p.path ? variableFor(p.path) : undefined }));
    if (json) printJsonErrors(problems);
    else for (const p of problems) process.stderr.write(`error: ${printable(redactor.redact(formatProblem(p.variable ? { ...p, path: `${p.path} (from ${p.variable})` } : p)))}\n`);
    return e.exitCode;
  }
  const msg = e instanceof Error ? e.message : String(e);
  if (json) printJsonErrors([{ path: '', message: msg }]);
  else {
    process.stderr.write(`error: ${printable(redactor.redact(msg))}\n`);
    if (process.env.HD_SETUP_DEBUG && e instanceof Error && e.stack) process.stderr.write(redactor.redact(e.stack) + '\n');
    else process.stderr.write('(set HD_SETUP_DEBUG=1 for details)\n');
  }
  return 1;
}
