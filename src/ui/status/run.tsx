import React from 'react';
import { render } from 'ink';
import type { Emit, Summary } from '../../exec/events.js';
import { StatusApp, createEventBus } from './StatusScreen.js';
import { keepScrollback } from '../term.js';

/** Run `work` while the live status screen (on stderr) shows its events. */
export async function withStatusScreen(work: (emit: Emit) => Promise<Summary>): Promise<Summary> {
  const bus = createEventBus();
  const app = render(<StatusApp source={bus} />, { stdout: keepScrollback(process.stderr), patchConsole: false, exitOnCtrlC: false });
  try {
    const summary = await work(bus.emit);
    await app.waitUntilExit();
    process.stderr.write('\n');
    return summary;
  } finally {
    app.unmount();
  }
}
