// hd-setup install: detect, plan, then describe (--dry-run) or execute with a live status screen.
import { createInterface } from 'node:readline/promises';
import { UserError } from '../model/errors.js';
import { buildRaw, parseModel, type Loaded } from '../model/load.js';
import { findResets, keepStoredSecrets, resetRefusal } from '../model/reconcile.js';
import { detectInstalled, type DetectQuery, type DetectedInstall } from '../exec/installed.js';
import { recordOf, remember } from '../exec/registry.js';
import { shellQuote } from '../util/shell.js';
import { importWithoutFetch } from '../util/ink-loader.js';
import { detectHost, detectState } from '../exec/detect.js';
import type { CheckReport, Emit, Summary } from '../exec/events.js';
import { execute } from '../exec/execute.js';
import { allChecks } from '../exec/checks.js';
import { kubernetesWatcher } from '../exec/watch.js';
import { buildPlan, installDirOf, placeFiles } from '../plan/index.js';
import { planToJson, planToText } from '../plan/describe.js';
import type { HostFacts, InstalledState, Plan } from '../plan/types.js';
import { render } from '../render/index.js';
import { isInteractive, redactor } from '../util/output.js';
import { urlPasswords } from '../util/redact.js';
import { jsonReporter, plainReporter } from '../ui/reporters.js';
import { printJson, type ModelFlags } from './context.js';
import { acquireLock, installLockKey } from '../util/lock.js';
import { homedir } from 'node:os';

function lockForModel(model: Loaded['model']) {
  const home = process.env.HOME ?? homedir();
  return acquireLock(installLockKey(recordOf(model, home)), home);
}

export interface InstallFlags extends ModelFlags {
  yes?: boolean;
  dryRun?: boolean;
  skipCheck?: string[];
  allowRoot?: boolean;
  reset?: boolean;
}

/** Where to look for an existing install of what this raw preset describes. */
export function queryFromRaw(raw: Record<string, unknown>): DetectQuery {
  const product = raw.product === 'tobiko' ? 'tobiko' : raw.product === 'fivetran' ? 'fivetran' : undefined;
  const runtime = raw.runtime === 'docker' || raw.runtime === 'podman' || raw.runtime === 'kubernetes' ? raw.runtime : undefined;
  const sect = (product ? raw[product] : undefined) as Record<string, any> | undefined;
  const k = (sect?.kubernetes ?? {}) as Record<string, unknown>;
  const dir = product === 'fivetran' ? sect?.installDir : sect?.docker?.installDir;
  return {
    ...(product ? { product } : {}),
    ...(runtime ? { runtime } : {}),
    ...(typeof dir === 'string' ? { installDir: dir } : {}),
    ...(runtime === 'kubernetes' ? { namespace: String(k.namespace ?? (product === 'tobiko' ? 'tobiko' : 'fivetran')), release: String(k.release ?? (product === 'tobiko' ? 'executors' : 'hd-agent')) } : {}),
    ...(typeof k.context === 'string' ? { context: k.context } : {}),
  };
}

export interface LoadedForInstall {
  loaded: Loaded;
  installed?: DetectedInstall;
  kept: string[];
}

/** Load flags against what is installed: keep stored secrets, refuse silent resets (unless --reset). */
export async function loadForInstall(flags: InstallFlags, presetObject?: Record<string, unknown>): Promise<LoadedForInstall> {
  const env = process.env;
  const { raw, source, baseDir, warnings } = buildRaw({
    ...(flags.preset ? { preset: flags.preset } : {}),
    ...(presetObject ? { presetObject } : {}),
    sets: flags.set ?? [],
    ...(flags.context ? { context: flags.context } : {}),
  });
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const installed = raw.product && raw.runtime ? await detectInstalled(queryFromRaw(raw)) : undefined;
  let kept: string[] = [];
  if (installed) {
    redactor.add(installed.secretPaths.map((p) => String(p.split('.').reduce<any>((o, k) => o?.[k], installed.preset) ?? '')));
    const proxy = (installed.preset.proxy ?? {}) as Record<string, unknown>;
    redactor.add([proxy.http, proxy.https].flatMap((u) => (typeof u === 'string' ? urlPasswords(u) : [])));
    const resets = flags.reset ? [] : findResets(raw, installed);
    kept = keepStoredSecrets(raw, installed, env);
    const { model, secrets } = parseModel(raw, { env, baseDir });
    redactor.add(secrets);
    if (resets.length) throw new UserError(resetRefusal(resets, installed, `hd-setup ${process.argv.slice(2).map(shellQuote).join(' ')}`));
    return { loaded: { model, raw, secrets, source, warnings }, installed, kept };
  }
  const { model, secrets } = parseModel(raw, { env, baseDir });
  redactor.add(secrets);
  return { loaded: { model, raw, secrets, source, warnings }, kept };
}

export interface Prepared {
  loaded: Loaded;
  host: HostFacts & { runtime?: Awaited<ReturnType<typeof detectHost>>['runtime'] };
  state: InstalledState;
  plan: Plan;
}

