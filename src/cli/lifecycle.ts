// status, doctor, uninstall, start, stop, restart, rollback, export-preset: all work from any directory,
// on the install found through --preset/--set, the install registry, or the default locations. The work
// is the service layer's (src/service/lifecycle.ts); these commands choose, confirm and print.
import { resolve } from 'node:path';
import { shellQuote } from '../util/shell.js';
import { listBackups } from '../util/fsx.js';
import { UserError } from '../model/errors.js';
import { outputFileProblem, writeOutputFile } from '../util/paths.js';
import type { DetectedInstall } from '../exec/installed.js';
import { planToJson, planToText } from '../plan/describe.js';
import type { Plan } from '../plan/types.js';
import { brokenNote, choosingFlags, contextOnly, findAll, findAllWithBroken, findAt, findContext, findInContext, findOne, listedName, NoInstallFound, type FindContext, type Listed } from '../service/find.js';
import { exitCodeOf, requireWholeInstall, skippedChecks, type Choices } from '../service/install.js';
import * as life from '../service/lifecycle.js';
import { isInteractive, redactor } from '../util/output.js';
import { printFailedChecks, printJson, type ModelFlags } from './context.js';
import { givenForChecks, type NotGiven } from '../service/given.js';
import { reporterFor } from '../ui/reporters.js';
import { wrapLines } from '../ui/summary.js';
import { installName, productIds } from '../products/index.js';
import { askLine } from './ask.js';

export interface LifecycleFlags extends ModelFlags, Choices {
  yes?: boolean;
  dryRun?: boolean;
  purge?: boolean;
  bundle?: string;
  out?: string;
}

/** A number from 1 to n typed at a terminal: asked again (three times at most) until it is one; Enter alone gives up. */
async function choose(n: number): Promise<number | undefined> {
  for (let tries = 0; tries < 3; tries++) {
    const typed = await askLine(`Which one? [1-${n}] `);
    if (typed === '') return undefined;
    const a = Number(typed);
    if (Number.isInteger(a) && a >= 1 && a <= n) return a;
    process.stderr.write(`✖ type a number from 1 to ${n} (Enter alone: none)\n`);
  }
  return undefined;
}

/** With several installs: a terminal chooses; without one, findOne says how to choose. */
async function pick<T extends Listed>(list: T[]): Promise<T | undefined> {
  if (!isInteractive()) return undefined;
  process.stderr.write(`${list.length} installs found:\n${list.map((d, i) => `  ${i + 1}) ${listedName(d)}`).join('\n')}\n`);
  const a = await choose(list.length);
  return a === undefined ? undefined : list[a - 1];
}

/** An install that is there now: what stop, start, restart, rollback and uninstall act on, given a choice (a config an uninstall kept is none). */
const installedNow = (d: DetectedInstall) => !d.uninstalled;

/** Find the install these flags point at. */
export async function findInstall(flags: LifecycleFlags, prefer?: (d: DetectedInstall) => boolean, how: Pick<FindContext, 'brokenFromBackup' | 'brokenAsMissing'> = {}): Promise<DetectedInstall> {
  return findOne(flags, { ...findContext(), ...how }, pick, prefer);
}

async function confirmOrYes(flags: LifecycleFlags, what: string): Promise<boolean> {
  if (flags.yes) return true;
  if (!isInteractive()) throw new UserError([{ path: '--yes', message: `is required to ${what.replace(/^./, (c) => c.toLowerCase())} without a terminal` }]);
  return /^y(es)?$/i.test(await askLine(`${what}? [y/N] `));
}

function dryRun(d: DetectedInstall, plan: Plan, command: string, flags: LifecycleFlags): number {
  // the checks skipped at the install, and with --skip-check now, said as such
  const shown = { skipChecks: skippedChecks(findContext().home, d.location, flags.skipCheck) };
  // --json: the plan as install --dry-run --json gives it (steps with their ids and exact commands, secrets masked)
  if (flags.json) printJson({ dryRun: true, command, where: d.where, ...planToJson(plan, redactor, shown) });
  else process.stdout.write(`hd-setup ${command} --dry-run: ${installName(d.location.product, d.location.runtime)} (${d.where})\n\n${planToText(plan, redactor, shown)}\n`);
  return 0;
}

