// The lifecycle of an install: stop, start, restart, uninstall, rollback, status, doctor, export. Each
// acts on an install found by service/find.ts and changes none of its settings: what an install is comes
// from its read-back, and the choices it was installed with (skipped checks, --allow-root) from its record.
import { existsSync } from 'node:fs';
import type { BaseModel, Location } from '../model/base.js';
import { productOf } from '../products/index.js';
import type { ProductModule } from '../products/types.js';
import { findContext } from './find.js';
import { latestGoodBackup, purgeActions } from '../util/fsx.js';
import { acquireLock, installLockKey, type Lock } from '../util/lock.js';
import { backupValidator } from '../exec/local-state.js';
import { posix } from 'node:path';
import { UserError } from '../model/errors.js';
import { withSecretRefs } from '../model/secret-refs.js';
import { detectHost, detectRuntime } from '../exec/detect.js';
import { releaseObjects, type DetectedInstall } from '../exec/installed.js';
import { findRecord, forget, remember, recordOf } from '../exec/registry.js';
import { allChecks } from '../exec/checks.js';
import type { CheckReport, Summary } from '../exec/events.js';
import { probeEndpoint } from '../exec/net.js';
import { containerStatus, kubeStatus, type ContainerStatus, type KubeStatus } from '../exec/status.js';
import { writeBundle } from '../exec/bundle.js';
import { bootCheck, bootLine, readBootState, type BootState } from '../exec/boot.js';
import { helmRollbackPlan, startPlanKubernetes, stopPlan, uninstallPlan, type Target } from '../plan/lifecycle.js';
import type { HostFacts, Plan } from '../plan/types.js';
import { toYaml } from '../render/yaml.js';
import { redactor } from '../util/output.js';
import { maskUrlCredentials } from '../util/redact.js';
import { VERSION } from '../version.js';
import { effectiveChoices, modelOfInstall, prepare, preflight, runPlan, type Choices, type Prepared, type Reporter } from './install.js';
import { baseDirs, stateDirOf } from './plan.js';

export async function hostFor(d: DetectedInstall): Promise<HostFacts> {
  return detectHost(d.location.runtime, { light: d.location.runtime === 'kubernetes' });
}

export async function targetOf(d: DetectedInstall): Promise<Target> {
  const host = await hostFor(d);
  const model = modelOfInstall(d);
  const k = d.location.runtime === 'kubernetes' ? d.product.kube(model) : undefined;
  return {
    location: d.location,
    runtimeBin: host.runtimeBin,
    home: host.home,
    systemdUser: host.systemdUser,
    ...(d.location.runtime === 'kubernetes' ? { stateDir: stateDirOf(d.location, host.home) } : {}),
    containers: d.product.containerNames,
    ...(d.product.network ? { network: d.product.network } : {}),
    ...(d.product.unitName ? { unitName: d.product.unitName } : {}),
    deployments: k ? await deploymentsOf(d, k.deployments) : [],
    managedKinds: k?.managedKinds ?? [],
    ...(d.location.installDir ? { purgeActions: purgeActions(d.location.installDir, host.home) } : {}),
  };
}

/**
 * The release's Deployments by the names the chart gave them (its manifest), matched by their labels;
 * the chart's default names only when the manifest cannot be read.
 */
async function deploymentsOf(d: DetectedInstall, wanted: { labels: Record<string, string>; name: string; replicas: number }[]): Promise<{ name: string; replicas: number }[]> {
  const objects = (await releaseObjects(d.location))?.filter((o) => o.kind === 'Deployment');
  return wanted.map((w) => {
    const hit = objects?.find((o) => Object.entries(w.labels).every(([k, v]) => o.labels[k] === v));
    return { name: hit?.name ?? w.name, replicas: w.replicas };
  });
}

/** A lifecycle plan as a Prepared, so that it runs through the same executor and status screen. */
async function asPrepared(d: DetectedInstall, plan: Plan): Promise<Prepared> {
  const model = modelOfInstall(d);
  const host = await hostFor(d);
  return { loaded: { model }, product: d.product, location: d.location, host, state: { containers: {}, networks: [], images: [], files: {} }, plan };
}

export async function uninstallPlanFor(d: DetectedInstall, purge: boolean): Promise<Plan> {
  return uninstallPlan(await targetOf(d), purge);
}

export async function uninstall(d: DetectedInstall, plan: Plan, choices: Choices, report: Reporter): Promise<Summary> {
  const p = await asPrepared(d, plan);
  const s = await runPlan(p, effectiveChoices(p, choices), report);
  if (s.ok) forget((await hostFor(d)).home, d.location);
  return s;
}

export async function stopPlanFor(d: DetectedInstall): Promise<Plan> {
  return stopPlan(await targetOf(d));
}

export async function stop(d: DetectedInstall, plan: Plan, report: Reporter): Promise<Summary> {
  return runPlan(await asPrepared(d, plan), {}, report);
}

