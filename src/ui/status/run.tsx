import React from 'react';
import { render } from 'ink';
import type { Emit, HdEvent, Summary } from '../../exec/events.js';
import { StatusApp, createEventBus } from './StatusScreen.js';
import { keepScrollback } from '../term.js';
import { summaryLines } from '../summary.js';
import { colorsEnabled } from '../theme.js';

/**
 * A stuck pod: `ask` puts the question on the screen (w keeps waiting; Enter or s stops) and waits; the
 * key's answer (`onAnswer`, from the screen) takes the question off it and settles `ask`.
 */
export function stuckQuestion(bus: { emit: (e: HdEvent) => void }, step: () => string) {
  let answer: ((c: 'stop' | 'wait') => void) | undefined;
  const onAnswer = (id: string, choice: 'stop' | 'wait') => {
    bus.emit({ type: 'stuck:answered', id, choice });
    answer?.(choice);
    answer = undefined;
  };
  const ask = (f: { message: string; fix: string }) =>
    new Promise<'stop' | 'wait'>((resolve) => {
      answer = resolve;
      bus.emit({ type: 'stuck', id: step(), ...f });
    });
  return { ask, onAnswer };
}

/** Run `work` while the live status screen (on stderr) shows its events. */
export async function withStatusScreen(work: (emit: Emit, ask?: (f: { message: string; fix: string }) => Promise<'stop' | 'wait'>) => Promise<Summary>): Promise<Summary> {
  const bus = createEventBus();
  const canAsk = Boolean(process.stdin.isTTY);
  let inFrame = false;
  let stepId = '';
  let title = '';
  const { ask, onAnswer } = stuckQuestion(bus, () => stepId);
  const app = render(<StatusApp source={bus} onAnswer={canAsk ? onAnswer : undefined} onSummary={(shown) => (inFrame = shown)} />, { stdout: keepScrollback(process.stderr), patchConsole: false, exitOnCtrlC: false });
  try {
    const summary = await work((e) => {
      if (e.type === 'step:start') stepId = e.id;
      if (e.type === 'plan') title = e.title;
      bus.emit(e);
    }, canAsk ? ask : undefined);
    // (exit unmounts it: the screen is gone once this resolves)
    await app.waitUntilExit();
    // The summary, once, below the last frame: written, never repainted (a frame taller than the
    // terminal would be cleared and printed again, leaving a second copy in the scrollback).
    if (inFrame) {
      process.stderr.write('\n');
      return summary;
    }
    const lines = summaryLines(summary, title, Math.max(20, (process.stderr.columns || 80) - 1)).join('\n');
    const paint = colorsEnabled() ? (summary.ok ? '\u001b[32m' : '\u001b[31m') : '';
    process.stderr.write(`\n${paint}${lines}${paint ? '\u001b[39m' : ''}\n\n`);
    return summary;
  } finally {
    app.unmount();
  }
}