// ---- uninstall ----
export async function uninstallCommand(flags: LifecycleFlags): Promise<number> {
  let d: DetectedInstall;
  try {
    // (a configuration file that cannot be read is as if it were missing: the record and the containers say what to remove)
    d = await findInstall(flags, flags.purge ? undefined : installedNow, { brokenAsMissing: true });
  } catch (e) {
    // Uninstalled and purged already (a second `uninstall --purge`), or never installed: twice is once.
    if (!(e instanceof NoInstallFound)) throw e;
    if (flags.json) printJson({ installed: false, changed: [] });
    else process.stderr.write(`nothing to do: ${e.found}\n`);
    return 0;
  }
  const nothing = life.nothingToUninstall(d, Boolean(flags.purge), choosingFlags(d.location, findContext().home));
  if (nothing) {
    if (flags.json) printJson({ product: d.location.product, runtime: d.location.runtime, where: d.where, installed: false, changed: [] });
    else process.stderr.write(`${nothing}\n`);
    return 0;
  }
  // One change at a time per install; after waiting for another run, look again at what it left.
  if (!flags.dryRun && (await life.lockAt(d.location, findContext().home)).waited) return uninstallCommand(flags);
  const plan = await life.uninstallPlanFor(d, Boolean(flags.purge));
  if (flags.dryRun) return dryRun(d, plan, 'uninstall', flags);
  // --purge deletes what hd-setup created (the agent's config, data and logs): the question lists it first.
  const purged = plan.steps.filter((st) => st.id === 'purge').flatMap((st) => st.actions.flatMap((a) => (a.kind === 'remove' ? [a.path] : [])));
  if (!flags.yes && isInteractive()) {
    // what it does, step by step, and what stays (the summary says the same after): the question was bare
    const steps = plan.steps.filter((st) => st.id !== 'purge').map((st) => `  - ${st.title}`);
    process.stderr.write(`${steps.length ? `It will:\n${steps.join('\n')}\n` : ''}${plan.nextSteps.map((n) => `${n.charAt(0).toUpperCase()}${n.slice(1)}.\n`).join('')}`);
    if (purged.length) process.stderr.write(`--purge deletes, for good:\n${purged.map((p) => `  ${p}`).join('\n')}\n`);
  }
  const what = `Uninstall ${installName(d.location.product, d.location.runtime)} (${d.where})${purged.length ? ` and delete these ${purged.length} paths` : ''}`;
  if (!(await confirmOrYes(flags, what))) {
    process.stderr.write('Nothing was changed.\n');
    return 1;
  }
  return exitCodeOf(await life.uninstall(d, plan, flags, reporterFor(flags), Boolean(flags.purge)));
}

// ---- start / stop / restart ----
export async function stopCommand(flags: LifecycleFlags): Promise<number> {
  const d = await findInstall(flags, installedNow);
  // One change at a time per install; after waiting for another run, look again at what it left.
  if (!flags.dryRun && (await life.lockAt(d.location, findContext().home)).waited) return stopCommand(flags);
  life.requireUsableRelease(d, 'stop');
  const plan = await life.stopPlanFor(d);
  if (flags.dryRun) return dryRun(d, plan, 'stop', flags);
  return exitCodeOf(await life.stop(d, plan, reporterFor(flags)));
}

/** Start: containers are (re)created from the installed config when it changed; Kubernetes scales back up. */
export async function startCommand(flags: LifecycleFlags): Promise<number> {
  const d = await findInstall(flags, installedNow);
  // One change at a time per install; after waiting for another run, look again at what it left.
  if (!flags.dryRun && (await life.lockAt(d.location, findContext().home)).waited) return startCommand(flags);
  life.requireUsableRelease(d, 'start');
  const p = await life.startPrepared(d);
  if (flags.dryRun) return dryRun(d, p.plan, 'start', flags);
  return exitCodeOf(await life.start(p, flags, reporterFor(flags)));
}

export async function restartCommand(flags: LifecycleFlags): Promise<number> {
  const d = await findInstall(flags, installedNow);
  if ((await life.lockAt(d.location, findContext().home)).waited) return restartCommand(flags);
  life.requireUsableRelease(d, 'restart');
  const r = await life.restart(d, flags, reporterFor(flags));
  if (r.failed) {
    process.stderr.write(`Not restarted: the start would fail its preflight, so the running agent was left alone:\n`);
    printFailedChecks(r.failed);
    return 1;
  }
  return exitCodeOf(r.summary!);
}

