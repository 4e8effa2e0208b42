// hd-setup install: detect, plan, then describe (--dry-run) or execute with a live status screen.
import { createInterface } from 'node:readline/promises';
import { UserError } from '../model/errors.js';
import type { Loaded } from '../model/load.js';
import { detectHost, detectState } from '../exec/detect.js';
import type { Emit, Summary } from '../exec/events.js';
import { execute } from '../exec/execute.js';
import { allChecks } from '../exec/checks.js';
import { kubernetesWatcher } from '../exec/watch.js';
import { buildPlan, installDirOf, placeFiles } from '../plan/index.js';
import { planToJson, planToText } from '../plan/describe.js';
import type { HostFacts, InstalledState, Plan } from '../plan/types.js';
import { render } from '../render/index.js';
import { isInteractive, redactor } from '../util/output.js';
import { jsonReporter, plainReporter } from '../ui/reporters.js';
import { loadFromFlags, printJson, type ModelFlags } from './context.js';

export interface InstallFlags extends ModelFlags {
  yes?: boolean;
  dryRun?: boolean;
  skipCheck?: string[];
  allowRoot?: boolean;
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
  const dests = placeFiles(model, host, render(model, host), { containers: {}, networks: [], images: [], files: {} }).map((f) => f.dest);
  const state = await detectState(model, host, dests);
  return { loaded, host, state, plan: buildPlan(model, host, state) };
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
      const { withStatusScreen } = await import('../ui/status/run.js');
      return await withStatusScreen(work);
    }
    return await work(plainReporter());
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}

export function exitCodeOf(s: Summary): number {
  return s.ok ? 0 : s.cancelled ? 130 : 1;
}

export async function installCommand(flags: InstallFlags): Promise<number> {
  const loaded = loadFromFlags(flags);
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
    process.stderr.write(planToText(p.plan, redactor, { diffs: true }) + '\n\n');
    if (!(await confirm('Apply this plan? [y/N] '))) {
      process.stderr.write('Nothing was changed.\n');
      return 1;
    }
  }
  return exitCodeOf(await runPlan(p, flags));
}
