// Carry out a plan: each step acts and emits events. Ctrl-C aborts the running child (exec/run.ts: its process group);
// unfinished steps are cancelled and the summary says what changed and what did not.
import { existsSync, lstatSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Action, Plan, Step } from '../plan/types.js';
import { modeString } from '../render/types.js';
import { LocalStateError, backupFile, ensureDir, fileSystemProblem, prunedLine, recordCreated, writeFileAtomic } from '../util/fsx.js';
import { maskArgv } from '../util/mask-fields.js';
import { maskUrlCredentials, type Redactor } from '../util/redact.js';
import { shellLine } from '../util/shell.js';
import { fixOrSkip, isFailed, type CheckReport, type Emit, type FailedCheck, type Summary, type WatchContext } from './events.js';
import type { Check, CheckContext } from './preflight.js';
import { run } from './run.js';
import { releaseStatus } from './watch.js';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { KUBECTL_MS, durationMs, rolloutStatusAction } from '../plan/kubernetes.js';
import { armBoot, StepSkipped } from './boot.js';
import { installName } from '../products/index.js';


export interface ExecuteOptions {
  emit: Emit;
  redactor: Redactor;
  signal: AbortSignal;
  checks: Record<string, Check>;
  checkContext: CheckContext;
  skipChecks: string[];
  /** A pod is stuck (the watcher's finding): stop waiting, or keep waiting. Without it: stop. */
  decideStuck?: (f: { message: string; fix: string }) => Promise<'stop' | 'wait'>;
  /** Runs beside a helm --wait: watches pods and events, explains why it is stuck. Returns a stop function. */
  watcher?: (w: WatchContext) => (failed: boolean) => Promise<{ message: string; fix: string }[]>;
  now?: () => Date;
}

class StepFailure extends Error {
  constructor(
    message: string,
    readonly fix?: string,
    readonly output: string[] = [],
  ) {
    super(message);
  }
}

class Cancelled extends Error {}

const TAIL = 12;

/**
 * The files a restore (rollback) put back in this process, and the backup each came from: the re-apply that
 * writes one again makes no second copy of that text (a backup holds it), only of a text no backup holds.
 */
const restoredFrom = new Map<string, string>();

