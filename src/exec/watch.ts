// While `helm --wait` blocks, watch the release's pods and the namespace's warning events, and turn
// what they say into readable causes, each with its fix. After success, report revision and readiness.
import type { Emit } from './events.js';
import type { WatchContext } from './events.js';
import { REQUEST_TIMEOUT, kubectlArgv, toolStderr } from './kube-reach.js';
import { run } from './run.js';
import { unmetPlacement } from './node-match.js';

interface Finding {
  key: string;
  message: string;
  fix: string;
  /** A state that waiting will not resolve: after this long (ms since first seen) the wait ends early. */
  stuckAfterMs?: number;
}

/**
 * How long an image pull that fails, or a container whose config (a Secret or ConfigMap key) is missing, is
 * given before the wait ends: a registry can hiccup, and an External Secrets target appears after its first
 * sync. HD_SETUP_STUCK_GRACE_MS changes it (tests). A crash loop or a pod no node can take ends it at once.
 */
export function stuckGraceMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.HD_SETUP_STUCK_GRACE_MS);
  return Number.isFinite(v) && v >= 0 && env.HD_SETUP_STUCK_GRACE_MS !== '' && env.HD_SETUP_STUCK_GRACE_MS !== undefined ? v : 60_000;
}

interface ContainerStatus {
  name?: string;
  image?: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } };
}

interface Pod {
  metadata?: { name?: string };
  spec?: {
    nodeSelector?: Record<string, string>;
    affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] }[] } } };
    volumes?: { persistentVolumeClaim?: { claimName?: string } }[];
  };
  status?: {
    phase?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

interface KEvent {
  type?: string;
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string };
}

const oneLine = (s: string | undefined, max = 220) => {
  const t = (s ?? '').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

async function getJson<T>(argv: string[], signal: AbortSignal): Promise<T | undefined> {
  const r = await run(argv, { signal, timeoutMs: 15_000 });
  if (r.exitCode !== 0) return undefined;
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    return undefined;
  }
}

type NodeLabels = Record<string, string>[];

/** Why no node takes the pod, as a finding's message and fix; undefined when some node meets its placement. */
function placementFinding(pod: Pod, nodes: NodeLabels): { culprits: string; fix: string } | undefined {
  const terms = (pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []).map((t) => t.matchExpressions ?? []);
  const unmet = unmetPlacement(nodes, pod.spec?.nodeSelector, terms);
  if (!unmet || unmet.parts.length === 0) return undefined;
  const names = unmet.parts.map((p) => p.text);
  const labels = unmet.parts.flatMap((p) => (p.label ? [p.label] : []));
  const relabel = labels.length ? `label a node to match (kubectl label node <node> ${labels.join(' ')}), or ` : '';
  return {
    culprits: unmet.together ? `no node meets ${names.join(' and ')} together` : `${names.join(' and ')} matches no node`,
    fix: `${relabel}change the placement (nodeSelector / affinityRules) in the preset`,
  };
}