export async function prepare(loaded: Loaded): Promise<Prepared> {
  const { model } = loaded;
  const host = await detectHost(model.runtime);
  const rendered = render(model, host);
  const dests = placeFiles(model, host, rendered, { containers: {}, networks: [], images: [], files: {} }).map((f) => f.dest);
  const state = await detectState(model, host, dests);
  return { loaded, host, state, plan: buildPlan(model, host, state, rendered) };
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const a = await rl.question(question);
    return /^y(es)?$/i.test(a.trim());
  } finally {
    rl.close();
  }
}

export async function runPlan(p: Prepared, flags: InstallFlags, emitOverride?: Emit): Promise<Summary> {
  const controller = new AbortController();
  const onSig = () => controller.abort();
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  const work = (emit: Emit) =>
    execute(p.plan, {
      emit,
      redactor,
      signal: controller.signal,
      checks: allChecks,
      checkContext: { model: p.loaded.model, host: p.host, state: p.state, installDir: installDirOf(p.loaded.model, p.host.home), allowRoot: Boolean(flags.allowRoot), env: process.env, signal: controller.signal },
      skipChecks: flags.skipCheck ?? [],
      watcher: kubernetesWatcher,
    });
  try {
    if (emitOverride) return await work(emitOverride);
    if (flags.json) return await work(jsonReporter());
    if (process.stderr.isTTY && !process.env.CI) {
      const { withStatusScreen } = await importWithoutFetch(() => import('../ui/status/run.js'));
      return await withStatusScreen(work);
    }
    return await work(plainReporter());
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}

/** Run the plan's preflight checks alone (read-only), for a decision before asking to confirm. */
export async function preflight(p: Prepared, flags: InstallFlags): Promise<CheckReport[]> {
  const pre = p.plan.steps.find((s) => s.id === 'preflight')?.actions[0];
  if (!pre || pre.kind !== 'preflight') return [];
  const ctx = { model: p.loaded.model, host: p.host, state: p.state, installDir: installDirOf(p.loaded.model, p.host.home), allowRoot: Boolean(flags.allowRoot), env: process.env };
  const out: CheckReport[] = [];
  for (const id of pre.checks) {
    if (flags.skipCheck?.includes(id)) continue;
    const check = allChecks[id];
    if (check) out.push({ id, ...(await check(ctx)) });
  }
  return out;
}

export function exitCodeOf(s: Summary): number {
  return s.ok ? 0 : s.cancelled ? 130 : 1;
}

export async function installCommand(flags: InstallFlags): Promise<number> {
  // Nothing to go on, but a person at a terminal: ask, rather than fail on the first missing field.
  if (!flags.preset && !flags.set?.length && !flags.json && !flags.dryRun && isInteractive()) {
    const { wizardCommand } = await import('./wizard.js');
    return wizardCommand(flags);
  }
  const { loaded, installed, kept } = await loadForInstall(flags);
  // One change at a time per install target; after waiting for another run, re-read what it changed.
  const lock = flags.dryRun ? undefined : await lockForModel(loaded.model);
  if (lock?.waited) return installCommand(flags);
  if (installed && !flags.json) {
    process.stderr.write(`Found an existing install (${installed.where}); only what changed is applied.\n`);
    for (const k of kept) process.stderr.write(`Keeping the stored secret: ${k}\n`);
  }
  const p = await prepare(loaded);
  if (flags.dryRun) {
    if (flags.json) printJson({ dryRun: true, ...planToJson(p.plan, redactor) });
    else {
      process.stdout.write(`hd-setup install --dry-run: ${p.plan.product} on ${p.plan.runtime} (nothing is changed)\n\n`);
      process.stdout.write(planToText(p.plan, redactor, { diffs: true }) + '\n');
    }
    return 0;
  }
  if (!flags.yes) {
    if (!isInteractive()) {
      throw new UserError([{ path: '--yes', message: 'is required to install without a terminal; or use --dry-run to see the plan first' }]);
    }
    // Preflight first: no point confirming a plan that cannot run.
    const reports = await preflight(p, flags);
    const failed = reports.filter((r) => r.status === 'fail');
    if (failed.length) {
      process.stderr.write(`Preflight found ${failed.length} problem${failed.length > 1 ? 's' : ''}; nothing was changed:\n`);
      for (const r of failed) process.stderr.write(`  ✖ ${r.id}: ${r.message}\n    fix: ${r.fix ?? 'see above'}${r.fix?.includes('--skip-check') ? '' : ` (or --skip-check ${r.id})`}\n`);
      return 1;
    }
    process.stderr.write(planToText(p.plan, redactor, { diffs: true }) + '\n\n');
    for (const r of reports.filter((x) => x.status === 'warn')) process.stderr.write(`  warning: ${r.id}: ${r.message}${r.fix ? ` (fix: ${r.fix})` : ''}\n`);
    if (!(await confirm('Apply this plan? [y/N] '))) {
      process.stderr.write('Nothing was changed.\n');
      return 1;
    }
  }
  const summary = await runPlan(p, flags);
  if (summary.ok) remember(p.host.home, recordOf(p.loaded.model, p.host.home));
  return exitCodeOf(summary);
}
