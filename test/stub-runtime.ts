// The stub container runtime (test/stubs/bin/docker, also answering as podman) set up per test: its own
// HOME, its state dir, and a socket that stands for the daemon's. The real daemons are in test/e2e.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { ROOT, SECRET_ENV, tmp } from './helpers.js';

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