export async function execute(plan: Plan, opts: ExecuteOptions): Promise<Summary> {
  const { emit, redactor, signal } = opts;
  const clean = (s: string) => maskUrlCredentials(redactor.redact(s)); // redact() masks URL passwords too; kept for clarity
  const summary: Summary = { ok: false, cancelled: false, done: [], skipped: [], notRun: [], changes: [], backups: [], warnings: (plan.warnings ?? []).map(clean), nextSteps: plan.nextSteps, titles: Object.fromEntries(plan.steps.map((s) => [s.id, clean(s.title)])) };
  // A backup made: listed, and the older ones it deleted said after the change (the user may count on them).
  const keepBackup = (b: ReturnType<typeof backupFile>): (() => void) => {
    if (b) summary.backups.push(b.path);
    const pruned = b && prunedLine(b.pruned);
    return () => void (pruned && summary.changes.push(pruned));
  };
  emit({ type: 'plan', title: `${installName(plan.product, plan.runtime)}`, verb: plan.verb ?? 'installing', steps: plan.steps.map((s) => ({ id: s.id, title: s.title })) });

  // What this run creates in the install dir, recorded in its marker (for --purge) before any file is written
  // there and at the end: one marker write per batch of directories, not one per directory.
  const created: string[] = [];
  /** The folders made by the step that runs now: one line of the summary for each step (a re-run too: one found missing). */
  const made: { path: string; mode: number }[] = [];
  const recordPending = () => {
    if (created.length) recordCreated(opts.checkContext.installDir, ...created.splice(0));
  };

  // The commands of each step that ran and succeeded.
  const ran = new Map<string, string[]>();
  const runAction = async (step: Step, a: Action): Promise<void> => {
    if (a.kind !== 'mkdir') recordPending(); // the directories made so far are on record before anything else runs
    if (signal.aborted) throw new Cancelled();
    switch (a.kind) {
      case 'preflight': {
        const failed: FailedCheck[] = [];
        for (const id of a.checks) {
          if (signal.aborted) throw new Cancelled();
          let report: CheckReport;
          if (opts.skipChecks.includes(id)) report = { id, status: 'skipped', message: `skipped (--skip-check ${id})` };
          else {
            const check = opts.checks[id];
            if (!check) report = { id, status: 'warn', message: 'unknown check' };
            else {
              try {
                report = { id, ...(await check(opts.checkContext)) };
              } catch (e) {
                report = { id, status: 'warn', message: `check failed to run: ${(e as Error).message}` };
              }
            }
          }
          report = { ...report, message: clean(report.message) };
          emit({ type: 'check', id: step.id, check: report });
          if (isFailed(report)) failed.push(report);
          if (report.status === 'warn') summary.warnings.push(`${id}: ${report.message}${report.fix ? ` (fix: ${report.fix})` : ''}`);
          if (report.status === 'skipped' && opts.skipChecks.includes(id)) summary.warnings.push(`${id}: skipped by --skip-check`);
        }
        if (failed.length) {
          throw new StepFailure(
            failed.map((f) => `${f.id}: ${f.message}`).join('; '),
            failed.map(fixOrSkip).join('; '),
          );
        }
        return;
      }
      case 'mkdir': {
        const d = ensureDir(a.path, a.mode);
        if (d.warning) summary.warnings.push(d.warning);
        if (d.created) {
          created.push(d.created);
          // every folder made, from the first one missing down to this one (all set to its mode)
          const chain: string[] = [];
          for (let p = a.path; ; p = dirname(p)) {
            chain.unshift(p);
            if (p === d.created || dirname(p) === p) break;
          }
          made.push(...chain.map((path) => ({ path, mode: a.mode })));
        }
        return;
      }
      case 'write': {
        ensureDir(dirname(a.path), 0o700, false);
        if (!existsSync(a.path)) created.push(a.path);
        recordPending();
        // (a file a rollback restored from a backup: that backup holds its text already)
        const pruned = keepBackup(a.backup ? backupFile(a.path, opts.now?.(), undefined, restoredFrom.get(a.path)) : undefined);
        restoredFrom.delete(a.path);
        writeFileAtomic(a.path, a.content, a.mode);
        summary.changes.push(`wrote ${a.path} (${modeString(a.mode)})`);
        pruned();
        return;
      }
      case 'note':
        emit({ type: 'note', id: step.id, text: clean(a.text) });
        return;
      case 'remove':
        if (existsSync(a.path)) {
          if (!a.recursive && lstatSync(a.path).isDirectory()) {
            // a directory hd-setup made: removed only when nothing else is left in it
            if (readdirSync(a.path).length) {
              summary.warnings.push(`kept ${a.path}: it holds files hd-setup did not create`);
              return;
            }
            rmdirSync(a.path);
          } else rmSync(a.path, { recursive: Boolean(a.recursive), force: true });
          summary.changes.push(`removed ${a.path}`);
        }
        return;
      case 'restore': {
        // read first: the backup of the file it replaces may prune the oldest backups, this one among them
        const [text, mode] = [readFileSync(a.from, 'utf8'), statSync(a.from).mode & 0o777];
        const pruned = keepBackup(backupFile(a.to, opts.now?.()));
        writeFileAtomic(a.to, text, mode);
        restoredFrom.set(a.to, a.from);
        summary.changes.push(`restored ${a.to} from ${a.from}`);
        pruned();
        return;
      }
      case 'releaseStatus': {
        summary.state = await releaseStatus(a, step.id, emit, signal);
        return;
      }
      case 'rollout': {
        const k = (...args: string[]) => (a.context ? ['kubectl', '--context', a.context, ...args] : ['kubectl', ...args]);
        const names = await deploymentsNotRolled(a, signal);
        if (typeof names === 'string') {
          // The change is applied; only which pods still run the old configuration is unknown: say how to restart them.
          summary.warnings.push(`cannot tell whether the pods picked up the change (${clean(names)}): restart them with ${shellLine(k('rollout', 'restart', 'deployment', '-n', a.namespace, '-l', a.selector))}`);
          return;
        }
        if (names.length === 0) {
          emit({ type: 'output', id: step.id, line: 'the upgrade replaced the pods itself: nothing to restart', stream: 'stdout' });
          return;
        }
        await runAction(step, { kind: 'exec', argv: k('rollout', 'restart', ...names.map((n) => `deployment/${n}`), '-n', a.namespace), timeoutMs: KUBECTL_MS });
        // The status screen waits for the new pods.
        for (const n of names) await runAction(step, rolloutStatusAction(a, n));
        summary.state = await releaseStatus(a, step.id, emit, signal);
        return;
      }
      case 'waitContainers':
        summary.state = await waitContainers(step, a, opts);
        return;
      case 'boot':
        await armBoot(a.unit, a.user, a.what, {
          ...(a.systemdUser !== undefined ? { systemdUser: a.systemdUser } : {}),
          signal,
          command: (command) => emit({ type: 'command', id: step.id, command }),
          output: (line) => emit({ type: 'output', id: step.id, line: clean(line), stream: 'stdout' }),
          change: (text) => summary.changes.push(text),
        }, a.generated, a.reload ?? true);
        return;
      case 'exec': {
        const command = clean(shellLine(maskArgv(a.argv, redactor)));
        emit({ type: 'command', id: step.id, command, ...(a.stdinLabel ? { stdin: a.stdinLabel } : {}) });
        const tail: string[] = [];
        // A watched command (helm --wait, rollout status) can be stopped early by its watcher, when a pod is
        // stuck in a state that waiting will not resolve; Ctrl-C stops it as any other.
        const early = new AbortController();
        const onAbort = () => early.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        let stuck: { message: string; fix: string } | undefined;
        const stopWatch =
          a.watch && opts.watcher
            ? opts.watcher({
                ...a.watch,
                stepId: step.id,
                emit,
                signal,
                stopEarly: (f) => {
                  stuck ??= f;
                  early.abort();
                },
                ...(opts.decideStuck ? { decide: opts.decideStuck } : {}),
              })
            : undefined;
        const r = await run(a.argv, {
          ...(a.stdin !== undefined ? { stdin: a.stdin } : {}),
          signal: early.signal,
          ...(a.timeoutMs ? { timeoutMs: a.timeoutMs } : {}),
          onLine: (line, stream) => {
            const l = clean(line);
            tail.push(l);
            if (tail.length > TAIL) tail.shift();
            emit({ type: 'output', id: step.id, line: l, stream });
          },
        });
        signal.removeEventListener('abort', onAbort);
        const watchFindings = stopWatch ? await stopWatch(r.exitCode !== 0 || r.failure !== undefined) : [];
        if (signal.aborted || (r.failure === 'cancelled' && !stuck)) {
          // Stopped in the middle of helm: the release is left as helm left it (failed, or pending when helm
          // could not record it); no rollback behind the user's back, but the summary says what to do.
          if (a.watch?.release) {
            const rel = a.watch.release;
            summary.warnings.push(
              a.watch.rollbackTo
                ? `helm was interrupted: the release ${rel} is left as helm left it (see hd-setup status); run the same install again to finish the upgrade, or hd-setup rollback to go back to revision ${a.watch.rollbackTo}`
                : `helm was interrupted: the release ${rel} is left as helm left it (see hd-setup status); run the same install again to finish it, or remove it with hd-setup uninstall`,
            );
          }
          throw new Cancelled();
        }
        if (r.failure === 'not-found') throw new StepFailure(`${a.argv[0]} is not installed or not on PATH`, `install ${a.argv[0]}`);
        const failed = stuck !== undefined || r.failure === 'timeout' || (r.exitCode !== 0 && !(a.okExitCodes ?? []).includes(r.exitCode));
        if (failed && !stuck && r.failure === undefined && a.orElse && a.orElse.when.some((w) => r.stderr.includes(w))) {
          emit({ type: 'output', id: step.id, line: clean(a.orElse.why), stream: 'stdout' });
          return runAction(step, { kind: 'exec', argv: a.orElse.argv, ...(a.timeoutMs ? { timeoutMs: a.timeoutMs } : {}) });
        }
        if (failed) {
          const lines = clean(r.stderr || r.stdout)
            .trim()
            .split('\n')
            .filter(Boolean);
          // from the error on, when the tool says which line it is (podman's pull: "Trying to pull …" first)
          const errorAt = lines.map((l) => /^error\b/i.test(l)).lastIndexOf(true);
          const last = (errorAt >= 0 ? lines.slice(errorAt, errorAt + 3) : lines.slice(-3))
            .map((l) => l.replace(/^Error: /, ''))
            .join(' / ');
          let message = stuck ? `stopped waiting: ${stuck.message}, which waiting will not resolve` : r.failure === 'timeout' ? `timed out: ${command}` : last || `exit code ${r.exitCode}`;
          let fix = stuck ? stuck.fix : step.fix;
          if (!stuck && watchFindings.length && r.failure !== 'timeout') {
            message = watchFindings.map((f) => f.message).join('; ');
            fix = [...new Set(watchFindings.map((f) => f.fix))].join('; ');
          }
          const after = a.watch?.release ? await afterFailedRelease(step, a.watch, opts) : undefined;
          throw new StepFailure(after ? `${message}; ${after}` : message, fix, tail);
        }
        // A tolerated failure (nothing there to stop or remove) changed nothing: the summary lists what was done
        // (the step's title once it is done; a step that fails after some of its commands ran: those).
        if (r.exitCode === 0) ran.set(step.id, [...(ran.get(step.id) ?? []), command]);
        return;
      }
    }
  };

  let stopped: 'failed' | 'cancelled' | undefined;
  for (const step of plan.steps) {
    if (stopped || signal.aborted) {
      if (!stopped) stopped = 'cancelled';
      emit({ type: 'step:cancel', id: step.id });
      summary.notRun.push(step.id);
      continue;
    }
    if (step.skip) {
      emit({ type: 'step:skip', id: step.id, reason: step.skip });
      summary.skipped.push(step.id);
      continue;
    }
    emit({ type: 'step:start', id: step.id, title: step.title });
    // A step that changes nothing (its directories exist, it only says something) is shown as skipped.
    const idle = step.actions.every((a) => a.kind === 'note' || (a.kind === 'mkdir' && existsSync(a.path)));
    const changesBefore = summary.changes.length;
    try {
      try {
        for (const a of step.actions) await runAction(step, a);
      } finally {
        // the folders first, as they were made: before the files written into them
        const lines = [...new Set(made.map((m) => m.mode))].map((mode) => {
          const paths = made.filter((m) => m.mode === mode).map((m) => m.path);
          return `made folder${paths.length > 1 ? 's' : ''} ${paths.join(', ')} (${modeString(mode)})`;
        });
        summary.changes.splice(changesBefore, 0, ...lines);
        made.length = 0;
      }
      if (idle) {
        emit({ type: 'step:skip', id: step.id, reason: 'unchanged' });
        summary.skipped.push(step.id);
        continue;
      }
      emit({ type: 'step:done', id: step.id });
      summary.done.push(step.id);
      if (ran.has(step.id) && !summary.changes.includes(step.title)) summary.changes.push(step.title);
    } catch (e) {
      const part = ran.get(step.id);
      if (part?.length) summary.changes.push(`${step.title}: not finished; it ran ${part.map((c) => `"${c}"`).join(', ')}`);
      if (e instanceof StepSkipped && !signal.aborted) {
        emit({ type: 'step:skip', id: step.id, reason: clean(e.reason) });
        summary.skipped.push(step.id);
        if (e.warning) summary.warnings.push(clean(e.warning));
        continue;
      }
      if (e instanceof Cancelled || signal.aborted) {
        stopped = 'cancelled';
        emit({ type: 'step:cancel', id: step.id });
        summary.notRun.push(step.id);
        continue;
      }
      stopped = 'failed';
      // Local state in the way (a folder linked where it may not be, a file where a folder goes, a folder this
      // user may not write, a full disk): one line naming it and the fix, which the step's own (check the
      // permissions) would not; the machine's state, as bad input is (exit 2).
      const local = e instanceof LocalStateError ? e.message : fileSystemProblem(e);
      const f = e instanceof StepFailure ? e : new StepFailure(clean(local ?? (e as Error).message ?? String(e)), local ? undefined : step.fix);
      emit({ type: 'step:fail', id: step.id, error: clean(f.message), ...(f.fix ? { fix: f.fix } : {}), output: f.output });
      if (local) summary.localState = true;
      summary.failed = step.id;
      summary.error = clean(f.message);
      if (f.fix) summary.fix = f.fix;
    }
  }
  try {
    recordPending();
  } catch (e) {
    summary.warnings.push(clean(`could not record what hd-setup created in ${opts.checkContext.installDir}: ${(e as Error).message}; --purge will leave it`));
  }
  if (stopped === 'failed' && summary.backups.length) summary.undo = 'hd-setup rollback   (restores the previous configuration and re-applies it)';
  else if (stopped === 'failed' && plan.undoFailed && summary.changes.length) summary.undo = plan.undoFailed;
  summary.cancelled = stopped === 'cancelled';
  summary.ok = !stopped;
  // The next steps are for an agent the run left working (its config file, its logs): a failed or cancelled
  // run has its error, fix and undo instead (the text summary shows none either; --json said a file never written).
  if (stopped) summary.nextSteps = [];
  emit({ type: 'done', summary });
  return summary;
}

