// The review and the summary print the equivalent command; run on the stub runtime, it writes the same
// files as the wizard did. The bundled bin in a real pty (util-linux `script`), keys sent when the
// screen shows what they answer.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, expectNoSecrets } from '../helpers.js';
import { rootFlags, stubEnv, type StubEnv } from '../stub-runtime.js';
import { drive, hasScript, lastFrame } from './pty-helpers.js';

/** The command printed after `heading`: its lines as a shell reads them (" \\" continues a line). */
function printedLines(out: string, heading: string): string[] {
  const at = out.lastIndexOf(heading);
  const lines = out.slice(at).split('\n').slice(1);
  const cmd: string[] = [];
  for (const l of lines) {
    // (a word cut in two goes on at the start of the next line)
    if (!cmd.length && !l.startsWith('  ')) break;
    cmd.push(l);
    if (!l.endsWith('\\')) break; // (" \\" between words; a word cut in two ends in "\\" too)
  }
  return cmd;
}
const printed = (out: string, heading: string) => printedLines(out, heading).join('\n');
/** The same command on one line, for matching. */
const flat = (cmd: string) => cmd.replace(/ \\\n\s*/g, ' ').trim();

/** A fresh home on the stub docker for user ana, its boot stubs on PATH and the image present. */
const anaOnDocker = () => stubEnv('docker', { USER: 'ana' }, { path: [join(ROOT, 'test/stubs/boot')], imagePresent: true });

/**
 * A printed command line, run through a shell as a user would (hd-setup on PATH) in a fresh home on the stub
 * runtime: it succeeds, and writes these files as the run in `a` did.
 */
