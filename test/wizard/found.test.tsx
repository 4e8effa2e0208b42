// What the wizard says it found is true now: an installed agent, or only the settings an uninstall kept;
// and the banner is about the product and runtime being configured, not another one.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { render as inkRender } from 'ink-testing-library';
import { WizardApp } from '../../src/ui/wiz/Wizard.js';
import type { Answers, Detection } from '../../src/ui/wiz/questions.js';
import { createState, currentQuestion, foundNote, reduce, visibleNote } from '../../src/ui/wiz/state.js';
import { frameOf, tick, untilFrame } from '../ink-frames.js';
import { TOKEN, cli } from '../helpers.js';
import { rootFlags, stubEnv } from '../stub-runtime.js';
import { drive, hasScript } from './pty-helpers.js';

describe('the found-install banner', () => {
  const found = { where: '/home/ana/fivetran', preset: { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }, present: true };
  it('shows while the answers are for that product and runtime, and not while another is configured', () => {
    let s = reduce(createState(), { type: 'prefill', answers: found.preset, note: foundNote(found, 'esc') });
    expect(visibleNote(s)).toBe('Found the Fivetran Hybrid Deployment Agent installed here (/home/ana/fivetran). Its settings are prefilled; esc walks back through them. Another product: hd-setup --set product=tobiko.');
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
  it('another install here, not prefilled, whose product and runtime are chosen: said, as these answers replace its settings (a trial: the review reset its image and memory unsaid)', () => {
    let s = reduce(createState(), { type: 'detected', detection: { others: [{ product: 'tobiko', runtime: 'docker', where: '/home/ana/tobiko' }] } });
    s = reduce(s, { type: 'prefill', answers: found.preset, note: foundNote(found, 'esc') });
    for (let i = 0; i < 10 && s.cursor !== 'product'; i++) s = reduce(s, { type: 'back' });
    s = reduce(s, { type: 'submit', value: 'tobiko' });
    s = reduce(s, { type: 'submit', value: 'docker' });
    expect(visibleNote(s)).toBe('Installed here and not prefilled: the Tobiko Cloud hybrid executors on docker (/home/ana/tobiko); these answers replace its settings. To start from them, quit (Ctrl-C) and run: hd-setup --set product=tobiko --set runtime=docker');
    // another runtime of it: no install there, nothing to say
    s = reduce(reduce(s, { type: 'back' }), { type: 'submit', value: 'podman' });
    expect(visibleNote(s)).toBeUndefined();
  });
  it('named as the product question names it: Tobiko\'s executors are not "an agent"', () => {
    expect(foundNote({ where: '/home/ana/tobiko', preset: { product: 'tobiko' }, present: true }, 'esc')).toBe('Found the Tobiko Cloud hybrid executors installed here (/home/ana/tobiko). Its settings are prefilled; esc walks back through them. Another product: hd-setup --set product=fivetran.');
  });
  it('settings kept after an uninstall are not "an installed agent"', () => {
    expect(foundNote({ ...found, present: false }, 'esc')).toBe('Found the settings of the Fivetran Hybrid Deployment Agent, not installed now (/home/ana/fivetran; kept after an uninstall). They are prefilled; esc walks back through them.');
  });
});

describe('a re-run asks nothing until detection has looked (hd-setup installed here before)', () => {
  const found = { where: '/home/ana/fivetran', preset: { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }, present: true };
  it('the reducer: keys wait, Ctrl-C quits at once, and the waiting keys act on the screen that follows', () => {
    const waiting = { ...createState(), waiting: true };
    // ↓ Enter typed while waiting: no question moves
    let s = reduce(waiting, { type: 'input', data: '\u001B[B\r' });
    expect(s.cursor).toBe('product');
    expect(s.held).toEqual(['\u001B[B\r']);
    // nothing found: they act on the product question (the second product)
    const fresh = reduce(s, { type: 'settled' });
    expect(fresh.waiting).toBe(false);
    expect(fresh.answers.product).toBe('tobiko');
    // an install found: the review comes, which no waiting key confirms (a review must be seen first)
    s = reduce(reduce(s, { type: 'prefill', answers: found.preset, note: foundNote(found, 'esc') }), { type: 'settled' });
    expect(currentQuestion(s).kind).toBe('review');
    expect(s.answers).toEqual(found.preset);
    expect(s.result).toBeUndefined();
    // Ctrl-C while waiting
    expect(reduce(waiting, { type: 'input', data: 'x\u0003' }).result).toEqual({ kind: 'cancel' });
  });
  it('on screen: no product question while detection runs; then the found install, untouched by the keys typed meanwhile', async () => {
    let answer: (d: Detection) => void = () => undefined;
    const detection = () => new Promise<Detection>((r) => (answer = r));
    let reviewed: Answers | undefined;
    const app = inkRender(
      <WizardApp waitForInstall detection={detection} review={async (a) => ((reviewed = a), { ok: true, text: 'Steps\n  1. Preflight checks' })} save={async () => 'saved'} onDone={() => undefined} />,
    );
    await tick();
    expect(frameOf(app)).toContain('Looking at what hd-setup installed here…');
    expect(frameOf(app)).not.toContain('What do you want to install?');
    app.stdin.write('\u001B[B');
    app.stdin.write('\r');
    await tick();
    expect(frameOf(app)).toContain('Looking at what hd-setup installed here…');
    answer({ installed: found });
    await untilFrame(app, 'Found the Fivetran Hybrid Deployment Agent installed here (/home/ana/fivetran)');
    await tick(100);
    expect(reviewed).toEqual(found.preset);
    app.unmount();
  });
  it('without waitForInstall (no install recorded here): the product question is the first frame', async () => {
    const app = inkRender(<WizardApp detection={() => new Promise<Detection>(() => undefined)} review={async () => ({ ok: true, text: '' })} save={async () => 'saved'} onDone={() => undefined} />);
    await tick();
    expect(frameOf(app)).toContain('What do you want to install?');
    app.unmount();
  });
});

describe.runIf(hasScript)('on the stub runtime, in a pty', () => {
  it('installed: "Found the … installed here"; after uninstall (config kept): not installed now', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const before = await drive('cols 120 rows 40', rootFlags, s.env, [['Found', '\x03']]);
    expect(before.out).toContain(`Found the Fivetran Hybrid Deployment Agent installed here (${s.home}/fivetran)`);
    // a re-run: no product question on the way to it (keys typed then would have gone to a question about to vanish)
    expect(before.out).toContain('Looking at what hd-setup installed here…');
    expect(before.out).not.toContain('What do you want to install?');
    // the other product, as the banner says: its own questions from the start, nothing found or prefilled
    const other = await drive('cols 120 rows 40', [...rootFlags, '--set', 'product=tobiko'], s.env, [['Where should it run?', '\r'], ['Tobiko Cloud organization', '\x03']]);
    expect(other.out).toContain('Tobiko Cloud organization');
    expect(other.out).not.toContain('Found');
    const un = cli(['uninstall', '--yes'], { env: s.env });
    expect(un.code, un.stderr).toBe(0);
    const after = await drive('cols 120 rows 40', rootFlags, s.env, [['Found', '\x03']]);
    expect(after.out).not.toContain('Agent installed here');
    expect(after.out.replace(/\s+/g, " ")).toContain(`Found the settings of the Fivetran Hybrid Deployment Agent, not installed now (${s.home}/fivetran; kept after an uninstall)`);
    s.server.close();
  }, 120_000);
  it('settings of one product given and no product (--set tobiko.org=acme): that product, not the question (choosing Fivetran dropped them unseen)', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    const r = await drive('cols 120 rows 40', [...rootFlags, '--set', 'tobiko.org=acme'], s.env, [['Where should it run?', '\r'], ['Tobiko Cloud organization', '\x03']]);
    s.server.close();
    expect(r.out).not.toContain('What do you want to install?');
    expect(r.out).toMatch(/Tobiko Cloud organization[\s\S]*› acme/);
  }, 120_000);
  it('a re-run at 40×10, the smallest full-screen size: the review shows several lines of the plan, and pages through them (the banner left one: "lines 1-1 of …")', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const r = await drive('cols 40 rows 10', rootFlags, s.env, [
      ['enter install', '\x1b[6~'],
      ['lines 5-', '\x03'],
    ]);
    s.server.close();
    const first = /lines 1-(\d+) of (\d+)/.exec(r.out);
    expect(first, r.out.slice(-1500)).not.toBeNull();
    expect(Number(first![1])).toBeGreaterThanOrEqual(4);
    expect(r.out).toContain(`lines ${Number(first![1]) + 1}-${2 * Number(first![1])} of ${first![2]}`);
  }, 120_000);
  it('two installs: the latest is prefilled and the banner names the other; --set product=… prefills that one', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const latest = await drive('cols 120 rows 40', rootFlags, s.env, [['Found', '\x03']]);
    expect(latest.out.replace(/\s+/g, ' ')).toContain(`Found the Tobiko Cloud hybrid executors installed here (${s.home}/tobiko). Its settings are prefilled; esc walks back through them. Another product: hd-setup --set product=fivetran.`);
    const other = await drive('cols 120 rows 40', [...rootFlags, '--set', 'product=fivetran'], s.env, [['enter install', '\x03']]);
    expect(other.out.replace(/\s+/g, ' ')).toContain(`Found the Fivetran Hybrid Deployment Agent installed here (${s.home}/fivetran)`);
    // straight to its review, nothing to change
    expect(other.out).toContain('(unchanged, secret)');
    s.server.close();
  }, 120_000);

  it('an install that did not finish (its container never ran) is not "kept after an uninstall"', async () => {
    const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
    const failed = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.image=registry.example.com/mirror/ldp-agent:1.2', ...rootFlags], { env: { ...s.env, HD_STUB_FAIL: 'run' } });
    expect(failed.code, failed.stderr).toBe(1);
    const r = await drive('cols 120 rows 40', rootFlags, s.env, [['Found', '\x03']]);
    const shown = r.out.replace(/\s+/g, ' ');
    expect(shown).toContain(`Found the settings of the Fivetran Hybrid Deployment Agent, not installed now (${s.home}/fivetran; its install did not finish)`);
    expect(shown).not.toContain('kept after an uninstall');
    s.server.close();
  }, 120_000);
});
