// Plain-line and JSON-line renderers of execution events (no TTY, CI, --json).
import type { Emit, HdEvent } from '../exec/events.js';
import type { Reporter } from '../service/install.js';
import { importWithoutFetch } from '../util/ink-loader.js';
import { summaryLines } from './summary.js';
import { accessibleRequested, terminalProblem } from './term.js';

export function jsonReporter(write: (s: string) => void = (s) => process.stdout.write(s)): Emit {
  return (e: HdEvent) => write(JSON.stringify({ ...e, time: new Date().toISOString() }) + '\n');
}

const MARK: Record<string, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skipped: 'skip' };

export function plainReporter(write: (s: string) => void = (s) => process.stderr.write(s)): Emit {
  let total = 0;
  let planned = 0; // the steps of the plans so far
  const index = new Map<string, number>();
  const started = new Map<string, number>();
  let title = '';
  const printed = new Set<string>();
  const titles = new Map<string, string>();
  const n = (id: string) => `[${index.get(id) ?? '?'}/${total}]`;
  return (e: HdEvent) => {
    switch (e.type) {
      case 'plan': {
        // A later plan of the same run (a restart's start): its steps are counted on from the earlier ones'.
        // `upcoming`: steps a later plan of the run is expected to add (counted now, so [1/9] not [1/1]).
        const before = e.append ? planned : 0;
        planned = before + e.steps.length;
        total = planned + (e.upcoming ?? 0);
        e.steps.forEach((s, i) => {
          index.set(s.id, before + i + 1);
          titles.set(s.id, s.title);
        });
        title = e.title;
        if (!e.append) write(`hd-setup: ${e.verb ?? 'installing'} ${e.title}\n`);
        break;
      }
      case 'step:start':
        started.set(e.id, Date.now());
        write(`${n(e.id)} ${e.title} ...\n`);
        break;
      case 'step:skip':
        // a step skipped before it started is named, so that the line says what was skipped
        write(started.has(e.id) ? `${n(e.id)} skipped: ${e.reason}\n` : `${n(e.id)} ${titles.get(e.id) ?? e.id} ... skipped: ${e.reason}\n`);
        break;
      case 'step:done':
        write(`${n(e.id)} done (${((Date.now() - (started.get(e.id) ?? Date.now())) / 1000).toFixed(1)}s)\n`);
        break;
      case 'step:fail':
        for (const l of e.output ?? []) if (!printed.has(l)) write(`      | ${l}\n`);
        write(`${n(e.id)} FAILED: ${e.error}\n`);
        if (e.fix) write(`      fix: ${e.fix}\n`);
        break;
      case 'step:cancel':
        write(`${n(e.id)} cancelled\n`);
        break;
      case 'command':
        write(`      $ ${e.command}${e.stdin ? `   # stdin: ${e.stdin}` : ''}\n`);
        break;
      case 'output':
        printed.add(e.line);
        write(`      | ${e.line}\n`);
        break;
      case 'check':
        write(`      ${MARK[e.check.status]} ${e.check.id}: ${e.check.message}${e.check.fix && e.check.status !== 'ok' ? `\n           fix: ${e.check.fix}` : ''}\n`);
        break;
      case 'note':
        write(e.text.split('\n').map((l) => `      ${l}\n`).join(''));
        break;
      case 'hint':
        write(`      ! ${e.message}${e.fix ? `\n        fix: ${e.fix}` : ''}\n`);
        break;
      case 'done':
        write('\n' + summaryLines(e.summary, title, process.stderr.isTTY ? process.stderr.columns - 1 : undefined).join('\n') + '\n'); // wrapped on a terminal only
        break;
    }
  };
}

/** How a run is shown: JSON lines, the Ink status screen on a terminal, or plain lines. */
/** Whether progress is the live status screen (a terminal on stderr, not CI, not the accessible mode). */
export function usesStatusScreen(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.CI && !terminalProblem(process.stderr) && !accessibleRequested();
}

export function reporterFor(flags: { json?: boolean }): Reporter {
  return async (work) => {
    if (flags.json) return work(jsonReporter());
    if (usesStatusScreen()) {
      const { withStatusScreen } = await importWithoutFetch(() => import('./status/run.js'));
      return withStatusScreen(work);
    }
    return work(plainReporter());
  };
}