// ---- rollback ----
export async function rollbackCommand(flags: LifecycleFlags): Promise<number> {
  // A configuration file broken since (a bad hand edit): the install is read from its newest whole backup,
  // which is what a rollback puts back.
  const d = await findInstall(flags, installedNow, { brokenFromBackup: true });
  // One change at a time per install; after waiting for another run, look again at what it left.
  if (!flags.dryRun && (await life.lockAt(d.location, findContext().home)).waited) return rollbackCommand(flags);
  life.requireUsableRelease(d, 'rollback');
  if (d.location.runtime === 'kubernetes') {
    const plan = await life.helmRollbackPlanFor(d);
    if (flags.dryRun) return dryRun(d, plan, 'rollback', flags);
    if (!(await confirmOrYes(flags, `Roll back ${installName(d.location.product, d.location.runtime)} (${d.where})`))) {
      process.stderr.write('Nothing was changed.\n');
      return 1;
    }
    return exitCodeOf(await life.runLifecycle(d, plan, flags, reporterFor(flags)));
  }
  const file = await life.configFileOf(d);
  const t = await life.rollbackTarget(d, file);
  if (!t && listBackups(file).length === 0) throw new UserError([{ path: '', message: `nothing to roll back to: hd-setup has changed the install at ${d.where} only once, when it installed it (no backup of ${file}: one is made each time hd-setup changes it); to remove it: hd-setup uninstall` }], 1);
  if (!t) throw new UserError([{ path: '', message: `no backup of ${file} makes a whole install (the warnings above say why); install again with the settings you want (hd-setup install … --reset)` }]);
  const stopped = life.stoppedSince(d);
  const then = stopped ? `the agent stays stopped (hd-setup stop, ${stopped}): hd-setup start runs it with it` : t.running ? 're-apply it (the containers run it already: not recreated)' : 're-apply it (containers are recreated)';
  const first = t.backup ? `restore ${file} from ${t.backup.path}, then ${then}` : `keep ${file} as it is, then ${then}`;
  const refused = life.stoppedRefusal(d, t);
  if (refused) throw refused;
  const preview = life.rollbackPreview(d, file, t);
  if (flags.dryRun) {
    const settings = preview.settings.map((s) => ({ path: s.path, ...(s.secret ? { secret: true, ...(s.thenDefault && s.then === undefined ? { removed: true } : {}) } : { ...(s.then !== undefined ? { value: s.then } : {}), ...(s.thenDefault ? { default: true } : {}), ...(s.now !== undefined ? { now: s.now } : {}) }) }));
    if (flags.json) printJson({ dryRun: true, command: 'rollback', where: d.where, product: d.location.product, runtime: d.location.runtime, settings, ...(life.nowUnknown(d, t) ? { nowUnknown: true } : {}), restore: { file, ...(t.backup ? { from: t.backup.path } : {}), ...(preview.diff ? { diff: preview.diff } : {}), ...(d.brokenConfig ? { broken: d.brokenConfig.problem } : {}) }, then });
    else process.stdout.write(`hd-setup rollback --dry-run: ${first}\n\n${preview.text}`);
    return 0;
  }
  if (!flags.yes && isInteractive()) process.stderr.write(`${preview.text}\n`);
  const what = t.backup ? `Restore ${file} from ${t.backup.path.split('/').pop()} and ${stopped ? 'keep the agent stopped' : 're-apply it'}` : `Roll back ${installName(d.location.product, d.location.runtime)} (${d.where})`;
  if (!(await confirmOrYes(flags, what))) return 1;
  return exitCodeOf(await life.rollbackFromBackup(d, file, t, flags, reporterFor(flags)));
}

// ---- export-preset ----
export async function exportPresetCommand(flags: LifecycleFlags): Promise<number> {
  // `--out -`: standard output, as `-` means to most tools (not a file named "-")
  if (flags.out === '-') flags = { ...flags, out: undefined };
  const outProblem = flags.out && outputFileProblem(resolve(flags.out), 'hd-setup-preset.yaml', 'preset');
  if (outProblem) throw new UserError([{ path: '--out', message: outProblem }]);
  const d = await findInstall(flags);
  requireWholeInstall(d);
  const { text, preset, vars, flags: choices, kept } = life.exportText(d);
  // --json: the preset as a JSON document (a preset may be JSON), with the variables it reads and the flags it needs
  const json = (extra: Record<string, unknown>) => printJson({ preset, env: vars, flags: choices, ...extra });
  if (flags.json && !flags.out) {
    json({});
    return 0;
  }
  if (choices.length && !flags.json) process.stderr.write(`Installed with ${choices.join(' ')}, which a preset does not hold: add ${choices.length > 1 ? 'them' : 'it'} when you install from it: hd-setup install --preset ${flags.out ? shellQuote(flags.out) : '<the file you save it to>'} ${choices.join(' ')} --yes\n`);
  if (flags.out) {
    const out = resolve(flags.out);
    const w = writeOutputFile(out, text, 0o644, 'preset', 'hd-setup-preset.yaml');
    if ('problem' in w) throw new UserError([{ path: '--out', message: w.problem }]);
    const what = w.unchanged ? `${out} holds this preset already (not rewritten)` : `Wrote ${out}${w.backup ? ` (the preset it replaced differed: kept as ${w.backup})` : ''}${w.pruned ? `; ${w.pruned}` : ''}`;
    if (flags.json) json({ out, written: !w.unchanged, ...(w.backup ? { backup: w.backup } : {}) });
    else process.stderr.write(`${what}. Secrets are env: references (${vars.join(', ') || 'none'}).${kept ? ` ${kept}.` : ''}\n`);
  } else process.stdout.write(text);
  return 0;
}

