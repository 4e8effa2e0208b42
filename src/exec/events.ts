// Steps emit events; renderers (Ink status screen, plain lines, JSON lines) consume them.
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

/**
 * What a check found. A failed check always says how to fix it (or how to skip it). `noSkip`: skipping it
 * would not help (the run would stop at the same thing later), so no --skip-check is offered.
 */
export type CheckResult = { message: string; noSkip?: true } & ({ status: 'fail'; fix: string } | { status: Exclude<CheckStatus, 'fail'>; fix?: string });

export type CheckReport = CheckResult & { id: string };
export type FailedCheck = Extract<CheckReport, { status: 'fail' }>;

export const isFailed = (r: CheckReport): r is FailedCheck => r.status === 'fail';

/** A failed check's fix, with the --skip-check that gets past it unless the fix says so already, or skipping would not help. */
export function fixOrSkip(r: FailedCheck): string {
  return r.noSkip || r.fix.includes('--skip-check') ? r.fix : `${r.fix} (or --skip-check ${r.id})`;
}

export interface Summary {
  ok: boolean;
  cancelled: boolean;
  done: string[];
  skipped: string[];
  /** The id of the step that failed (for --json); `titles` says it in words. */
  failed?: string;
  /** It failed at the machine's state (a folder it may not write, a file where a folder goes), which `error` names with the fix: exit 2. */
  localState?: true;
  notRun: string[];
  /** Each step's title by its id: the summary names the failed step and those not done by these. */
  titles?: Record<string, string>;
  /** What changed on the machine, in words ("wrote /x/conf/config.json", "created container controller"). */
  changes: string[];
  backups: string[];
  warnings: string[];
  nextSteps: string[];
  /** What is running now, with the last log lines (after a successful readiness check). */
  state?: string[];
  error?: string;
  fix?: string;
  /** Offered after a failed apply that replaced files: the command that restores them. */
  undo?: string;
}

export type HdEvent =
  /**
   * append: a later plan of the same run (a restart's start after its stop): its steps follow the earlier
   * ones. upcoming: how many steps later plans of the run are expected to add (counted in "[1/9]").
   */
  | { type: 'plan'; title: string; verb?: string; steps: { id: string; title: string }[]; append?: boolean; upcoming?: number }
  | { type: 'step:start'; id: string; title: string }
  | { type: 'step:skip'; id: string; reason: string }
  | { type: 'step:done'; id: string; detail?: string }
  | { type: 'step:fail'; id: string; error: string; fix?: string; output?: string[] }
  | { type: 'step:cancel'; id: string }
  | { type: 'command'; id: string; command: string; stdin?: string }
  | { type: 'output'; id: string; line: string; stream: 'stdout' | 'stderr' }
  | { type: 'check'; id: string; check: CheckReport }
  | { type: 'note'; id: string; text: string }
  | { type: 'hint'; id: string; message: string; fix?: string }
  /** A pod is stuck and a terminal is asked: stop waiting, or keep waiting; then the answer. */
  | { type: 'stuck'; id: string; message: string; fix: string }
  | { type: 'stuck:answered'; id: string; choice: 'stop' | 'wait' }
  | { type: 'done'; summary: Summary };

export type Emit = (e: HdEvent) => void;

/** What a watcher beside a helm --wait needs: where to look, and how to report. */
export interface WatchContext {
  namespace: string;
  selector: string;
  context?: string;
  timeoutSetting?: string;
  stepId: string;
  emit: Emit;
  signal: AbortSignal;
  /** Stop the watched command: a pod is stuck in a state that waiting will not resolve. */
  stopEarly?: (f: { message: string; fix: string }) => void;
  /** Asked when a pod is stuck: stop waiting, or keep waiting (a terminal asks the user; otherwise stop). */
  decide?: (f: { message: string; fix: string }) => Promise<'stop' | 'wait'>;
}