/**
 * After helm failed (or was stopped early): an upgrade goes back to the last good revision (helm rollback
 * --wait); a first install is left for `hd-setup uninstall`. Returns what was done, for the summary.
 */
async function afterFailedRelease(step: Step, w: NonNullable<Extract<Action, { kind: 'exec' }>['watch']>, opts: ExecuteOptions): Promise<string> {
  const rel = w.release ?? '';
  if (!w.rollbackTo) return `the release ${rel} is left as it is (a first install has no earlier revision to go back to): remove it with hd-setup uninstall, or fix the cause and run the install again`;
  const argv = ['helm', 'rollback', rel, String(w.rollbackTo), '-n', w.namespace, '--wait', '--timeout', w.timeout ?? '5m', ...(w.context ? ['--kube-context', w.context] : [])];
  opts.emit({ type: 'command', id: step.id, command: shellLine(argv) });
  const r = await run(argv, { signal: opts.signal, timeoutMs: durationMs(w.timeout ?? '5m') + 60_000, onLine: (line, stream) => opts.emit({ type: 'output', id: step.id, line: opts.redactor.redact(line), stream }) });
  if (r.exitCode === 0 && !r.failure) return `the release ${rel} was rolled back to revision ${w.rollbackTo}, the last good one: it runs as before the change`;
  return `rolling the release ${rel} back to revision ${w.rollbackTo} failed too (${opts.redactor.redact(r.stderr).trim().split('\n').at(-1) ?? `exit code ${r.exitCode}`}): see helm history ${rel} -n ${w.namespace}, then hd-setup rollback`;
}

