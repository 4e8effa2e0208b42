import React from 'react';
import { render } from 'ink';
import type { Emit, Summary } from '../../exec/events.js';
import { StatusApp, createEventBus } from './StatusScreen.js';
import { keepScrollback } from '../term.js';

/** Run `work` while the live status screen (on stderr) shows its events. */
export async function withStatusScreen(work: (emit: Emit, ask?: (f: { message: string; fix: string }) => Promise<'stop' | 'wait'>) => Promise<Summary>): Promise<Summary> {
  const bus = createEventBus();
  // A stuck pod: the screen asks (w keeps waiting; Enter or s stops), and the key's answer comes back here.
  let answer: ((c: 'stop' | 'wait') => void) | undefined;
  const onAnswer = (id: string, choice: 'stop' | 'wait') => {
    bus.emit({ type: 'stuck:answered', id, choice });
    answer?.(choice);
    answer = undefined;
  };
  const canAsk = Boolean(process.stdin.isTTY);
  const app = render(<StatusApp source={bus} onAnswer={canAsk ? onAnswer : undefined} />, { stdout: keepScrollback(process.stderr), patchConsole: false, exitOnCtrlC: false });
  let stepId = '';
  const ask = (f: { message: string; fix: string }) =>
    new Promise<'stop' | 'wait'>((resolve) => {
      answer = resolve;
      bus.emit({ type: 'stuck', id: stepId, ...f });
    });
  try {
    const summary = await work((e) => {
      if (e.type === 'step:start') stepId = e.id;
      bus.emit(e);
    }, canAsk ? ask : undefined);
    await app.waitUntilExit();
    process.stderr.write('\n');
    return summary;
  } finally {
    app.unmount();
  }
}
