// Layout at 80 and 120 columns (issue 15, point 14): options stay aligned, check lines keep their
// spaces, the summary and the review's commands wrap with a hanging indent at word or path boundaries.
// Ink renders into a terminal-sized stream here; the pty test (pty.test.tsx) runs the built bin.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import stripAnsi from 'strip-ansi';
import { REVIEW_ROWS, WizardApp, keyLines, oneLine, questionLayout, reviewLayout, wrapText } from '../../src/ui/wiz/Wizard.js';
import { StatusView } from '../../src/ui/status/StatusScreen.js';
import { fitStatus, initialStatus, statusReducer } from '../../src/ui/status/reducer.js';
import { execFileSync } from 'node:child_process';
import { sameWithoutWizard, shellLines, summaryLines, wrapLines } from '../../src/ui/summary.js';
import type { Summary } from '../../src/exec/events.js';
import { TOKEN } from '../helpers.js';
import fc from 'fast-check';

const IMAGE = 'us-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/ldp-agent:production';
const RUN = `       $ /usr/local/bin/docker run -d --name controller --restart on-failure:3 --pull never --memory=2048m --label fivetran=ldp ${IMAGE}`;
const SIZES = [
  [80, 24],
  [120, 40],
] as const;

class Screen extends EventEmitter {
  isTTY = true;
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (s: string) => {
    this.frames.push(s);
    return true;
  };
  last = () => stripAnsi(this.frames.at(-1) ?? '');
}
class Keys extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(d: string) {
    this.data = d;
    this.emit('readable');
  }
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
}
const settle = () => new Promise((r) => setTimeout(r, 60));

/** Mount a tree in a terminal of that size (Ink's debug mode: each frame written whole). */
function mountAt(node: React.ReactElement, columns: number, rows: number) {
  const screen = new Screen(columns, rows);
  const keys = new Keys();
  const app = render(node, { stdout: screen as never, stdin: keys as never, debug: true, patchConsole: false, exitOnCtrlC: false });
  return { screen, keys, app };
}

/** Breaking lines must not lose or add anything but whitespace. */
const squash = (lines: string[]) => lines.join(' ').replace(/\s+/g, '');

