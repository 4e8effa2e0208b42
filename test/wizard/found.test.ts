// What the wizard says it found is true now: an installed agent, or only the settings an uninstall kept;
// and the banner is about the product and runtime being configured, not another one.
import { describe, expect, it } from 'vitest';
import { createState, foundNote, reduce, visibleNote } from '../../src/ui/wiz/state.js';
import { TOKEN, cli } from '../helpers.js';
import { rootFlags, stubEnv } from '../stub-runtime.js';
import { drive, hasScript } from './pty-helpers.js';

describe('the found-install banner', () => {
  const found = { where: '/home/ana/fivetran', preset: { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }, present: true };
  it('shows while the answers are for that product and runtime, and not while another is configured', () => {
    let s = reduce(createState(), { type: 'prefill', answers: found.preset, note: foundNote(found, 'esc') });
    expect(visibleNote(s)).toBe('Found an installed agent (/home/ana/fivetran). Its settings are prefilled; esc walks back through them.');
    // back to the product question, choose the other product: the banner goes
    for (let i = 0; i < 10 && s.cursor !== 'product'; i++) s = reduce(s, { type: 'back' });
    expect(s.cursor).toBe('product');
    s = reduce(s, { type: 'submit', value: 'tobiko' });
    expect(visibleNote(s)).toBeUndefined();
    // and another runtime for the same product
    s = reduce(reduce(s, { type: 'back' }), { type: 'submit', value: 'fivetran' });
    expect(visibleNote(s)).toBeDefined();
    s = reduce(s, { type: 'submit', value: 'kubernetes' });
    expect(visibleNote(s)).toBeUndefined();
  });
  it('settings kept after an uninstall are not "an installed agent"', () => {
    expect(foundNote({ ...found, present: false }, 'esc')).toBe('Found the settings of an agent that is not installed now (/home/ana/fivetran; kept after an uninstall). They are prefilled; esc walks back through them.');
  });
});

describe.runIf(hasScript)('on the stub runtime, in a pty', () => {
  it('installed: "Found an installed agent"; after uninstall (config kept): not installed now', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const before = await drive('cols 120 rows 40', rootFlags, s.env, [['Found', '\x03']]);
    expect(before.out).toContain(`Found an installed agent (${s.home}/fivetran)`);
    const un = cli(['uninstall', '--yes'], { env: s.env });
    expect(un.code, un.stderr).toBe(0);
    const after = await drive('cols 120 rows 40', rootFlags, s.env, [['Found', '\x03']]);
    expect(after.out).not.toContain('Found an installed agent');
    expect(after.out).toContain(`Found the settings of an agent that is not installed now (${s.home}/fivetran; kept after an uninstall)`);
    s.server.close();
  }, 120_000);
});
