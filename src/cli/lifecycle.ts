// status, doctor, uninstall, start, stop, restart, rollback, export-preset: all work from any directory,
// on the install found through --preset/--set, the install registry, or the default locations.
import { existsSync, writeFileSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { latestGoodBackup, writeFileAtomic } from '../util/fsx.js';
import { lockInstall } from '../util/lock.js';
import { backupValidator } from '../exec/local-state.js';
import { homedir, tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { UserError } from '../model/errors.js';
import { buildRaw, parseModel } from '../model/load.js';
import type { Model } from '../model/schema.js';
import { detectHost, detectRuntime } from '../exec/detect.js';
import { detectInstalled, type DetectQuery, type DetectedInstall } from '../exec/installed.js';
import { forget, queryOf, readRegistry } from '../exec/registry.js';
import { allChecks } from '../exec/checks.js';
import type { CheckReport, Summary } from '../exec/events.js';
import { run } from '../exec/run.js';
import { probeEndpoint } from '../exec/net.js';
import { buildPlan, installDirOf, stateDirOf } from '../plan/index.js';
import { releaseSelector } from '../plan/kubernetes.js';
import { helmRollbackPlan, scaleStep, stopPlan, uninstallPlan, containerNamesOf, type Target } from '../plan/lifecycle.js';
import { planToText } from '../plan/describe.js';
import type { Plan } from '../plan/types.js';
import { toYaml } from '../render/yaml.js';
import { isInteractive, redactor } from '../util/output.js';
import { maskUrlCredentials, urlPasswords } from '../util/redact.js';
import { withSecretRefs } from '../model/secret-refs.js';
import { printJson, type ModelFlags } from './context.js';
import { VERSION } from '../version.js';
import { FIVETRAN_UNIT } from '../products/fivetran/render.js';
import { exitCodeOf, prepare, queryFromRaw, runPlan, type InstallFlags } from './install.js';

export interface LifecycleFlags extends ModelFlags {
  yes?: boolean;
  dryRun?: boolean;
  purge?: boolean;
  bundle?: string;
  out?: string;
  allowRoot?: boolean;
  skipCheck?: string[];
}

/** Find the install these flags point at. */
export async function findInstall(flags: LifecycleFlags): Promise<DetectedInstall> {
  const home = process.env.HOME ?? homedir();
  let query: DetectQuery | undefined;
  if (flags.preset || (flags.set && flags.set.length) || flags.context) {
    const { raw } = buildRaw({ ...(flags.preset ? { preset: flags.preset } : {}), sets: flags.set ?? [], ...(flags.context ? { context: flags.context } : {}) });
    query = queryFromRaw(raw);
  }
  const candidates: DetectQuery[] = query ? [query] : [...readRegistry(home).map(queryOf), {}];
  for (const q of candidates) {
    const found = await detectInstalled(q);
    if (found) {
      redactor.add(found.secretPaths.map((p) => String(p.split('.').reduce<any>((o, k) => o?.[k], found.preset) ?? '')));
      const proxy = (found.preset.proxy ?? {}) as Record<string, unknown>;
      redactor.add([proxy.http, proxy.https].flatMap((u) => (typeof u === 'string' ? urlPasswords(u) : [])));
      return found;
    }
  }
  throw new UserError([
    {
      path: '',
      message: `no install found${query ? ` for ${query.product ?? '?'} on ${query.runtime ?? '?'}` : ' (looked in ~/fivetran, ~/tobiko and the installs hd-setup recorded)'}; point at it with --preset <name> [--set ...], e.g. --preset fivetran-kubernetes --set fivetran.kubernetes.namespace=...`,
    },
  ]);
}

function modelOf(d: DetectedInstall): Model {
  return parseModel(structuredClone(d.preset), { env: {} }).model;
}

async function targetOf(d: DetectedInstall, model: Model): Promise<Target> {
  const host = await detectHost(d.runtime, { light: d.runtime === 'kubernetes' });
  const k = model.product === 'fivetran' ? model.fivetran?.kubernetes : model.tobiko?.kubernetes;
  return {
    product: d.product,
    runtime: d.runtime,
    runtimeBin: host.runtimeBin,
    home: host.home,
    systemdUser: host.systemdUser,
    ...(d.runtime === 'kubernetes'
      ? { namespace: k?.namespace ?? 'default', release: k?.release ?? '', ...(k?.context ? { context: k.context } : {}), stateDir: stateDirOf(model, host.home) }
      : { installDir: installDirOf(model, host.home) }),
  };
}

async function confirmOrYes(flags: LifecycleFlags, what: string): Promise<boolean> {
  if (flags.yes) return true;
  if (!isInteractive()) throw new UserError([{ path: '--yes', message: `is required to ${what} without a terminal` }]);
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${what}? [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function runLifecyclePlan(plan: Plan, d: DetectedInstall, flags: LifecycleFlags, what: string): Promise<number> {
  if (flags.dryRun) {
    process.stdout.write(`hd-setup ${what} --dry-run: ${d.product} on ${d.runtime} (${d.where})\n\n${planToText(plan, redactor)}\n`);
    return 0;
  }
  if (!(await confirmOrYes(flags, `${what[0]!.toUpperCase()}${what.slice(1)} ${d.product} on ${d.runtime} (${d.where})`))) {
    process.stderr.write('Nothing was changed.\n');
    return 1;
  }
  const model = modelOf(d);
  const host = await detectHost(d.runtime, { light: true });
  const summary = await runPlan({ loaded: { model, raw: d.preset, secrets: new Set(), source: d.where, warnings: [] }, host, state: { containers: {}, networks: [], images: [], files: {} }, plan }, flags);
  return exitCodeOf(summary);
}

// ---- uninstall ----
export async function uninstallCommand(flags: LifecycleFlags): Promise<number> {
  const d = await findInstall(flags);
  if (!flags.dryRun && (await lockInstall(d)).waited) return uninstallCommand(flags);
  const model = modelOf(d);
  const t = await targetOf(d, model);
  const code = await runLifecyclePlan(uninstallPlan(t, Boolean(flags.purge)), d, flags, 'uninstall');
  if (code === 0 && !flags.dryRun) {
    const home = t.home;
    for (const r of readRegistry(home)) if (r.product === d.product && r.runtime === d.runtime) forget(home, r);
  }
  return code;
}

// ---- start / stop / restart ----
export async function stopCommand(flags: LifecycleFlags): Promise<number> {
  const d = await findInstall(flags);
  if (!flags.dryRun && (await lockInstall(d)).waited) return stopCommand(flags);
  const t = await targetOf(d, modelOf(d));
  return runLifecyclePlan(stopPlan(t), d, { ...flags, yes: true }, 'stop');
}

/** Start: containers are (re)created from the installed config when it changed; Kubernetes scales back up. */
export async function startCommand(flags: LifecycleFlags): Promise<number> {
  const d = await findInstall(flags);
  if (!flags.dryRun && (await lockInstall(d)).waited) return startCommand(flags);
  const model = modelOf(d);
  if (d.runtime === 'kubernetes') {
    const t = await targetOf(d, model);
    const replicas: number | [number, number] = model.product === 'tobiko' ? [model.tobiko!.kubernetes.apply.replicas, model.tobiko!.kubernetes.run.replicas] : 1;
    const plan: Plan = { product: d.product, runtime: d.runtime, files: [], nextSteps: ['Status: hd-setup status'], steps: [scaleStep(t, replicas)] };
    return runLifecyclePlan(plan, d, { ...flags, yes: true }, 'start');
  }
  // A start re-applies the installed config; it is not an upgrade, so it pulls only a missing image.
  const preset = structuredClone(d.preset) as Record<string, any>;
  if (d.product === 'fivetran') preset.fivetran = { ...preset.fivetran, pullPolicy: 'missing' };
  else preset.tobiko = { ...preset.tobiko, docker: { ...(preset.tobiko?.docker ?? {}), pullPolicy: 'missing' } };
  const startModel = parseModel(preset, { env: {} }).model;
  const p = await prepare({ model: startModel, raw: preset, secrets: new Set(), source: d.where, warnings: [] });
  if (flags.dryRun) {
    process.stdout.write(planToText(p.plan, redactor) + '\n');
    return 0;
  }
  return exitCodeOf(await runPlan(p, { ...flags, skipCheck: [...(flags.skipCheck ?? [])] } as InstallFlags));
}

export async function restartCommand(flags: LifecycleFlags): Promise<number> {
  const stopped = await stopCommand(flags);
  if (stopped !== 0) return stopped;
  return startCommand(flags);
}

// ---- rollback ----
function latestBackup(file: string): string | undefined {
  // the newest backup that parses and is complete; a 0-byte or cut-off one is passed over
  const good = latestGoodBackup(file, backupValidator(file));
  for (const s of good?.skipped ?? []) process.stderr.write(`warning: skipping ${s}: it is empty or incomplete\n`);
  return good?.path;
}

export async function rollbackCommand(flags: LifecycleFlags): Promise<number> {
  const d = await findInstall(flags);
  if (!flags.dryRun && (await lockInstall(d)).waited) return rollbackCommand(flags);
  const model = modelOf(d);
  const t = await targetOf(d, model);
  if (d.runtime === 'kubernetes') {
    const values = posix.join(t.stateDir ?? '', 'values.yaml');
    const b = latestBackup(values);
    return runLifecyclePlan(helmRollbackPlan(t, b ? { from: b, to: values } : undefined), d, flags, 'roll back');
  }
  const file = posix.join(t.installDir ?? '', d.product === 'fivetran' ? 'conf/config.json' : 'tobiko.env');
  const b = latestBackup(file);
  if (!b) throw new UserError([{ path: '', message: `no backup of ${file} to roll back to (a backup is made each time hd-setup changes it)` }]);
  if (flags.dryRun) {
    process.stdout.write(`hd-setup rollback --dry-run: restore ${file} from ${b}, then re-apply it (containers are recreated)\n`);
    return 0;
  }
  if (!(await confirmOrYes(flags, `Restore ${file} from ${posix.basename(b)} and re-apply it`))) return 1;
  const restorePlan: Plan = {
    product: d.product,
    runtime: d.runtime,
    files: [],
    nextSteps: [],
    steps: [{ id: 'restore', title: `Restore ${posix.basename(file)} from ${posix.basename(b)}`, actions: [{ kind: 'restore', from: b, to: file }] }],
  };
  const host = await detectHost(d.runtime, { light: true });
  const s1 = await runPlan({ loaded: { model, raw: d.preset, secrets: new Set(), source: d.where, warnings: [] }, host, state: { containers: {}, networks: [], images: [], files: {} }, plan: restorePlan }, flags);
  if (!s1.ok) return exitCodeOf(s1);
  return startCommand({ ...flags, preset: undefined, set: [] , ...(t.installDir ? { set: [`${d.product === 'fivetran' ? 'fivetran.installDir' : 'tobiko.docker.installDir'}=${t.installDir}`, `product=${d.product}`, `runtime=${d.runtime}`] } : {}) });
}

// ---- export-preset ----
export function presetWithRefs(d: Pick<DetectedInstall, 'preset' | 'secretPaths'>): { preset: Record<string, unknown>; vars: string[] } {
  return withSecretRefs(d.preset, d.secretPaths);
}

export async function exportPresetCommand(flags: LifecycleFlags): Promise<number> {
  const d = await findInstall(flags);
  const { preset, vars } = presetWithRefs(d);
  const header = `Exported by hd-setup from ${d.where}\nSecrets are references: export ${vars.join(', ') || '(none)'} before using it.`;
  const text = toYaml(preset, header);
  if (flags.out) {
    writeFileAtomic(resolve(flags.out), text, 0o644);
    process.stderr.write(`Wrote ${resolve(flags.out)}. Secrets are env: references (${vars.join(', ') || 'none'}).\n`);
  } else process.stdout.write(text);
  return 0;
}

// ---- status ----
interface ContainerStatus {
  name: string;
  state: string;
  running: boolean;
  restarts: number;
  startedAt?: string;
  uptime?: string;
  image: string;
  logs: string[];
}

function uptime(since: string | undefined, now = Date.now()): string | undefined {
  const t = since ? Date.parse(since) : NaN;
  if (!Number.isFinite(t) || t <= 0) return undefined;
  const s = Math.max(0, Math.round((now - t) / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}

async function containerStatus(bin: string, name: string): Promise<ContainerStatus> {
  const r = await run([bin, 'container', 'inspect', '--format', '{{.State.Status}}|{{.State.Running}}|{{.RestartCount}}|{{.State.StartedAt}}|{{.Config.Image}}', name], { timeoutMs: 10_000 });
  if (r.exitCode !== 0) return { name, state: 'missing', running: false, restarts: 0, image: '', logs: [] };
  const [state, running, restarts, startedAt, image] = r.stdout.trim().split('|');
  const logs = await run([bin, 'logs', '--tail', '10', name], { timeoutMs: 10_000 });
  const up = running === 'true' ? uptime(startedAt) : undefined;
  return {
    name,
    state: state ?? 'unknown',
    running: running === 'true',
    restarts: Number(restarts ?? 0),
    ...(startedAt ? { startedAt } : {}),
    ...(up ? { uptime: up } : {}),
    image: image ?? '',
    logs: redactor.redact(`${logs.stdout}\n${logs.stderr}`).split('\n').filter(Boolean).slice(-10),
  };
}

export async function statusCommand(flags: LifecycleFlags): Promise<number> {
  const d = await findInstall(flags);
  const model = modelOf(d);
  const t = await targetOf(d, model);
  if (d.runtime !== 'kubernetes') {
    const rt = await detectRuntime(d.runtime as 'docker' | 'podman');
    const containers = await Promise.all(containerNamesOf(d.product).map((n) => containerStatus(t.runtimeBin, n)));
    const healthy = containers.every((c) => c.running);
    const unit = d.product === 'fivetran' ? join(t.home, '.config/systemd/user', FIVETRAN_UNIT) : undefined;
    const boot = unit ? (existsSync(unit) ? `systemd user unit ${unit}` : 'no unit (run hd-setup install again to write it)') : `restart policy of the containers`;
    const out = { product: d.product, runtime: d.runtime, where: d.where, versions: { hdSetup: VERSION, [d.runtime]: rt.version, rootless: rt.rootless }, healthy, boot, containers };
    if (flags.json) printJson(out);
    else {
      process.stdout.write(`${d.product} on ${d.runtime} ${rt.version ?? ''}${rt.rootless ? ' (rootless)' : ''} — ${d.where}\n`);
      for (const c of containers) {
        process.stdout.write(`  ${c.running ? '✔' : '✖'} ${c.name}: ${c.state}${c.uptime ? `, up ${c.uptime}` : ''}, restarts ${c.restarts}, image ${c.image}\n`);
        for (const l of c.logs.slice(-5)) process.stdout.write(`      | ${l}\n`);
      }
      process.stdout.write(`  on boot: ${boot}\n`);
      if (!healthy) process.stdout.write(`\nNot running. Start it: hd-setup start   Diagnose: hd-setup doctor\n`);
    }
    return healthy ? 0 : 1;
  }
  const ns = t.namespace!;
  const ctx = t.context ? ['--context', t.context] : [];
  const selector = releaseSelector(d.product, t.release ?? '');
  const [pods, events, kv, hv] = await Promise.all([
    run(['kubectl', ...ctx, 'get', 'pods', '-n', ns, '-l', selector, '-o', 'json'], { timeoutMs: 15_000 }),
    run(['kubectl', ...ctx, 'get', 'events', '-n', ns, '--field-selector', 'type=Warning', '-o', 'json'], { timeoutMs: 15_000 }),
    run(['kubectl', ...ctx, 'version', '-o', 'json'], { timeoutMs: 15_000 }),
    run(['helm', 'version', '--template', '{{.Version}}'], { timeoutMs: 10_000 }),
  ]);
  const items = (safeJson(pods.stdout)?.items ?? []) as any[];
  const podList = items.map((p) => ({
    name: p.metadata?.name,
    phase: p.status?.phase,
    ready: (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
    restarts: (p.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0),
  }));
  const warnings = ((safeJson(events.stdout)?.items ?? []) as any[]).slice(-5).map((e) => `${e.involvedObject?.name}: ${e.reason}: ${e.message}`);
  const ready = podList.filter((p) => p.ready).length;
  const out = {
    product: d.product,
    runtime: d.runtime,
    release: d.release,
    versions: { hdSetup: VERSION, kubernetes: safeJson(kv.stdout)?.serverVersion?.gitVersion, helm: hv.stdout.trim() },
    pods: podList,
    podsReady: `${ready}/${podList.length}`,
    warnings,
    healthy: podList.length > 0 && ready === podList.length,
  };
  if (flags.json) printJson(out);
  else {
    process.stdout.write(`${d.product} on Kubernetes ${out.versions.kubernetes ?? '?'} (helm ${out.versions.helm || '?'}) — ${d.where}\n`);
    process.stdout.write(`  release ${d.release?.name} revision ${d.release?.revision} (${d.release?.status}), chart ${d.release?.chart}\n  pods ready ${out.podsReady}\n`);
    for (const p of podList) process.stdout.write(`  ${p.ready ? '✔' : '✖'} ${p.name}: ${p.phase}, restarts ${p.restarts}\n`);
    if (warnings.length) process.stdout.write(`  recent warnings:\n${warnings.map((w) => `    ${w}`).join('\n')}\n`);
  }
  return out.healthy ? 0 : 1;
}

function safeJson(s: string): any {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

// ---- doctor ----
export async function doctorCommand(flags: LifecycleFlags): Promise<number> {
  const d = await findInstall(flags);
  const model = modelOf(d);
  const host = await detectHost(d.runtime);
  const plan = buildPlan(model, host, { containers: {}, networks: [], images: [], files: {} });
  const pre = plan.steps.find((s) => s.id === 'preflight')?.actions[0];
  const checks = pre && pre.kind === 'preflight' ? pre.checks.filter((c) => c !== 'image-present') : [];
  const ctx = { model, host, state: { containers: {}, networks: [], images: [], files: {} }, installDir: installDirOf(model, host.home), allowRoot: true, env: process.env };
  const reports: CheckReport[] = [];
  for (const id of checks) {
    if (flags.skipCheck?.includes(id)) {
      reports.push({ id, status: 'skipped', message: 'skipped' });
      continue;
    }
    const c = allChecks[id];
    if (c) reports.push({ id, ...(await c(ctx)) });
  }
  const endpoints = model.product === 'fivetran' ? ['https://ldp.orchestrator.fivetran.com', 'https://api.fivetran.com/v1/hybrid-deployment-agents'] : [model.tobiko?.url ?? 'https://cloud.tobikodata.com'];
  let skewChecked = false;
  // Through the proxy the install uses, as the agent would.
  const proxyUrl = model.proxy?.https ?? model.proxy?.http;
  const proxy = proxyUrl ? { url: proxyUrl, noProxy: model.proxy?.noProxy ?? [] } : undefined;
  for (const url of endpoints) {
    const host = new URL(url).host;
    const r = await probeEndpoint(url, 5000, proxy);
    const via = proxy && r.proxied ? ` through the proxy ${maskUrlCredentials(proxy.url)}` : '';
    if (!r.ok) {
      reports.push({
        id: 'reachability',
        status: 'fail',
        message: `${host} is not reachable from this host${via} (${r.error})`,
        fix: via ? 'check that the proxy allows CONNECT to it on port 443 and that its credentials are right, or change proxy.https' : 'allow outbound HTTPS to it in the firewall, or configure the proxy (--set proxy.https=...)',
      });
      continue;
    }
    reports.push({ id: 'reachability', status: 'ok', message: `${host} answers${via} (HTTP ${r.status})` });
    if (!skewChecked && r.date) {
      skewChecked = true;
      const skew = Math.round(Math.abs(Date.now() - Date.parse(r.date)) / 1000);
      reports.push(
        skew > 30
          ? { id: 'clock-skew', status: 'warn', message: `the clock differs from ${new URL(url).host} by ${skew}s`, fix: 'enable NTP time sync (timedatectl set-ntp true)' }
          : { id: 'clock-skew', status: 'ok', message: `clock within ${skew}s of ${new URL(url).host}` },
      );
    }
  }
  if (!skewChecked) reports.push({ id: 'clock-skew', status: 'warn', message: 'cannot check the clock: no endpoint answered', fix: 'check reachability first' });
  const problems = reports.filter((r) => r.status === 'fail' || r.status === 'warn');
  if (flags.bundle) await writeBundle(flags.bundle, d, reports, host.runtimeBin);
  if (flags.json) printJson({ product: d.product, runtime: d.runtime, where: d.where, checks: reports, ok: !reports.some((r) => r.status === 'fail'), ...(flags.bundle ? { bundle: resolve(flags.bundle) } : {}) });
  else {
    process.stdout.write(`hd-setup doctor: ${d.product} on ${d.runtime} (${d.where})\n`);
    for (const r of reports) process.stdout.write(`  ${r.status.padEnd(7)} ${r.id}: ${r.message}${r.fix && r.status !== 'ok' ? `\n          fix: ${r.fix}` : ''}\n`);
    process.stdout.write(problems.length ? `\n${problems.length} problem(s) found.\n` : '\nNo problems found.\n');
    if (flags.bundle) process.stdout.write(`Diagnostics bundle (secrets redacted): ${resolve(flags.bundle)}\n`);
  }
  return reports.some((r) => r.status === 'fail') ? 1 : 0;
}

async function writeBundle(file: string, d: DetectedInstall, reports: CheckReport[], bin: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hd-bundle-'));
  const root = join(dir, 'hd-setup-diagnostics');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(root, { mode: 0o700 });
  const put = (name: string, content: string) => writeFileSync(join(root, name), redactor.redact(content), { mode: 0o600 });
  const version = async (argv: string[]) => (await run(argv, { timeoutMs: 10_000 })).stdout.trim();
  put('doctor.json', JSON.stringify({ product: d.product, runtime: d.runtime, where: d.where, checks: reports }, null, 2));
  put('preset.redacted.yaml', toYaml(presetWithRefs(d).preset));
  if (d.runtime !== 'kubernetes') {
    put('versions.txt', [`node ${process.version}`, await version([bin, '--version']), await version(['uname', '-a'])].join('\n') + '\n');
    for (const n of containerNamesOf(d.product)) {
      put(`inspect-${n}.json`, (await run([bin, 'container', 'inspect', n], { timeoutMs: 10_000 })).stdout);
      const logs = await run([bin, 'logs', '--tail', '200', n], { timeoutMs: 10_000 });
      put(`logs-${n}.txt`, `${logs.stdout}\n${logs.stderr}`);
    }
    const conf = d.product === 'fivetran' ? join(d.where, 'conf/config.json') : join(d.where, 'tobiko.env');
    if (existsSync(conf)) put(posix.basename(conf) + '.redacted', readFileSync(conf, 'utf8'));
  } else {
    const ns = d.release?.namespace ?? 'default';
    put('versions.txt', [`node ${process.version}`, await version(['kubectl', 'version', '-o', 'json']), await version(['helm', 'version'])].join('\n') + '\n');
    put('helm-values.json', (await run(['helm', 'get', 'values', d.release?.name ?? '', '-n', ns, '-o', 'json'], { timeoutMs: 10_000 })).stdout);
    put('pods.json', (await run(['kubectl', 'get', 'pods', '-n', ns, '-o', 'json'], { timeoutMs: 10_000 })).stdout);
    put('events.json', (await run(['kubectl', 'get', 'events', '-n', ns, '-o', 'json'], { timeoutMs: 10_000 })).stdout);
  }
  const out = resolve(file);
  const r = await run(['tar', '-czf', out, '-C', dir, 'hd-setup-diagnostics'], { timeoutMs: 30_000 });
  rmSync(dir, { recursive: true, force: true });
  if (r.exitCode !== 0) throw new Error(`could not write the bundle: ${r.stderr.trim()}`);
}

export type { Summary };