async function sameFilesAsPrinted(line: string, a: StubEnv, files: string[]): Promise<void> {
  const b = await anaOnDocker();
  const bin = join(b.home, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'hd-setup'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
  const again = spawnSync('sh', ['-c', line], { env: { ...b.env, PATH: `${bin}:${b.env.PATH}`, CI: 'true', NO_COLOR: '1' }, encoding: 'utf8', timeout: 60_000 });
  expect(again.status, again.stderr).toBe(0);
  for (const f of files) expect(readFileSync(join(b.home, f), 'utf8').replaceAll(b.home, '~')).toBe(readFileSync(join(a.home, f), 'utf8').replaceAll(a.home, '~'));
  b.server.close();
}

describe.runIf(hasScript)('the equivalent command, run for real', () => {
  it('the review and the summary print it; run on the stub runtime, it writes the same files', async () => {
    const a = await anaOnDocker();
    const args = ['--set', 'product=fivetran', '--set', 'runtime=docker', '--set', 'fivetran.token=env:FIVETRAN_TOKEN', '--set', 'fivetran.pullPolicy=missing', '--set', 'proxy.https=http://proxy.internal:3128', ...rootFlags];
    const r = await drive('cols 120 rows 40', args, a.env, [
      // the review ends with the command: End shows it, Home the top again, then install
      ['enter install', '\x1b[F'],
      ['The same without the wizard', '\x1b[H'],
      ['lines 1-', '\r'],
      ['The same without the wizard', ''],
    ]);
    expect(r.code, r.out.slice(-2000)).toBe(0);
    expectNoSecrets(r.out);
    const cmd = printed(r.out, 'The same without the wizard (export FIVETRAN_TOKEN first):');
    expect(flat(cmd)).toMatch(/^hd-setup install --preset fivetran-docker --set .*--yes$/);
    expect(flat(cmd)).toContain('--set proxy.https=http://proxy.internal:3128');
    expect(flat(cmd)).toContain('--set fivetran.pullPolicy=missing');
    // the review showed it too, before anything ran
    expect(r.out.indexOf('The same without the wizard')).toBeLessThan(r.out.indexOf('hd-setup · installing'));
    expect(r.out.lastIndexOf('The same without the wizard')).toBeGreaterThan(r.out.indexOf('hd-setup · installing'));

    await sameFilesAsPrinted(cmd, a, ['fivetran/conf/config.json', '.config/systemd/user/hd-fivetran-agent.service']);
    a.server.close();
  }, 120_000);

  it.each([
    [160, 'my preset.yaml'],
    // narrow: the line wraps as a shell command, between words (it broke inside "--allow-root")
    [72, 'my preset for the hybrid deployment agent.yaml'],
  ])('a preset saved at the review and installed as saved: the closing lines name it too, and that line installs the same (%i columns)', async (cols, name) => {
    const a = await anaOnDocker();
    const file = join(a.home, name);
    const args = ['--set', 'product=fivetran', '--set', 'runtime=docker', '--set', 'fivetran.token=env:FIVETRAN_TOKEN', '--set', 'proxy.https=http://proxy.internal:3128', ...rootFlags];
    const r = await drive(`cols ${cols} rows 40`, args, a.env, [
      ['enter install', 's'],
      ['Save preset to:', `${file}\r`],
      [cols < 100 ? 'Saved ' : `Saved ${file}`, '\r'], // (a narrow screen wraps the path)
      ['Or with the preset saved at the review', ''],
    ]);
    expect(r.code, r.out.slice(-2000)).toBe(0);
    expectNoSecrets(r.out);
    const lines = printedLines(r.out, 'Or with the preset saved at the review:');
    for (const l of lines) expect([...l.replace(/\r$/, '')].length).toBeLessThan(cols);
    if (cols < 100) expect(lines.length).toBeGreaterThan(1);
    // the words a shell reads from the lines as printed
    const line = lines.join('\n');
    const words = spawnSync('sh', ['-c', `set -- ${line}\nprintf '%s\\0' "$@"`], { encoding: 'utf8' }).stdout.split('\0').slice(0, -1);
    expect(words).toEqual(['hd-setup', 'install', '--preset', file, ...rootFlags, '--yes']);
    await sameFilesAsPrinted(line, a, ['fivetran/conf/config.json']);
    a.server.close();
  }, 120_000);

  it('a gateway param whose value holds a URL with a password (sslrootcert): saved at the review as env:WAREHOUSE_SSLROOTCERT, never in clear (it was saved so, 0644), and shown nowhere', async () => {
    const PW = 'Sav3dUrlPw';
    const a = await anaOnDocker();
    const preset = join(a.home, 'given.yaml');
    writeFileSync(preset, readFileSync(join(ROOT, 'presets/tobiko-docker.yaml'), 'utf8').replace(/^( +)password: .*$/m, `$&\n$1sslrootcert: postgresql://u:${PW}@h:5432/db`));
    const file = join(a.home, 'saved.yaml');
    const r = await drive('cols 160 rows 40', ['--preset', preset, ...rootFlags], a.env, [
      ['enter install', 's'],
      ['Save preset to:', `${file}\r`],
      [`Saved ${file}`, '\r'],
      ['Or with the preset saved at the review', ''],
    ]);
    expect(r.code, r.out.slice(-2000)).toBe(0);
    expect(r.out).not.toContain(PW);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('      sslrootcert: env:WAREHOUSE_SSLROOTCERT\n');
    expect(text).not.toContain(PW);
    expect(readFileSync(join(a.home, 'tobiko/tobiko.env'), 'utf8')).toContain(`\nSQLMESH__GATEWAYS__WAREHOUSE__CONNECTION__SSLROOTCERT=postgresql://u:${PW}@h:5432/db\n`);
    a.server.close();
  }, 120_000);

  it('a preset saved at the review, then an answer changed: the closing lines do not offer it (it no longer holds what was installed)', async () => {
    const a = await anaOnDocker();
    const file = join(a.home, 'p.yaml');
    const args = ['--set', 'product=fivetran', '--set', 'runtime=docker', '--set', 'fivetran.token=env:FIVETRAN_TOKEN', ...rootFlags];
    const r = await drive('cols 160 rows 40', args, a.env, [
      ['enter install', 's'],
      ['Save preset to:', `${file}\r`],
      [`Saved ${file}`, '\x1b'],
      // back to Advanced: edit, and change the memory limit on the way through its settings
      ['Keep the defaults', '\x1b[B\r'],
      ['Agent image', '\r'],
      ['Image pull policy', '\r'],
      ['Install directory', '\r'],
      ['Container memory limit', '4096m\r'],
      ['Restart policy', '\r'],
      ['SELinux', '\r'],
      ['Extra agent parameters', '\r'],
      ['enter install', '\r'],
      ['The same without the wizard', ''],
    ]);
    expect(r.code, r.out.slice(-2000)).toBe(0);
    expect(readFileSync(join(a.home, 'fivetran/conf/config.json'), 'utf8')).toBeTruthy();
    expect(flat(printed(r.out, 'The same without the wizard (export FIVETRAN_TOKEN first):'))).toContain('--set fivetran.memory=4096m');
    expect(r.out).not.toContain('Or with the preset saved at the review');
    a.server.close();
  }, 120_000);

  it('a whole run at 80×24: every frame fits (nothing clears the screen or the scrollback), the summary is written once, the command wraps as a shell command', async () => {
    const a = await anaOnDocker();
    const args = ['--set', 'product=fivetran', '--set', 'runtime=docker', '--set', 'fivetran.token=env:FIVETRAN_TOKEN', '--set', 'fivetran.pullPolicy=missing', '--set', 'proxy.https=http://proxy.internal:3128', '--set', 'fivetran.installDir=~/agents/fivetran-hybrid-deployment-agent', ...rootFlags];
    const r = await drive('cols 80 rows 24', args, a.env, [
      ['enter install', '\r'],
      ['The same without the wizard', ''],
    ]);
    expect(r.code, r.out.slice(-2000)).toBe(0);
    // Ink repaints a frame as tall as the terminal with ESC[2J (and ESC[3J wipes the scrollback)
    expect(r.raw).not.toContain('\x1b[2J');
    expect(r.raw).not.toContain('\x1b[3J');
    expect(r.out.match(/: done\./g)).toHaveLength(1);
    const lines = printedLines(r.out, 'The same without the wizard (export FIVETRAN_TOKEN first):');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect([...l].length, l).toBeLessThan(80);
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/\S \\$/);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {6}\S/);
    // whole arguments: a flag and its value on one line, never cut
    for (const l of lines) for (const w of l.trim().replace(/ \\$/, '').split(' ')) expect(flat(lines.join('\n')).split(' ')).toContain(w);
    expect(lines.join('\n')).toMatch(/--set '?fivetran\.installDir=~\/agents\/fivetran-hybrid-deployment-agent'? /);

    // again in the same HOME: the "Found the … installed here" banner takes lines; the review still fits,
    // its title and keys on screen
    const again = await drive('cols 80 rows 24', args, a.env, [
      ['Agent installed here', ''],
      ['enter install', '\x03'],
    ]);
    expect(again.raw).not.toContain('\x1b[2J');
    const frame = lastFrame(again.raw);
    const shown = frame.join('\n');
    expect(shown).toContain('Agent installed here');
    expect(shown).toContain('Review: files, changes and the exact commands');
    expect(shown).toContain('enter install');
    expect(shown).toContain('esc back');
    expect(frame.filter((l) => l !== '').length).toBeLessThan(24);
    for (const l of frame) expect(l.startsWith(' ') && /^ \S/.test(l) && !/^ {2}/.test(l)).toBe(false); // no wrapped line starting with one space
    a.server.close();
  }, 150_000);

  for (const [cols, rows] of [
    [80, 24],
    [120, 40],
  ] as const) {
    it(`v shows the files the install writes, the token masked, within the terminal (${cols}×${rows})`, async () => {
      const s = await stubEnv('docker', { USER: 'ana' }, { imagePresent: true });
      const args = ['--set', 'product=fivetran', '--set', 'runtime=docker', '--set', 'fivetran.token=env:FIVETRAN_TOKEN', ...rootFlags];
      const r = await drive(`cols ${cols} rows ${rows}`, args, s.env, [
        ['v view files', 'v'],
        ['File 1 of 2', '\x1b[C'],
        ['File 2 of 2', '\x03'],
      ]);
      expect(r.code).toBe(130);
      expectNoSecrets(r.out);
      expect(r.out.replace(/\n/g, ' ').replace(/ +/g, ' ')).toContain(`File 1 of 2: ${s.home}/fivetran/conf/config.json (0600, secrets masked)`);
      expect(r.out).toMatch(/"token": "\*+"/);
      expect(r.out).toContain('ExecStart=');
      const frame = lastFrame(r.out);
      expect(frame.join(' ')).toContain('hd-fivetran-agent.service (0644');
      for (const l of frame) expect([...l].length, l).toBeLessThanOrEqual(cols);
      s.server.close();
    }, 90_000);
  }
});