/** The plan of a start: re-apply the installed configuration as it is (containers), or scale up (Kubernetes). */
export async function startPrepared(d: DetectedInstall): Promise<Prepared> {
  if (d.location.runtime === 'kubernetes') return asPrepared(d, startPlanKubernetes(await targetOf(d)));
  return prepare({ model: modelOfInstall(d) }, { noPull: true });
}

export async function start(p: Prepared, choices: Choices, report: Reporter): Promise<Summary> {
  return runPlan(p, effectiveChoices(p, choices), report);
}

/**
 * Restart: the start half's preflight runs first, with the install's own choices; when it fails, the
 * running agent is left alone and nothing is stopped.
 */
export async function restart(d: DetectedInstall, choices: Choices, report: Reporter): Promise<{ summary?: Summary; failed?: CheckReport[] }> {
  const startP = await startPrepared(d);
  const failed = (await preflight(startP, effectiveChoices(startP, choices))).filter((r) => r.status === 'fail');
  if (failed.length) return { failed };
  const stopped = await stop(d, await stopPlanFor(d), report);
  if (!stopped.ok) return { summary: stopped };
  return { summary: await start(await startPrepared(d), choices, report) };
}

// ---- rollback ----

/** The newest backup of a file that parses and is complete; empty or cut-off ones are passed over, with a warning. */
export function latestBackup(file: string): string | undefined {
  const good = latestGoodBackup(file, backupValidator(file));
  for (const s of good?.skipped ?? []) process.stderr.write(`warning: skipping ${s}: it is empty or incomplete\n`);
  return good?.path;
}

/** One change at a time per install: taken before acting; `waited` says another run held it (re-read then). */
export function lockAt(loc: Location, home: string): Promise<Lock> {
  return acquireLock(installLockKey(loc), home);
}

export async function configFileOf(d: DetectedInstall): Promise<string> {
  const host = await hostFor(d);
  const f = d.product.configFiles(d.location.runtime)[0]!;
  return posix.join(baseDirs(d.location, host)[f.base], f.rel);
}

export async function helmRollbackPlanFor(d: DetectedInstall): Promise<Plan> {
  const file = await configFileOf(d);
  const b = latestBackup(file);
  return helmRollbackPlan(await targetOf(d), b ? { from: b, to: file } : undefined);
}

export function restorePlan(d: DetectedInstall, file: string, backup: string): Plan {
  return {
    product: d.location.product,
    runtime: d.location.runtime,
    files: [],
    nextSteps: [],
    steps: [{ id: 'restore', title: `Restore ${posix.basename(file)} from ${posix.basename(backup)}`, actions: [{ kind: 'restore', from: backup, to: file }] }],
  };
}

export async function runLifecycle(d: DetectedInstall, plan: Plan, choices: Choices, report: Reporter): Promise<Summary> {
  const p = await asPrepared(d, plan);
  return runPlan(p, effectiveChoices(p, choices), report);
}

// ---- export ----

export function presetWithRefs(d: Pick<DetectedInstall, 'preset' | 'secretPaths' | 'product'>): { preset: Record<string, unknown>; vars: string[] } {
  return withSecretRefs(d.preset, d.secretPaths, (p) => d.product.secretEnvName(p));
}

export function exportText(d: DetectedInstall): { text: string; vars: string[] } {
  const { preset, vars } = presetWithRefs(d);
  const header = `Exported by hd-setup from ${d.where}\nSecrets are references: export ${vars.join(', ') || '(none)'} before using it.`;
  return { text: toYaml(preset, header), vars };
}

// ---- status ----

export interface StatusReport {
  product: string;
  runtime: string;
  where: string;
  versions: Record<string, unknown>;
  healthy: boolean;
  boot?: string;
  bootState?: { unit: string; enabled: BootState['enabled']; active: BootState['active']; linger: BootState['linger']; systemdUser: boolean };
  containers?: ContainerStatus[];
  release?: DetectedInstall['release'];
  pods?: KubeStatus['pods'];
  podsReady?: string;
  warnings?: string[];
}

export async function status(d: DetectedInstall): Promise<StatusReport> {
  const t = await targetOf(d);
  const base = { product: d.location.product, runtime: d.location.runtime, where: d.where };
  if (d.location.runtime !== 'kubernetes') {
    const rt = await detectRuntime(d.location.runtime);
    const containers = await Promise.all(t.containers.map((n) => containerStatus(t.runtimeBin, n, redactor)));
    const host = await hostFor(d);
    const unit = t.unitName ? posix.join(t.home, '.config/systemd/user', t.unitName) : undefined;
    const bs = t.unitName ? await readBootState(t.unitName, host.user) : undefined;
    const boot = unit && bs ? (existsSync(unit) ? bootLine(bs) : 'no unit (run hd-setup install again to write it)') : 'restart policy of the containers';
    return {
      ...base,
      versions: { hdSetup: VERSION, [d.location.runtime]: rt.version, rootless: rt.rootless },
      healthy: containers.every((c) => c.running),
      boot,
      ...(unit && bs ? { bootState: { unit, enabled: bs.enabled, active: bs.active, linger: bs.linger, systemdUser: bs.systemdUser } } : {}),
      containers,
    };
  }
  const k = d.product.kube(modelOfInstall(d));
  const ks = await kubeStatus(d.location, k.selector);
  const ready = ks.pods.filter((p) => p.ready).length;
  return {
    ...base,
    ...(d.release ? { release: d.release } : {}),
    versions: { hdSetup: VERSION, kubernetes: ks.kubernetes, helm: ks.helm },
    pods: ks.pods,
    podsReady: `${ready}/${ks.pods.length}`,
    warnings: ks.warnings,
    healthy: ks.pods.length > 0 && ready === ks.pods.length,
  };
}

