// hd-setup install: load against what is installed, plan, then describe (--dry-run) or execute with a
// live status screen. The work is the service layer's (src/service/install.ts); this is the command.
import { askLine } from './ask.js';
import { UserError, formatPath } from '../model/errors.js';
import { getIn } from '../model/reconcile.js';
import { isFailed, type Summary } from '../exec/events.js';
import { planToJson, planToText } from '../plan/describe.js';
import { exitCodeOf, install, loadForInstall, prepare, preflight, rewrittenBy, settingChanges, withRecordedRoot } from '../service/install.js';
import { findContext } from '../service/find.js';
import { lockAt, stoppedSince } from '../service/lifecycle.js';
import { locationOf } from '../service/plan.js';
import { isInteractive, redactor } from '../util/output.js';
import { reporterFor } from '../ui/reporters.js';
import { printFailedChecks, printJson, type InstallFlags } from './context.js';
import { installName } from '../products/index.js';

export type { InstallFlags } from './context.js';


/** A kept secret's path as --set writes it (extraEnv[1].value), with the variable a list item names. */
function keptName(dotted: string, raw: Record<string, unknown>): string {
  const path = dotted.split('.').map((x) => (/^(0|[1-9][0-9]*)$/.test(x) ? Number(x) : x));
  const item = getIn(raw, path.slice(0, -1).map(String));
  const name = item && typeof item === 'object' && !Array.isArray(item) ? (item as { name?: unknown }).name : undefined;
  return `${formatPath(path)}${typeof path.at(-2) === 'number' && typeof name === 'string' ? ` (${name})` : ''}`;
}

async function confirm(question: string): Promise<boolean> {
  return /^y(es)?$/i.test(await askLine(question));
}

export async function installCommand(flags: InstallFlags): Promise<number> {
  // Nothing to go on, but a person at a terminal: ask, rather than fail on the first missing field.
  if (!flags.preset && !flags.set?.length && !flags.json && !flags.dryRun && isInteractive()) {
    const { wizardCommand } = await import('./wizard.js');
    return wizardCommand(flags);
  }
  const { loaded, installed, kept, keptEmpty, setPaths } = await loadForInstall(flags);
  // One change at a time per install target; after waiting for another run, re-read what it changed.
  const lock = flags.dryRun ? undefined : await lockAt(locationOf(loaded.model, findContext().home), findContext().home);
  if (lock?.waited) return installCommand(flags);
  // prepare refuses an install that cannot go on (another runtime, a moved dir) before this is said
  const p = await prepare(loaded);
  const choices = installed ? withRecordedRoot(p, flags) : flags;
  if (installed && !flags.json) {
    // an uninstall that kept the config: not "an existing install", as status says too
    process.stderr.write(installed.uninstalled ? `Found the config an uninstall kept (${installed.where}); it is installed again from it, with what changed.\n` : `Found an existing install (${installed.where}); only what changed is applied.\n`);
    // stopped with hd-setup stop: the install runs it again (its plan starts it), said before it does
    const stopped = !installed.uninstalled && stoppedSince(installed);
    if (stopped) process.stderr.write(`It was stopped with hd-setup stop (${stopped}): this install starts it again.\n`);
    // (its variable set but empty, as a CI secret that is not defined comes out: said, as it may be a mistake)
    for (const k of kept) process.stderr.write(`Keeping the stored secret: ${keptName(k, loaded.raw)}${keptEmpty[k] ? ` (${keptEmpty[k]} is set but empty)` : ''}\n`);
  }
  // a re-run: the settings it changes, said first
  const shown = { skipChecks: flags.skipCheck, ...(installed ? { changes: settingChanges(installed, loaded.model, rewrittenBy(p)) } : {}) };
  if (flags.dryRun) {
    if (flags.json) printJson({ dryRun: true, ...planToJson(p.plan, redactor, shown) });
    else {
      process.stdout.write(`hd-setup install --dry-run: ${installName(p.plan.product, p.plan.runtime)} (nothing is changed)\n\n`);
      process.stdout.write(planToText(p.plan, redactor, { diffs: true, ...shown }) + '\n');
    }
    return 0;
  }
  if (!flags.yes) {
    if (!isInteractive()) {
      throw new UserError([{ path: '--yes', message: 'is required to install without a terminal; or use --dry-run to see the plan first' }]);
    }
    // Preflight first: no point confirming a plan that cannot run.
    const reports = await preflight(p, choices);
    const failed = reports.filter(isFailed);
    if (failed.length) {
      process.stderr.write(`Preflight found ${failed.length} problem${failed.length > 1 ? 's' : ''}; nothing was changed:\n`);
      printFailedChecks(failed);
      return 1;
    }
    process.stderr.write(planToText(p.plan, redactor, { diffs: true, ...shown }) + '\n\n');
    for (const r of reports.filter((x) => x.status === 'warn')) process.stderr.write(`  warning: ${r.id}: ${r.message}${r.fix ? ` (fix: ${r.fix})` : ''}\n`);
    if (!(await confirm('Apply this plan? [y/N] '))) {
      process.stderr.write('Nothing was changed.\n');
      return 1;
    }
  }
  const summary: Summary = await install(p, { ...choices, setPaths }, reporterFor(flags));
  return exitCodeOf(summary);
}
