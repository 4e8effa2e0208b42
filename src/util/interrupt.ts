// Ctrl-C anywhere, from the first line of main to the last. Every child runs in its own process group
// (exec/run.ts), so the terminal's Ctrl-C reaches only hd-setup: on a signal, hd-setup kills those groups
// itself, says what was done, and exits 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP).
// While a plan runs, its own handler cancels it and prints the summary; a second Ctrl-C forces the exit.
// No imports beyond node: main loads this before anything else.

const children = new Set<number>();

/** exec/run.ts: a child (the leader of its own process group) started / ended. */
export function trackChild(pid: number | undefined): void {
  if (pid) children.add(pid);
}
export function untrackChild(pid: number | undefined): void {
  if (pid) children.delete(pid);
}
export function liveChildren(): number[] {
  return [...children];
}

let closing = false;

/**
 * hd-setup is ending (a cancel): the running children are ended, and no new one starts (a chain of
 * read-only probes would otherwise go on, one after the other, and hold the exit).
 */
export function endChildren(): void {
  closing = true;
  killChildren('SIGTERM');
}
export function isClosing(): boolean {
  return closing;
}

let abandoned = false;
/**
 * A signal ended hd-setup outside a plan: it is on its way out, having said that nothing was changed. What
 * was running goes no further: exec/run.ts never answers it, nor starts another, so the flow waiting on a
 * probe stops there. Otherwise the install went on in the half second the exit waits for the children, and
 * was cut off half-way.
 */
export function isAbandoned(): boolean {
  return abandoned;
}

export function killChildren(signal: NodeJS.Signals): void {
  for (const pid of children) {
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        /* gone */
      }
    }
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const CODES: Record<(typeof SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

let installed = false;
let planStarted = false;
let received = 0;
const cancellers = new Set<() => void>();

/**
 * A plan running (service/install.ts runPlans) cancels itself on the first Ctrl-C or SIGTERM and reports what
 * was done; a second signal, or SIGHUP (no terminal left to report to), forces the exit. Returns the remover.
 * Only these count: a listener another module adds (Ink's signal-exit, a temporary directory's) is no plan,
 * and with it counted a SIGTERM to the wizard was ignored.
 */
export function onInterrupt(cancel: () => void): () => void {
  cancellers.add(cancel);
  planStarted = true;
  return () => cancellers.delete(cancel);
}

/** A plan is changing the install (between onInterrupt and its remover). */
export function planRunning(): boolean {
  return cancellers.size > 0;
}

const cleanups = new Set<() => void>();

/**
 * Something to undo if a signal ends hd-setup at once (a second Ctrl-C, SIGHUP, a signal outside a plan):
 * run synchronously on the way out, quick and bounded (a short-lived pod to delete). Returns the remover.
 */
export function onExitCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

let first: (typeof SIGNALS)[number] | undefined;

/** The exit code of a run a signal cancelled: 130 for Ctrl-C, 143 for SIGTERM (130 when none came). */
export function cancelExitCode(): number {
  return CODES[first ?? 'SIGINT'];
}

function onSignal(sig: (typeof SIGNALS)[number]): void {
  received++;
  first ??= sig;
  if (received === 1 && sig !== 'SIGHUP' && cancellers.size) {
    for (const cancel of cancellers) cancel();
    return;
  }
  const n = children.size;
  abandoned ||= !planStarted;
  killChildren('SIGTERM');
  const head = planStarted
    ? `Interrupted (${sig}) after the plan started: what was done is listed above (run the same command again to finish it, or hd-setup rollback)`
    : `Interrupted (${sig}) before any change, nothing was changed`;
  try {
    process.stderr.write(`\n${head}${n ? `; stopped ${n} running command${n > 1 ? 's' : ''}` : ''}.\n`);
  } catch {
    /* stderr gone */
  }
  // give the children a moment to go, then make sure
  const deadline = Date.now() + 500;
  const finish = () => {
    if (children.size && Date.now() < deadline) {
      setTimeout(finish, 25);
      return;
    }
    killChildren('SIGKILL');
    for (const c of cleanups) {
      try {
        c();
      } catch {
        /* on the way out: the next one still runs */
      }
    }
    process.exit(CODES[sig]);
  };
  finish();
}

/** Called on the first line of main. Idempotent. */
export function installInterruptHandlers(): void {
  if (installed) return;
  installed = true;
  for (const sig of SIGNALS) process.on(sig, () => onSignal(sig));
}
