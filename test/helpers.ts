import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadModel, type LoadOptions } from '../src/products/load.js';
import { UserError } from '../src/model/errors.js';
import type { RenderEnv } from '../src/render/types.js';
import type { BaseModel } from '../src/model/base.js';
import type { FivetranOptions } from '../src/products/fivetran/schema.js';
import type { TobikoOptions } from '../src/products/tobiko/schema.js';
import type { HostFacts } from '../src/plan/types.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const BIN = join(ROOT, 'bin/hd-setup.js');

export const TOKEN_SECRET_PART = 'Sup3rS3cretTokenPart';
export const TOKEN = Buffer.from(`clever_tiger:${TOKEN_SECRET_PART}`).toString('base64');
export const CLIENT_SECRET = 'tc-client-secret-9f8e7d';
export const WAREHOUSE_PASSWORD = 'pg-pass-Zq81!x';
export const SECRETS = [TOKEN, TOKEN_SECRET_PART, CLIENT_SECRET, WAREHOUSE_PASSWORD];

export const SECRET_ENV = { FIVETRAN_TOKEN: TOKEN, TCLOUD_CLIENT_SECRET: CLIENT_SECRET, WAREHOUSE_PASSWORD };

export const RENDER_ENV: RenderEnv = { home: '/home/ana', selinux: false, runtimeBin: '/usr/bin/docker', version: '1.0.0-test' };

export const HOST: HostFacts = {
  home: '/home/ana',
  user: 'ana',
  uid: 1000,
  runtimeBin: '/usr/bin/docker',
  rootless: true,
  socket: '/run/user/1000/docker.sock',
  selinux: false,
  systemdUser: false,
  version: '1.0.0-test',
};

/** A parsed model with both products' sections typed, for tests that look inside. */
export type TestModel = BaseModel & { fivetran?: FivetranOptions; tobiko?: TobikoOptions };

export function load(opts: LoadOptions) {
  const r = loadModel({ env: { ...SECRET_ENV }, home: '/home/ana', ...opts });
  return { ...r, model: r.model as TestModel };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; user?: { uid: number; gid: number } } = {}): CliResult {
  // as another user (root runs it as one for whom permissions hold: see stub-runtime.ts asUser)
  const [cmd, argv] = opts.user ? ['setpriv', [`--reuid=${opts.user.uid}`, `--regid=${opts.user.gid}`, '--clear-groups', process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]];
  const r = spawnSync(cmd, argv, {
    cwd: opts.cwd ?? ROOT,
    env: { PATH: process.env.PATH, HOME: opts.env?.HOME ?? tmpHome(), CI: 'true', NO_COLOR: '1', ...opts.env },
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: 30_000,
    // A CLI that hangs in a busy loop never runs its SIGTERM handler, and that handler keeps the default
    // action from ending it: SIGKILL, so a hang fails its test instead of holding the suite forever.
    killSignal: 'SIGKILL',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** cli() without blocking this process: for tests whose servers (a proxy, an endpoint) must answer the CLI meanwhile. */
export function cliAsync(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: opts.env?.HOME ?? tmpHome(), CI: 'true', NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((done) => child.on('close', (code) => (clearTimeout(timer), done({ code: code ?? -1, stdout, stderr }))));
}

export function tmp(prefix = 'hd-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let home: string | undefined;
function tmpHome(): string {
  home ??= tmp('hd-home-');
  return home;
}

export function expectNoSecrets(text: string): void {
  for (const s of SECRETS) {
    if (text.includes(s)) throw new Error(`secret leaked: ...${text.slice(Math.max(0, text.indexOf(s) - 40), text.indexOf(s) + 40)}...`);
  }
}

/** The problems a UserError names (path: message), or a failure when `fn` does not throw one. */
/** How the CLI reports an error (cli/context.ts reportError): its exit code and what it writes to stderr. */
export async function reportedError(e: unknown): Promise<{ exit: number; err: string }> {
  const { reportError } = await import('../src/cli/context.js');
  let err = '';
  const write = process.stderr.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { exit: reportError(e, false), err };
  } finally {
    process.stderr.write = write;
  }
}

export function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    throw e;
  }
  throw new Error('expected a UserError');
}

/** A valid Tobiko preset for tests (one Postgres gateway, secrets as env: references), with `tobiko` on top. */
export const tobikoPreset = (tobiko: Record<string, unknown>, runtime: string, host = 'h') => ({
  product: 'tobiko',
  runtime,
  tobiko: {
    org: 'acme',
    project: 'p',
    clientId: 'cid',
    clientSecret: 'env:TCLOUD_CLIENT_SECRET',
    gateways: { wh: { type: 'postgres', host, port: 5432, database: 'd', user: 'u', password: 'env:WAREHOUSE_PASSWORD' } },
    ...tobiko,
  },
});
