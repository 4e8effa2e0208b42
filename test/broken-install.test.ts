// An install whose files cannot be read (a bad hand edit, a cut-off file, a link or a folder in a file's
// place) concerns only the commands aimed at it: the other installs are found, listed and acted on, and
// plain status lists it as broken (the file and the fix, never its text), exit 1. One whose files read, but
// hold settings hd-setup refuses, is doctor's failed settings check, beside the others. CLI on the stub runtime.
import { describe, expect, it } from 'vitest';
import { chmodSync, chownSync, statSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SECRETS, cli } from './helpers.js';
import { asUser, rootFlags, stubEnv } from './stub-runtime.js';

/** fivetran-docker and tobiko-docker both installed. */
async function both() {
  const s = await stubEnv();
  for (const p of ['fivetran-docker', 'tobiko-docker']) expect(cli(['install', '--preset', p, '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
  return { s, conf: join(s.home, 'fivetran/conf/config.json'), envFile: join(s.home, 'tobiko/tobiko.env') };
}

describe('a broken install concerns only the commands aimed at it', () => {
  it('a Tobiko env-file with a bad line: stop --set product=fivetran works, status lists both (the broken one marked, no text of the file), exit 1; commands aimed at it refuse naming the file', async () => {
    const { s, envFile } = await both();
    appendFileSync(envFile, 'garbageSECRETISH\x00\n');
    const stop = cli(['stop', '--set', 'product=fivetran', '--yes', ...rootFlags], { env: s.env });
    expect(stop.code, stop.stderr).toBe(0);
    const st = cli(['status', '--json'], { env: s.env });
    expect(st.code, st.stderr).toBe(1);
    const j = JSON.parse(st.stdout) as { installs: { product: string; healthy: boolean; broken?: string }[] };
    expect(j.installs.map((i) => i.product).sort()).toEqual(['fivetran', 'tobiko']);
    const broken = j.installs.find((i) => i.broken)!;
    expect(broken.product).toBe('tobiko');
    expect(broken.healthy).toBe(false);
    expect(broken.broken).toMatch(new RegExp(`^${envFile}:\\d+: is not a KEY=VALUE line`));
    expect(st.stdout).not.toContain('garbageSECRETISH');
    const text = cli(['status'], { env: s.env });
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toContain('Fivetran agent on docker');
    expect(text.stdout).toMatch(new RegExp(`Tobiko Cloud executors on docker — ${join(s.home, 'tobiko')}\\n  ✖ broken: ${envFile}:\\d+: is not a KEY=VALUE line`));
    expect(text.stdout + text.stderr).not.toContain('garbageSECRETISH');
    // aimed at it: refused, naming the file (exit 2)
    for (const cmd of [['status', '--set', 'product=tobiko'], ['doctor', '--set', 'product=tobiko'], ['stop', '--set', 'product=tobiko', '--yes', ...rootFlags]]) {
      const r = cli(cmd, { env: s.env });
      expect(r.code, `${cmd.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error: ${envFile}:\\d+: is not a KEY=VALUE line`));
    }
    // no choosing flag: the choice is asked for, naming the broken one and the --sets
    const doc = cli(['doctor'], { env: s.env });
    expect(doc.code, doc.stderr).toBe(2);
    expect(doc.stderr).toContain(`error: 2 installs found: Fivetran agent on docker (${join(s.home, 'fivetran')}); Tobiko Cloud executors on docker (${join(s.home, 'tobiko')}; broken: ${envFile}:`);
    expect(doc.stderr).toContain('choose one with --set product=fivetran');
    // uninstall (which can act on it: it reads it as one whose config is gone) marks it too
    const un = cli(['uninstall', '--yes', ...rootFlags], { env: s.env });
    expect(un.code, un.stderr).toBe(2);
    expect(un.stderr).toContain(`Tobiko Cloud executors on docker (${join(s.home, 'tobiko')}; its config ${envFile} is gone or cannot be read)`);
    s.server.close();
  }, 90_000);

  for (const how of ['cut off', 'a symbolic link', 'a directory'] as const) {
    it(`a Fivetran config.json that is ${how}: status/doctor/uninstall --set product=tobiko work, status lists the broken one (exit 1), doctor --set product=fivetran names the file (not "runtime: is required")`, async () => {
      const { s, conf } = await both();
      const whole = readFileSync(conf);
      rmSync(conf);
      if (how === 'cut off') writeFileSync(conf, whole.subarray(0, 40), { mode: 0o600 });
      else if (how === 'a symbolic link') {
        writeFileSync(join(s.home, 'config.elsewhere.json'), whole, { mode: 0o600 });
        symlinkSync(join(s.home, 'config.elsewhere.json'), conf);
      } else mkdirSync(conf);
      const st = cli(['status', '--set', 'product=tobiko'], { env: s.env });
      expect(st.code, st.stderr).toBe(0);
      expect(st.stdout).toContain('Tobiko Cloud executors on docker');
      const all = cli(['status', '--json'], { env: s.env });
      expect(all.code, all.stderr).toBe(1);
      const j = JSON.parse(all.stdout) as { installs: { product: string; broken?: string }[] };
      expect(j.installs.find((i) => i.product === 'fivetran')?.broken).toMatch(new RegExp(`^${conf}[:;]? ?`));
      expect(all.stdout).not.toContain('clever_tiger');
      const doc = cli(['doctor', '--set', 'product=fivetran'], { env: s.env });
      expect(doc.code, doc.stderr).toBe(2);
      expect(doc.stderr).toContain(`error: ${conf}`);
      expect(doc.stderr).not.toContain('runtime: is required');
      const un = cli(['uninstall', '--set', 'product=tobiko', '--yes', ...rootFlags], { env: s.env });
      expect(un.code, un.stderr).toBe(0);
      // and the broken one itself is uninstalled (it needs not the file: the record and the containers say
      // what to remove; it was exit 2 "fix it by hand"), its --purge too, never through the link
      const calls = () => readFileSync(join(s.home, '.stub/calls.log'), 'utf8');
      const dry = cli(['uninstall', '--set', 'product=fivetran', '--purge', '--dry-run', ...rootFlags], { env: s.env });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('Stop and remove controller');
      const gone = cli(['uninstall', '--set', 'product=fivetran', '--purge', '--yes', ...rootFlags], { env: s.env });
      expect(gone.code, gone.stderr).toBe(0);
      expect(calls()).toContain('rm -f controller');
      expect(existsSync(join(s.home, 'fivetran'))).toBe(false);
      if (how === 'a symbolic link') expect(readFileSync(join(s.home, 'config.elsewhere.json'))).toEqual(whole);
      expect(gone.stdout + gone.stderr + dry.stdout + dry.stderr).not.toContain('clever_tiger');
      s.server.close();
    }, 90_000);
  }
});

type Doctor = { ok: boolean; installed: boolean; checks: { id: string; status: string; message: string; fix?: string }[] };

describe('a config edited by hand into settings hd-setup refuses: doctor reports it as a failed check and runs the others', () => {
  it('a Tobiko env-file whose gateway port is no port (postgres needs one): a failed settings check naming the file, the setting, what is wrong and the fix, the host checks and agent beside it, exit 1, --json and --bundle the same (it was exit 2, "do not make a whole install"); the --set it names mends it; no secret', async () => {
    const { s, envFile } = await both();
    writeFileSync(envFile, readFileSync(envFile, 'utf8').replace('CONNECTION__PORT=5432', 'CONNECTION__PORT=notaport'));
    const pointed = ['--set', 'product=tobiko', ...rootFlags];
    const text = cli(['doctor', ...pointed], { env: s.env });
    expect(text.code, text.stdout + text.stderr).toBe(1);
    const message = `${envFile} holds a setting hd-setup refuses (edited by hand since?): tobiko.gateways.warehouse.port: must be a port number, an integer from 1 to 65535; the other checks ran without it`;
    const fix = `run the install again with it as it should be: hd-setup install --preset … --set tobiko.gateways.warehouse.port=…; or correct it in ${envFile}, then hd-setup start --set product=tobiko`;
    expect(text.stdout).toContain(`  fail    settings: ${message}\n          fix: ${fix}\n`);
    expect(text.stdout).toContain('  ok      agent: tcloud-apply-executor, tcloud-run-executor are running\n');
    for (const id of ['runtime-present', 'runtime-version', 'socket', 'disk', 'install-dir']) expect(text.stdout).toMatch(new RegExp(`^  ok +${id}: `, 'm'));
    expect(text.stdout).toMatch(/^  \w+ +reachability: cloud\.tobikodata\.com /m);
    expect(text.stderr).toBe('');
    const json = cli(['doctor', '--json', ...pointed], { env: s.env });
    expect(json.code, json.stderr).toBe(1);
    const doc = JSON.parse(json.stdout) as Doctor;
    expect(doc).toMatchObject({ ok: false, installed: true });
    expect(doc.checks.find((c) => c.id === 'settings')).toEqual({ id: 'settings', status: 'fail', message, fix });
    expect(doc.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['agent', 'runtime-present', 'socket', 'disk', 'memory', 'install-dir', 'reachability', 'clock-skew']));
    const file = join(s.home, 'diag.tar.gz');
    const bundle = cli(['doctor', '--bundle', file, ...pointed], { env: s.env });
    expect(bundle.code, bundle.stderr).toBe(1);
    expect(bundle.stdout).toContain(`Diagnostics bundle (secrets redacted): ${file}`);
    const unpacked = spawnSync('tar', ['-xzOf', file], { encoding: 'utf8' }).stdout;
    expect(unpacked).toContain('"id": "settings"');
    for (const out of [text.stdout, text.stderr, json.stdout, json.stderr, bundle.stdout, bundle.stderr, unpacked]) for (const secret of SECRETS) expect(out).not.toContain(secret);
    // the fix it names: the install run again with the setting as it should be
    const again = cli(['install', '--preset', 'tobiko-docker', '--set', 'tobiko.gateways.warehouse.port=5432', '--yes', ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    const after = cli(['doctor', '--json', ...pointed], { env: s.env });
    expect((JSON.parse(after.stdout) as Doctor).checks.map((c) => c.id)).not.toContain('settings');
    s.server.close();
  }, 90_000);

  it('a Fivetran config.json whose token is no token and whose proxy is no URL: one failed settings check naming both, the secret one mended by its env: reference (never a value on the command line), the host checks run without them, exit 1 (it was exit 2); the --sets it names mend it; no secret', async () => {
    const { s, conf } = await both();
    const c = JSON.parse(readFileSync(conf, 'utf8')) as Record<string, unknown>;
    writeFileSync(conf, JSON.stringify({ ...c, token: 'bm90LWEtdG9rZW4hIQ!!', https_proxy: 'not a url' }, null, 2) + '\n', { mode: 0o600 });
    const pointed = ['--set', 'product=fivetran', ...rootFlags];
    const json = cli(['doctor', '--json', ...pointed], { env: s.env });
    expect(json.code, json.stderr).toBe(1);
    const doc = JSON.parse(json.stdout) as Doctor;
    expect(doc.ok).toBe(false);
    expect(doc.checks.find((c) => c.id === 'settings')).toEqual({
      id: 'settings',
      status: 'fail',
      message: `${conf} holds settings hd-setup refuses (edited by hand since?): proxy.https: must be an http:// or https:// URL, e.g. http://proxy.internal:3128, without spaces or control characters; fivetran.token: is not base64; copy the whole token shown when the agent was created in the Fivetran dashboard; the other checks ran without them`,
      fix: `run the install again with them as they should be: hd-setup install --preset … --set proxy.https=env:AGENT_HTTPS_PROXY --set fivetran.token=env:FIVETRAN_TOKEN; or correct them in ${conf}, then hd-setup start --set product=fivetran`,
    });
    expect(doc.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['agent', 'runtime-present', 'socket', 'disk', 'install-dir', 'reachability']));
    expect(json.stdout).not.toContain('bm90LWEtdG9rZW4hIQ!!');
    const proxy = { AGENT_HTTPS_PROXY: 'http://127.0.0.1:1' };
    const again = cli(['install', '--preset', 'fivetran-docker', '--set', 'fivetran.token=env:FIVETRAN_TOKEN', '--set', 'proxy.https=env:AGENT_HTTPS_PROXY', '--yes', ...rootFlags], { env: { ...s.env, ...proxy } });
    expect(again.code, again.stderr).toBe(0);
    const after = cli(['doctor', '--json', ...pointed], { env: s.env });
    expect((JSON.parse(after.stdout) as Doctor).checks.map((c) => c.id)).not.toContain('settings');
    for (const out of [json.stdout, json.stderr, again.stdout, again.stderr, after.stdout]) for (const secret of SECRETS) expect(out).not.toContain(secret);
    s.server.close();
  }, 90_000);
});

describe('uninstall --purge of an install whose config file is a folder now', () => {
  it('leaves that folder and what is in it (it is not what hd-setup made there), says so in the dry-run and the run, and removes the rest (it was rm -rf)', async () => {
    const { s, envFile } = await both();
    rmSync(envFile);
    mkdirSync(envFile);
    writeFileSync(join(envFile, 'notes.txt'), 'mine\n');
    const note = `${envFile} is a folder where hd-setup wrote a file: not what hd-setup made there, left as it is`;
    const dry = cli(['uninstall', '--set', 'product=tobiko', '--purge', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(note);
    expect(dry.stdout).not.toContain(`rm -rf ${envFile}`);
    const run = cli(['uninstall', '--set', 'product=tobiko', '--purge', '--yes', ...rootFlags], { env: s.env });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(envFile, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(s.home, 'tobiko/.hd-setup-created'))).toBe(false);
    s.server.close();
  }, 90_000);
});

// A permission taken away by hand (chmod 000 of the install dir, its conf/, or config.json): the file is whole,
// its token too. Run as a user for whom permissions hold (root: a uid of no account, stub-runtime.ts asUser).
describe('an install folder or file this user may not enter or read', () => {
  it('status, doctor, stop, restart and install name the folder (or the file) and the chmod that gives it back, exit 2 (it was config.json "is not readable; move it away and install again"); that chmod brings the install back', async () => {
    const s = await stubEnv();
    const { run, sh } = asUser(s);
    const first = run(['install', '--preset', 'fivetran-docker', '--yes']);
    expect(first.code, first.stderr).toBe(0);
    // a second change: config.json has a whole backup, which is no fix either
    expect(run(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://proxy.internal:3128']).code).toBe(0);
    const dir = join(s.home, 'fivetran');
    const conf = join(dir, 'conf/config.json');
    const text = readFileSync(conf, 'utf8');
    const cases = [
      [dir, 'this user may not enter this folder (mode 0000)', 'u+rwx'],
      [join(dir, 'conf'), 'this user may not enter this folder (mode 0000)', 'u+rwx'],
      [conf, 'this user may not read it (mode 0000)', 'u+rw'],
    ] as const;
    for (const [path, why, how] of cases) {
      chmodSync(path, 0o000);
      for (const cmd of [['status'], ['doctor'], ['stop', '--yes'], ['restart', '--yes'], ['install', '--preset', 'fivetran-docker', '--yes']]) {
        const r = run(cmd);
        expect(r.code, `${path}: ${cmd.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toBe(`error: ${path}: ${why}; give it back its permissions: chmod ${how} ${path}\n`);
      }
      expect(sh(/give it back its permissions: (.*)$/m.exec(run(['status']).stderr)![1]!)).toBe(0);
      const st = run(['status']);
      expect(st.code, `${path}: ${st.stderr}`).toBe(0);
    }
    expect(readFileSync(conf, 'utf8')).toBe(text);
    // root's (a run with sudo that kept HOME): the chown that gives it back, not a chmod this user may not make
    if (process.getuid?.() === 0) {
      const confDir = join(dir, 'conf');
      const { uid, gid } = statSync(confDir);
      chownSync(confDir, 0, 0);
      chmodSync(confDir, 0o700);
      const r = run(['status']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: ${confDir}: this user may not enter this folder (mode 0700, owned by root); give it back to this user (a run with sudo made it root's?): sudo chown -R ${uid}:${gid} ${confDir}\n`);
      expect(spawnSync('sh', ['-c', /sudo (chown .*)$/m.exec(r.stderr)![1]!]).status).toBe(0);
      expect(run(['status']).code).toBe(0);
      // the install dir root's too (`sudo hd-setup …` made all of it): the chown names it, whole, not conf/ alone,
      // which the next run would refuse at the install dir; run as printed, every command works again
      for (const p of [dir, confDir, conf]) chownSync(p, 0, 0);
      chmodSync(dir, 0o755); // open to all: the first folder refused is conf/
      const whole = run(['status']);
      expect(whole.code).toBe(2);
      expect(whole.stderr).toMatch(new RegExp(`sudo chown -R ${uid}:${gid} ${dir}\n$`));
      expect(spawnSync('sh', ['-c', /sudo (chown .*)$/m.exec(whole.stderr)![1]!]).status).toBe(0);
      expect(run(['status']).code).toBe(0);
      const again = run(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://proxy.internal:3128']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout + again.stderr).toContain('Changed: nothing');
      // the install dir a link to the folder (kept on a bigger disk): the chown names the folder, as chown -R
      // given the link would change the link alone, and the same fix would be printed again
      const real = `${dir}-disk`;
      renameSync(dir, real);
      symlinkSync(real, dir);
      for (const p of [real, join(real, 'conf'), join(real, 'conf/config.json')]) chownSync(p, 0, 0);
      chmodSync(real, 0o755);
      const linked = run(['status']);
      expect(linked.code).toBe(2);
      expect(linked.stderr).toMatch(new RegExp(`sudo chown -R ${uid}:${gid} ${real}\n$`));
      expect(spawnSync('sh', ['-c', /sudo (chown .*)$/m.exec(linked.stderr)![1]!]).status).toBe(0);
      const after = run(['status']);
      expect(after.code, after.stderr).toBe(0);
    }
    s.server.close();
  }, 90_000);
});

describe('a config kept by an uninstall, broken since', () => {
  for (const how of ['cut off', 'a directory'] as const) {
    it(`(${how}): status, rollback and uninstall agree on ways out that work: the backup's cp, or uninstall --purge (status named rollback, which refuses an uninstalled install; uninstall --purge said "no install found"), with or without the flags that point at it`, async () => {
      const s = await stubEnv();
      const at = ['--set', 'fivetran.installDir=~/ftA'];
      const dir = join(s.home, 'ftA');
      const conf = join(dir, 'conf/config.json');
      for (const more of [[], ['--set', 'proxy.https=http://proxy.internal:3128']]) expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...at, ...more, ...rootFlags], { env: s.env }).code).toBe(0);
      expect(cli(['uninstall', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
      const whole = readFileSync(conf);
      const breakIt = () => {
        rmSync(conf);
        if (how === 'cut off') writeFileSync(conf, whole.subarray(0, 14), { mode: 0o600 });
        else mkdirSync(conf);
      };
      breakIt();
      const st = cli(['status'], { env: s.env });
      expect(st.code, st.stderr).toBe(2);
      // (a folder in its place: no purge offered, which would delete that folder with the rest)
      expect(st.stderr).toMatch(new RegExp(`^error: ${conf}\\S*: .*: ${how === 'a directory' ? `mv ${conf} \\S+ && cp --remove-destination \\S+ ${conf}\n$` : `cp --remove-destination \\S+ ${conf}, or delete it with the rest of what hd-setup created there: hd-setup uninstall --purge\n$`}`));
      expect(st.stderr).not.toContain('hd-setup rollback');
      const rb = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
      expect(rb.code, rb.stderr).not.toBe(0);
      if (how === 'cut off') expect(rb.stderr).toContain('hd-setup uninstall --purge');
      else expect(rb.stderr).not.toContain('--purge');
      // one way out: the backup put back (the folder moved aside first): found again, uninstalled, its config kept
      expect(spawnSync('sh', ['-c', /rollback included\): (.*?)(, or delete it.*)?\n$/.exec(st.stderr)![1]!]).status).toBe(0);
      const kept = cli(['status'], { env: s.env });
      expect(kept.code, kept.stderr).toBe(1);
      expect(kept.stdout).toContain(`not installed: it was uninstalled and its config is kept in ${dir}`);
      // the other: uninstall --purge, which finds it, and deletes what hd-setup created
      breakIt();
      expect(cli(['uninstall', '--yes', ...rootFlags], { env: s.env }).stderr).toContain('To delete the config too: hd-setup uninstall --purge');
      for (const pointer of [[], ['--set', 'product=fivetran', '--set', 'runtime=docker', ...at]]) {
        const dry = cli(['uninstall', '--purge', '--dry-run', ...pointer, ...rootFlags], { env: s.env });
        expect(dry.code, dry.stderr).toBe(0);
        expect(dry.stdout).toContain(`rm -rf ${join(dir, 'conf')}`);
      }
      const gone = cli(['uninstall', '--purge', '--yes', ...rootFlags], { env: s.env });
      expect(gone.code, gone.stderr).toBe(0);
      expect(existsSync(dir)).toBe(false);
      expect(cli(['status'], { env: s.env }).stdout).toContain('Nothing installed here: no install found');
      s.server.close();
    }, 90_000);
  }
});

// A link in config.json's place (the file moved elsewhere, linked back): hd-setup never reads through it, and
// its fix said "move it away and install again"; moved away, the file was missing, and the install refused
// again ("has lost its configuration file"). The fix is now a copy of the file it points to, in its place.
describe("a link in config.json's place", () => {
  for (const backups of [false, true]) {
    it(`${backups ? 'with backups: not the backup,' : 'first install:'} the fix is the cp of the file it points to, and that cp is all an install then needs (it was "move it away and install again", and a second refusal)`, async () => {
      const s = await stubEnv();
      const install = ['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags];
      expect(cli(install, { env: s.env }).code).toBe(0);
      const proxy = ['--set', 'proxy.https=http://proxy.internal:3128'];
      if (backups) expect(cli([...install, ...proxy], { env: s.env }).code).toBe(0);
      const conf = join(s.home, 'fivetran/conf/config.json');
      const whole = readFileSync(conf);
      const elsewhere = join(s.home, 'keep/config.json');
      mkdirSync(join(s.home, 'keep'));
      writeFileSync(elsewhere, whole, { mode: 0o600 });
      rmSync(conf);
      symlinkSync(elsewhere, conf);
      if (backups) expect(readdirSync(join(s.home, 'fivetran/conf')).filter((n) => n.startsWith('config.json.bak-'))).toHaveLength(1);
      const r = cli(backups ? [...install, ...proxy] : install, { env: s.env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`error: ${conf}: is a symbolic link, not a file hd-setup wrote (it reads and writes its own files only, never through a link); replace the link with a copy of the file it points to: cp --remove-destination ${elsewhere} ${conf}\n`);
      const fix = /: (cp --remove-destination \S+ \S+)\n$/.exec(r.stderr)![1]!;
      expect(spawnSync('sh', ['-c', fix]).status).toBe(0);
      const again = cli(backups ? [...install, ...proxy] : install, { env: s.env });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain('Changed: nothing');
      expect(readFileSync(conf)).toEqual(whole);
      expect(readFileSync(elsewhere)).toEqual(whole);
      s.server.close();
    }, 60_000);
  }
});
