// Preflight checks for docker/podman. Each has an id, a message and a fix; --skip-check <id> skips one.
import { constants, existsSync, readdirSync, statSync, statfsSync } from 'node:fs';
import { arch, cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { BaseModel as Model } from '../model/base.js';
import type { ProductModule } from '../products/types.js';
import type { HostFacts, InstalledState } from '../plan/types.js';
import { which } from '../util/which.js';
import { shellQuote } from '../util/shell.js';
import { mayAccess, permissionFix } from '../util/bounded-read.js';
import { isSocket, linkedFolderProblem } from '../util/fsx.js';
import type { RuntimeInfo } from './detect.js';
import type { CheckResult } from './events.js';
import { run } from './run.js';
import type { ContainerCheckId } from './check-ids.js';

export interface CheckContext {
  model: Model;
  product: ProductModule;
  host: HostFacts & { runtime?: RuntimeInfo };
  state: InstalledState;
  installDir: string;
  allowRoot: boolean;
  /** Where allowRoot came from: --allow-root now, or the install's record (it was installed with it). */
  allowRootFrom?: 'flag' | 'install';
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** The folders the plan makes where something else is (plan mkdir `blocked`): the install-dir check fails on them. */
  blockedDirs?: { path: string; what: string }[];
  /** The folders the plan writes files into (conf/, the unit's): the install-dir check fails on one there that this user may not write. */
  writeDirs?: string[];
  /** The folders the plan makes or finds there (mkdir) and the files it writes: where the install-dir check fails on one, skipping it would not help. */
  makes?: string[];
  /** The memory limits the plan gives its containers (the memory check says when the runtime cannot apply them). */
  memoryLimits?: string[];
}

export type Check = (ctx: CheckContext) => Promise<CheckResult> | CheckResult;

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

const GB = 1024 ** 3;

function nearestExisting(p: string): string {
  let cur = p;
  while (!existsSync(cur) && dirname(cur) !== cur) cur = dirname(cur);
  return cur;
}

function runtimeName(ctx: CheckContext): 'docker' | 'podman' {
  return ctx.model.runtime === 'podman' ? 'podman' : 'docker';
}

export const containerChecks: Record<ContainerCheckId, Check> = {
  'runtime-present': (ctx) => {
    const rt = runtimeName(ctx);
    const bin = ctx.host.runtime?.bin;
    if (!bin) {
      return {
        status: 'fail',
        message: `${rt} is not installed or not on PATH`,
        fix: rt === 'docker' ? 'install Docker Engine (docs.docker.com/engine/install) or use --set runtime=podman' : 'install podman (apt/dnf install podman) or use --set runtime=docker',
      };
    }
    return { status: 'ok', message: `${rt} found at ${bin}` };
  },
  'runtime-version': (ctx) => {
    const rt = runtimeName(ctx);
    const v = ctx.host.runtime?.version;
    // The product's own minimum (its vendor's install script), if it states one.
    const min = ctx.product.host.runtimeMinimums?.[rt];
    if (!v) return { status: 'warn', message: `could not read the ${rt} version`, fix: `check that "${rt} --version" works` };
    if (!min) return { status: 'ok', message: `${rt} ${v} (no minimum version is stated for the ${ctx.product.title})` };
    if (compareVersions(v, min) < 0) {
      return { status: 'fail', message: `${rt} ${v} is older than the required ${min}`, fix: `upgrade ${rt} to ${min} or newer, or pass --skip-check runtime-version to try anyway` };
    }
    return { status: 'ok', message: `${rt} ${v} (>= ${min})` };
  },
  socket: (ctx) => {
    const rt = runtimeName(ctx);
    const info = ctx.host.runtime;
    const mode = info?.rootless ? 'rootless' : 'rootful';
    const sock = ctx.host.socket;
    const socketThere = isSocket(sock);
    if (!info?.reachable && rt === 'docker' && info?.rootless && socketThere) {
      // detection found the user's own daemon at $XDG_RUNTIME_DIR/docker.sock while the CLI asks another one
      return { status: 'fail', message: `the docker CLI reaches no daemon; a rootless docker listens at ${sock}`, fix: `export DOCKER_HOST=unix://${sock} and run hd-setup again` };
    }
    if (!info?.reachable) {
      return {
        status: 'fail',
        message: `the ${rt} daemon is not reachable`,
        fix: rt === 'docker' ? 'start it: sudo systemctl start docker (rootless: systemctl --user start docker)' : 'check "podman info"; for rootless podman run it as the user that owns the containers',
      };
    }
    const use = ctx.product.host.socket;
    if (!use) return { status: 'ok', message: `${mode} ${rt}, reachable (its API socket is not mounted by this install)` };
    if (!socketThere) {
      return {
        status: 'fail',
        message: `${mode} ${rt} detected, but its API socket ${sock} does not exist; ${use.why}`,
        fix: rt === 'podman' ? (info.rootless ? 'systemctl --user enable --now podman.socket' : 'sudo systemctl enable --now podman.socket') : 'start the docker daemon, or set DOCKER_HOST=unix:///path/to/docker.sock',
      };
    }
    return { status: 'ok', message: `${mode} ${rt}, socket ${sock}` };
  },
  'not-root': (ctx) => {
    if (ctx.host.uid !== 0) return { status: 'ok', message: `running as uid ${ctx.host.uid}` };
    if (ctx.allowRoot) return { status: 'warn', message: `running as root (${ctx.allowRootFrom === 'install' ? 'allowed: it was installed with --allow-root' : '--allow-root'})`, fix: 'the vendor recommends a regular user with rootless podman or docker' };
    return { status: 'fail', message: 'running as root; the vendor scripts refuse this too', fix: 'run as a regular user (rootless podman/docker recommended), or pass --allow-root' };
  },
  arch: (ctx) => {
    if (arch() === 'x64' || !ctx.product.host.amd64Only) return { status: 'ok', message: arch() === 'x64' ? 'x86_64' : arch() };
    return { status: 'warn', message: `architecture ${arch()}: the image of ${ctx.product.noun} is published for x86_64 only`, fix: 'use an x86_64 host' };
  },
  selinux: (ctx) => ({
    status: 'ok',
    message: ctx.host.selinux ? 'SELinux is enforcing or permissive: host_selinux_enabled = "true"' : 'SELinux is disabled or absent',
  }),
  disk: (ctx) => {
    const p = nearestExisting(ctx.installDir);
    try {
      const s = statfsSync(p);
      const free = (s.bavail * s.bsize) / GB;
      if (free < 1) return { status: 'fail', message: `only ${free.toFixed(1)} GB free at ${p}`, fix: `free disk space, or choose another directory with --set ${ctx.product.settingPath('installDir', ctx.model.runtime)}=...` };
      if (free < 50) return { status: 'warn', message: `${free.toFixed(0)} GB free at ${p}; 50 GB is recommended for pipeline data`, fix: 'add disk space for data/ and tmp/' };
      return { status: 'ok', message: `${free.toFixed(0)} GB free at ${p}` };
    } catch {
      return { status: 'warn', message: `could not read free space at ${p}` };
    }
  },
  memory: (ctx) => {
    const mem = totalmem() / GB;
    const cores = cpus().length;
    // A rootless runtime on cgroups v1 cannot limit a container's memory: it takes --memory and ignores it
    // (podman says so in one line of its output), while the labels and the summary would say it is set.
    const limits = [...new Set(ctx.memoryLimits ?? [])];
    const rt = ctx.host.runtime;
    const ignored = rt?.rootless && rt.cgroups === '1' && limits.length ? `; the container memory limit (${limits.join(', ')}) is not applied: rootless ${runtimeName(ctx)} on cgroups v1 cannot limit memory` : '';
    const ignoredFix = 'the limit applies on cgroups v2 (the unified hierarchy), or with a rootful runtime';
    // The vendor's sizing for the host, where it states one.
    const size = ctx.product.host.sizing;
    if (size && (mem < size.memoryGb || cores < size.cpus)) {
      return { status: 'warn', message: `${mem.toFixed(0)} GB RAM and ${cores} CPUs; ${size.memoryGb} GB and ${size.cpus} CPUs are recommended${ignored}`, fix: `size the host up before running many connections${ignored ? `; ${ignoredFix}` : ''}` };
    }
    if (ignored) return { status: 'warn', message: `${mem.toFixed(0)} GB RAM, ${cores} CPUs${ignored}`, fix: ignoredFix };
    return { status: 'ok', message: `${mem.toFixed(0)} GB RAM, ${cores} CPUs` };
  },
  'install-dir': (ctx) => {
    const p = nearestExisting(ctx.installDir);
    const other = ` --set ${ctx.product.settingPath('installDir', ctx.model.runtime)}=...`;
    // Where the run makes a folder or writes a file, what fails here stops it there too: skipping this check
    // would not help, so no --skip-check is offered (it is, where the check may be wrong about an odd host).
    const under = (x: string, d: string) => x === d || x.startsWith(`${d}/`);
    const makes = [ctx.installDir, ...(ctx.makes ?? [])];
    const missing = makes.filter((x) => !existsSync(x));
    const uses = (d: string) => makes.some((x) => under(x, d));
    // (a folder or file made in it, a temp file written there; the install dir also records what it makes there)
    const makesIn = (d: string) => [...missing, ...(ctx.writeDirs ?? [])].some((x) => nearestExisting(x) === d) || (d === ctx.installDir && missing.some((x) => under(x, d)));
    // a folder it keeps there is something else now (a file, a link to nothing): the run would stop at it
    const way = ctx.blockedDirs?.[0];
    if (way) return { status: 'fail', message: `${way.path} is ${way.what}, where hd-setup keeps a folder`, fix: `move it away (mv ${shellQuote(way.path)} ${shellQuote(`${way.path}.old`)}), then run this again`, noSkip: true };
    if (!statSync(p).isDirectory()) {
      return { status: 'fail', message: `${ctx.installDir} cannot be made: ${p} is a file, not a folder`, fix: `move ${p} away, or choose another directory with${other}`, noSkip: true };
    }
    // the install dir, and the folders in it, may be links: only to a folder of this user's (util/fsx.ts)
    const entries = (): string[] => {
      try {
        return readdirSync(p).map((e) => join(p, e));
      } catch {
        return []; // not readable: the write check below says so
      }
    };
    const linkedAt = [ctx.installDir, ...(p === ctx.installDir ? entries() : [])].find((d) => linkedFolderProblem(d));
    const linked = linkedAt && linkedFolderProblem(linkedAt);
    if (linkedAt && linked) return { status: 'fail', message: linked.split('; ')[0]!, fix: linked.split('; ')[1]!, ...(uses(linkedAt) ? { noSkip: true as const } : {}) };
    const writable = (d: string) => mayAccess(d, constants.W_OK | constants.X_OK);
    if (!writable(p)) {
      // why: the chmod the owner lacks, another user's folder, or (its mode allows it) a read-only mount, where a chmod does nothing
      const why = permissionFix(p, 'wx');
      const mode = why ? `: ${why.mode}` : '';
      const fix = why ? why.fix.replace(/, or choose another place$/, '') : `fix the permissions of ${p}`;
      return { status: 'fail', message: p === ctx.installDir ? `${p} is not writable${why ? ` (${why.mode})` : ''}` : `${ctx.installDir} is not writable (${p} is not${mode})`, fix: `${fix}, or choose another directory with${other}`, ...(makesIn(p) ? { noSkip: true as const } : {}) };
    }
    // a folder the plan writes a file into (conf/ of a re-run that changes config.json): its step would fail
    const closed = (ctx.writeDirs ?? []).map(nearestExisting).find((d) => !writable(d));
    const fix = closed ? permissionFix(closed, 'wx') : undefined;
    if (closed && fix) return { status: 'fail', message: `${closed} is not writable (${fix.mode}), and the install writes its files there`, fix: fix.fix, noSkip: true };
    return { status: 'ok', message: `${ctx.installDir} is writable` };
  },
  linger: async (ctx) => {
    if (!ctx.host.rootless) return { status: 'ok', message: 'rootful runtime: the containers outlive your session (starting at boot is checked at "Start on boot")' };
    const user = ctx.env.USER ?? ctx.env.LOGNAME ?? String(ctx.host.uid);
    const bin = which('loginctl', ctx.env.PATH);
    if (!bin) return { status: 'warn', message: 'loginctl not found: cannot check linger', fix: `sudo loginctl enable-linger ${user}, so that the containers keep running after you log out` };
    const r = await run([bin, 'show-user', user, '--property=Linger'], { timeoutMs: 3000 });
    if (r.exitCode === 0 && /Linger=yes/.test(r.stdout)) return { status: 'ok', message: `linger is enabled for ${user}` };
    return { status: 'warn', message: `linger is not enabled for ${user}: rootless containers stop when you log out`, fix: `sudo loginctl enable-linger ${user}` };
  },
  'image-present': (ctx) => {
    const image = ctx.product.image(ctx.model);
    if (image && ctx.state.images.includes(image)) return { status: 'ok', message: `image ${image} is present` };
    return { status: 'fail', message: `image ${image} is not present and pull policy is never`, fix: `load it first (${runtimeName(ctx)} load -i image.tar), or let it be pulled: --set ${ctx.product.settingPath('pullPolicy', ctx.model.runtime)}=missing` };
  },
};