export async function diagnose(w: Pick<WatchContext, 'namespace' | 'selector' | 'context' | 'signal' | 'timeoutSetting'>, seenLogs: Set<string>, emitOutput?: (line: string) => void): Promise<Finding[]> {
  const k = (...args: string[]) => kubectlArgv({ ...(w.context ? { context: w.context } : {}) }, `--request-timeout=${REQUEST_TIMEOUT}`, ...args);
  const ns = w.namespace;
  const [pods, events] = await Promise.all([
    getJson<{ items?: Pod[] }>(k('get', 'pods', '-n', ns, '-l', w.selector, '-o', 'json'), w.signal),
    getJson<{ items?: KEvent[] }>(k('get', 'events', '-n', ns, '--field-selector', 'type=Warning', '-o', 'json'), w.signal),
  ]);
  const findings: Finding[] = [];
  let nodes: NodeLabels | null | undefined;
  for (const pod of pods?.items ?? []) {
    const name = pod.metadata?.name ?? 'pod';
    const describe = `kubectl describe pod ${name} -n ${ns}`;
    for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      const reason = cs.state?.waiting?.reason;
      if (reason === 'ImagePullBackOff' || reason === 'ErrImagePull' || reason === 'InvalidImageName') {
        findings.push({
          key: `image:${cs.image}`,
          message: `pod ${name} cannot pull image ${cs.image} (${reason}): ${oneLine((cs.state?.waiting?.message ?? '').split(': ').slice(-2).join(': '), 120)}`,
          fix: `check that the nodes reach the registry (proxy, firewall, DNS) and that the image name and tag exist; a registry that needs credentials: mirror the image to one the nodes can pull from and set the install's image to it; dig further: ${describe}`,
          stuckAfterMs: stuckGraceMs(),
        });
      } else if (reason === 'CrashLoopBackOff' || cs.state?.terminated?.reason === 'Error') {
        if (!seenLogs.has(name)) {
          seenLogs.add(name);
          const logs = await run(k('logs', name, '-n', ns, '--tail=20', '--previous'), { signal: w.signal, timeoutMs: 15_000 });
          const lines = (logs.stdout || toolStderr(logs.stderr)).trim().split('\n').filter(Boolean);
          for (const l of lines.slice(-10)) emitOutput?.(`${name} | ${l}`);
          const last = lines.at(-1);
          findings.push({
            key: `crash:${name}`,
            message: `pod ${name} is crash-looping (${cs.restartCount ?? 0} restarts)${last ? `; last log line: ${oneLine(last, 160)}` : ''}`,
            fix: `read the logs: kubectl logs ${name} -n ${ns} --previous (a bad token or credentials is the usual cause)`,
            stuckAfterMs: 0,
          });
        }
      } else if (reason === 'CreateContainerConfigError') {
        findings.push({ key: `config:${name}`, message: `pod ${name} cannot start (CreateContainerConfigError): ${oneLine(cs.state?.waiting?.message)}`, fix: `check the Secret and ConfigMap it references: ${describe}`, stuckAfterMs: stuckGraceMs() });
      }
    }
    const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    if (!ready) {
      const waiting = [...(pod.status?.containerStatuses ?? [])].map((c) => c.state?.waiting?.reason).filter(Boolean);
      findings.push({
        key: `notready:${name}`,
        message: `pod ${name} is not ready (${pod.status?.phase ?? 'Unknown'}${waiting.length ? `, ${waiting.join(', ')}` : ''}) and helm stopped waiting`,
        fix: `if it is only slow, raise the timeout${w.timeoutSetting ? ` (--set ${w.timeoutSetting}=10m)` : ''}; dig further: ${describe}`,
      });
    }
    const sched = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    if (sched?.reason === 'Unschedulable') {
      const msg = sched.message ?? '';
      if (/persistentvolumeclaim|unbound/i.test(msg)) {
        const claim = pod.spec?.volumes?.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName ?? '';
        findings.push({
          key: `pvc:${claim}`,
          message: `pod ${name} waits for PersistentVolumeClaim ${claim} to be bound: ${oneLine(msg, 160)}`,
          fix: `kubectl describe pvc ${claim} -n ${ns} (check its StorageClass and provisioner)`,
        });
      } else {
        // null: the nodes cannot be read (listing them is a cluster-wide right many users lack): nothing is
        // concluded from an empty list then.
        if (nodes === undefined) nodes = (await getJson<{ items?: { metadata?: { labels?: Record<string, string> } }[] }>(k('get', 'nodes', '-o', 'json'), w.signal))?.items?.map((n) => n.metadata?.labels ?? {}) ?? null;
        const placement = nodes ? placementFinding(pod, nodes) : undefined;
        const placementPerScheduler = /didn't match Pod's node affinity\/selector/.test(msg);
        findings.push({
          key: `sched:${placement?.culprits ?? msg}`,
          message: placement ? `pod ${name} cannot be scheduled: ${placement.culprits} (${oneLine(msg.split('.')[0], 80)})` : `pod ${name} cannot be scheduled: ${oneLine(msg, 160)}`,
          fix:
            placement?.fix ??
            (placementPerScheduler
              ? 'compare the nodes\' labels (kubectl get nodes --show-labels) with the placement (nodeSelector / affinityRules) in the preset'
              : `free capacity or relax the placement; dig further: ${describe}`),
          // No node matches its placement: that waits for a person. Short of capacity: an autoscaler may come.
          stuckAfterMs: placement || placementPerScheduler ? 0 : stuckGraceMs(),
        });
      }
    }
  }
  for (const e of events?.items ?? []) {
    const msg = e.message ?? '';
    if (/forbidden/i.test(msg)) {
      findings.push({ key: `forbidden:${e.reason}`, message: `RBAC: ${oneLine(msg, 180)}`, fix: 'ask a cluster admin for the missing permission, or use a context that has it (--context)' });
    } else if (e.reason === 'FailedMount' || e.reason === 'FailedAttachVolume') {
      findings.push({ key: `mount:${e.involvedObject?.name}`, message: `${e.involvedObject?.name}: ${oneLine(msg, 180)}`, fix: `kubectl describe pod ${e.involvedObject?.name} -n ${ns}` });
    } else if (/exceeded quota/i.test(msg)) {
      findings.push({ key: 'quota', message: `quota: ${oneLine(msg, 180)}`, fix: `lower resources or raise the ResourceQuota in ${ns}` });
    }
  }
  const unique = new Map(findings.map((f) => [f.key, f]));
  return [...unique.values()];
}

