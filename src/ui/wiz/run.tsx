import React from 'react';
import { render } from 'ink';
import type { Answers } from './questions.js';
import { WizardApp, type WizardProps } from './Wizard.js';
import { keepScrollback } from '../term.js';
import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON } from './keys.js';

/** Mount the wizard (or ask in plain lines), wait until it exits, return the answers (a preset) and what to do with them. */
export async function runWizard(plain: boolean, props: Omit<WizardProps, 'onDone'>): Promise<{ kind: 'install' | 'cancel'; answers: Answers }> {
  // Line prompts that never repaint (a screen reader, a dumb or tiny terminal): the same questions.
  if (plain) return (await import('./plain.js')).runPlainWizard(props);
  let result: { kind: 'install' | 'cancel'; answers: Answers } = { kind: 'cancel', answers: {} };
  // Bracketed paste on while the wizard runs (keys.ts: a pasted line break is no Enter), off whenever it
  // ends, an exit or a signal included: left on, the shell after it would get the markers around pastes.
  const pasteOff = () => process.stdout.write(BRACKETED_PASTE_OFF);
  process.stdout.write(BRACKETED_PASTE_ON);
  process.once('exit', pasteOff);
  const app = render(<WizardApp {...props} onDone={(r) => (result = r)} />, { stdout: keepScrollback(process.stdout), exitOnCtrlC: false, patchConsole: false });
  // Ink writes the first frame synchronously in render(): the benchmark measures up to here.
  if (process.env.HD_SETUP_WIZARD_EXIT_AFTER_FIRST_FRAME === '1') {
    if (process.env.HD_SETUP_DEBUG) process.stderr.write(`first frame at ${(process.uptime() * 1000).toFixed(0)} ms\n`);
    process.exit(0);
  }
  try {
    await app.waitUntilExit();
  } finally {
    process.removeListener('exit', pasteOff);
    pasteOff();
  }
  app.unmount();
  // The last frame stays on screen (a record of what was reviewed); what follows starts below it.
  process.stdout.write('\n');
  return result;
}