/** The release's Deployments whose pod template is the same now as in revision `since` (helm get manifest of both); why not, when the manifests cannot be read. */
async function deploymentsNotRolled(a: Extract<Action, { kind: 'rollout' }>, signal: AbortSignal): Promise<string[] | string> {
  const manifest = async (revision?: number) => {
    const r = await run(['helm', 'get', 'manifest', a.release, '-n', a.namespace, ...(revision ? ['--revision', String(revision)] : []), ...(a.context ? ['--kube-context', a.context] : [])], { signal, timeoutMs: 10_000 });
    if (r.exitCode !== 0) throw new StepFailure(`cannot read the manifest of ${a.release}${revision ? ` revision ${revision}` : ''}: ${r.stderr.trim().split('\n').at(-1) ?? ''}`, `helm history ${a.release} -n ${a.namespace}`);
    const templates = new Map<string, string>();
    loadAll(
      r.stdout,
      (doc) => {
        const d = doc as { kind?: string; metadata?: { name?: string }; spec?: { template?: unknown } } | null;
        if (d?.kind === 'Deployment' && d.metadata?.name) templates.set(d.metadata.name, JSON.stringify(d.spec?.template ?? null));
      },
      { schema: CORE_SCHEMA },
    );
    return templates;
  };
  try {
    const [before, now] = await Promise.all([manifest(a.since), manifest()]);
    return [...now].filter(([name, t]) => before.get(name) === t).map(([name]) => name);
  } catch (e) {
    if (signal.aborted) throw new Cancelled();
    return (e as Error).message;
  }
}

