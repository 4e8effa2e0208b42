// Status probes: what a command like `hd-setup status` reports, read from the runtime or the cluster.
import type { Location } from '../model/base.js';
import type { Redactor } from '../util/redact.js';
import { run } from './run.js';
import { KUBE_PROCESS_TIMEOUT_MS } from './kube-reach.js';
import { REQUEST_TIMEOUT } from './kube-reach.js';

export interface ContainerStatus {
  name: string;
  state: string;
  running: boolean;
  restarts: number;
  startedAt?: string;
  uptime?: string;
  image: string;
  logs: string[];
}

export function uptime(since: string | undefined, now = Date.now()): string | undefined {
  const t = since ? Date.parse(since) : NaN;
  if (!Number.isFinite(t) || t <= 0) return undefined;
  const s = Math.max(0, Math.round((now - t) / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}

export async function containerStatus(bin: string, name: string, redactor: Redactor): Promise<ContainerStatus> {
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

export interface PodStatus {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
}

export interface KubeStatus {
  pods: PodStatus[];
  warnings: string[];
  kubernetes?: string;
  helm?: string;
}

function safeJson(s: string): any {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

export async function kubeStatus(loc: Location, selector: string): Promise<KubeStatus> {
  const ns = loc.namespace ?? 'default';
  const ctx = [...(loc.context ? ['--context', loc.context] : []), `--request-timeout=${REQUEST_TIMEOUT}`];
  const [pods, events, kv, hv] = await Promise.all([
    run(['kubectl', ...ctx, 'get', 'pods', '-n', ns, '-l', selector, '-o', 'json'], { timeoutMs: KUBE_PROCESS_TIMEOUT_MS }),
    run(['kubectl', ...ctx, 'get', 'events', '-n', ns, '--field-selector', 'type=Warning', '-o', 'json'], { timeoutMs: KUBE_PROCESS_TIMEOUT_MS }),
    run(['kubectl', ...ctx, 'version', '-o', 'json'], { timeoutMs: KUBE_PROCESS_TIMEOUT_MS }),
    run(['helm', 'version', '--template', '{{.Version}}'], { timeoutMs: 10_000 }),
  ]);
  const items = (safeJson(pods.stdout)?.items ?? []) as any[];
  return {
    pods: items.map((p) => ({
      name: p.metadata?.name,
      phase: p.status?.phase,
      ready: (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
      restarts: (p.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0),
    })),
    warnings: ((safeJson(events.stdout)?.items ?? []) as any[]).slice(-5).map((e) => `${e.involvedObject?.name}: ${e.reason}: ${e.message}`),
    ...(safeJson(kv.stdout)?.serverVersion?.gitVersion ? { kubernetes: safeJson(kv.stdout).serverVersion.gitVersion as string } : {}),
    ...(hv.stdout.trim() ? { helm: hv.stdout.trim() } : {}),
  };
}