/** Text for the terminal: on one, wrapped to its width at words and path boundaries (ui/summary wrapLines), never mid-word by the terminal. */
function say(text: string): void {
  const cols = process.stdout.isTTY ? process.stdout.columns : 0;
  process.stdout.write(cols >= 20 ? wrapLines(text.split('\n'), cols - 1).join('\n') : text);
}

// ---- status ----
/** `flags`: what the commands it offers need to choose this install (there are several). */
function printStatus(s: life.StatusReport, flags = ''): void {
  const cmd = (verb: string) => `hd-setup ${verb}${flags ? ` ${flags}` : ''}`;
  if (s.kept) {
    say(`${installName(s.product, s.runtime)} — ${s.where}\n  ${s.kept}\n`);
    return;
  }
  if (s.broken) {
    say(`${installName(s.product, s.runtime)} — ${s.where}\n  ✖ broken: ${s.broken}\n`);
    return;
  }
  if (s.runtime !== 'kubernetes') {
    const v = s.versions as Record<string, unknown>;
    say(`${installName(s.product, s.runtime)} ${v[s.runtime] ?? ''}${v.rootless ? ' (rootless)' : ''} — ${s.where}\n`);
    for (const c of s.containers ?? []) {
      // stopped with hd-setup stop: also when its container is gone (Quadlet removes it at the stop; the start makes it again)
      if (s.stoppedAt && !c.running) say(`  ■ ${c.name}: stopped (hd-setup stop, ${when(s.stoppedAt)})${c.state === 'missing' ? '' : `, restarts ${c.restarts}`}${c.image ? `, image ${c.image}` : ''}\n`);
      else if (c.state === 'missing') say(`  ✖ ${c.name}: missing (no such container)${c.image ? `; it runs ${c.image}` : ''}\n`);
      else {
        const mine = !s.foreign?.includes(c.name);
        say(`  ${c.running && mine ? '✔' : '✖'} ${c.name}: ${c.state}${c.uptime ? `, up ${c.uptime}` : ''}, restarts ${c.restarts}, image ${c.image}${mine ? '' : " (not this install's)"}\n`);
      }
      for (const l of c.logs.slice(-5)) say(`      | ${l}\n`);
    }
    say(`  on boot: ${s.boot}\n`);
    if (s.configMissing) say(`  ✖ ${s.configMissing.replace(/^the install at \S+ has lost/, 'it has lost')}\n`);
    // running, but not as its files say (a change that did not finish, or is under way; a hand edit)
    if (s.problem) say(`  ${s.changing ? '…' : '✖'} ${s.problem.message}\n    fix: ${s.problem.fix}\n`);
    if (s.stoppedAt) say(`\nStopped with hd-setup stop (${when(s.stoppedAt)}). Start it: ${cmd('start')}\n`);
    else if (s.problem) return;
    else if (s.unfinished) say(`\nNot running: the last install did not finish (it failed or was stopped). Finish it: ${cmd('start')} (or run the install again)   Diagnose: ${cmd('doctor')}\n`);
    else if (!s.healthy && !s.configMissing) say(`\nNot running. Start it: ${cmd('start')}   Diagnose: ${cmd('doctor')}\n`);
    return;
  }
  const v = s.versions as Record<string, string | undefined>;
  say(`${installName(s.product, 'kubernetes')} ${v.kubernetes ?? '?'} (helm ${v.helm || '?'}) — ${s.where}\n`);
  say(`  release ${s.release?.name} revision ${s.release?.revision} (${s.release?.status}), chart ${s.release?.chart}\n  pods ready ${s.podsReady}\n`);
  if (s.problem) say(`  ✖ ${s.problem.message}\n    fix: ${s.problem.fix}\n`);
  for (const p of s.pods ?? []) say(`  ${p.ready ? '✔' : '✖'} ${p.name}: ${p.phase}, restarts ${p.restarts}\n`);
  if (s.warnings?.length) say(`  recent warnings:\n${s.warnings.map((w) => `    ${w}`).join('\n')}\n`);
  if (s.stoppedAt) say(`\nStopped with hd-setup stop (${when(s.stoppedAt)}: scaled to 0). Start it: ${cmd('start')}\n`);
}

