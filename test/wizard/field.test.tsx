import { describe, expect, it } from 'vitest';
import React, { useState } from 'react';
import { render } from 'ink-testing-library';
import { Field } from '../../src/ui/wiz/Field.js';

const tick = () => new Promise((r) => setImmediate(() => setTimeout(r, 0)));

function Harness({ onSubmit }: { onSubmit: (v: string) => void }) {
  const [v, setV] = useState('');
  return <Field value={v} onChange={setV} onSubmit={onSubmit} />;
}

/** A mounted field: the last submitted value, and the app to type into. */
async function mountField() {
  const submitted = { value: '' };
  const app = render(<Harness onSubmit={(v) => (submitted.value = v)} />);
  await tick();
  return { app, submitted };
}

describe('Field', () => {
  it('keeps every key, including fast bursts and deletes', async () => {
    const { app, submitted } = await mountField();
    app.stdin.write('abc');
    await tick();
    for (let i = 0; i < 3; i++) {
      app.stdin.write('\x7f');
      await tick();
    }
    app.stdin.write('XYZ');
    app.stdin.write('\x7f');
    app.stdin.write('Q');
    await tick();
    app.stdin.write('\r');
    await tick();
    expect(submitted.value).toBe('XYQ');
    app.unmount();
  });

  it('submits on an Enter that arrives in the same chunk as the text', async () => {
    const { app, submitted } = await mountField();
    app.stdin.write('./my-preset.yamlx\x7f\r');
    await tick();
    expect(submitted.value).toBe('./my-preset.yaml');
    app.unmount();
  });
});