// ---- doctor ----

export async function doctor(d: DetectedInstall, choices: Choices): Promise<CheckReport[]> {
  return doctorOf(modelOfInstall(d), d.product, d.location.installDir, choices, true);
}

/**
 * Before an install: the host checks an install of this model would run (the runtime, its version and
 * socket, root, disk and memory, the cluster's reachability, rights and namespace), the vendor
 * endpoints and the clock; as the vendor's precheck scripts do, so a host can be checked first.
 */
export async function doctorBefore(model: BaseModel, choices: Choices): Promise<CheckReport[]> {
  const product = productOf(model);
  return doctorOf(model, product, product.location(model, findContext().home).installDir, choices, false);
}

async function doctorOf(model: BaseModel, product: ProductModule, installDir: string | undefined, choices: Choices, installed: boolean): Promise<CheckReport[]> {
  const d = { product, location: { installDir } };
  const p = await prepare({ model });
  const c = installed ? effectiveChoices(p, choices) : { ...choices, ...(choices.allowRoot ? { allowRootFrom: 'flag' as const } : {}) };
  const pre = p.plan.steps.find((s) => s.id === 'preflight')?.actions[0];
  const checks = pre && pre.kind === 'preflight' ? pre.checks.filter((x) => x !== 'image-present') : [];
  const ctx = { model, product: d.product, host: p.host, state: p.state, installDir: d.location.installDir ?? p.host.home, allowRoot: Boolean(c.allowRoot), ...(c.allowRootFrom ? { allowRootFrom: c.allowRootFrom } : {}), env: process.env };
  const reports: CheckReport[] = [];
  for (const id of checks) {
    if (c.skipCheck?.includes(id)) {
      reports.push({ id, status: 'skipped', message: 'skipped (--skip-check, or skipped when it was installed)' });
      continue;
    }
    const check = allChecks[id];
    if (check) reports.push({ id, ...(await check(ctx)) });
  }
  if (installed && model.runtime !== 'kubernetes' && d.product.unitName && !c.skipCheck?.includes('boot')) reports.push(bootCheck(await readBootState(d.product.unitName, p.host.user)));
  let skewChecked = false;
  // Through the proxy the install uses, as the agent would.
  const proxyUrl = model.proxy?.https ?? model.proxy?.http;
  const proxy = proxyUrl ? { url: proxyUrl, noProxy: model.proxy?.noProxy ?? [] } : undefined;
  for (const url of product.endpoints(model)) {
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
          ? { id: 'clock-skew', status: 'warn', message: `the clock differs from ${host} by ${skew}s`, fix: 'enable NTP time sync (timedatectl set-ntp true)' }
          : { id: 'clock-skew', status: 'ok', message: `clock within ${skew}s of ${host}` },
      );
    }
  }
  if (!skewChecked) reports.push({ id: 'clock-skew', status: 'warn', message: 'cannot check the clock: no endpoint answered', fix: 'check reachability first' });
  return reports;
}

export async function bundle(file: string, d: DetectedInstall, reports: CheckReport[]): Promise<string> {
  const host = await hostFor(d);
  const configs = d.product.configFiles(d.location.runtime).map((f) => posix.join(baseDirs(d.location, host)[f.base], f.rel));
  return writeBundle(
    file,
    {
      location: d.location,
      presetYaml: toYaml(presetWithRefs(d).preset),
      doctorJson: JSON.stringify({ product: d.location.product, runtime: d.location.runtime, where: d.where, checks: reports }, null, 2),
      runtimeBin: host.runtimeBin,
      containers: d.product.containerNames,
      files: d.location.runtime === 'kubernetes' ? [] : configs,
    },
    redactor,
  );
}

/** Keep the install's record in step after a lifecycle command that changed nothing about it. */
export function touchRecord(d: DetectedInstall, home: string): void {
  const rec = findRecord(home, d.location);
  if (rec) remember(home, recordOf(d.location, { ...(rec.skipChecks ? { skipChecks: rec.skipChecks } : {}), ...(rec.allowRoot ? { allowRoot: true } : {}) }, rec.state));
}

export { UserError };