/** A recorded time as people read it: 2026-12-03 23:20 UTC. */
const when = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** Status of the install the flags point at; without a pointer, of every install found. */
export async function statusCommand(flags: LifecycleFlags): Promise<number> {
  const inContext = contextOnly(flags);
  const pointed = Boolean(flags.preset || flags.set?.length || flags.context);
  // (without a pointer, an install whose files cannot be read is listed as broken, beside the others)
  const { found: list, broken } = inContext ? { found: await findInContext(inContext, findContext()), broken: [] } : pointed ? { found: [await findInstall(flags)], broken: [] } : await findAllWithBroken(findContext(), { leaveOutOtherDaemons: true });
  // Nothing installed, and nothing asked for in particular: the answer, not bad input (exit 1, as not running)
  if (list.length === 0 && !pointed && !inContext) {
    if (flags.json) printJson({ healthy: false, installs: [] });
    else process.stdout.write(`Nothing installed here: no install found (looked in the installs hd-setup recorded and the default places of ${productIds().join(", ")}).\nInstall one: hd-setup install --preset <name> --yes (list them: hd-setup presets), or run hd-setup in a terminal for the wizard.\n`);
    return 1;
  }
  if (list.length === 0) await findInstall(flags); // reports "no install found"
  const { home } = findContext();
  const choosing = list.map((d) => choosingFlags(d.location, home));
  const reports = [...(await Promise.all(list.map((d, i) => life.status(d, choosing[i])))), ...broken.map((b) => life.brokenStatus(b.location, b.where, brokenNote(b)))];
  choosing.push(...broken.map((b) => choosingFlags(b.location, home)));
  // --json: without a pointer to one install (or with --context alone), the same shape whatever the host holds (a script's `.installs[]` and `.healthy`
  // work with one install or three): every install in `installs`, `healthy` when all are; the one install's
  // report is also at the top level, as a pointer gives it (what scripts read before there was a second).
  if (flags.json) printJson(pointed && !inContext ? (reports.length === 1 ? reports[0] : { installs: reports }) : { ...(reports.length === 1 ? reports[0] : {}), healthy: reports.every((r) => r.healthy), installs: reports });
  else {
    reports.forEach((r, i) => {
      if (i > 0) process.stdout.write('\n');
      printStatus(r, choosing[i]);
    });
  }
  return reports.every((r) => r.healthy) ? 0 : 1;
}

// ---- doctor ----
/**
 * Doctor before an install: what the flags describe (--preset/--set), or, on a terminal, the product and
 * runtime asked for (from the bundled presets); undefined when there is nothing to go on.
 */
async function notInstalled(flags: LifecycleFlags): Promise<{ model: import('../model/base.js').BaseModel; notGiven: NotGiven[] } | undefined> {
  // The host checks need no secret: one not given is listed, not demanded (service/given.ts).
  const load = (req: Parameters<typeof givenForChecks>[0]) => {
    const g = givenForChecks(req);
    redactor.add(g.secrets);
    for (const w of g.warnings) process.stderr.write(`warning: ${w}\n`);
    return g;
  };
  if (flags.preset || flags.set?.length) return load({ ...(flags.preset ? { preset: flags.preset } : {}), set: flags.set ?? [], ...(flags.context ? { context: flags.context } : {}) });
  if (!isInteractive()) return undefined;
  const { listPresets } = await import('../model/load.js');
  const list = listPresets();
  process.stderr.write(`No install found. Check this host before installing, for:\n${list.map((p, i) => `  ${i + 1}) ${p.name}  ${p.description}`).join('\n')}\n`);
  const a = await choose(list.length);
  const chosen = a === undefined ? undefined : list[a - 1];
  if (!chosen) throw new UserError([{ path: '', message: `choose a number from 1 to ${list.length}, or pass --preset <name>` }]);
  return load({ preset: chosen.name, set: flags.set ?? [], ...(flags.context ? { context: flags.context } : {}) });
}