export function kubernetesWatcher(w: WatchContext): (failed: boolean) => Promise<{ message: string; fix: string }[]> {
  const found = new Map<string, Finding>();
  const seenLogs = new Set<string>();
  const firstSeen = new Map<string, number>();
  const waived = new Set<string>();
  let stopped = false;
  let wake: (() => void) | undefined;
  const record = (fs: Finding[]) => {
    for (const f of fs) {
      if (found.has(f.key)) continue;
      found.set(f.key, f);
      if (!f.key.startsWith('notready:')) w.emit({ type: 'hint', id: w.stepId, message: f.message, fix: f.fix });
    }
  };
  /** A finding still there past its grace ends the wait, unless the user chose to keep waiting for it. */
  const judge = async (fs: Finding[]) => {
    const now = Date.now();
    for (const f of fs) {
      if (f.stuckAfterMs === undefined || waived.has(f.key) || !w.stopEarly) continue;
      const since = firstSeen.get(f.key) ?? now;
      firstSeen.set(f.key, since);
      if (now - since < f.stuckAfterMs) continue;
      const choice = w.decide ? await w.decide({ message: f.message, fix: f.fix }) : 'stop';
      if (choice === 'wait') {
        waived.add(f.key);
        continue;
      }
      stopped = true;
      w.stopEarly({ message: f.message, fix: f.fix });
      return;
    }
  };
  const output = (line: string) => w.emit({ type: 'output', id: w.stepId, line, stream: 'stderr' });
  const loop = (async () => {
    let delay = 400;
    while (!stopped && !w.signal.aborted) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, delay);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
      if (stopped || w.signal.aborted) break;
      const fs = await diagnose(w, seenLogs, output).catch(() => []);
      record(fs);
      if (!stopped) await judge(fs);
      delay = Math.min(Math.round(delay * 1.5), 3000);
    }
  })();
  return async (failed: boolean) => {
    stopped = true;
    wake?.();
    await loop;
    if (failed && !w.signal.aborted) record(await diagnose(w, seenLogs, output).catch(() => []));
    const specific = [...found.values()].filter((f) => !f.key.startsWith('notready:'));
    return (specific.length ? specific : [...found.values()]).map(({ message, fix }) => ({ message, fix }));
  };
}

/** After a successful helm upgrade: the release revision and how many pods are ready. */
export async function releaseStatus(a: { release: string; namespace: string; selector: string; context?: string }, id: string, emit: Emit, signal: AbortSignal): Promise<string[]> {
  const h = ['helm', 'status', a.release, '-n', a.namespace, '-o', 'json', ...(a.context ? ['--kube-context', a.context] : [])];
  const [status, pods] = await Promise.all([
    getJson<{ version?: number; info?: { status?: string } }>(h, signal),
    getJson<{ items?: Pod[] }>(kubectlArgv({ ...(a.context ? { context: a.context } : {}) }, `--request-timeout=${REQUEST_TIMEOUT}`, 'get', 'pods', '-n', a.namespace, '-l', a.selector, '-o', 'json'), signal),
  ]);
  const items = pods?.items ?? [];
  const ready = items.filter((p) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')).length;
  const detail = `release ${a.release} revision ${status?.version ?? '?'} (${status?.info?.status ?? 'unknown'}), ${ready}/${items.length} pods ready`;
  const lines = [detail];
  for (const p of items) {
    const cs = p.status?.containerStatuses ?? [];
    lines.push(`  ${p.metadata?.name}: ${p.status?.phase ?? '?'}, ${cs.filter((c) => c.state && !c.state.waiting).length}/${cs.length} containers up`);
  }
  for (const line of lines) emit({ type: 'output', id, line, stream: 'stdout' });
  return lines;
}