async function waitContainers(step: Step, a: Extract<Action, { kind: 'waitContainers' }>, opts: ExecuteOptions): Promise<string[]> {
  const { signal, emit } = opts;
  const deadline = Date.now() + a.timeoutMs;
  let delay = 25;
  const pending = new Set(a.names);
  while (pending.size > 0) {
    if (signal.aborted) throw new Cancelled();
    const r = await run([a.runtimeBin, 'container', 'inspect', '--format', '{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}', ...pending], { signal, timeoutMs: 10_000 });
    if (r.failure === 'cancelled') throw new Cancelled();
    for (const line of r.stdout.split('\n')) {
      const [rawName, status, exitCode] = line.trim().split(/\s+/);
      const name = (rawName ?? '').replace(/^\//, '');
      if (!pending.has(name)) continue;
      if (status === 'running') {
        pending.delete(name);
        emit({ type: 'output', id: step.id, line: `${name}: running`, stream: 'stdout' });
      } else if (status === 'exited' || status === 'dead') {
        const logs = await run([a.runtimeBin, 'logs', '--tail', '20', name], { signal, timeoutMs: 10_000 });
        const lines = opts.redactor.redact(`${logs.stdout}\n${logs.stderr}`).split('\n').filter(Boolean).slice(-10);
        throw new StepFailure(`${name} exited with code ${exitCode}`, step.fix, lines);
      }
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) throw new StepFailure(`${[...pending].join(', ')} did not reach running within ${a.timeoutMs / 1000}s`, step.fix);
    await new Promise((res) => setTimeout(res, delay));
    delay = Math.min(Math.round(delay * 1.6), 1000);
  }
  const report: string[] = [];
  // Every container's last lines asked at once (a process each), shown in the containers' order.
  const allLogs = await Promise.all(a.names.map((name) => run([a.runtimeBin, 'logs', '--tail', '5', name], { signal, timeoutMs: 10_000 })));
  for (const [i, name] of a.names.entries()) {
    const logs = allLogs[i]!;
    report.push(`${name}: running; last log lines:`);
    for (const l of opts.redactor.redact(`${logs.stdout}\n${logs.stderr}`).split('\n').filter(Boolean).slice(-5)) {
      emit({ type: 'output', id: step.id, line: `${name} | ${l}`, stream: 'stdout' });
      report.push(`  | ${l}`);
    }
  }
  return report;
}
