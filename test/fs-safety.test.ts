// A non-destructive file system (issue 13): no chmod of what hd-setup did not create, no symlink followed
// when writing, backups written whole and pruned, rollback past a broken backup, --purge limited to what
// hd-setup recorded creating. Real files; the CLI on the stub runtime (test/stubs/bin).
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { CREATED_MARKER, backupFile, ensureDir, latestGoodBackup, listBackups, purgeActions, timestamp, writeFileAtomic } from '../src/util/fsx.js';
import { backupValidator } from '../src/exec/local-state.js';
import { describeAction } from '../src/plan/describe.js';
import type { Action } from '../src/plan/types.js';
import { Redactor } from '../src/util/redact.js';
import { BIN, ROOT, SECRET_ENV, TOKEN, cli, tmp } from './helpers.js';

const rootFlags = process.getuid?.() === 0 ? ['--allow-root'] : [];
const mode = (p: string) => statSync(p).mode & 0o7777;

/** `install --preset fivetran-docker --yes [args]` in the background, its pull slowed to 10 s by the stub: its stderr so far, and its exit. */
async function slowInstall(env: NodeJS.ProcessEnv, args: string[] = []) {
  const { spawn } = await import('node:child_process');
  const p = spawn(process.execPath, [BIN, 'install', '--preset', 'fivetran-docker', '--yes', ...args, ...rootFlags], {
    env: { ...env, HD_STUB_SLOW: 'pull', CI: 'true', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  p.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  return { p, err: () => err, exited };
}

/** fivetran-docker installed, then changed (a proxy added): its config.json has one backup, `first` (the config as first installed). */
async function installedWithBackup() {
  const s = await stubEnv();
  const conf = join(s.home, 'fivetran/conf/config.json');
  expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
  const first = readFileSync(conf, 'utf8');
  expect(cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://proxy.internal:3128', ...rootFlags], { env: s.env }).code).toBe(0);
  return { s, conf, first };
}

/** fivetran-docker installed, then its config.json edited to hold `extra` as well (a hand edit, or an older hd-setup's). */
async function installedThenEdited(extra: Record<string, unknown>) {
  const s = await stubEnv();
  const conf = join(s.home, 'fivetran/conf/config.json');
  expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
  writeFileSync(conf, JSON.stringify({ ...JSON.parse(readFileSync(conf, 'utf8')), ...extra }));
  return { s, conf };
}

async function stubEnv(): Promise<{ home: string; env: NodeJS.ProcessEnv; server: Server }> {
  const home = tmp('hd-fs-home-');
  mkdirSync(join(home, '.stub'));
  const sock = join(home, 'runtime.sock');
  const server = createServer().listen(sock);
  await new Promise((r) => server.once('listening', r));
  return { home, server, env: { ...SECRET_ENV, PATH: `${join(ROOT, 'test/stubs/bin')}:/usr/bin:/bin`, HOME: home, HD_STUB_STATE: join(home, '.stub'), DOCKER_HOST: `unix://${sock}` } };
}

describe('directories: created with the right mode, never chmodded otherwise', () => {
  it('ensureDir leaves an existing 1777 directory as it is, and says it is open', () => {
    const d = join(tmp(), 'shared');
    mkdirSync(d);
    chmodSync(d, 0o1777);
    const r = ensureDir(d, 0o700);
    expect(mode(d)).toBe(0o1777);
    expect(r.warning).toMatch(/is mode 0777, more open than 0700; hd-setup leaves it as it is \(chmod 700 .*shared to restrict it\)$/);
    // another user's: the chmod is its owner's to make, not this user's (root runs this: a uid of no account)
    if (process.getuid?.() === 0) {
      chownSync(d, 64123, 64123);
      expect(ensureDir(d, 0o700).warning).toMatch(/more open than 0700; hd-setup leaves it as it is \(its owner, uid 64123, may restrict it: chmod 700 .*shared\)$/);
    }
    const fresh = join(tmp(), 'a/b/c');
    expect(ensureDir(fresh, 0o700).created).toBe(join(fresh, '../..'));
    expect([mode(fresh), mode(join(fresh, '..')), mode(join(fresh, '../..'))]).toEqual([0o700, 0o700, 0o700]);
  });

  it('ensureDir makes a folder a level at a time: one it cannot make is one line naming it, at once (Node\'s recursive mkdir spun for ever on /proc, deaf to SIGTERM)', () => {
    // in a child with a deadline: the old loop never yields, and would hold this worker for good
    const code = `import { ensureDir } from './src/util/fsx.ts'; for (const p of ['/proc/hd-setup-x/y', '/sys/hd-setup-x']) { try { ensureDir(p); console.log('made ' + p); } catch (e) { console.log(e.constructor.name + ': ' + e.message); } }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
    expect(r.signal, 'it did not return').toBeNull();
    const [proc, sys, ...rest] = r.stdout.split('\n');
    expect(proc).toBe('LocalStateError: cannot make the folder /proc/hd-setup-x: that file system takes no folders made by users; give a folder you can write');
    expect(sys).toMatch(/^LocalStateError: cannot make the folder \/sys\/hd-setup-x: ((permission denied|the file system is read-only); give a folder you can write|\/sys is not writable \(mode 0555, owned by root\); it is root's, outside your home: .*)$/);
    expect(rest).toEqual(['']);
  });

  it('render --out into what the kernel makes up (/proc, /sys, /dev, or a link there) is exit 2 naming --out, at once, nothing made; so are / and the system\'s folders; /dev/shm is a folder of files', () => {
    const link = join(tmp(), 'proc-link');
    symlinkSync('/proc/self', link);
    for (const [out, tree] of [['/proc/x', '/proc'], ['/proc/self/x', '/proc'], ['/sys/x', '/sys'], ['/dev/hd-setup-x/y', '/dev'], [join(link, 'x'), '/proc']] as const) {
      const r = cli(['render', '--preset', 'fivetran-docker', '--out', out], { env: { FIVETRAN_TOKEN: TOKEN } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`error: --out: ${out} is in ${tree}, which the kernel makes up, not a folder of files; give a folder of your own, e.g. --out ./rendered\n`);
    }
    // nor the root folder or a folder of the system (as root it wrote /conf/config.json, the token in it)
    for (const [out, why] of [['/', 'is the root folder'], ['/etc', 'is in /etc, a folder of the system'], ['/usr/lib/hd-setup-x', 'is in /usr, a folder of the system']] as const) {
      const r = cli(['render', '--preset', 'fivetran-docker', '--out', out], { env: { FIVETRAN_TOKEN: TOKEN } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`error: --out: ${out} ${why}; give a folder of your own, e.g. --out ./rendered\n`);
    }
    expect(existsSync('/conf')).toBe(false);
    expect(existsSync('/dev/hd-setup-x')).toBe(false);
    if (existsSync('/dev/shm')) {
      const shm = join('/dev/shm', `hd-setup-test-${process.pid}`);
      try {
        const r = cli(['render', '--preset', 'fivetran-docker', '--out', shm], { env: { FIVETRAN_TOKEN: TOKEN } });
        expect(r.code, r.stderr).toBe(0);
        expect(existsSync(join(shm, 'conf/config.json'))).toBe(true);
      } finally {
        rmSync(shm, { recursive: true, force: true });
      }
    }
  });

  it('render --out keeps the mode of an existing DIR/systemd', () => {
    const out = tmp();
    mkdirSync(join(out, 'systemd'));
    chmodSync(join(out, 'systemd'), 0o755);
    const r = cli(['render', '--preset', 'fivetran-docker', '--out', out], { env: { FIVETRAN_TOKEN: TOKEN } });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(out, 'systemd')).length).toBeGreaterThan(0);
    expect(mode(join(out, 'systemd'))).toBe(0o755);
  });

  it('render --out keeps a file it replaces that held other text (FILE.bak-<time>, said); the same text again makes none; a folder where a file goes: exit 2, nothing written', () => {
    const out = tmp();
    mkdirSync(join(out, 'conf'));
    writeFileSync(join(out, 'conf/config.json'), '{"mine": 1}\n');
    const r = cli(['render', '--preset', 'fivetran-docker', '--out', out], { env: { FIVETRAN_TOKEN: TOKEN } });
    expect(r.code, r.stderr).toBe(0);
    const baks = readdirSync(join(out, 'conf')).filter((f) => f.startsWith('config.json.bak-'));
    expect(baks).toHaveLength(1);
    expect(readFileSync(join(out, 'conf', baks[0]!), 'utf8')).toBe('{"mine": 1}\n');
    expect(r.stderr).toBe(`kept the file it replaced, which held other text: ${join(out, 'conf', baks[0]!)}\n`);
    const again = cli(['render', '--preset', 'fivetran-docker', '--out', out], { env: { FIVETRAN_TOKEN: TOKEN } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    expect(readdirSync(join(out, 'conf')).filter((f) => f.startsWith('config.json.bak-'))).toHaveLength(1);
    const other = tmp();
    mkdirSync(join(other, 'systemd/hd-fivetran-agent.service'), { recursive: true });
    const bad = cli(['render', '--preset', 'fivetran-docker', '--out', other], { env: { FIVETRAN_TOKEN: TOKEN } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`error: --out: ${join(other, 'systemd/hd-fivetran-agent.service')} is a directory, not a regular file; move it away, or give another folder\n`);
    expect(existsSync(join(other, 'conf'))).toBe(false);
  });

  it('install into an existing 1777 installDir keeps its mode, warns, and records only what it created', async () => {
    const s = await stubEnv();
    const dir = join(s.home, 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o1777);
    writeFileSync(join(dir, 'theirs.txt'), 'not ours');
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', `fivetran.installDir=${dir}`, ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(mode(dir)).toBe(0o1777);
    expect(r.stderr).toMatch(/shared is mode 0777, more open than 0700/);
    const created = JSON.parse(readFileSync(join(dir, CREATED_MARKER), 'utf8')).created as string[];
    expect(created).toEqual(expect.arrayContaining(['conf', 'data', 'logs', 'tmp']));
    expect(created).not.toContain('.');
    expect(created).not.toContain('theirs.txt');
    s.server.close();
  });
});

describe('a file hd-setup wrote, with its mode changed by hand', () => {
  it('a secret file made readable by others is written back with its own mode on the re-run (no backup, nothing recreated); a stricter mode stays', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const conf = join(s.home, 'fivetran/conf/config.json');
    const text = readFileSync(conf, 'utf8');
    chmodSync(conf, 0o644);
    const dry = cli(['install', '--preset', 'fivetran-docker', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.stdout + dry.stderr).toContain(`${conf}  (mode 0644 -> 0600, secret)`);
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(mode(conf)).toBe(0o600);
    expect(readFileSync(conf, 'utf8')).toBe(text);
    expect(readdirSync(join(s.home, 'fivetran/conf')).filter((f) => f.includes('.bak-'))).toEqual([]);
    expect(r.stderr).toContain(`wrote ${conf} (0600)`);
    expect(r.stderr).not.toMatch(/Recreate container/);
    // stricter than hd-setup's: the user's choice, left alone (a re-run changes nothing)
    chmodSync(conf, 0o400);
    const again = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Changed: nothing');
    expect(mode(conf)).toBe(0o400);
    s.server.close();
  });
});

describe('writes never follow a symlink', () => {
  it('writeFileAtomic replaces a symlink at the name; its target is untouched', () => {
    const d = tmp();
    writeFileSync(join(d, 'target'), 'precious');
    symlinkSync(join(d, 'target'), join(d, 'out.yaml'));
    writeFileAtomic(join(d, 'out.yaml'), 'new\n', 0o644);
    expect(readFileSync(join(d, 'target'), 'utf8')).toBe('precious');
    expect(lstatSync(join(d, 'out.yaml')).isSymbolicLink()).toBe(false);
    expect(readdirSync(d).sort()).toEqual(['out.yaml', 'target']);
  });

  it('a dangling symlink at the next backup name is not followed: the old config stays in the dir', () => {
    const d = tmp();
    const outside = join(tmp(), 'stolen.json');
    const conf = join(d, 'config.json');
    writeFileSync(conf, '{"token": "old"}\n');
    const now = new Date('2026-12-02T08:00:00Z');
    symlinkSync(outside, `${conf}.bak-20261202T080000Z`);
    const b = backupFile(conf, now)!.path;
    expect(existsSync(outside)).toBe(false);
    expect(b).toBe(`${conf}.bak-20261202T080000Z-1`);
    expect(readFileSync(b, 'utf8')).toBe('{"token": "old"}\n');
    expect(mode(b)).toBe(0o600);
    expect(readdirSync(d).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('export-preset --out onto a symlink (even to a preset hd-setup wrote) is exit 2: the link and its target stay', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const target = join(s.home, 'target.yaml');
    expect(cli(['export-preset', '--out', target], { env: s.env }).code).toBe(0);
    const before = readFileSync(target, 'utf8');
    symlinkSync(target, join(s.home, 'p.yaml'));
    const r = cli(['export-preset', '--out', join(s.home, 'p.yaml')], { env: s.env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`error: --out: ${join(s.home, 'p.yaml')} is a symbolic link, not a preset hd-setup wrote; give another name, or move it away first\n`);
    expect(readFileSync(target, 'utf8')).toBe(before);
    expect(lstatSync(join(s.home, 'p.yaml')).isSymbolicLink()).toBe(true);
    s.server.close();
  });
});

describe('folders that are symbolic links', () => {
  it("are followed to a folder of this user's only: a conf/ or a locks folder linked into a folder anyone may write is refused before anything runs", async () => {
    const s = await stubEnv();
    const open = tmp('hd-open-');
    chmodSync(open, 0o777);
    mkdirSync(join(s.home, 'fivetran'));
    symlinkSync(open, join(s.home, 'fivetran/conf'));
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`FAIL install-dir: ${s.home}/fivetran/conf is a symbolic link to a folder anyone may write (mode 0777)\n`);
    expect(r.stderr).toContain(`fix: hd-setup does not follow it there: make ${s.home}/fivetran/conf a folder of your own (or link it to one that only you, or your group, can write)`);
    expect(readdirSync(open)).toEqual([]);
    expect(existsSync(join(s.home, '.stub/calls.log')) ? readFileSync(join(s.home, '.stub/calls.log'), 'utf8') : '').not.toMatch(/^(run|pull|network create) /m);
    // past the check (skipped), the write refuses all the same: nothing lands in the open folder
    const skipped = cli(['install', '--preset', 'fivetran-docker', '--yes', '--skip-check', 'install-dir', ...rootFlags], { env: s.env });
    expect(skipped.code).not.toBe(0);
    expect(skipped.stderr).toContain(`${s.home}/fivetran/conf is a symbolic link to a folder anyone may write (mode 0777); hd-setup does not follow it there`);
    expect(skipped.stderr).not.toContain('Fix:'); // the message is the fix (the step's own said to check the permissions)
    expect(readdirSync(open)).toEqual([]);
    // linked to a folder of one's own (a bigger disk), group-writable as a umask of 002 makes it: followed
    rmSync(join(s.home, 'fivetran/conf'));
    const own = join(s.home, 'disk/conf');
    mkdirSync(own, { recursive: true, mode: 0o700 });
    chmodSync(own, 0o775);
    symlinkSync(own, join(s.home, 'fivetran/conf'));
    const ok = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(readdirSync(own)).toContain('config.json');
    // the locks folder linked to /tmp (1777): exit 2 naming it
    const t = await stubEnv();
    mkdirSync(join(t.home, '.config/hd-setup'), { recursive: true });
    symlinkSync(tmp('hd-shared-'), join(t.home, '.config/hd-setup/locks'));
    chmodSync(join(t.home, '.config/hd-setup/locks'), 0o1777);
    const locked = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: t.env });
    expect(locked.code).toBe(2);
    expect(locked.stderr).toBe(`error: ${t.home}/.config/hd-setup/locks is a symbolic link to a folder anyone may write (mode 1777); hd-setup does not follow it there: make ${t.home}/.config/hd-setup/locks a folder of your own (or link it to one that only you, or your group, can write) and run this again\n`);
    s.server.close();
    t.server.close();
  });
});

describe('backups: whole, few, and checked before a rollback', () => {
  it('keeps the newest 10 (HD_SETUP_KEEP_BACKUPS overrides it)', async () => {
    const d = tmp();
    const f = join(d, 'config.json');
    for (let i = 0; i < 15; i++) {
      writeFileSync(f, `{"n": ${i}}\n`);
      backupFile(f, new Date(Date.UTC(2026, 0, 1, 0, 0, i)));
    }
    const kept = listBackups(f);
    expect(kept).toHaveLength(10);
    expect(readFileSync(kept[0]!, 'utf8')).toBe('{"n": 5}\n');
    const last = backupFile(f, new Date(Date.UTC(2026, 0, 1, 0, 1, 0)), 3)!;
    expect(listBackups(f)).toHaveLength(3);
    // what it deleted is said: the 8 oldest of the 11 there
    expect(last.pruned).toEqual(kept.slice(0, 8));
    const { backupsKept } = await import('../src/util/fsx.js');
    expect([backupsKept({ HD_SETUP_KEEP_BACKUPS: '3' }), backupsKept({}), backupsKept({ HD_SETUP_KEEP_BACKUPS: 'x' })]).toEqual([3, 10, 10]);
  });

  it('a backup is always the newest by name, so pruning never deletes the one just made: in the same second as a pruned one, or with the clock behind the last', () => {
    const d = tmp();
    const f = join(d, 'config.json');
    const now = new Date(Date.UTC(2026, 0, 1, 0, 0, 0));
    for (let i = 0; i < 4; i++) {
      writeFileSync(f, `{"n": ${i}}\n`);
      const b = backupFile(f, now, 1)!;
      // (the third one took the free name of the first, pruned: it sorted first and was deleted at once)
      expect(listBackups(f)).toEqual([b.path]);
      expect(readFileSync(b.path, 'utf8')).toBe(`{"n": ${i}}\n`);
    }
    // (named by this host an hour from now: within the day of clock skew a backup's time may have)
    const later = timestamp(new Date(Date.now() + 3600_000));
    writeFileSync(`${f}.bak-${later}`, '{"n": "later"}\n');
    writeFileSync(f, '{"n": "behind"}\n');
    const b = backupFile(f, now, 10)!;
    expect(b.path).toBe(`${f}.bak-${later}-1`);
    expect(listBackups(f).at(-1)).toBe(b.path);
    expect(latestGoodBackup(f, () => true)?.path).toBe(b.path);
  });

  it('the newest complete backup is chosen: a 0-byte or cut-off one is passed over', () => {
    const d = tmp();
    const f = join(d, 'config.json');
    writeFileSync(`${f}.bak-20260101T000000Z`, '{"token": "good"}\n');
    writeFileSync(`${f}.bak-20260101T000001Z`, '{"token": "cut');
    writeFileSync(`${f}.bak-20260101T000002Z`, '');
    const good = latestGoodBackup(f, backupValidator(f))!;
    expect(good.path).toBe(`${f}.bak-20260101T000000Z`);
    expect(good.skipped).toHaveLength(2);
    const env = join(d, 'tobiko.env');
    writeFileSync(`${env}.bak-20260101T000000Z`, 'TCLOUD_URL=x\nTCLOUD_CLIENT_ID=y\n');
    writeFileSync(`${env}.bak-20260101T000001Z`, 'TCLOUD_URL=x\nTCLOUD_CL');
    expect(latestGoodBackup(env, backupValidator(env))!.path).toBe(`${env}.bak-20260101T000000Z`);
  });

  it('rollback on the CLI skips a 0-byte backup and restores the previous good one', async () => {
    const { s, conf, first } = await installedWithBackup();
    const newest = `${conf}.bak-${timestamp()}-99`; // after the one the change made (its second, or one before)
    writeFileSync(newest, ''); // what a kill during an old copy left
    const r = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: skipping ${newest}: it is empty, cut off or broken\n`);
    expect(readFileSync(conf, 'utf8')).toBe(first);
    expect(cli(['status'], { env: s.env }).stdout).not.toMatch(/no install found/);
    s.server.close();
  });
  it('an install whose backup deletes the oldest one says so, in its summary and its --json', async () => {
    const { s, conf } = await installedWithBackup();
    const [oldest] = listBackups(conf);
    const env = { ...s.env, HD_SETUP_KEEP_BACKUPS: '1' };
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://other.internal:3128', ...rootFlags], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(listBackups(conf)).not.toContain(oldest);
    expect(r.stderr).toContain(`    - wrote ${conf} (0600)\n    - removed the oldest backup ${oldest}: hd-setup keeps the newest 1 of each file (HD_SETUP_KEEP_BACKUPS=N keeps N)\n`);
    const [newest] = listBackups(conf);
    const j = cli(['install', '--preset', 'fivetran-docker', '--yes', '--json', '--set', 'proxy.https=http://third.internal:3128', ...rootFlags], { env });
    expect(j.code, j.stderr).toBe(0);
    const { summary } = j.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'done');
    expect(summary.changes).toContain(`removed the oldest backup ${newest}: hd-setup keeps the newest 1 of each file (HD_SETUP_KEEP_BACKUPS=N keeps N)`);
    s.server.close();
  });
  it('rollback with one backup kept (HD_SETUP_KEEP_BACKUPS=1): the backup of the file it replaces prunes the one it restores, which is read first (it failed with ENOENT)', async () => {
    const { s, conf, first } = await installedWithBackup();
    const now = readFileSync(conf, 'utf8');
    const r = cli(['rollback', '--yes', ...rootFlags], { env: { ...s.env, HD_SETUP_KEEP_BACKUPS: '1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(conf, 'utf8')).toBe(first);
    expect(listBackups(conf).map((b) => readFileSync(b, 'utf8'))).toEqual([now]);
    // and it says that it deleted the backup it restored from, and how to keep more
    const [restored] = /^ {4}- restored \S+ from (\S+)$/m.exec(r.stderr)!.slice(1);
    expect(r.stderr).toContain(`from ${restored}\n    - removed the oldest backup ${restored}: hd-setup keeps the newest 1 of each file (HD_SETUP_KEEP_BACKUPS=N keeps N)\n`);
    s.server.close();
  });
  it('a config.json that is a symbolic link (to a copy elsewhere: it is not read through), with a good backup beside it: exit 2, rollback too (the link is not its to replace), and the fix it prints brings the install back', async () => {
    const { s, conf } = await installedWithBackup();
    writeFileSync(`${conf}.elsewhere`, readFileSync(conf), { mode: 0o600 });
    rmSync(conf);
    symlinkSync(`${conf}.elsewhere`, conf);
    // the copy of the file it points to (the file as it is), not the backup (as before the last change, which
    // the agent does not run: status then said so, and only an install brought it back)
    for (const cmd of [['status'], ['rollback', '--yes', ...rootFlags], ['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags]]) {
      const r = cli(cmd, { env: s.env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`error: ${conf}: is a symbolic link, not a file hd-setup wrote (it reads and writes its own files only, never through a link); replace the link with a copy of the file it points to: cp --remove-destination ${conf}.elsewhere ${conf}\n`);
    }
    expect(lstatSync(conf).isSymbolicLink()).toBe(true);
    expect(spawnSync('sh', ['-c', /replace the link with a copy of the file it points to: (.*)$/m.exec(cli(['status'], { env: s.env }).stderr)![1]!]).status).toBe(0);
    expect(lstatSync(conf).isFile()).toBe(true);
    expect(cli(['status'], { env: s.env }).code).toBe(0);
    const again = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://proxy.internal:3128', ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Changed: nothing');
    s.server.close();
  }, 60_000);

  it('a config.json that is a folder now (a file of the user\'s in it), with a good backup beside it: status, rollback and a re-run exit 2 with a fix that moves the folder aside first (its cp put the backup, the token too, inside the folder, and the error stayed); that fix brings the install back, the folder kept', async () => {
    const { s, conf } = await installedWithBackup();
    const [backup] = listBackups(conf);
    rmSync(conf);
    mkdirSync(conf);
    writeFileSync(join(conf, 'notes.txt'), 'mine\n');
    writeFileSync(`${conf}.old`, 'taken\n'); // the first name is taken: the next one is given
    const aside = `${conf}.old-2`;
    for (const cmd of [['status'], ['rollback', '--yes', ...rootFlags], ['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags]]) {
      const r = cli(cmd, { env: s.env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error: ${conf}: is a directory, not a regular file; put back its newest whole backup \\([^)]*\\): mv ${conf} ${aside} && cp --remove-destination ${backup} ${conf}\n$`));
    }
    expect(spawnSync('sh', ['-c', /put back its newest whole backup [^:]*: (.*)$/m.exec(cli(['status'], { env: s.env }).stderr)![1]!]).status).toBe(0);
    expect(lstatSync(conf).isFile()).toBe(true);
    expect(readdirSync(aside)).toEqual(['notes.txt']);
    expect(readFileSync(`${conf}.old`, 'utf8')).toBe('taken\n');
    expect(cli(['status'], { env: s.env }).code).toBe(1); // the file as before the last change, which the agent does not run
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    expect(cli(['status'], { env: s.env }).code).toBe(0);
    s.server.close();
  }, 60_000);

  it('a config.json broken by a hand edit (not JSON), with a good backup beside it: status and a re-run exit 2 naming hd-setup rollback (and the cp); rollback says the file is broken without showing it, restores the backup, keeps the broken text as a backup, and the install works again', async () => {
    const { s, conf } = await installedWithBackup();
    const [backup] = listBackups(conf);
    const good = readFileSync(backup!, 'utf8');
    const broken = '{ "token": "handTypedSecret99", oops\n';
    writeFileSync(conf, broken);
    for (const cmd of [['status'], ['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags]]) {
      const r = cli(cmd, { env: s.env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error: ${conf}:1:\\d+: invalid JSON: .*; put back a whole copy from its backups: hd-setup rollback \\(to see first what it restores, add --dry-run\\)\n$`));
    }
    const dry = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`restore ${conf} from ${backup}, then re-apply it`);
    expect(dry.stdout).toMatch(new RegExp(`${conf} is broken \\(at 1:\\d+: invalid JSON: [^)]*\\); its text is not shown, as it may hold secrets\\. The restore keeps it beside the backups`));
    const json = cli(['rollback', '--dry-run', '--json', ...rootFlags], { env: s.env });
    expect(JSON.parse(json.stdout).restore).toMatchObject({ file: conf, from: backup, broken: expect.stringMatching(/^at 1:\d+: invalid JSON/) });
    for (const r of [dry, json]) expect(r.stdout + r.stderr).not.toContain('handTypedSecret99');
    expect(readFileSync(conf, 'utf8')).toBe(broken); // the dry-run changed nothing
    const r = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('handTypedSecret99');
    expect(readFileSync(conf, 'utf8')).toBe(good);
    // the broken text is not lost: the restore kept it, as the newest backup
    expect(readFileSync(listBackups(conf).at(-1)!, 'utf8')).toBe(broken);
    const st = cli(['status'], { env: s.env });
    expect(st.code, st.stderr).toBe(0);
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    s.server.close();
  }, 60_000);

  it('an install whose conf/ folder was deleted by hand is still found (it was "no install found", and uninstall had "nothing to do" while the agent ran): status says so (exit 1), start and a re-run refuse naming the ways on; --reset and uninstall work', async () => {
    const { s, conf } = await installedWithBackup();
    rmSync(join(s.home, 'fivetran/conf'), { recursive: true });
    const note = `the install at ${join(s.home, 'fivetran')} has lost its configuration file ${conf} (deleted or moved?): put it back, or install it again from its preset with its secrets (hd-setup install --preset … --reset), or remove the install (hd-setup uninstall)`;
    const st = cli(['status'], { env: s.env });
    expect(st.code, st.stderr).toBe(1);
    expect(st.stdout).toContain('  ✔ controller: running');
    expect(st.stdout).toContain(`  ✖ it has lost its configuration file ${conf} (deleted or moved?)`);
    expect(st.stdout).not.toContain('Start it');
    expect(JSON.parse(cli(['status', '--json'], { env: s.env }).stdout)).toMatchObject({ healthy: false, configMissing: note });
    for (const args of [['start'], ['install', '--preset', 'fivetran-docker', '--yes']]) {
      const r = cli([...args, ...rootFlags], { env: s.env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`error: ${note}\n`);
    }
    // each way on works: --reset installs it again (its config written, the container recreated to read it)
    const again = cli(['install', '--preset', 'fivetran-docker', '--yes', '--reset', ...rootFlags], { env: s.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`    - wrote ${conf} (0600)\n`);
    expect(cli(['status'], { env: s.env }).code).toBe(0);
    // deleted again: uninstall removes the running container and the network
    rmSync(join(s.home, 'fivetran/conf'), { recursive: true });
    const gone = cli(['uninstall', '--yes', ...rootFlags], { env: s.env });
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stderr).toContain('    - Stop and remove controller\n');
    expect(existsSync(join(s.env.HD_STUB_STATE!, 'containers/controller'))).toBe(false);
    s.server.close();
  });

  it('a config.json edited without its token: start names the install and a fix that works; stop, rollback and uninstall work (they refused, naming --set)', async () => {
    const { s, conf } = await installedWithBackup();
    writeFileSync(conf, '{"host_selinux_enabled": "false"}\n');
    const start = cli(['start', ...rootFlags], { env: s.env });
    expect(start.code).toBe(2);
    expect(start.stderr).toBe(`error: the files of the install at ${join(s.home, 'fivetran')} do not make a whole install (fivetran.token is required); put back their last backup (hd-setup rollback), or install it again (hd-setup install --preset … --reset)\n`);
    const stop = cli(['stop', ...rootFlags], { env: s.env });
    expect(stop.code, stop.stderr).toBe(0);
    const back = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(readFileSync(conf, 'utf8')).token).toBeTruthy();
    writeFileSync(conf, '{"host_selinux_enabled": "false"}\n');
    const un = cli(['uninstall', '--yes', ...rootFlags], { env: s.env });
    expect(un.code, un.stderr).toBe(0);
    expect(cli(['status'], { env: s.env }).stdout).not.toContain('controller: running');
    s.server.close();
  }, 60_000);

  it('an install made before a check was added (a proxy password with a bare "%"): stop, start and status work; the re-run names the rule; a --set of that setting fixes it, no --reset needed', async () => {
    const { s, conf } = await installedThenEdited({ https_proxy: 'http://bob:50%off@proxy.internal:3128' });
    const again = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('do not make a whole install (proxy.https must be an http:// or https:// URL, e.g. http://proxy.internal:3128, with "%" in the user and password only as a %XX escape (write "%" itself as %25))');
    expect(again.stderr).not.toContain('50%off');
    // commands that act on the install as it is read it leniently: the check came after it was made
    for (const cmd of [['stop', ...rootFlags], ['start', ...rootFlags], ['status']]) {
      const r = cli(cmd, { env: s.env });
      expect(r.code, `${cmd}: ${r.stderr}`).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('50%off');
    }
    const fixed = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://bob:50%25off@proxy.internal:3128', ...rootFlags], { env: s.env });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(conf, 'utf8')).https_proxy).toBe('http://bob:50%25off@proxy.internal:3128');
    s.server.close();
  });

  it('an install made before control characters were refused (a tab in an agent parameter): start works; the re-run names it', async () => {
    const { s, conf } = await installedThenEdited({ note: 'a\tb' });
    const start = cli(['start', ...rootFlags], { env: s.env });
    expect(start.code, start.stderr).toBe(0);
    const again = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('do not make a whole install (fivetran.config.note holds a control character (U+0009)); put back');
    s.server.close();
  });

  it('a config.json edited into a value hd-setup would not write (a proxy URL ending in a space): a re-run refuses (it dropped the proxy when its own "keep" command was run), --reset replaces it', async () => {
    const { s, conf } = await installedThenEdited({ https_proxy: 'http://proxy.internal:3128 ' });
    const again = cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(new RegExp(`^error: the files of the install at ${join(s.home, 'fivetran')} do not make a whole install \\(proxy\\.https [^)]*\\); put back their last backup \\(hd-setup rollback\\), or pass --reset to replace them with what this command gives\n$`));
    expect(JSON.parse(readFileSync(conf, 'utf8')).https_proxy).toBe('http://proxy.internal:3128 ');
    const reset = cli(['install', '--preset', 'fivetran-docker', '--yes', '--reset', ...rootFlags], { env: s.env });
    expect(reset.code, reset.stderr).toBe(0);
    expect(JSON.parse(readFileSync(conf, 'utf8')).https_proxy).toBeUndefined();
    s.server.close();
  }, 60_000);

  it('rollback passes over a backup of gigabytes (a sparse file) without reading it into memory, and a FIFO without waiting on it', async () => {
    const { s, conf, first } = await installedWithBackup();
    const [big, fifo] = [`${conf}.bak-${timestamp()}-98`, `${conf}.bak-${timestamp()}-99`];
    writeFileSync(big, '');
    truncateSync(big, 3 * 1024 ** 3); // 3 GB of holes
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // under a 3 GB address-space limit, as a small VM has: reading it whole ended in std::bad_alloc (exit 134)
    const r = spawnSync('bash', ['-c', 'ulimit -v 3000000; exec "$@"', 'bash', process.execPath, BIN, 'rollback', '--yes', ...rootFlags], { env: { ...s.env, CI: 'true', NO_COLOR: '1' }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: skipping ${big}: it is larger than 16 MB, far more than hd-setup writes: not read\n`);
    expect(r.stderr).toContain(`warning: skipping ${fifo}: it is not a regular file (a FIFO, socket or device), not one hd-setup wrote: not read\n`);
    expect(readFileSync(conf, 'utf8')).toBe(first);
    s.server.close();
  }, 60_000);
});

describe('--purge deletes only what hd-setup created', () => {
  it('never the home directory, "/" or a directory without the record', () => {
    const home = tmp('hd-purge-home-');
    expect(purgeActions(home, home)).toEqual([expect.objectContaining({ kind: 'note', text: expect.stringMatching(/has no record of what hd-setup created/) })]);
    writeFileSync(join(home, CREATED_MARKER), JSON.stringify({ created: ['.', 'conf', '../etc', '/etc'] }));
    mkdirSync(join(home, 'conf'));
    const acts = purgeActions(home, home);
    expect(acts).toEqual([
      { kind: 'remove', path: join(home, 'conf'), recursive: true },
      { kind: 'remove', path: join(home, CREATED_MARKER) },
    ]);
    writeFileSync(join(tmp(), CREATED_MARKER), '{}');
    expect(purgeActions('/', home).some((a) => a.kind === 'remove' && a.path === '/')).toBe(false);
    // an install dir hd-setup made (not the home): removed last, and only if empty; the dry-run says rmdir (it said rm -f)
    const inst = join(home, 'fivetran');
    mkdirSync(inst);
    writeFileSync(join(inst, CREATED_MARKER), JSON.stringify({ created: ['.'] }));
    const last = purgeActions(inst, home).at(-1)!;
    expect(last).toEqual({ kind: 'remove', path: inst, ifEmpty: true });
    expect(describeAction(last as Action, new Redactor()).command).toBe(`rmdir ${inst}   (if nothing else is left in it)`);
  });

  it('never through a symbolic link on the way: a recorded path under a folder replaced by a link (data/ -> a folder elsewhere) is left, and what the link points at too', () => {
    const home = tmp('hd-purge-home-');
    const dir = join(tmp('hd-purge-inst-'), 'fivetran');
    const victim = tmp('hd-purge-victim-');
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(victim, 'data.txt'), 'keep\n');
    symlinkSync(victim, join(dir, 'data', 'link'));
    writeFileSync(join(dir, CREATED_MARKER), JSON.stringify({ created: ['.', 'data', 'data/link/data.txt', 'data/link'] }));
    const acts = purgeActions(dir, home);
    expect(acts.filter((a) => a.kind === 'remove' && a.path.startsWith(victim))).toEqual([]);
    expect(acts.some((a) => a.kind === 'remove' && a.path === join(dir, 'data/link/data.txt'))).toBe(false);
    // the link itself goes with data/, which hd-setup made: its rm -rf removes the link, never what it points at
    expect(acts.filter((a) => a.kind === 'remove' && a.path === join(dir, 'data/link'))).toEqual([]);
    expect(acts).toContainEqual({ kind: 'remove', path: join(dir, 'data'), recursive: true });
  });

  it('uninstall leaves a boot unit that a link to the user\'s own file replaced (it deleted the link): the link and its file stay, said in the step', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const unit = join(s.home, '.config/systemd/user/hd-fivetran-agent.service');
    const mine = join(s.home, 'dotfiles/hd-fivetran-agent.service');
    mkdirSync(join(s.home, 'dotfiles'));
    writeFileSync(mine, readFileSync(unit, 'utf8') + '# my edit\n');
    rmSync(unit);
    symlinkSync(mine, unit);
    const r = cli(['uninstall', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Disable the systemd user unit (${unit} is a link to ${mine}, not made by hd-setup: left there)`);
    expect(r.stderr).not.toContain(`removed ${unit}`);
    expect(lstatSync(unit).isSymbolicLink()).toBe(true);
    expect(readFileSync(mine, 'utf8')).toContain('# my edit');
    s.server.close();
  });

  it('uninstall --purge with installDir ~ keeps the home directory and everything hd-setup did not write', async () => {
    const s = await stubEnv();
    writeFileSync(join(s.home, 'notes.txt'), 'mine');
    const r1 = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.installDir=~', ...rootFlags], { env: s.env });
    expect(r1.code, r1.stderr).toBe(0);
    expect(existsSync(join(s.home, 'conf/config.json'))).toBe(true);
    const dry = cli(['uninstall', '--purge', '--dry-run'], { env: s.env });
    expect(dry.stdout).toContain(join(s.home, 'conf'));
    expect(dry.stdout).not.toMatch(new RegExp(`rm -rf ${s.home}\\s`));
    const noYes = cli(['uninstall', '--purge'], { env: s.env });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/--yes: is required/);
    const r = cli(['uninstall', '--purge', '--yes'], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(s.home)).toBe(true);
    expect(readFileSync(join(s.home, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(s.home, '.stub'))).toBe(true);
    for (const d of ['conf', 'data', 'logs', 'tmp', CREATED_MARKER]) expect(existsSync(join(s.home, d)), d).toBe(false);
    s.server.close();
  });

  it('a dir hd-setup made but others wrote into is kept, with a warning', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    writeFileSync(join(s.home, 'fivetran/README-mine'), 'x');
    const r = cli(['uninstall', '--purge', '--yes'], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/kept .*fivetran: it holds files hd-setup did not create/);
    expect(readdirSync(join(s.home, 'fivetran'))).toEqual(['README-mine']);
    s.server.close();
  });

  it('a file hd-setup wrote, replaced by a link: the link is left (a note), the backups hd-setup made of the file go', () => {
    const home = tmp('hd-purge-home-');
    const dir = join(tmp('hd-purge-inst-'), 'tobiko');
    mkdirSync(dir, { recursive: true });
    const mine = join(tmp('hd-purge-mine-'), 'tobiko.env');
    writeFileSync(mine, 'MINE=1\n');
    symlinkSync(mine, join(dir, 'tobiko.env'));
    writeFileSync(join(dir, 'tobiko.env.bak-20260101T000000Z'), 'TCLOUD_CLIENT_SECRET=old\n');
    writeFileSync(join(dir, CREATED_MARKER), JSON.stringify({ created: ['.', 'tobiko.env'] }));
    const acts = purgeActions(dir, home);
    expect(acts.filter((a) => a.kind === 'remove' && a.path === join(dir, 'tobiko.env'))).toEqual([]);
    expect(acts).toContainEqual({ kind: 'note', text: `${join(dir, 'tobiko.env')} is a symbolic link to ${mine}, not what hd-setup made there: left as it is (never followed)` });
    expect(acts).toContainEqual({ kind: 'remove', path: join(dir, 'tobiko.env.bak-20260101T000000Z') });
  });

  it('trial: a folder hd-setup made, replaced by a link (tmp -> a folder elsewhere): the dry-run lists no rm of it (it listed rm -f) and says it is a link and is left, as the run does; what it points at stays', async () => {
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const [dir, elsewhere] = [join(s.home, 'fivetran/tmp'), tmp('hd-purge-elsewhere-')];
    writeFileSync(join(elsewhere, 'keep.txt'), 'keep\n');
    rmSync(dir, { recursive: true });
    symlinkSync(elsewhere, dir);
    const said = `${dir} is a symbolic link to ${elsewhere}, not what hd-setup made there: left as it is (never followed)`;
    const dry = cli(['uninstall', '--purge', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).not.toMatch(new RegExp(`rm (-f|-rf) ${dir}\\s`));
    expect(dry.stdout).toContain(said);
    const r = cli(['uninstall', '--purge', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(said);
    expect(r.stderr).not.toContain(`kept ${dir}`);
    expect(lstatSync(dir).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(elsewhere, 'keep.txt'), 'utf8')).toBe('keep\n');
    expect(existsSync(join(s.home, 'fivetran/conf'))).toBe(false);
    s.server.close();
  });
});

describe('trial: what rollback takes as a backup, and what it says of it', () => {
  it('a file named as a backup whose name is no time (second 99) or a time still to come (2099) is no backup hd-setup made: not taken, said once each by name (not its text), left there, and no name of a later backup', async () => {
    const { s, conf, first } = await installedWithBackup();
    const [made] = listBackups(conf);
    writeFileSync(made!, '{"token": "cu'); // the backup of the last change, cut off: the fallback
    // an earlier whole one, not the text the change found (its digest differs): the fallback, the newest whole backup, goes to it
    writeFileSync(`${conf}.bak-20200101T000000Z`, JSON.stringify(JSON.parse(first)), { mode: 0o600 });
    const other = JSON.stringify({ token: Buffer.from('other_tiger:PlantedSecret42').toString('base64'), host_selinux_enabled: 'false' });
    const impossible = `${conf}.bak-${timestamp().slice(0, 9)}999999Z`;
    const future = `${conf}.bak-20991231T000000Z`;
    for (const f of [impossible, future]) writeFileSync(f, other, { mode: 0o600 });
    expect(listBackups(conf)).toEqual([`${conf}.bak-20200101T000000Z`, made]);
    const dry = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`restore ${conf} from ${conf}.bak-20200101T000000Z,`);
    for (const [f, why] of [[impossible, 'its name is not a time'], [future, 'its name is a time still to come']] as const) {
      const line = `warning: ignoring ${f}: ${why}, so it is no backup hd-setup made (rollback does not use it; it is left as it is)\n`;
      expect(dry.stderr.split(line)).toHaveLength(2);
    }
    expect(dry.stderr + dry.stdout).not.toContain('PlantedSecret42');
    expect(dry.stderr + dry.stdout).not.toContain(Buffer.from('other_tiger:PlantedSecret42').toString('base64'));
    const r = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(conf, 'utf8'))).toEqual(JSON.parse(first));
    for (const f of [impossible, future]) expect(readFileSync(f, 'utf8')).toBe(other);
    // the backup the rollback made is named at its time, not after the planted names
    expect(readdirSync(join(s.home, 'fivetran/conf')).filter((n) => n.includes('99991231') || n.startsWith(`config.json.bak-20991231T000000Z-`) || /999999Z-/.test(n))).toEqual([]);
    s.server.close();
  }, 60_000);

  it('a backup that is a symbolic link or a folder is passed over saying so (it said "empty, cut off or broken")', async () => {
    const { s, conf, first } = await installedWithBackup();
    const [link, folder] = [`${conf}.bak-${timestamp()}-98`, `${conf}.bak-${timestamp()}-99`];
    symlinkSync(join(s.home, 'elsewhere.json'), link);
    mkdirSync(folder);
    const r = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: skipping ${folder}: it is a folder, not a file hd-setup wrote: not read\n`);
    expect(r.stderr).toContain(`warning: skipping ${link}: it is a symbolic link, not a file hd-setup wrote: not followed\n`);
    expect(r.stderr).not.toContain('empty, cut off or broken');
    expect(readFileSync(conf, 'utf8')).toBe(first);
    expect(lstatSync(link).isSymbolicLink() && lstatSync(folder).isDirectory()).toBe(true);
    s.server.close();
  }, 60_000);

  it('a hand-broken file: the dry-run does not say the install is as the last change found it (it says a few lines on that what the last change set in the file is lost)', async () => {
    const { s, conf } = await installedWithBackup();
    writeFileSync(conf, '{ oops\n');
    const dry = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('what the last change set in the file is lost');
    expect(dry.stdout).not.toContain('the install is as the last change found it');
    expect(dry.stdout).toContain('It cannot name the settings it puts back: the file is broken, so what it holds now cannot be read, nor which backup holds what the containers run.\n');
    s.server.close();
  }, 60_000);

  it('a secret-named key added by hand, which the rollback removes, is said to be removed (it said "a secret (its earlier value)"), its value never shown', async () => {
    const { s, conf } = await installedWithBackup();
    writeFileSync(conf, JSON.stringify({ ...JSON.parse(readFileSync(conf, 'utf8')), custom_key: 'HandAddedValue7' }, null, 2), { mode: 0o600 });
    const dry = cli(['rollback', '--dry-run', ...rootFlags], { env: s.env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('  fivetran.config.custom_key: a secret: removed (the install it goes back to has none)\n');
    expect(dry.stdout).not.toContain('HandAddedValue7');
    const json = cli(['rollback', '--dry-run', '--json', ...rootFlags], { env: s.env });
    expect((JSON.parse(json.stdout) as { settings: unknown[] }).settings).toContainEqual({ path: 'fivetran.config.custom_key', secret: true, removed: true });
    expect(json.stdout).not.toContain('HandAddedValue7');
    const r = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(conf, 'utf8')).custom_key).toBeUndefined();
    s.server.close();
  }, 60_000);

  it('a rollback whose re-apply writes the file again makes one backup, not a second copy of the backup it restored from; every text is still in a backup', async () => {
    const { s, conf } = await installedWithBackup();
    // a hand edit hd-setup would write otherwise (one line, a key of its own): the rollback keeps it as a backup
    const edited = JSON.stringify({ ...JSON.parse(readFileSync(conf, 'utf8')), custom_key: 'x' });
    writeFileSync(conf, edited, { mode: 0o600 });
    expect(cli(['rollback', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const texts = () => new Set(listBackups(conf).map((b) => readFileSync(b, 'utf8')));
    const [before, had] = [listBackups(conf), texts()];
    expect(had.has(edited)).toBe(true);
    // the undo restores that backup, and the re-apply writes the file as hd-setup writes it
    const r = cli(['rollback', '--yes', ...rootFlags], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ {4}- wrote \S+config\.json \(0600\)\n/);
    expect(readFileSync(conf, 'utf8')).not.toBe(edited);
    const after = listBackups(conf);
    expect(after.filter((b) => !before.includes(b))).toHaveLength(1);
    expect(r.stderr).toMatch(/ {2}Backups:\n {4}- \S+\n {2}\S/);
    for (const t of had) expect(texts().has(t)).toBe(true);
    s.server.close();
  }, 60_000);
});

describe('one install at a time', () => {
  it('the lock holds the PID, is re-entrant in a process, and is removed on release', async () => {
    const { acquireLock, lockPath } = await import('../src/exec/lock.js');
    const home = tmp('hd-lock-');
    const a = await acquireLock('k1', home, 0);
    const b = await acquireLock('k1', home, 0);
    expect(readFileSync(lockPath(home, 'k1'), 'utf8').split('\n')[0]).toBe(String(process.pid));
    expect(mode(lockPath(home, 'k1'))).toBe(0o600);
    b.release();
    expect(existsSync(lockPath(home, 'k1'))).toBe(true);
    a.release();
    expect(existsSync(lockPath(home, 'k1'))).toBe(false);
  });

  it('a live holder: waits, then exit 2 naming its PID; a stale lock (PID gone) is taken over', async () => {
    const { acquireLock, lockPath } = await import('../src/exec/lock.js');
    const { spawn, spawnSync } = await import('node:child_process');
    const home = tmp('hd-lock-');
    const p = lockPath(home, 'k2');
    mkdirSync(join(home, '.config/hd-setup/locks'), { recursive: true });
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    writeFileSync(p, `${holder.pid}\nk2\n`);
    const t0 = Date.now();
    await expect(acquireLock('k2', home, 400)).rejects.toThrow(new RegExp(`another hd-setup \\(PID ${holder.pid}\\) is changing this install \\(k2\\); wait for it to finish`));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const dead = spawnSync('true').pid;
    writeFileSync(p, `${dead}\nk2\n`);
    const l = await acquireLock('k2', home, 0);
    expect(readFileSync(p, 'utf8').split('\n')[0]).toBe(String(process.pid));
    l.release();
    writeFileSync(p, 'garbage'); // unreadable: named as such with no wait, taken over after a second
    await expect(acquireLock('k2', home, 0)).rejects.toThrow(`this install (k2) is locked by ${p}, which names no process; if no other hd-setup is running, remove it`);
    const g = await acquireLock('k2', home, 3000);
    expect(readFileSync(p, 'utf8').split('\n')[0]).toBe(String(process.pid));
    g.release();
  });

  it.each([
    ['a FIFO (named pipe)', (p: string) => spawnSync('mkfifo', [p])], // a read of it would wait for ever
    ['a symbolic link', (p: string) => symlinkSync('/dev/zero', p)], // a read of it would never end
    ['a directory', (p: string) => mkdirSync(p)],
  ] as const)('a lock that is %s: exit 2 at once naming it and the fix, nothing run', async (kind, make) => {
    const { lockPath } = await import('../src/exec/lock.js');
    const s = await (await import('./stub-runtime.js')).stubEnv('docker');
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const lock = lockPath(s.home, 'fivetran:containers');
    expect(existsSync(join(s.home, '.config/hd-setup/locks'))).toBe(true);
    make(lock);
    const before = s.calls().length;
    const t = Date.now();
    const r = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.memory=3g', ...rootFlags], { env: s.env });
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`error: the lock ${lock} is ${kind}, not a lock file hd-setup made; remove it and run this again\n`);
    expect(s.calls().slice(before).filter((c) => !/^(--version|info|image inspect|network ls|container inspect|ps)\b/.test(c))).toEqual([]);
    s.server.close();
  }, 60_000);

  it('runs racing for the lock with no wait: every refusal names a live PID (never an empty or just-freed lock)', async () => {
    const { buildSync } = await import('esbuild');
    const { spawn } = await import('node:child_process');
    const home = tmp('hd-lock-race-');
    const lib = join(home, 'lock.mjs');
    buildSync({ entryPoints: [resolve(import.meta.dirname, '../src/exec/lock.ts')], bundle: true, platform: 'node', format: 'esm', outfile: lib, logLevel: 'silent' });
    // Each racer takes and frees the lock 300 times with no wait, holding it for a moment, and prints every refusal.
    const racer = `import { acquireLock } from ${JSON.stringify(lib)};
      let refused = [];
      for (let i = 0; i < 300; i++) {
        try { const l = await acquireLock('race', ${JSON.stringify(home)}, 0); const t = Date.now(); while (Date.now() - t < 1); l.release(); }
        catch (e) { refused.push(e.issues?.[0]?.message ?? String(e)); }
      }
      process.stdout.write(JSON.stringify(refused));`;
    const run = () =>
      new Promise<{ pid: number; refused: string[] }>((done) => {
        const c = spawn(process.execPath, ['--input-type=module', '-e', racer], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (b: Buffer) => (out += b.toString()));
        c.once('exit', () => done({ pid: c.pid!, refused: JSON.parse(out || '[]') as string[] }));
      });
    const rs = await Promise.all([run(), run(), run()]);
    const pids = rs.map((r) => r.pid);
    expect(rs.flatMap((r) => r.refused).length).toBeGreaterThan(0); // they did collide
    for (const r of rs)
      for (const m of r.refused) {
        const pid = Number(/another hd-setup \(PID (\d+)\) is changing this install/.exec(m)?.[1]);
        expect(pids.filter((p) => p !== r.pid), m).toContain(pid);
      }
    expect(readdirSync(join(home, '.config/hd-setup/locks'))).toEqual([]);
  }, 60_000);

  it('two installs at once: the second waits, then exits 2 naming the first (into another install dir too: both passed the one-install-per-runtime check and raced for the container names); the first finishes and frees the lock', async () => {
    const s = await stubEnv();
    const { p: first, err: err1, exited } = await slowInstall(s.env);
    const locks = join(s.home, '.config/hd-setup/locks');
    for (let i = 0; i < 200 && !(existsSync(locks) && readdirSync(locks).length); i++) await new Promise((r) => setTimeout(r, 50));
    for (const other of [['--set', 'proxy.https=http://proxy.internal:3128'], ['--set', 'fivetran.installDir=~/f2']]) {
      const second = cli(['install', '--preset', 'fivetran-docker', '--yes', ...other, ...rootFlags], { env: { ...s.env, HD_SETUP_LOCK_WAIT_MS: '1000' } });
      expect(second.code, second.stderr).toBe(2);
      // said at once, not after the wait in silence; then the refusal
      expect(second.stderr).toMatch(new RegExp(`^Waiting for another hd-setup \\(PID ${first.pid}\\) that is changing this install \\(fivetran:containers\\)…\\nerror: another hd-setup \\(PID ${first.pid}\\) is changing this install \\(fivetran:containers\\)`));
    }
    expect(existsSync(join(s.home, 'f2'))).toBe(false);
    expect(await exited, err1()).toBe(0);
    expect(readdirSync(locks)).toEqual([]);
    expect(JSON.parse(readFileSync(join(s.home, 'fivetran/conf/config.json'), 'utf8')).https_proxy).toBeUndefined();
    s.server.close();
  }, 60_000);
});

describe('the install record (installs.json), changed by two installs\' runs at once', () => {
  const twoRecords = (home: string) => [
    { product: 'fivetran', runtime: 'docker', installDir: join(home, 'fivetran'), state: 'installed', updatedAt: '2026-01-01T00:00:00.000Z' },
    { product: 'tobiko', runtime: 'docker', installDir: join(home, 'tobiko'), state: 'installed', updatedAt: '2026-01-01T00:00:00.000Z' },
  ];

  it('loses no change: each run stops and starts its own install 150 times, the other doing the same, and always finds its record as it left it', async () => {
    const { buildSync } = await import('esbuild');
    const { spawn } = await import('node:child_process');
    const home = tmp('hd-registry-race-');
    mkdirSync(join(home, '.config/hd-setup'), { recursive: true });
    writeFileSync(join(home, '.config/hd-setup/installs.json'), JSON.stringify(twoRecords(home)));
    const lib = join(home, 'registry.mjs');
    buildSync({ entryPoints: [resolve(import.meta.dirname, '../src/exec/registry.ts')], bundle: true, platform: 'node', format: 'esm', outfile: lib, logLevel: 'silent', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
    // As \`hd-setup stop\` and \`start\` do (markStopped): each racer's record is written by it alone, so
    // finding it otherwise than it left it is a change of its that the other racer's write undid.
    const racer = (product: string) => `import { findRecord, markStopped } from ${JSON.stringify(lib)};
      const home = ${JSON.stringify(home)};
      const loc = { product: ${JSON.stringify(product)}, runtime: 'docker', installDir: home + '/' + ${JSON.stringify(product)} };
      let lost = 0, expected;
      const check = () => { if (findRecord(home, loc)?.stoppedAt !== expected) lost++; };
      for (let i = 0; i < 150; i++) {
        const at = new Date(Date.UTC(2026, 0, 1) + i * 1000);
        markStopped(home, loc, at); expected = at.toISOString();
        check();
        markStopped(home, loc, undefined); expected = undefined;
        check();
      }
      process.stdout.write(JSON.stringify({ lost }));`;
    const run = (product: string) =>
      new Promise<{ code: number | null; lost: number; err: string }>((done) => {
        const c = spawn(process.execPath, ['--input-type=module', '-e', racer(product)], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        c.stdout.on('data', (b: Buffer) => (out += b.toString()));
        c.stderr.on('data', (b: Buffer) => (err += b.toString()));
        c.once('exit', (code) => done({ code, lost: (JSON.parse(out || '{"lost":-1}') as { lost: number }).lost, err }));
      });
    const rs = await Promise.all([run('fivetran'), run('tobiko')]);
    for (const r of rs) expect([r.code, r.lost, r.err]).toEqual([0, 0, '']);
    expect(JSON.parse(readFileSync(join(home, '.config/hd-setup/installs.json'), 'utf8')).map((r: { product: string; stoppedAt?: string }) => [r.product, r.stoppedAt]).sort()).toEqual([['fivetran', undefined], ['tobiko', undefined]]);
    expect(readdirSync(join(home, '.config/hd-setup/locks'))).toEqual([]);
  }, 60_000);

  it('its lock: one a killed run left (its PID gone) is taken over; one a live process holds is waited for (at least 1 s), then exit 2 in one line naming the file, the lock and the holder', async () => {
    const { spawn } = await import('node:child_process');
    const s = await stubEnv();
    writeFileSync(join(s.home, '.stub/image-present'), '');
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const registry = join(s.home, '.config/hd-setup/installs.json');
    const lock = join(s.home, '.config/hd-setup/locks/installs.json.lock');
    const stoppedAt = () => (JSON.parse(readFileSync(registry, 'utf8')) as { stoppedAt?: string }[])[0]!.stoppedAt;
    // a run killed while it held it
    const dead = spawnSync('true').pid!;
    writeFileSync(lock, `${dead}\n${lock}\n2026-01-01T00:00:00.000Z\n`);
    const stop = cli(['stop', '--yes', ...rootFlags], { env: s.env });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stoppedAt()).toMatch(/^\d{4}-/);
    expect(existsSync(lock)).toBe(false);
    // one that names no process (garbage): taken over after a second, even with the shortest wait (it was
    // removed and then refused, "remove the lock", in the same pass)
    writeFileSync(lock, 'garbage\n');
    const started = cli(['start', '--yes', ...rootFlags], { env: { ...s.env, HD_SETUP_LOCK_WAIT_MS: '0' } });
    expect(started.code, started.stderr).toBe(0);
    expect(stoppedAt()).toBeUndefined();
    expect(existsSync(lock)).toBe(false);
    expect(cli(['stop', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    // a live holder that does not let go
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(lock, `${holder.pid}\n${lock}\n2026-01-01T00:00:00.000Z\n`);
      const t = Date.now();
      const start = cli(['start', '--yes', ...rootFlags], { env: { ...s.env, HD_SETUP_LOCK_WAIT_MS: '0' } });
      expect(Date.now() - t).toBeGreaterThanOrEqual(1000);
      expect(start.code).toBe(2);
      expect(start.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual([
        `error: ${registry}: cannot record the change in it: another hd-setup (PID ${holder.pid}) has held its lock ${lock} for more than 1 s; run this again when it is done (if PID ${holder.pid} is not hd-setup, remove the lock)`,
      ]);
      expect(readFileSync(lock, 'utf8').split('\n')[0]).toBe(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
    }
    s.server.close();
  }, 60_000);
});

describe('Ctrl-C anywhere', () => {
  const gone = (pid: number) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return /^\d+ \(.*\) Z/.test(stat); // a zombie waiting for init is gone too
    } catch {
      return true;
    }
  };
  const waitFor = async (cond: () => boolean, ms = 20_000) => {
    for (const end = Date.now() + ms; Date.now() < end && !cond(); ) await new Promise((r) => setTimeout(r, 50));
    return cond();
  };

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s during detection: the running docker info is killed, the summary says nothing changed, exit %i', async (sig, exit) => {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('./helpers.js');
    const home = tmp('hd-int-');
    const bin = join(home, 'bin');
    mkdirSync(bin);
    const pidFile = join(home, 'info.pid');
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\ncase "$1" in\n  info) echo $$ > "${pidFile}"; exec sleep 60 ;;\n  --version) echo "Docker version 24.0.7, build x" ;;\n  *) exit 1 ;;\nesac\n`, { mode: 0o755 });
    const p = spawn(process.execPath, [BIN, 'install', '--preset', 'fivetran-docker', '--dry-run'], {
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: home, CI: 'true', NO_COLOR: '1', FIVETRAN_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
    expect(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '')).toBe(true);
    const child = Number(readFileSync(pidFile, 'utf8'));
    expect(gone(child)).toBe(false);
    p.kill(sig);
    expect(await exited).toBe(exit);
    expect(err).toMatch(new RegExp(`Interrupted \\(${sig}\\) before any change, nothing was changed; stopped \\d+ running commands?\\.`));
    expect(err).not.toMatch(/\n\s+at /);
    expect(await waitFor(() => gone(child), 5000)).toBe(true);
  }, 60_000);

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s during a plan: the plan is cancelled with its summary, exit %i, and the lock is released', async (sig, exit) => {
    const s = await stubEnv();
    const { p, err, exited } = await slowInstall(s.env);
    expect(await waitFor(() => /latest: Pulling from stub|Pull/.test(err()))).toBe(true);
    p.kill(sig);
    expect(await exited).toBe(exit);
    expect(err()).toMatch(/cancel/i);
    expect(readdirSync(join(s.home, '.config/hd-setup/locks'))).toEqual([]);
    s.server.close();
  }, 60_000);

  it.each([
    ['succeeds', 0, {}],
    ['fails (docker run refused)', 1, { HD_STUB_FAIL: 'run' }],
  ] as const)('its output closed during a plan (`install … 2>&1 | head`): the plan runs to its end, and when it %s the run exits %i', async (_, exit, fail) => {
    const s = await (await import('./stub-runtime.js')).stubEnv('docker');
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const before = s.calls().length;
    const calls = () => s.calls().slice(before);
    const { p, exited } = await slowInstall({ ...s.env, ...fail }, ['--set', 'fivetran.memory=3g']);
    // the reader goes once the pull has started (it sleeps 10 s), as `head` does: the next write finds the pipe closed
    await waitFor(() => calls().some((c) => c.startsWith('pull ')));
    p.stdout.destroy();
    p.stderr.destroy();
    expect(await exited).toBe(exit);
    expect(calls().filter((c) => /^(rm|run) /.test(c)).map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['rm -f', 'run -d']);
    expect(calls().find((c) => c.startsWith('run '))).toContain('--memory=3g');
    expect(readdirSync(join(s.home, '.config/hd-setup/locks'))).toEqual([]);
    s.server.close();
  }, 60_000);

  it('SIGHUP during a plan (the terminal closed): no summary to show, exit 129 at once, the pull stopped, the lock released', async () => {
    const s = await stubEnv();
    const { p, err, exited } = await slowInstall(s.env);
    expect(await waitFor(() => /latest: Pulling from stub|Pull/.test(err()))).toBe(true);
    const t = Date.now();
    p.kill('SIGHUP');
    expect(await exited).toBe(129);
    expect(Date.now() - t).toBeLessThan(5000); // the stub's pull sleeps 10 s
    expect(err()).toMatch(/Interrupted \(SIGHUP\) after the plan started: what was done is listed above .*; stopped 1 running command\./);
    expect(readdirSync(join(s.home, '.config/hd-setup/locks'))).toEqual([]);
    s.server.close();
  }, 60_000);
});

describe('the record of what hd-setup created', () => {
  it('records the install dir itself when mkdir -p made a parent of it, and files it wrote new', async () => {
    const { recordCreated, readCreated } = await import('../src/util/fsx.js');
    const base = tmp();
    const root = join(base, 'a/b/fivetran');
    const made = ensureDir(root, 0o700).created!;
    expect(made).toBe(join(base, 'a'));
    recordCreated(root, made);
    recordCreated(root, join(root, 'conf'));
    recordCreated(root, join(base, 'elsewhere'));
    expect(readCreated(root)).toEqual(['.', 'conf']);
    expect(mode(join(root, CREATED_MARKER))).toBe(0o600);
  });
});

describe('a kill during a backup', () => {
  it('never leaves an empty or partial backup, and a killed run\'s temp file is swept', async () => {
    const { spawn, spawnSync } = await import('node:child_process');
    const d = tmp();
    const conf = join(d, 'config.json');
    const body = `{"token": "${'x'.repeat(4 * 1024 * 1024)}"}\n`;
    writeFileSync(conf, body);
    const script = join(d, 'loop.ts');
    writeFileSync(script, `import { backupFile } from ${JSON.stringify(join(ROOT, 'src/util/fsx.ts'))};\nlet i = 0;\nfor (;;) backupFile(${JSON.stringify(conf)}, new Date(Date.UTC(2026, 0, 1, 0, 0, i++ % 60)), 1000);\n`);
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: 'ignore' });
      for (let i = 0; i < 200 && listBackups(conf).length < 2 + round * 3; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 37 * (round + 1)));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const backups = listBackups(conf);
    expect(backups.length).toBeGreaterThan(0);
    for (const b of backups) expect(statSync(b).size, b).toBe(Buffer.byteLength(body));
    const dead = spawnSync('true').pid!;
    writeFileSync(join(d, `.config.json.tmp-${dead}-0badc0de`), '');
    backupFile(conf, new Date('2027-01-01T00:00:00Z'));
    expect(readdirSync(d).filter((n) => n.includes('.tmp-'))).toEqual([]);
  }, 120_000);
});

describe('ownership: a container of the same name that another install (or no install) made is never touched', () => {
  it('ownershipOf: by the owner label; an earlier hd-setup\'s container by its mounts; anything else is not ours', async () => {
    const { ownershipOf, HASH_LABEL, OWNER_LABEL } = await import('../src/plan/containers.js');
    expect(ownershipOf({ labels: { [OWNER_LABEL]: '/home/a/fivetran', [HASH_LABEL]: 'h' } }, '/home/a/fivetran')).toEqual({ owned: true });
    expect(ownershipOf({ labels: { [OWNER_LABEL]: '/home/a/fivetran' } }, '/home/a/fivetran2')).toMatchObject({ owned: false, whose: 'the hd-setup install in /home/a/fivetran' });
    // Made before the owner label: a bind mount in the install dir says it is this install's.
    expect(ownershipOf({ labels: { [HASH_LABEL]: 'h' }, mounts: ['/home/a/fivetran/conf', '/var/run/docker.sock'] }, '/home/a/fivetran')).toEqual({ owned: true });
    expect(ownershipOf({ labels: { [HASH_LABEL]: 'h' }, mounts: ['/home/a/fivetran/conf'] }, '/home/b/fivetran')).toMatchObject({ owned: false, madeByHdSetup: true, whose: expect.stringContaining('mounts /home/a/fivetran/conf') });
    expect(ownershipOf({ labels: { [HASH_LABEL]: 'h' }, mounts: ['/home/a/fivetran-old/conf'] }, '/home/a/fivetran')).toMatchObject({ owned: false });
    expect(ownershipOf({ labels: { fivetran: 'ldp' } }, '/home/a/fivetran')).toMatchObject({ owned: false, madeByHdSetup: false, whose: expect.stringContaining('labels: fivetran=ldp') });
    expect(ownershipOf({ labels: {} }, '/x')).toMatchObject({ owned: false, whose: expect.stringContaining('labels: none') });
  });

  /** Two HOMEs (two users' installs) on one daemon: the second uses the first's stub daemon state and socket. */
  async function twoHomes() {
    const { stubEnv: stub } = await import('./stub-runtime.js');
    const a = await stub('docker');
    const b = await stub('docker', { HD_STUB_STATE: a.state, DOCKER_HOST: a.env.DOCKER_HOST });
    return { a, b, close: () => (a.server.close(), b.server.close()) };
  }
  const install = ['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags];
  const calls = (state: string) => (existsSync(join(state, 'calls.log')) ? readFileSync(join(state, 'calls.log'), 'utf8').trim().split('\n') : []);
  const status = (state: string, c: string) => readFileSync(join(state, 'containers', `${c}.status`), 'utf8').trim();

  it('doctor in the other HOME reports the foreign container as a failed check with its fix (exit 1), and touches nothing', async () => {
    const { a, b, close } = await twoHomes();
    expect(cli(install, { env: a.env }).code).toBe(0);
    const before = calls(a.state).length;
    const r = cli(['doctor', '--preset', 'fivetran-docker', '--json', ...rootFlags], { env: b.env });
    expect(r.code, r.stderr).toBe(1);
    const owner = (JSON.parse(r.stdout) as { checks: { id: string; status: string; message: string; fix?: string }[] }).checks.find((c) => c.id === 'container-owner');
    expect(owner).toMatchObject({ status: 'fail', message: expect.stringContaining(`container controller belongs to the hd-setup install in ${join(a.home, 'fivetran')}`), fix: expect.stringContaining('docker rm -f controller') });
    expect(owner!.message).not.toContain(owner!.fix); // said once, as the fix
    // the conflict is one failed check among all the host checks, each run and shown
    const ids = (JSON.parse(r.stdout) as { checks: { id: string }[] }).checks.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['container-owner', 'runtime-present', 'socket', 'disk', 'memory', 'install-dir']));
    expect(cli(['doctor', '--preset', 'fivetran-docker', ...rootFlags], { env: b.env }).stdout).toMatch(/disk[\s\S]*container controller belongs|container controller belongs[\s\S]*disk/);
    expect(calls(a.state).slice(before).filter((c) => /^(rm|run|stop|start|network create|pull)\b/.test(c))).toEqual([]);
    close();
  });

  it('another HOME\'s install is refused with exit 2 naming whose it is; the running container and its files are untouched', async () => {
    const { a, b, close } = await twoHomes();
    expect(cli(install, { env: a.env }).code).toBe(0);
    const inspectA = readFileSync(join(a.state, 'containers/controller'), 'utf8');
    expect(JSON.parse(inspectA.replace('__STATUS__', 'running').replace('__RUNNING__', 'true')).Config.Labels['hd-setup.install']).toBe(join(a.home, 'fivetran'));
    const before = calls(a.state).length;
    for (const extra of [['--dry-run'], []]) {
      const r = cli([...install, ...extra], { env: b.env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`container controller: belongs to the hd-setup install in ${join(a.home, 'fivetran')}, not to the install in ${join(b.home, 'fivetran')}`);
      expect(r.stderr).toContain('docker rm -f controller');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const made = calls(a.state).slice(before);
    expect(made.filter((c) => /^(rm|run|stop|start|network create|pull)\b/.test(c))).toEqual([]);
    expect(readFileSync(join(a.state, 'containers/controller'), 'utf8')).toBe(inspectA);
    expect(status(a.state, 'controller')).toBe('running');
    expect(existsSync(join(b.home, 'fivetran/conf/config.json'))).toBe(false);
    close();
  });

  it('stop, start, restart and uninstall of an install whose container another HOME replaced: exit 2, the other\'s container keeps running', async () => {
    const { a, b, close } = await twoHomes();
    expect(cli(install, { env: b.env }).code).toBe(0);
    // B's container goes (removed by hand), and A's install takes the name.
    rmSync(join(a.state, 'containers/controller'));
    expect(cli([...install, '--set', 'fivetran.image=example.com/a/agent:2'], { env: a.env }).code).toBe(0);
    const before = calls(a.state).length;
    for (const cmd of [['stop'], ['start'], ['restart'], ['uninstall', '--yes']]) {
      const r = cli(cmd, { env: b.env });
      expect(r.code, `${cmd[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr, cmd[0]).toContain(`container controller: belongs to the hd-setup install in ${join(a.home, 'fivetran')}`);
    }
    expect(calls(a.state).slice(before).filter((c) => /^(rm|run|stop|start|restart)\b/.test(c))).toEqual([]);
    expect(status(a.state, 'controller')).toBe('running');
    expect(existsSync(join(b.home, '.config/systemd/user/hd-fivetran-agent.service'))).toBe(true);
    // Its own install is still found, and its settings are not read from the other install's container.
    const st = cli(['export-preset'], { env: b.env });
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).not.toContain('example.com/a/agent');
    close();
  });

  it('a container not made by hd-setup is not replaced: exit 2 with its labels and how to move it aside', async () => {
    const s = await (await import('./stub-runtime.js')).stubEnv('docker');
    const { spawnSync } = await import('node:child_process');
    spawnSync(join(ROOT, 'test/stubs/bin/docker'), ['run', '-d', '--name', 'controller', '--label', 'fivetran=ldp', '-v', '/opt/agent/conf:/conf', 'some/agent:1'], { env: s.env });
    const r = cli(install, { env: s.env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('container controller: belongs to no hd-setup install: it was not made by hd-setup (labels: fivetran=ldp; mounts: /opt/agent/conf)');
    expect(r.stderr).toContain('docker rename controller controller-old');
    expect(s.calls().filter((c) => /^(rm|run) /.test(c))).toEqual(['run -d --name controller --label fivetran=ldp -v /opt/agent/conf:/conf some/agent:1']);
    s.server.close();
  });

  it('a container an earlier hd-setup made for this install (no owner label, its mounts here) is still recreated, now with the label', async () => {
    const s = await (await import('./stub-runtime.js')).stubEnv('docker');
    expect(cli(install, { env: s.env }).code).toBe(0);
    const f = join(s.state, 'containers/controller');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/"hd-setup\.install":"[^"]*",?/, ''));
    expect(readFileSync(f, 'utf8')).not.toContain('hd-setup.install');
    const r = cli([...install, '--set', 'proxy.https=http://proxy:3128'], { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    expect(s.calls()).toContain('rm -f controller');
    expect(readFileSync(f, 'utf8')).toContain(`"hd-setup.install":"${join(s.home, 'fivetran')}"`);
    s.server.close();
  });
});

describe('temporary directories that may hold secrets (the diagnostics bundle stages its files in one)', () => {
  it('one a killed run left behind is removed by the next run; those of a live process, of another name, or a file are left', async () => {
    const { spawnSync } = await import('node:child_process');
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const base = tmp('hd-tmpdir-');
    const deadPid = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim(); // exited: its pid is free
    const stale = join(base, `hd-bundle-${deadPid}-aB3dE9`);
    mkdirSync(stale, { mode: 0o700 });
    writeFileSync(join(stale, 'tobiko.env'), 'TCLOUD_CLIENT_SECRET=left-over\n');
    const kept = [`hd-bundle-${process.pid}-aB3dE9`, 'hd-bundle-notapid-aB3dE9', `hd-bundle-${deadPid}-toolongname`, `other-${deadPid}-aB3dE9`];
    for (const k of kept) mkdirSync(join(base, k));
    writeFileSync(join(base, `hd-bundle-${deadPid}-fIlE00`), 'a file, not ours to remove\n');
    const r = cli(['doctor', '--bundle', join(s.home, 'diag.tgz')], { env: { ...s.env, TMPDIR: base } });
    expect(r.stderr).not.toMatch(/Error|at /);
    expect(existsSync(join(s.home, 'diag.tgz'))).toBe(true);
    // the run's own staging directory is gone too (hd-setup-<uid>: Node's compile cache, under Node 22.1+)
    expect(readdirSync(base).filter((n) => !/^hd-setup-\d+$/.test(n)).sort()).toEqual([...kept, `hd-bundle-${deadPid}-fIlE00`].sort());
    s.server.close();
  });
  it('Ctrl-C while the bundle is being gathered: exit 130, nothing written, the staging directory removed', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('./helpers.js');
    const s = await (await import('./stub-runtime.js')).stubEnv('docker');
    expect(cli(['install', '--preset', 'tobiko-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const base = tmp('hd-tmpdir-');
    const out = join(s.home, 'diag.tgz');
    const p = spawn(process.execPath, [BIN, 'doctor', '--bundle', out], { env: { ...s.env, TMPDIR: base, HD_STUB_SLOW: 'logs', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const staged = () => readdirSync(base).filter((n) => n.startsWith('hd-bundle-'));
    for (let i = 0; i < 200 && !(staged().length && s.calls().some((c) => c.startsWith('logs '))); i++) await new Promise((r) => setTimeout(r, 50));
    expect(staged()).toHaveLength(1);
    p.kill('SIGINT');
    const code = await new Promise((r) => p.once('exit', (c, sig) => r(c ?? sig)));
    expect(err).not.toMatch(/ENOENT|at /);
    expect(err).toContain('Interrupted (SIGINT) before any change, nothing was changed');
    expect(code, err).toBe(130);
    expect(staged()).toEqual([]);
    expect(existsSync(out)).toBe(false);
    s.server.close();
  }, 30_000);
});


describe("Node's compile cache (Node 22.1+; Node 20 has none): never where another user could plant code", () => {
  const uid = process.getuid!();
  const caches = typeof (createRequire(import.meta.url)('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function';
  const version = (base: string) => {
    const r = cli(['presets'], { env: { TMPDIR: base } });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(base, 'node-compile-cache'))).toBe(false); // Node's default place, shared by every user
  };

  it('kept in <tmp>/hd-setup-<uid>, made 0700; --version (which compiles next to nothing) makes none', () => {
    const bare = tmp('hd-cc-');
    expect(cli(['--version'], { env: { TMPDIR: bare } }).code).toBe(0);
    expect(readdirSync(bare)).toEqual([]);
    const base = tmp('hd-cc-');
    version(base);
    if (!caches) return expect(readdirSync(base)).toEqual([]);
    const dir = join(base, `hd-setup-${uid}`);
    expect(mode(dir)).toBe(0o700);
    expect(readdirSync(join(dir, 'compile-cache')).length).toBeGreaterThan(0);
  });

  it('a directory of that name others may write, or a symlink, is not used, and left as it is', () => {
    const open = tmp('hd-cc-');
    mkdirSync(join(open, `hd-setup-${uid}`));
    chmodSync(join(open, `hd-setup-${uid}`), 0o777);
    version(open);
    expect(mode(join(open, `hd-setup-${uid}`))).toBe(0o777);
    expect(readdirSync(join(open, `hd-setup-${uid}`))).toEqual([]);
    const linked = tmp('hd-cc-');
    const target = tmp('hd-cc-target-');
    symlinkSync(target, join(linked, `hd-setup-${uid}`));
    version(linked);
    expect(readdirSync(target)).toEqual([]);
  });
});

// hd-setup's state folder it may not write: root (as CI runs) gets a read-only bind mount of it (EROFS), any
// other user a folder without write permission (EACCES); the one line is the same but for the cause.
describe('~/.config/hd-setup that cannot be written', () => {
  it('install and stop are exit 2 with one line naming the folder and the fix (it was a raw EROFS and "set HD_SETUP_DEBUG"), nothing changed; --json says it as {"errors"}', async () => {
    const { stubEnv, rootFlags } = await import('./stub-runtime.js');
    const s = await stubEnv();
    expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
    const state = join(s.home, '.config/hd-setup');
    const locks = join(state, 'locks');
    const conf = join(s.home, 'fivetran/conf/config.json');
    const before = readFileSync(conf, 'utf8');
    const root = process.getuid?.() === 0;
    if (root) {
      expect(spawnSync('mount', ['--bind', state, state]).status).toBe(0);
      expect(spawnSync('mount', ['-o', 'remount,bind,ro', state]).status).toBe(0);
    } else chmodSync(locks, 0o500);
    const cause = root ? 'the file system is read-only \\(EROFS\\)' : 'permission denied \\(EACCES\\)';
    try {
      const r = cli(['install', '--preset', 'fivetran-docker', '--yes', '--set', 'fivetran.memory=3g', ...rootFlags], { env: s.env });
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^error: cannot use ${locks}/\\S+: ${cause}; make ${locks} writable for this user`));
      expect(readFileSync(conf, 'utf8')).toBe(before);
      const j = cli(['stop', '--yes', '--json', ...rootFlags], { env: s.env });
      expect(j.code).toBe(2);
      expect(JSON.parse(j.stdout).errors[0].message).toMatch(new RegExp(cause));
    } finally {
      if (root) spawnSync('umount', [state]);
      else chmodSync(locks, 0o700);
      s.server.close();
    }
  }, 60_000);
});

// A folder of the install that the plan writes a file into, that this user may not write (a chmod by hand):
// run as a user for whom permissions hold (root: a uid of no account, stub-runtime.ts asUser).
describe('a folder the install writes into that this user may not write', () => {
  it('conf/ chmod 500 and a change to config.json: the install-dir check fails naming conf/ and the chmod, before anything is changed (it passed, and step 2 failed with a raw EACCES); that chmod lets the run through', async () => {
    const { asUser, stubEnv } = await import('./stub-runtime.js');
    const s = await stubEnv();
    const { run, sh } = asUser(s);
    const first = run(['install', '--preset', 'fivetran-docker', '--yes']);
    expect(first.code, first.stderr).toBe(0);
    const conf = join(s.home, 'fivetran/conf');
    const file = join(conf, 'config.json');
    const before = readFileSync(file, 'utf8');
    chmodSync(conf, 0o500);
    const change = ['install', '--preset', 'fivetran-docker', '--yes', '--set', 'proxy.https=http://proxy.internal:3128'];
    const r = run(change);
    expect(r.code, r.stderr).toBe(1);
    // (no --skip-check offered: the run writes there, and would stop at the same folder)
    expect(r.stderr).toContain(`  Error: install-dir: ${conf} is not writable (mode 0500), and the install writes its files there\n  Fix:   give it back its permissions: chmod u+w ${conf}\n  Changed: nothing\n`);
    expect(r.stderr).not.toContain('EACCES');
    // skipped all the same: the write stops at it with one line naming the folder and the chmod, exit 2 (it was a raw "EACCES: permission denied, open '…/conf/.config.json.tmp-…'", exit 1)
    const skipped = run([...change, '--skip-check', 'install-dir']);
    expect(skipped.code, skipped.stderr).toBe(2);
    expect(skipped.stderr).toContain(`  Error: cannot write ${file}: ${conf} is not writable (mode 0500); give it back its permissions: chmod u+w ${conf}\n  Changed: nothing\n`);
    expect(skipped.stderr).not.toMatch(/EACCES|Fix:|tmp-/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(listBackups(file)).toEqual([]);
    expect(sh(/Fix: {3}give it back its permissions: (chmod \S+ \S+)/.exec(r.stderr)![1]!)).toBe(0);
    const again = run(change);
    expect(again.code, again.stderr).toBe(0);
    expect(listBackups(file)).toHaveLength(1);
    s.server.close();
  }, 60_000);
});

// An install dir this user may not write (a chmod by hand, or root's after a run with sudo): the install-dir
// check offered --skip-check install-dir, and the run it let through stopped making conf/ (exit 1, "permission
// denied; give a folder you can write"). Skipping the check is offered only where the run makes nothing there.
describe('an install dir this user may not write: no --skip-check where the run would stop at it', () => {
  it('0555 (and, run by root, root\'s): the check names the fix alone; skipped, the run stops at the folder with one line, the same fix, exit 2; with nothing to make there, the skip is offered and works', async () => {
    const { asUser, stubEnv } = await import('./stub-runtime.js');
    const s = await stubEnv();
    const { run, sh } = asUser(s);
    const dir = join(s.home, 'fivetran');
    const install = ['install', '--preset', 'fivetran-docker', '--yes'];
    const cases: [string, () => void, string, string][] = [['mode 0555', () => expect(sh(`mkdir -m 0555 ${dir}`)).toBe(0), 'mode 0555', `give it back its permissions: chmod u+w ${dir}`]];
    if (process.getuid?.() === 0) {
      // a folder of root's in this user's HOME (a run with sudo that kept HOME made it)
      const { uid, gid } = statSync(s.home);
      cases.push(['root\'s', () => (mkdirSync(dir), chmodSync(dir, 0o755)), 'mode 0755, owned by root', `give it back to this user (a run with sudo made it root's?): sudo chown -R ${uid}:${gid} ${dir}`]);
    }
    for (const [what, make, mode, fix] of cases) {
      make();
      const r = run(install);
      expect(r.code, `${what}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(`  Error: install-dir: ${dir} is not writable (${mode})\n  Fix:   ${fix}, or choose another directory with --set fivetran.installDir=...\n  Changed: nothing\n`);
      const skipped = run([...install, '--skip-check', 'install-dir']);
      expect(skipped.code, `${what}: ${skipped.stderr}`).toBe(2);
      expect(skipped.stderr).toContain(`  Error: cannot make the folder ${dir}/conf: ${dir} is not writable (${mode}); ${fix}\n  Changed: nothing\n`);
      expect(readdirSync(dir)).toEqual([]);
      rmSync(dir, { recursive: true });
    }
    // installed, then 0555 with nothing to make there (a re-run that changes nothing): skipping it helps, so it is offered
    expect(run(install).code).toBe(0);
    chmodSync(dir, 0o555);
    const again = run(install);
    expect(again.code, again.stderr).toBe(1);
    expect(again.stderr).toContain(`  Fix:   give it back its permissions: chmod u+w ${dir}, or choose another directory with --set fivetran.installDir=... (or --skip-check install-dir)\n`);
    const past = run([...install, '--skip-check', 'install-dir']);
    expect(past.code, past.stderr).toBe(0);
    expect(past.stderr).toContain('Changed: nothing');
    expect(sh(`chmod u+w ${dir}`)).toBe(0);
    s.server.close();
  }, 90_000);
});

// A folder of root's is given back with a sudo chown only in this user's HOME (a run with sudo that kept HOME
// made it): an install dir under /opt (root's, as it should be) was offered "sudo chown -R <uid> /opt".
describe("an install dir under a folder of root's outside HOME", () => {
  it('is no sudo chown of that folder: root is asked for a folder there, or another place', async () => {
    const { asUser, stubEnv } = await import('./stub-runtime.js');
    const s = await stubEnv();
    const { run } = asUser(s);
    // (as any other user than root, a folder of root's outside HOME is one of the system's: /usr)
    const opt = process.getuid?.() === 0 ? tmp('hd-opt-') : '/usr';
    if (process.getuid?.() === 0) chmodSync(opt, 0o755);
    const r = run(['doctor', '--preset', 'fivetran-docker', '--set', `fivetran.installDir=${opt}/fivetran`, '--json']);
    const check = (JSON.parse(r.stdout) as { checks: { id: string; status: string; message: string; fix?: string }[] }).checks.find((c) => c.id === 'install-dir')!;
    expect(check.message).toBe(`${opt}/fivetran is not writable (${opt} is not: mode 0755, owned by root)`);
    expect(check.fix).toBe("it is root's, outside your home: have root make a folder there for this user, or choose another directory with --set fivetran.installDir=...");
    s.server.close();
  }, 60_000);
});

// An install dir on a read-only mount (root, as CI runs: a read-only bind mount) or in a folder without write
// permission (any other user): the install-dir check said "fix the permissions of <folder>" for both; on the
// read-only mount the permissions were fine, and a chmod does nothing there.
describe('an install dir that cannot be made: the fix for why', () => {
  it('a read-only mount: no chmod, the mount named; a folder without write permission: its chmod', async () => {
    const { stubEnv, rootFlags } = await import('./stub-runtime.js');
    const s = await stubEnv();
    const parent = join(s.home, 'disk');
    mkdirSync(parent, { mode: 0o755 });
    const root = process.getuid?.() === 0;
    if (root) {
      expect(spawnSync('mount', ['--bind', parent, parent]).status).toBe(0);
      expect(spawnSync('mount', ['-o', 'remount,bind,ro', parent]).status).toBe(0);
    } else chmodSync(parent, 0o555);
    try {
      const r = cli(['doctor', '--preset', 'fivetran-docker', '--set', `fivetran.installDir=${parent}/fivetran`, '--json', ...rootFlags], { env: s.env });
      const check = (JSON.parse(r.stdout) as { checks: { id: string; status: string; message: string; fix?: string }[] }).checks.find((c) => c.id === 'install-dir')!;
      expect(check.status).toBe('fail');
      expect(check.message).toBe(`${parent}/fivetran is not writable (${parent} is not: ${root ? 'mode 0755' : 'mode 0555'})`);
      expect(check.fix).toBe(
        root
          ? `its mode allows it, so something else refuses it (a read-only mount, an ACL, SELinux or AppArmor): check those, or choose another directory with --set fivetran.installDir=...`
          : `give it back its permissions: chmod u+w ${parent}, or choose another directory with --set fivetran.installDir=...`,
      );
    } finally {
      if (root) spawnSync('umount', [parent]);
      else chmodSync(parent, 0o755);
      s.server.close();
    }
  }, 60_000);
});