export async function doctorCommand(flags: LifecycleFlags): Promise<number> {
  // before any check runs: a bundle that cannot be written would end the run after all of them
  const bundleProblem = flags.bundle === undefined ? undefined : flags.bundle.trim() === '' ? 'needs a file name, e.g. --bundle ./hd-setup-diagnostics.tar.gz' : outputFileProblem(resolve(flags.bundle), 'hd-setup-diagnostics.tar.gz', 'bundle');
  if (bundleProblem) throw new UserError([{ path: '--bundle', message: bundleProblem }]);
  const pointed = Boolean(flags.preset || flags.set?.length || flags.context);
  const c = findContext();
  // The install the flags point at, or the one found; with none, the checks for an install (below).
  // --context alone: the install in that context (exit 2 naming the context when there is none, exit 1 when
  // its cluster cannot be reached), as status does.
  // A pointer with only a product (--set product=fivetran): the install of that product when there is one.
  const found = contextOnly(flags) ? await findInstall(flags) : pointed ? await (async () => {
    const { installsWith, pointerLocation, OtherDaemon } = await import('../service/find.js');
    const loc = pointerLocation(flags, c);
    if (loc) return findAt(loc, c);
    // neither product nor runtime named (only settings): the checks before an install say what is missing
    // (not the install pointed at on another docker daemon: that is said, as every command says it)
    const { fit, broken } = await installsWith(flags, c).catch((e: unknown) => (e instanceof UserError && !(e instanceof OtherDaemon) ? { fit: [], broken: [] } : Promise.reject(e)));
    // one: that one (found once, not twice); several: asked which, or exit 2 naming how to choose; a broken
    // one pointed at: its refusal, naming the file (not the checks before an install)
    return fit.length === 1 && !broken.length ? fit[0] : fit.length || broken.length ? findInstall(flags) : undefined;
  })() : (await findAll(c)).length ? await findInstall(flags) : undefined;
  if (!found) {
    const before = await notInstalled(flags);
    if (!before) {
      throw new UserError([
        {
          path: '',
          message: `no install found; to check this host before installing, name what you will install: hd-setup doctor --preset <name> [--set ...] (list them: hd-setup presets), or run it in a terminal to choose`,
        },
      ]);
    }
    const reports = await life.doctorBefore(before.model, flags, before.notGiven);
    return printDoctor(flags, { product: before.model.product, runtime: before.model.runtime, where: 'not installed yet', installed: false }, reports);
  }
  const d = found;
  const reports = await life.doctor(d, flags);
  const bundle = flags.bundle ? await life.bundle(flags.bundle, d, reports) : undefined;
  return printDoctor(flags, { product: d.location.product, runtime: d.location.runtime, where: d.where, installed: !d.uninstalled, found: true }, reports, bundle);
}

function printDoctor(flags: LifecycleFlags, what: { product: string; runtime: string; where: string; installed: boolean; found?: boolean }, reports: import('../exec/events.js').CheckReport[], bundle?: string): number {
  if (!what.found && flags.bundle) process.stderr.write('warning: --bundle: nothing is installed yet, so there is nothing to bundle\n');
  const problems = reports.filter((r) => r.status === 'fail' || r.status === 'warn');
  if (flags.json) printJson({ product: what.product, runtime: what.runtime, where: what.where, installed: what.installed, checks: reports, ok: !reports.some((r) => r.status === 'fail'), ...(bundle ? { bundle } : {}) });
  else {
    say(`hd-setup doctor: ${installName(what.product, what.runtime)} (${what.found ? what.where : 'not installed yet: the checks an install would run'})\n`);
    for (const r of reports) say(`  ${r.status.padEnd(7)} ${r.id}: ${r.message}${r.fix && r.status !== 'ok' ? `\n          fix: ${r.fix}` : ''}\n`);
    const n = (k: number, one: string) => `${k} ${one}${k === 1 ? '' : 's'}`;
    const failed = problems.filter((r) => r.status === 'fail').length;
    const warned = problems.length - failed;
    say(problems.length ? `\n${[failed ? n(failed, 'failed check') : '', warned ? n(warned, 'warning') : ''].filter(Boolean).join(', ')}.\n` : '\nNo problems found.\n');
    if (bundle) say(`Diagnostics bundle (secrets redacted): ${bundle}\n`);
  }
  return reports.some((r) => r.status === 'fail') ? 1 : 0;
}

export { presetWithRefs } from '../service/lifecycle.js';
