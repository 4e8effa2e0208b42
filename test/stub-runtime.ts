// The stub container runtime (test/stubs/bin/docker, also answering as podman) set up per test: its own
// HOME, its state dir, and a socket that stands for the daemon's. The real daemons are in test/e2e.
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { ROOT, SECRET_ENV, cli, tmp, type CliResult } from './helpers.js';

export interface StubEnv {
  home: string;
  state: string;
  env: NodeJS.ProcessEnv;
  /** The runtime's argv lines, in order (never stdin). */
  calls(): string[];
  server: Server;
}

export interface StubOptions {
  /** Extra directories put first on PATH (e.g. test/stubs/boot). */
  path?: string[];
  /** The image is present locally from the start. */
  imagePresent?: boolean;
}

export async function stubEnv(runtime: 'docker' | 'podman' = 'docker', extra: NodeJS.ProcessEnv = {}, o: StubOptions = {}): Promise<StubEnv> {
  const home = tmp('hd-stub-home-');
  const state = join(home, '.stub');
  mkdirSync(state);
  const sock = join(home, 'runtime.sock');
  const server = createServer().listen(sock);
  await new Promise((r) => server.once('listening', r));
  if (o.imagePresent) writeFileSync(join(state, 'image-present'), '');
  const env: NodeJS.ProcessEnv = {
    ...SECRET_ENV,
    PATH: [...(o.path ?? []), join(ROOT, 'test/stubs/bin'), '/usr/bin', '/bin'].join(':'),
    HOME: home,
    HD_STUB_STATE: state,
    ...(runtime === 'docker' ? { DOCKER_HOST: `unix://${sock}` } : { HD_STUB_SOCKET: sock }),
    ...extra,
  };
  const calls = () => (existsSync(join(state, 'calls.log')) ? readFileSync(join(state, 'calls.log'), 'utf8').trim().split('\n') : []);
  return { home, state, env, server, calls };
}

/** As root (CI), installs need --allow-root, as the vendor's scripts refuse root. */
export const rootFlags = process.getuid?.() === 0 ? ['--allow-root'] : [];

/**
 * The CLI (and a shell line, the fix it prints) as a user for whom permissions hold, on this stub's HOME: root
 * (as CI runs) may read and write a chmod 000 folder, so there they run as an unprivileged uid that no
 * account has (setpriv takes a number; nothing to create, so a fresh machine runs them too), the HOME, the
 * stub's state and socket given to it; any other user runs them as itself.
 */
const NOBODY = { uid: 64123, gid: 64123 };
export function asUser(s: StubEnv): { run: (args: string[]) => CliResult; sh: (line: string) => number | null } {
  if (process.getuid?.() !== 0) return { run: (args) => cli(args, { env: s.env }), sh: (line) => spawnSync('sh', ['-c', line]).status };
  const user = NOBODY;
  const own = (p: string) => {
    chownSync(p, user.uid, user.gid);
    for (const e of readdirSync(p, { withFileTypes: true })) {
      if (e.isDirectory()) own(join(p, e.name));
      else chownSync(join(p, e.name), user.uid, user.gid);
    }
  };
  own(s.home);
  // the run's own temporary folder (test/tmp-setup.ts, root's, 0700) that holds the HOME: passable (not readable)
  const suite = tmpdir();
  if (s.home.startsWith(`${suite}/`)) chmodSync(suite, (statSync(suite).mode & 0o7777) | 0o111);
  return {
    run: (args) => cli(args, { env: s.env, user }),
    sh: (line) => spawnSync('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', 'sh', '-c', line]).status,
  };
}