describe('wrapLines: hanging indents at word or path boundaries', () => {
  it('a long command wraps under the command, the image reference breaks after a "/"', () => {
    for (const w of [79, 60, 40]) {
      const out = wrapLines(['Steps', RUN], w);
      expect(out[0]).toBe('Steps');
      for (const l of out) expect([...l].length).toBeLessThanOrEqual(w);
      for (const l of out.slice(2)) expect(l).toMatch(/^ {11}\S/); // 4 deeper than the "$"
      expect(squash(out.slice(1))).toBe(squash([RUN]));
      expect(out.some((l) => l.trim() === 'ldp-agent:production' || l.endsWith(' ldp-agent:production') || l.trim().endsWith('/ldp-agent:production'))).toBe(true);
      // every break is at a space or right after a path separator: no word cut in two
      for (const l of out.slice(1, -1)) expect(l).toMatch(/(\S$)/);
      const words = RUN.trim().split(/\s+/);
      for (const l of out.slice(1)) for (const piece of l.trim().split(/\s+/)) expect(words.some((wd) => wd.includes(piece))).toBe(true);
    }
    expect(wrapLines([RUN], 79)).toEqual([
      '       $ /usr/local/bin/docker run -d --name controller --restart on-failure:3',
      '           --pull never --memory=2048m --label fivetran=ldp',
      '           us-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/',
      '           ldp-agent:production',
    ]);
  });
  it('labels, bullets and fixes hang under their text; only a word longer than the line is cut', () => {
    expect(wrapLines(['  fix: run as a regular user (rootless podman/docker recommended), or pass --allow-root'], 60)).toEqual([
      '  fix: run as a regular user (rootless podman/docker',
      '       recommended), or pass --allow-root',
    ]);
    expect(wrapLines(['    - wrote /home/ana/fivetran/conf/config.json (0600) and the systemd user unit'], 50)).toEqual([
      '    - wrote /home/ana/fivetran/conf/config.json',
      '      (0600) and the systemd user unit',
    ]);
    expect(wrapLines(['x'.repeat(50)], 20)).toEqual(['x'.repeat(20), `  ${'x'.repeat(18)}`, `  ${'x'.repeat(12)}`]);
    expect(wrapLines(['short', ''], 20)).toEqual(['short', '']);
    // doctor rows, whatever the length of the check's id
    expect(wrapLines(['  fail    reachability: api.fivetran.com is not reachable from this host (ENOTFOUND)'], 70)).toEqual([
      '  fail    reachability: api.fivetran.com is not reachable from this',
      '                        host (ENOTFOUND)',
    ]);
    expect(wrapLines(['  warn    clock-skew: cannot check the clock: no endpoint answered in time'], 60)).toEqual([
      '  warn    clock-skew: cannot check the clock: no endpoint',
      '                      answered in time',
    ]);
  });
  it('a word (a command\'s argument) that fits on a line is never split, even at a "/" with an early space before it; a flag stays with its value', () => {
    expect(wrapLines(['    Pods:    kubectl get pods -n fivetran -l app.kubernetes.io/instance=hd-agent-production'], 79)).toEqual([
      '    Pods:    kubectl get pods -n fivetran',
      '             -l app.kubernetes.io/instance=hd-agent-production',
    ]);
    expect(wrapLines(['      $ docker run -d --name controller --restart on-failure:3 --label fivetran=ldp --network fivetran_ldp'], 60)).toEqual([
      '      $ docker run -d --name controller',
      '          --restart on-failure:3 --label fivetran=ldp',
      '          --network fivetran_ldp',
    ]);
    // as a property: lines of words with path separators in them, at any width
    const word = fc.stringMatching(/^[a-z][a-z0-9./:=,-]{0,30}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 12 }), fc.integer({ min: 20, max: 100 }), (words, w) => {
        const line = `    Next:    ${words.join(' ')}`;
        const out = wrapLines([line], w);
        for (const l of out) expect([...l].length).toBeLessThanOrEqual(w);
        // every word no longer than a continuation line (w minus its 13-column hang) is on one line, whole
        for (const wd of words.filter((x) => x.length <= w - 13 && w >= 26)) expect(out.some((l) => l.trim().split(' ').includes(wd)), `${wd} in ${JSON.stringify(out)}`).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('wrapLines: a diff', () => {
  it('a wrapped line of a diff keeps its "+" or "-" on every piece; lines after the diff wrap as before', () => {
    const lines = [
      '        --- /home/ana/.config/systemd/user/hd-fivetran-agent.service',
      '        +++ /home/ana/.config/systemd/user/hd-fivetran-agent.service',
      '        @@ -5,3 +5,3 @@',
      '         [Service]',
      '        -ExecStart=/usr/bin/docker start -a controller --detach-keys ctrl-q',
      '        +ExecStart=/usr/bin/podman start --attach controller --detach-keys ctrl-q',
      '    - wrote /home/ana/fivetran/conf/config.json (0600) and the systemd user unit',
    ];
    expect(wrapLines(lines, 50)).toEqual([
      '        --- /home/ana/.config/systemd/user/',
      '          hd-fivetran-agent.service',
      '        +++ /home/ana/.config/systemd/user/',
      '          hd-fivetran-agent.service',
      '        @@ -5,3 +5,3 @@',
      '         [Service]',
      '        -ExecStart=/usr/bin/docker start',
      '        -   -a controller --detach-keys ctrl-q',
      '        +ExecStart=/usr/bin/podman start',
      '        +   --attach controller',
      '        +   --detach-keys ctrl-q',
      '    - wrote /home/ana/fivetran/conf/config.json',
      '      (0600) and the systemd user unit',
    ]);
  });
});

const failed: Summary = {
  ok: false,
  cancelled: false,
  failed: 'image',
  error: `pull access denied for ${IMAGE}: the registry could not be reached through the proxy`,
  fix: `pull the image on a machine with access: docker pull ${IMAGE}, then docker save/load it here, or set --set fivetran.pullPolicy=never`,
  done: ['preflight', 'files'],
  skipped: [],
  notRun: ['image', 'container:controller', 'readiness'],
  titles: { preflight: 'Preflight checks', files: 'Write configuration files', image: `Pull image ${IMAGE}`, 'container:controller': 'Run container controller', readiness: 'Wait until controller is running' },
  changes: ['wrote /home/ana/fivetran/conf/config.json (0600)'],
  backups: [],
  warnings: [],
  nextSteps: [],
};

describe('the final summary', () => {
  for (const [cols] of SIZES) {
    it(`wraps to ${cols} columns with hanging indents (plain lines)`, () => {
      const lines = summaryLines(failed, 'Fivetran agent on docker', cols - 1);
      for (const l of lines) expect([...l].length).toBeLessThan(cols);
      expect(squash(lines.slice(0, lines.findIndex((l) => l.startsWith('  Error:'))))).toBe(squash([`✖ Fivetran agent on docker: failed at "Pull image ${IMAGE}".`])); // the step's title, not its id
      for (const l of lines.slice(1)) expect(l).toMatch(/^ {2}/); // nothing falls back to column 0
      const fix = lines.findIndex((l) => l.startsWith('  Fix:'));
      expect(lines[fix + 1]).toMatch(/^ {9}\S/); // under the text after "Fix:   "
      expect(squash(lines)).toBe(squash(summaryLines(failed, 'Fivetran agent on docker')));
      expect(lines.join('\n')).not.toMatch(/ldp-ag\s+ent/);
    });
    it(`the status screen draws it the same at ${cols}×${cols === 80 ? 24 : 40}`, async () => {
      const state = statusReducer(initialStatus, { type: 'done', summary: failed } as never);
      const { screen, app } = mountAt(<StatusView state={{ ...state, title: 'Fivetran agent on docker' }} />, cols, cols === 80 ? 24 : 40);
      await settle();
      const frame = screen.last().split('\n');
      app.unmount();
      for (const l of frame) expect([...l].length).toBeLessThanOrEqual(cols);
      expect(frame.join('\n')).toContain(summaryLines(failed, 'Fivetran agent on docker', cols - 1).join('\n'));
    });
  }
});

describe('status screen check lines', () => {
  it('a skipped check keeps the space after its status; long messages and fixes hang under the message', async () => {
    let s = statusReducer(initialStatus, { type: 'plan', title: 'Fivetran agent on docker', verb: 'Installing', steps: [{ id: 'preflight', title: 'Preflight checks' }] } as never);
    s = statusReducer(s, { type: 'step:start', id: 'preflight', title: 'Preflight checks' } as never);
    s = statusReducer(s, { type: 'check', id: 'preflight', check: { id: 'not-root', status: 'skipped', message: 'running as root (allowed with --allow-root)' } } as never);
    s = statusReducer(s, { type: 'check', id: 'preflight', check: { id: 'memory', status: 'warn', message: 'the host has 1.5 GB of memory; the agent needs 2 GB for its pipelines and more for large syncs', fix: 'give the host at least 2 GB of memory, or lower the number of concurrent syncs in the Fivetran dashboard' } } as never);
    const { screen, app } = mountAt(<StatusView state={s} />, 80, 24);
    await settle();
    const frame = screen.last().split('\n');
    app.unmount();
    expect(frame).toContain('    skipped not-root: running as root (allowed with --allow-root)');
    const warn = frame.findIndex((l) => l.startsWith('    warn    memory:'));
    expect(warn).toBeGreaterThan(0);
    expect(frame[warn + 1]).toMatch(/^ {12}\S/);
    expect(frame.find((l) => l.includes('fix: give the host'))).toMatch(/^ {12}fix: /);
    for (const l of frame) expect([...l].length).toBeLessThanOrEqual(80);
  });
});

describe('wizard screens at 80×24 and 120×40', () => {
  for (const [cols, rows] of SIZES) {
    it(`options with long hints stay aligned under the pointer (${cols}×${rows})`, async () => {
      const initial = { product: 'tobiko', runtime: 'kubernetes', tobiko: { org: 'acme', project: 'p', clientId: 'c', clientSecret: 's', gateways: { wh: { type: 'duckdb' } } } };
      const { screen, keys, app } = mountAt(<WizardApp initial={initial} detection={{}} review={async () => ({ ok: true, text: RUN })} save={async () => ''} onDone={() => {}} />, cols, rows);
      await settle();
      // the review: the command wraps under itself, not to column 0
      let frame = screen.last().split('\n');
      expect(frame.join('\n')).toContain('enter install');
      for (const l of frame) expect([...l].length).toBeLessThanOrEqual(cols);
      const run = frame.findIndex((l) => l.startsWith('       $ /usr/local/bin/docker run'));
      expect(run).toBeGreaterThan(0);
      if (cols === 80) expect(frame[run + 1]).toMatch(/^ {11}\S/);
      expect(frame.join('\n')).toContain('ldp-agent:production');
      // back past the Advanced step, the proxy, the gateways and the client secret to the secrets question
      for (let i = 0; i < 6 && !screen.last().includes('Where do the executor secrets live?'); i++) {
        keys.write('\x1b');
        await settle();
      }
      frame = screen.last().split('\n');
      expect(frame.join('\n')).toContain('Where do the executor secrets live?');
      const options = frame.filter((l) => /Secret|Helm values|Operator/.test(l) && /^[❯ ] /.test(l));
      expect(options).toHaveLength(4);
      expect(options[0]).toMatch(/^❯ A Kubernetes Secret {2}hd-setup creates it/);
      for (const o of options.slice(1)) expect(o).toMatch(/^ {2}[A-Z]/);
      for (const l of frame) expect([...l].length).toBeLessThanOrEqual(cols);
      app.unmount();
    });
  }
  it('a long token is one short line of bullets at 80 columns', async () => {
    const { screen, keys, app } = mountAt(<WizardApp initial={{ product: 'fivetran', runtime: 'docker' }} detection={{}} review={async () => ({ ok: true, text: '' })} save={async () => ''} onDone={() => {}} />, 80, 24);
    await settle();
    keys.write(TOKEN.repeat(4));
    await settle();
    const frame = screen.last().split('\n');
    app.unmount();
    expect(frame.filter((l) => l.includes('•'))).toEqual([`› •••••••• (${TOKEN.length * 4} characters)`]);
  });
});

// Issue 15 trial at 80×24: no frame as tall as the terminal (Ink would clear it and print it again,
// into the scrollback); prose wraps at words with no leading space; the command wraps as a shell's.
describe('every frame fits the terminal', () => {
  it('the review with the found-install banner: title, list window and keys within 23 lines', async () => {
    const long = Array.from({ length: 60 }, (_, i) => `  line ${i + 1} of the plan`).join('\n');
    const detection = { installed: { where: '/root/fivetran', preset: { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }, present: true } };
    const { screen, app } = mountAt(<WizardApp initial={{}} detection={async () => detection} review={async () => ({ ok: true, text: long, files: [{ path: '/p', mode: '0600', content: 'x' }] })} save={async () => ''} onDone={() => {}} />, 80, 24);
    for (let i = 0; i < 100 && !screen.last().includes('enter install'); i++) await settle();
    const frame = screen.last().replace(/\n$/, '').split('\n');
    app.unmount();
    expect(frame.join('\n')).toContain('Found the Fivetran Hybrid Deployment Agent installed here');
    expect(frame.join('\n')).toContain('Review: files, changes and the exact commands');
    expect(frame.join('\n')).toContain('enter install · v view files · s save as preset · esc back · ctrl-c quit');
    expect(frame.length).toBeLessThan(24);
    for (const l of frame) expect([...l].length).toBeLessThanOrEqual(80);
  });
  for (const [cols, rows] of [
    [40, 10],
    [50, 12],
  ] as const) {
    it(`the review of a re-run at ${cols}×${rows} (the smallest full-screen sizes): the banner and the header give way to several lines of the plan, which scroll; the file viewer too (the banner left one line: "lines 1-1 of 94")`, async () => {
      const plan = Array.from({ length: 94 }, (_, i) => `  line ${i + 1} of the plan`).join('\n');
      const file = Array.from({ length: 40 }, (_, i) => `row ${i + 1}`).join('\n');
      const detection = { installed: { where: '/home/ana/fivetran', preset: { product: 'fivetran', runtime: 'docker', fivetran: { token: TOKEN } }, present: true } };
      const { screen, keys, app } = mountAt(<WizardApp initial={{}} detection={async () => detection} review={async () => ({ ok: true, text: plan, files: [{ path: '/home/ana/fivetran/conf/config.json', mode: '0600', content: file }] })} save={async () => ''} onDone={() => {}} />, cols, rows);
      for (let i = 0; i < 100 && !screen.last().includes('enter install'); i++) await settle();
      const fits = (frame: string[]) => {
        expect(frame.length, frame.join('\n')).toBeLessThan(rows);
        for (const l of frame) expect([...l].length, l).toBeLessThanOrEqual(cols);
      };
      let frame = screen.last().replace(/\n$/, '').split('\n');
      fits(frame);
      const shown = frame.filter((l) => /^ {2}line \d+ of the plan$/.test(l));
      expect(shown.length, frame.join('\n')).toBeGreaterThanOrEqual(4);
      expect(frame.join('\n')).toContain(`lines 1-${shown.length} of 94`);
      expect(frame.join('\n')).toContain('Review: files');
      // what is left of the banner is its first words, on one line
      if (rows > 10) expect(frame.filter((l) => l.startsWith('Found the Fivetran'))).toHaveLength(1);
      const hints = frame.join(' ');
      for (const k of ['enter install', 's save as preset', 'esc back', 'ctrl-c quit']) expect(hints).toContain(k);
      // a page down moves by the window
      keys.write('\u001B[6~');
      await settle();
      frame = screen.last().replace(/\n$/, '').split('\n');
      fits(frame);
      expect(frame.join('\n')).toContain(`lines ${shown.length + 1}-${2 * shown.length} of 94`);
      // the file viewer: several of the file's lines
      keys.write('v');
      await settle();
      frame = screen.last().replace(/\n$/, '').split('\n');
      fits(frame);
      expect(frame.filter((l) => /^row \d+$/.test(l)).length, frame.join('\n')).toBeGreaterThanOrEqual(3);
      expect(frame.join(' ')).toContain('esc back to the review');
      app.unmount();
    });
  }
  it('reviewLayout: nothing gives way while the list has 5 lines; then the banner to one line, the blank lines, the steps, the banner, the title, in that order', () => {
    const note = ['Found the agent installed here', '(/home/ana/fivetran). Its settings', 'are prefilled.'];
    const at = (rows: number, fixed = 5) => reviewLayout({ rows, fixed, note, noteLine: 'Found the agent installed here…', want: REVIEW_ROWS });
    expect(at(24)).toEqual({ header: 2, note, gaps: true, list: 11 });
    expect(at(18)).toEqual({ header: 2, note, gaps: true, list: 5 });
    const line = ['Found the agent installed here…'];
    expect(at(17)).toEqual({ header: 2, note: line, gaps: true, list: 6 });
    expect(at(16)).toEqual({ header: 2, note: line, gaps: true, list: 5 });
    expect(at(15)).toEqual({ header: 2, note: line, gaps: false, list: 6 });
    expect(at(14)).toEqual({ header: 2, note: line, gaps: false, list: 5 });
    expect(at(13)).toEqual({ header: 1, note: line, gaps: false, list: 5 });
    expect(at(12)).toEqual({ header: 1, note: [], gaps: false, list: 5 });
    expect(at(11)).toEqual({ header: 0, note: [], gaps: false, list: 5 });
    expect(at(10)).toEqual({ header: 0, note: [], gaps: false, list: 4 });
    // never less than one line (a review whose own lines take the terminal)
    expect(at(10, 20).list).toBe(1);
    expect(oneLine('Found the Fivetran Hybrid Deployment Agent installed here', 39)).toBe('Found the Fivetran Hybrid Deployment…');
    expect(oneLine('Found it.', 39)).toBe('Found it.');
  });
  it('a question at 80×10: help cut, options windowed, shorter than the terminal', async () => {
    const { screen, app } = mountAt(<WizardApp initial={{ product: 'fivetran' }} detection={{ runtimeNotes: { docker: ['running as root: the install will refuse it, as the vendor scripts do; run hd-setup as a regular user (rootless recommended), or start it with --allow-root'] } }} review={async () => ({ ok: true, text: '' })} save={async () => ''} onDone={() => {}} />, 80, 10);
    await settle();
    const frame = screen.last().replace(/\n$/, '').split('\n');
    app.unmount();
    expect(frame.join('\n')).toContain('Where should it run?');
    expect(frame.join('\n')).toContain('❯ docker');
    expect(frame.length, frame.join('\n')).toBeLessThan(10);
  });
  it('a URL longer than the line (the chart default in a title) is cut after a "/", not mid-name', () => {
    const title = 'Chart reference (empty: oci://us-docker.pkg.dev/prod-eng-fivetran-ldp/public-helm-us/hybrid-deployment-agent)';
    const lines = wrapText(title, 79);
    expect(lines).toEqual(['Chart reference (empty:', 'oci://us-docker.pkg.dev/prod-eng-fivetran-ldp/public-helm-us/', 'hybrid-deployment-agent)']);
    expect(wrapText('x'.repeat(30), 12)).toEqual(['x'.repeat(12), 'x'.repeat(12), 'x'.repeat(6)]); // no separator: cut at the edge
  });
  it('prose wraps at words, no line starting with a space; key hints break between hints', () => {
    const lines = wrapText('From the Fivetran dashboard when you created the agent. It is base64 of <controller_id>:<secret>.', 40);
    for (const l of lines) {
      expect(l).not.toMatch(/^ /);
      expect([...l].length).toBeLessThanOrEqual(40);
    }
    expect(lines.join(' ')).toBe('From the Fivetran dashboard when you created the agent. It is base64 of <controller_id>:<secret>.');
    expect(keyLines('enter install · k skip checks · v view files · s save as preset · esc back · ctrl-c quit', 50)).toEqual(['enter install · k skip checks · v view files', 's save as preset · esc back · ctrl-c quit']);
    expect(questionLayout({ rows: 10, fixed: 6, help: ['h1', 'h2'], note: ['n'], options: 3 })).toEqual({ help: [], note: [], notes: [], limit: 3 });
    expect(questionLayout({ rows: 10, fixed: 6, help: ['h1'], note: [], notes: ['⚠ root'], options: 5 })).toEqual({ help: [], note: [], notes: [], limit: 1 });
    expect(questionLayout({ rows: 24, fixed: 7, help: ['h1', 'h2'], note: ['n'], options: 30 })).toMatchObject({ help: ['h1', 'h2'], note: ['n'], limit: 10 });
  });
  it('the equivalent command: whole arguments, " \\" continuations, 4 deeper', () => {
    const words = ['hd-setup', 'install', '--preset', 'fivetran-kubernetes', '--set', 'fivetran.kubernetes.resources=null', '--set', "'fivetran.kubernetes.nodeSelector.pool=agents large'", '--yes'];
    const lines = shellLines(words, 70);
    expect(lines).toEqual([
      '  hd-setup install --preset fivetran-kubernetes \\',
      '      --set fivetran.kubernetes.resources=null \\',
      "      --set 'fivetran.kubernetes.nodeSelector.pool=agents large' \\",
      '      --yes',
    ]);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(70);
  });
  it('an argument longer than the line: cut with backslash-newline, and the shell reads back the very same words', () => {
    const words = ['hd-setup', 'install', '--preset', 'fivetran-kubernetes', '--set', 'fivetran.kubernetes.chart=/work/main/test/fixtures/charts/fivetran-0.24.0/and/a/much/longer/path/still', '--set', "'fivetran.kubernetes.nodeSelector.pool=agents in a very large pool with a name that goes on and on'", '--yes'];
    for (const width of [40, 60, 79]) {
      const lines = shellLines(words, width);
      for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(width);
      expect(lines.some((l) => /[^ ]\\$/.test(l)), 'a word was cut').toBe(true);
      // a real shell joins the lines back: the same argv as the words, unquoted
      const argv = execFileSync('sh', ['-c', `set -- ${lines.join('\n').replace(/^\s*hd-setup install /, '')}\nprintf '%s\\n' "$@"`], { encoding: 'utf8' }).trimEnd().split('\n');
      expect(argv).toEqual(['--preset', 'fivetran-kubernetes', '--set', words[5], '--set', 'fivetran.kubernetes.nodeSelector.pool=agents in a very large pool with a name that goes on and on', '--yes']);
    }
  });
  it('"The same without the wizard": its line of prose wraps at a word, not in one (the trial saw "fir" / "st")', () => {
    const text = sameWithoutWizard({ words: ['hd-setup', 'install', '--preset', 'tobiko-kubernetes', '--yes'], vars: ['TCLOUD_CLIENT_SECRET', 'WAREHOUSE_PASSWORD'] }, 79);
    expect(text.split('\n')).toEqual([
      'The same without the wizard (export TCLOUD_CLIENT_SECRET, WAREHOUSE_PASSWORD',
      '  first):',
      '  hd-setup install --preset tobiko-kubernetes --yes',
    ]);
  });
  /** Lines that fitStatus keeps at each height from 39 rows down: one row less drops one line (the oldest), never two, until none is left. */
  const dropsOneByOne = (linesAt: (rows: number) => string[], lowest: number) => {
    const all = linesAt(40);
    let before = all;
    let dropped = 0;
    for (let rows = 39; rows >= lowest; rows--) {
      const kept = linesAt(rows);
      expect(kept).toEqual(all.slice(all.length - kept.length)); // the newest stay
      expect(before.length - kept.length).toBeLessThanOrEqual(1);
      dropped += before.length - kept.length;
      before = kept;
    }
    expect(dropped).toBe(all.length);
  };
  it("a failed command's output, too tall, loses its oldest lines one by one: each row less drops one line, never two", () => {
    const lines = Array.from({ length: 10 }, (_, i) => `error line ${i}`);
    const s = { ...initialStatus, title: 'T', steps: [{ id: 's0', title: 'Pull the image', status: 'failed', checks: [], hints: [], notes: [], error: 'pull failed' }], failureOutput: lines } as never;
    expect(fitStatus(s, 79, 40).failureOutput).toEqual(lines);
    dropsOneByOne((rows) => fitStatus(s, 79, rows).failureOutput, 4);
  });
  it("the running command's output tail, too tall, loses its oldest lines one by one: each row less drops one line, never two", () => {
    let s = statusReducer(initialStatus, { type: 'plan', title: 'T', verb: 'Installing', steps: [{ id: 's0', title: 'Pull the image' }] } as never);
    s = statusReducer(s, { type: 'step:start', id: 's0', title: 'Pull the image' } as never);
    s = statusReducer(s, { type: 'command', command: 'docker pull x' } as never);
    for (let i = 0; i < 8; i++) s = statusReducer(s, { type: 'output', line: `layer ${i}` } as never);
    expect(fitStatus(s, 79, 40).tail.length).toBeGreaterThan(4);
    dropsOneByOne((rows) => fitStatus(s, 79, rows).tail, 3);
  });
  it('the status screen folds finished steps and drops output so that it fits', () => {
    let s = statusReducer(initialStatus, { type: 'plan', title: 'T', verb: 'Installing', steps: Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, title: `Step ${i}` })) } as never);
    for (let i = 0; i < 15; i++) {
      s = statusReducer(s, { type: 'step:start', id: `s${i}`, title: `Step ${i}` } as never);
      s = statusReducer(s, { type: 'step:done', id: `s${i}` } as never);
    }
    s = statusReducer(s, { type: 'step:start', id: 's15', title: 'Step 15' } as never);
    s = statusReducer(s, { type: 'command', command: 'docker pull x' } as never);
    for (let i = 0; i < 6; i++) s = statusReducer(s, { type: 'output', line: `out ${i}` } as never);
    const fit = fitStatus(s, 79, 22);
    expect(fit.folded).toBeGreaterThan(0);
    expect(fit.steps.slice(fit.folded).some((x) => x.id === 's15')).toBe(true);
    expect(1 + 1 + (fit.steps.length - fit.folded) + 2 + fit.tail.length).toBeLessThanOrEqual(22);
  });
});
