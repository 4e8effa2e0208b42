// The bundled bin, in a real pseudo-terminal (util-linux `script`), draws the same first frame as the
// wizard's source does under ink-testing-library. The bundle swaps in its own Unicode fast paths
// (scripts/unicode-fast-paths.mjs); this shows they change nothing on screen.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { spawnSync } from 'node:child_process';
import stripAnsi from 'strip-ansi';
import { render as inkRender } from 'ink-testing-library';
import { WizardApp } from '../../src/ui/wiz/Wizard.js';
import { BIN } from '../helpers.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const lines = (s: string) => stripAnsi(s).replace(/\r/g, '').split('\n').map((l) => l.trimEnd()).join('\n').trim();

describe.runIf(hasScript)('wizard in a pseudo-terminal', () => {
  it('draws the first frame exactly as the source renders it', async () => {
    const r = spawnSync('script', ['-qec', `stty cols 80 rows 24; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`, '/dev/null'], {
      env: { ...process.env, CI: '', NO_COLOR: '1', HD_SETUP_WIZARD_EXIT_AFTER_FIRST_FRAME: '1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(0);
    const app = inkRender(<WizardApp initial={{}} detection={{}} review={async () => ({ ok: true, text: '' })} save={async () => ''} onDone={() => {}} />);
    await new Promise((done) => setTimeout(done, 20));
    const expected = lines(app.lastFrame() ?? '');
    app.unmount();
    expect(expected).toContain('Fivetran Hybrid Deployment Agent');
    expect(lines(r.stdout)).toBe(expected);
    for (const l of lines(r.stdout).split('\n')) expect(l.length).toBeLessThanOrEqual(80);
  });
});
