// Steps shared by Kubernetes installs: manifests applied on stdin, then helm upgrade --install watched.
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { posix } from 'node:path';
import { canonical } from '../util/canonical.js';
import { secretDigest } from '../util/secret-digest.js';
import { filesStep } from './containers.js';
import type { Action, InstalledState, LiveSecret, Plan, PlannedFile, Step } from './types.js';

export interface HelmSpec {
  release: string;
  chart: string;
  version?: string;
  namespace: string;
  context?: string;
  timeout: string;
  /** Values file on disk (no secrets), or undefined to feed the values on stdin (inline secrets). */
  valuesPath?: string | undefined;
  valuesContent: string;
  selector: string;
  timeoutSetting?: string;
  /** An upgrade of a deployed release: the revision to go back to when it fails. */
  rollbackTo?: number;
}

/** Every kubectl and helm call is bounded: a kubectl write by its process, a helm --wait by its --timeout (5m by default) and a minute more. */
export const KUBECTL_MS = 60_000;
export const HELM_WAIT_MS = 6 * 60_000;

/** The label selector of what hd-setup applies beside a release (its Secrets, an ExternalSecret): the labels the products render on them. */
export function managedSelector(release: string): string {
  return `app.kubernetes.io/managed-by=hd-setup,app.kubernetes.io/instance=${release}`;
}

/** A value as an object to read fields of: anything else reads as empty. */
const o = (v: unknown): Record<string, any> => (v && typeof v === 'object' ? (v as Record<string, any>) : {});

/**
 * The Secrets a pod spec reads: env and envFrom, volumes (projected too) and image pull secrets. For a pod
 * (`spec`), a workload (`spec.template.spec`, `spec.jobTemplate.spec.template.spec`) alike: give the pod spec.
 */
export function secretsReadBy(pod: unknown): string[] {
  const out = new Set<string>();
  const add = (v: unknown) => typeof v === 'string' && v && out.add(v);
  const spec = o(pod);
  for (const c of [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])]) {
    for (const e of Array.isArray(o(c).env) ? o(c).env : []) add(o(o(o(e).valueFrom).secretKeyRef).name);
    for (const e of Array.isArray(o(c).envFrom) ? o(c).envFrom : []) add(o(o(e).secretRef).name);
  }
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    add(o(o(v).secret).secretName);
    for (const src of Array.isArray(o(o(v).projected).sources) ? o(o(v).projected).sources : []) add(o(o(src).secret).name);
  }
  for (const p of Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : []) add(o(p).name);
  return [...out];
}

/** The pod spec of a workload or a pod (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod). */
export function podSpecOf(obj: unknown): unknown {
  const x = o(obj);
  if (x.kind === 'Pod' || Array.isArray(o(x.spec).containers)) return x.spec;
  if (x.kind === 'CronJob') return o(o(o(o(x.spec).jobTemplate).spec).template).spec;
  return o(o(x.spec).template).spec;
}

/** Whether labels match a selector of `key=value` pairs joined by commas. */
export function matchesSelector(labels: Record<string, string> | undefined, selector: string): boolean {
  return selector.split(',').every((pair) => {
    const i = pair.indexOf('=');
    return i > 0 && labels?.[pair.slice(0, i)] === pair.slice(i + 1);
  });
}

export function kubectl(context: string | undefined, ...args: string[]): string[] {
  return context ? ['kubectl', '--context', context, ...args] : ['kubectl', ...args];
}

/**
 * Wait for a Deployment's pods to be ready (`kubectl rollout status`), watched as helm's wait is: a stuck pod
 * (an image that cannot be pulled, a crash loop) ends it early with its reason.
 */
export function rolloutStatusAction(w: { context?: string; namespace: string; selector: string; timeout: string; timeoutSetting?: string }, deployment: string): Action {
  return {
    kind: 'exec',
    argv: kubectl(w.context, 'rollout', 'status', `deployment/${deployment}`, '-n', w.namespace, `--timeout=${w.timeout}`),
    timeoutMs: durationMs(w.timeout) + 60_000,
    watch: { namespace: w.namespace, selector: w.selector, ...(w.context ? { context: w.context } : {}), ...(w.timeoutSetting ? { timeoutSetting: w.timeoutSetting } : {}) },
  };
}

export function helmArgv(spec: HelmSpec): string[] {
  const argv = ['helm', 'upgrade', '--install', spec.release, spec.chart, '--namespace', spec.namespace, '--create-namespace'];
  argv.push('-f', spec.valuesPath ?? '-');
  if (spec.version) argv.push('--version', spec.version);
  argv.push('--wait', '--timeout', spec.timeout);
  if (spec.context) argv.push('--kube-context', spec.context);
  return argv;
}

export function namespaceStep(namespace: string, context: string | undefined, exists: boolean, setting: string): Step {
  return {
    id: 'namespace',
    title: `Create namespace ${namespace}`,
    actions: exists ? [] : [{ kind: 'exec', argv: kubectl(context, 'create', 'namespace', namespace), timeoutMs: KUBECTL_MS }],
    ...(exists ? { skip: `namespace ${namespace} exists` } : {}),
    fix: `ask a cluster admin to create namespace ${namespace}, or choose an existing one with --set ${setting}=...`,
  };
}

/** The kind and name of the object a manifest describes (undefined: none it can be read from). */
function manifestOf(text: string): { kind: string; name: string } | undefined {
  try {
    const m = loadYaml(text, { schema: CORE_SCHEMA }) as { kind?: unknown; metadata?: { name?: unknown } } | null;
    return typeof m?.kind === 'string' && typeof m.metadata?.name === 'string' ? { kind: m.kind, name: m.metadata.name } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a Secret as the cluster has it holds what the manifest says: its type, labels and each key's value.
 * (A key it has besides is left out: an apply of stringData never removes one, so counting it would make every
 * run apply again.) `dataOnly`: each key's value alone (a manifest of new keys only, merged in by a patch of its
 * data, which sets nothing else).
 */
function holdsSecret(live: LiveSecret, manifest: string, dataOnly = false): boolean {
  try {
    const m = loadYaml(manifest, { schema: CORE_SCHEMA }) as { type?: string; metadata?: { labels?: Record<string, string> }; stringData?: Record<string, string> };
    const labels = Object.entries(m.metadata?.labels ?? {});
    const data = Object.entries(m.stringData ?? {}).every(([k, v]) => live.data[k] === secretDigest(String(v)));
    return data && (dataOnly || ((m.type ?? 'Opaque') === live.type && labels.every(([k, v]) => live.labels[k] === v)));
  } catch {
    return false;
  }
}

/** A Secret manifest's name and data (stringData), or undefined for anything else. */
function secretManifest(text: string | undefined): { name: string; data: Record<string, unknown> } | undefined {
  if (text === undefined) return undefined;
  try {
    const m = loadYaml(text, { schema: CORE_SCHEMA }) as { kind?: unknown; metadata?: { name?: unknown }; stringData?: unknown } | null;
    if (m?.kind !== 'Secret' || typeof m.metadata?.name !== 'string') return undefined;
    return { name: m.metadata.name, data: m.stringData && typeof m.stringData === 'object' ? (m.stringData as Record<string, unknown>) : {} };
  } catch {
    return undefined;
  }
}

/**
 * Whether a run writes another value for a secret the install keeps in a Secret (`stored:secret/<name>#<key>`):
 * a Secret manifest it applies carries that key, with a value other than the one the Secret in the cluster holds
 * (compared by digest), or, the cluster's data not read, than hd-setup's local copy of the manifest (none: not
 * known to be the same). A rotation, which the changes list names; the same value given again is none.
 */
export function storedSecretRewritten(files: readonly PlannedFile[], state: InstalledState, ref: string): boolean {
  const at = /^stored:secret\/([^#]+)#(.+)$/.exec(ref);
  if (!at) return false;
  const [, name, key] = at as unknown as [string, string, string];
  for (const f of files) {
    const now = secretManifest(f.content);
    if (now?.name !== name || !Object.hasOwn(now.data, key)) continue;
    const value = String(now.data[key]);
    const lives = state.kubernetes?.liveSecrets;
    const live = lives && Object.hasOwn(lives, name) ? lives[name] : undefined;
    if (live) return !Object.hasOwn(live.data, key) || live.data[key] !== secretDigest(value);
    const before = secretManifest(f.current);
    return before === undefined || !Object.hasOwn(before.data, key) || String(before.data[key]) !== value;
  }
  return false;
}

export function applyStep(id: string, title: string, file: PlannedFile, namespace: string, context: string | undefined, label: string): Step {
  // Some keys are kept from an earlier install and not known here: merge the new ones in.
  const manifest = file.partial ? (loadYaml(file.content, { schema: CORE_SCHEMA }) as { kind: string; metadata: { name: string }; stringData: Record<string, string> }) : undefined;
  const action: Action = manifest
    ? {
        kind: 'exec',
        argv: kubectl(context, 'patch', manifest.kind.toLowerCase(), manifest.metadata.name, '-n', namespace, '--type', 'merge', '--patch-file', '/dev/stdin'),
        stdin: JSON.stringify({ stringData: manifest.stringData }),
        stdinLabel: `${label} (new keys only)`,
        timeoutMs: KUBECTL_MS,
      }
    : // Server-side: no copy of the manifest (secret data included) in a last-applied annotation.
      { kind: 'exec', argv: kubectl(context, 'apply', '--server-side', '--field-manager=hd-setup', '--force-conflicts', '-n', namespace, '-f', '-'), stdin: file.content, stdinLabel: label, timeoutMs: KUBECTL_MS };
  return {
    id,
    title,
    actions: [action],
    fix: `check that you may create ${label.split(' ')[0]} objects in ${namespace}: kubectl auth can-i create secrets -n ${namespace}`,
  };
}

export function helmStep(spec: HelmSpec): Step {
  const action: Action = {
    kind: 'exec',
    argv: helmArgv(spec),
    ...(spec.valuesPath ? {} : { stdin: spec.valuesContent, stdinLabel: 'Helm values (with inline secrets)' }),
    timeoutMs: durationMs(spec.timeout) + 60_000,
    watch: {
      namespace: spec.namespace,
      selector: spec.selector,
      ...(spec.context ? { context: spec.context } : {}),
      ...(spec.timeoutSetting ? { timeoutSetting: spec.timeoutSetting } : {}),
      release: spec.release,
      ...(spec.rollbackTo ? { rollbackTo: spec.rollbackTo } : {}),
      timeout: spec.timeout,
    },
  };
  return {
    id: 'helm',
    title: `helm upgrade --install ${spec.release}`,
    actions: [action, { kind: 'releaseStatus', release: spec.release, namespace: spec.namespace, selector: spec.selector, ...(spec.context ? { context: spec.context } : {}) }],
    fix: `inspect with: kubectl ${spec.context ? `--context ${spec.context} ` : ''}get pods,events -n ${spec.namespace}`,
  };
}

/** kubectl scale of each Deployment to its count. */
export function scaleActions(context: string | undefined, namespace: string, to: { name: string; replicas: number }[]): Action[] {
  return to.map((d) => ({ kind: 'exec', argv: kubectl(context, 'scale', 'deployment', d.name, '-n', namespace, `--replicas=${d.replicas}`), timeoutMs: KUBECTL_MS }));
}

export function rolloutStep(a: Omit<Extract<Action, { kind: 'rollout' }>, 'kind'>): Step {
  return {
    id: 'rollout',
    title: `Restart the pods that did not pick up the change`,
    actions: [{ kind: 'rollout', ...a }],
    fix: `inspect with: kubectl ${a.context ? `--context ${a.context} ` : ''}get pods,events -n ${a.namespace}`,
  };
}

export function durationMs(d: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
  if (!m) return 300_000;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

export interface KubernetesPlanSpec {
  product: string;
  k: { namespace: string; release: string; chart: string; chartVersion?: string; context?: string; timeout: string; selector: string };
  /** The --set path of the helm timeout, for the fix when helm times out. */
  timeoutSetting: string;
  /** The --set path of the namespace, for the fix when it cannot be created. */
  namespaceSetting: string;
  /** The release's Deployments: how each is recognised (labels) and the replicas it runs when started. */
  deployments: { labels: Record<string, string>; replicas: number }[];
  state: InstalledState;
  files: PlannedFile[];
  checks: string[];
  /** Manifests applied with kubectl before helm, on stdin: [file rel, step id, title, stdin label]. */
  manifests: [string, string, string, string][];
  logs: string;
  /**
   * The Secrets this configuration uses (the ones it applies and the ones the release reads), and what the
   * release reads its secrets from, in words (`why`). A Secret hd-setup applied for this release (its labels)
   * that is none of them (the token delivered otherwise, a Tobiko Secret renamed or its secrets made inline)
   * is deleted once the release runs without it, with the local copies of the Secret manifests no longer
   * rendered, so that no old secret stays behind. One a controller made (it has an owner: an ExternalSecret's
   * target) is left to its owner.
   */
  secretsInUse: { names: string[]; why: string };
  /**
   * The Secrets this configuration says are the user's (it reads them and never writes them), and the setting
   * that says so. One hd-setup made before (its labels) is handed over: its labels go, so that no later run
   * changes or deletes it (an uninstall deleted it by them), and so do the local copies of what hd-setup wrote.
   */
  usersSecrets?: { names: string[]; setting: string };
  /**
   * Where the rendered values carry a checksum of the configuration as a pod annotation (a chart version that
   * takes pod annotations): when it changes, the upgrade itself replaces the pods. Unset: the chart takes none.
   */
  podChecksum?: string[];
}

/** Both charts install the same way: preflight, files, namespace, manifests on stdin, watched helm. */
export function kubernetesPlan(s: KubernetesPlanSpec): Plan {
  const { k } = s;
  const release = s.state.kubernetes?.release;
  const nsExists = s.state.kubernetes?.namespaceExists ?? false;
  // The new keys of a Secret whose other keys are stored (given again beside them), that the Secret in the
  // cluster holds as they are: nothing to merge in, and no copy to write (it would drop the kept keys from it).
  // As for a whole manifest below: the release there, and the last run finished.
  const held = (f: PlannedFile) => {
    const live = f.partial && nsExists && release && !s.state.unfinished ? s.state.kubernetes?.liveSecrets?.[manifestOf(f.content)?.name ?? ''] : undefined;
    return live !== undefined && holdsSecret(live, f.content, true);
  };
  const files = s.files.filter((f) => !held(f));
  const values = files.find((x) => x.rel === 'values.yaml');
  const steps: Step[] = [
    { id: 'preflight', title: 'Preflight checks', actions: [{ kind: 'preflight', checks: s.checks }] },
    filesStep(files, []),
    namespaceStep(k.namespace, k.context, s.state.kubernetes?.namespaceExists ?? false, s.namespaceSetting),
  ];
  // The other objects hd-setup applied for this release (an ExternalSecret) that this configuration does not
  // apply. One whose Secret (it bears that Secret's name) the release reads now goes first, and leaves that
  // Secret (--cascade=orphan), which the Secret applied next takes over: it would fill it again from the
  // store. Any other goes last, with what it made, once the release runs without it.
  const inUse = new Set(s.secretsInUse.names);
  const applying = new Set(files.filter((f) => s.manifests.some(([rel]) => rel === f.rel)).flatMap((f) => {
    const m = manifestOf(f.content);
    return m ? [`${m.kind.toLowerCase()}/${m.name}`] : [];
  }));
  const stale = Object.entries(s.state.kubernetes?.managed ?? {}).flatMap(([kind, names]) => names.filter((n) => !applying.has(`${kind}/${n}`)).map((name) => ({ kind, name })));
  // What the release no longer uses is deleted, unless another workload of the namespace reads it, or what
  // those read cannot be listed (elsewhere undefined): then it is left, with a warning. A Secret a controller
  // owns (an ExternalSecret's target) is left to its owner.
  const elsewhere = s.state.kubernetes?.readElsewhere;
  const deletable = (name: string) => !inUse.has(name) && elsewhere !== undefined && !elsewhere.includes(name);
  const notOwned = (s.state.kubernetes?.secrets ?? []).filter((n) => !inUse.has(n) && !s.state.kubernetes?.liveSecrets?.[n]?.owned);
  for (const r of stale.filter((x) => inUse.has(x.name))) {
    steps.push({
      id: `retire-${r.kind}-${r.name}`,
      title: `Delete ${r.kind} ${r.name}, keeping Secret ${r.name} it filled (${s.secretsInUse.why})`,
      actions: [{ kind: 'exec', argv: kubectl(k.context, 'delete', r.kind, r.name, '-n', k.namespace, '--cascade=orphan', '--ignore-not-found'), timeoutMs: KUBECTL_MS }],
    });
  }
  for (const [rel, id, title, label] of s.manifests) {
    const f = files.find((x) => x.rel === rel);
    if (!f) continue;
    const step = applyStep(id, title, f, k.namespace, k.context, label);
    // Applied before with the same content (our copy is unchanged), the release exists, and the last run
    // finished: nothing to do. Not when that run stopped (our copy is written before the apply, which may
    // have failed), nor when the Secret is gone (deleted by hand): the copy says nothing of the cluster then.
    // (The Secrets are listed; another kind, an ExternalSecret, is taken as there.)
    // A Secret whose data the cluster showed: that is what counts (our copy may be missing, in a fresh HOME
    // such as a CI runner's, or out of date, after an edit by hand in the cluster); for new keys merged in by a
    // patch (partial), their values alone.
    const there = s.state.kubernetes?.secrets;
    const m = manifestOf(f.content);
    const present = there === undefined || m?.kind !== 'Secret' || there.includes(m.name);
    const live = m?.kind === 'Secret' ? s.state.kubernetes?.liveSecrets?.[m.name] : undefined;
    const same = live ? holdsSecret(live, f.content, f.partial) : f.current === f.content;
    const applied = nsExists && release && !s.state.unfinished && same && present;
    steps.push(applied ? { ...step, actions: [], skip: live ? 'the cluster holds it as it is' : 'unchanged since the last apply' } : step);
  }
  const selector = k.selector;
  // deployed (a pending one holds the values of a run that did not finish, not what runs)
  // ... and of the chart version asked for (one upgraded by hand to another kept the values, and was "up to date")
  const sameChart = !k.chartVersion || !release?.chartVersion || release.chartVersion === k.chartVersion;
  const upToDate = release && (release.status === undefined || release.status === 'deployed') && sameChart && values !== undefined && sameValues(release.values, values.content);
  const helm = helmStep({
      release: k.release,
      chart: k.chart,
      ...(k.chartVersion ? { version: k.chartVersion } : {}),
      namespace: k.namespace,
      ...(k.context ? { context: k.context } : {}),
      timeout: k.timeout,
      ...(values && !values.secret ? { valuesPath: values.dest } : {}),
      valuesContent: values?.content ?? '',
      selector,
      timeoutSetting: s.timeoutSetting,
      ...(release && release.status === 'deployed' ? { rollbackTo: release.revision } : {}),
    });
  steps.push(upToDate ? { ...helm, actions: [], skip: `release ${k.release} is up to date (revision ${release.revision})` } : helm);
  // Scaled to 0 (hd-setup stop, or by hand) with nothing for helm to do: an install makes it run again. (An
  // upgrade needs no such step: helm's three-way merge puts back the replicas the chart renders.)
  const stopped = upToDate ? scaledDown(s.deployments, s.state.kubernetes?.deployments) : [];
  if (stopped.length) {
    const names = stopped.map((d) => d.name).join(', ');
    steps.push({
      id: 'scale',
      title: `Start ${names} again (scaled to 0): scale to ${stopped.map((d) => d.replicas).join('/')}`,
      actions: [
        ...scaleActions(k.context, k.namespace, stopped),
        ...stopped.map((d) => rolloutStatusAction({ ...k, selector, timeoutSetting: s.timeoutSetting }, d.name)),
        { kind: 'releaseStatus', release: k.release, namespace: k.namespace, selector, ...(k.context ? { context: k.context } : {}) },
      ],
      fix: `inspect with: kubectl ${k.context ? `--context ${k.context} ` : ''}get deploy,pods,events -n ${k.namespace}`,
    });
  }
  // A reconfigure of a running release: what the chart keeps in a ConfigMap or a Secret (the proxy, a token)
  // reaches the pods only when they start again, and a chart that does not hash its config into the pod
  // template leaves them running. So the pods that the upgrade did not replace are restarted, and waited for.
  // Where the chart takes a checksum annotation and it changes, helm replaces the pods itself; a change it
  // does not cover (a Secret applied beside the chart, a secret the checksum leaves out) still restarts them.
  const live = (st: Step) => !st.skip && st.actions.length > 0;
  const manifestChanged = steps.some((st) => live(st) && s.manifests.some(([, id]) => id === st.id));
  const helmChanged = steps.some((st) => live(st) && st.id === 'helm');
  const rolledByHelm = helmChanged && release !== undefined && values !== undefined && s.podChecksum !== undefined && checksumChanged(s.podChecksum, release.values, values.content);
  const changed = manifestChanged || (helmChanged && !rolledByHelm);
  if (release && release.status === 'deployed' && changed) steps.push(rolloutStep({ release: k.release, namespace: k.namespace, selector, since: release.revision, timeout: k.timeout, timeoutSetting: s.timeoutSetting, ...(k.context ? { context: k.context } : {}) }));
  // Last: the pods run without it by then (a failed step before it stops the run, and it stays).
  const stateDir = values ? posix.dirname(values.dest) : undefined;
  for (const r of stale.filter((x) => deletable(x.name))) {
    steps.push({
      id: `retire-${r.kind}-${r.name}`,
      title: `Delete ${r.kind} ${r.name}: no longer used (${s.secretsInUse.why})`,
      actions: [{ kind: 'exec', argv: kubectl(k.context, 'delete', r.kind, r.name, '-n', k.namespace, '--ignore-not-found'), timeoutMs: KUBECTL_MS }],
    });
  }
  const ours = s.state.kubernetes?.secrets ?? [];
  // (one a controller owns is its owner's, unless that owner is the ExternalSecret deleted first in this run)
  const orphaned = new Set(stale.filter((x) => inUse.has(x.name)).map((x) => x.name));
  const handOver = (s.usersSecrets?.names ?? []).filter((n) => ours.includes(n) && (!s.state.kubernetes?.liveSecrets?.[n]?.owned || orphaned.has(n)));
  // the local copies of Secret manifests not rendered now, unless a Secret of hd-setup's is still in use (one
  // kept as it is, a stored secret: its manifest is not rendered, and its copy is that Secret's)
  const unrenderedCopies = (kept: string[]) => (stateDir && !s.secretsInUse.names.some((n) => kept.includes(n)) ? s.manifests.filter(([rel, id]) => id === 'secret' && !files.some((f) => f.rel === rel)).map(([rel]) => posix.join(stateDir, rel)) : []);
  if (handOver.length) {
    steps.push({
      id: 'hand-over',
      title: `Hand Secret ${handOver.join(', ')} over to you (${s.usersSecrets!.setting}): hd-setup made it, and will no longer change or delete it`,
      actions: [
        { kind: 'exec', argv: kubectl(k.context, 'label', 'secret', ...handOver, '-n', k.namespace, 'app.kubernetes.io/managed-by-', 'app.kubernetes.io/instance-'), timeoutMs: KUBECTL_MS },
        ...unrenderedCopies(ours.filter((n) => !handOver.includes(n))).map((path) => ({ kind: 'remove' as const, path })),
      ],
    });
  }
  const unused = notOwned.filter(deletable);
  if (unused.length) {
    const copies = handOver.length ? [] : unrenderedCopies(ours);
    steps.push({
      id: 'retire-secret',
      title: `Delete Secret ${unused.join(', ')}: no longer used (${s.secretsInUse.why})`,
      actions: [{ kind: 'exec', argv: kubectl(k.context, 'delete', 'secret', ...unused, '-n', k.namespace, '--ignore-not-found'), timeoutMs: KUBECTL_MS }, ...copies.map((path) => ({ kind: 'remove' as const, path }))],
    });
  }
  const kc = kubectl(k.context).join(' ');
  // left, with the way to delete it: one another workload reads, or all of them when those cannot be listed
  const left = notOwned.filter((n) => elsewhere?.includes(n));
  const unknown = elsewhere === undefined ? notOwned : [];
  const staleLeft = stale.filter((x) => !inUse.has(x.name) && !deletable(x.name));
  return {
    product: s.product,
    runtime: 'kubernetes',
    steps,
    files,
    ...(left.length + unknown.length + staleLeft.length
      ? {
          warnings: [
            ...left.map((n) => `Secret ${n} is no longer used by release ${k.release}, but another workload in namespace ${k.namespace} reads it: it is left there (delete it when nothing needs it: ${kc} delete secret ${n} -n ${k.namespace})`),
            ...unknown.map((n) => `Secret ${n} is no longer used by release ${k.release}; it is left there, as what the other workloads of namespace ${k.namespace} read cannot be listed (delete it when nothing needs it: ${kc} delete secret ${n} -n ${k.namespace})`),
            ...staleLeft.map((o) => `${o.kind} ${o.name} is no longer used by release ${k.release}; it is left there, with the Secret it fills, as ${elsewhere === undefined ? `what the other workloads of namespace ${k.namespace} read cannot be listed` : 'another workload reads that Secret'} (delete it when nothing needs it: ${kc} delete ${o.kind} ${o.name} -n ${k.namespace})`),
          ],
        }
      : {}),
    nextSteps: [
      `Status:  hd-setup status   (or: helm status ${k.release} -n ${k.namespace})`,
      `Pods:    ${kc} get pods -n ${k.namespace} -l ${selector}`,
      `Logs:    ${kc} logs -n ${k.namespace} ${s.logs} --tail=100`,
    ],
  };
}

/** The Deployments found scaled to 0 that run replicas when started, by their names in the cluster. */
function scaledDown(wanted: KubernetesPlanSpec['deployments'], live: { name: string; labels: Record<string, string>; replicas: number }[] | undefined): { name: string; replicas: number }[] {
  return wanted.flatMap((w) => {
    const d = live?.find((x) => Object.entries(w.labels).every(([key, v]) => x.labels[key] === v));
    return d && d.replicas === 0 && w.replicas > 0 ? [{ name: d.name, replicas: w.replicas }] : [];
  });
}

/** Whether the rendered values carry a checksum at `path` that differs from the one the release has. */
function checksumChanged(path: string[], installed: Record<string, unknown>, rendered: string): boolean {
  const at = (doc: unknown) => path.reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), doc);
  let next: unknown;
  try {
    next = at(loadYaml(rendered, { schema: CORE_SCHEMA }));
  } catch {
    return false;
  }
  return typeof next === 'string' && next !== at(installed);
}

/** Whether the release's user-supplied values (helm get values) equal the rendered values file. */
export function sameValues(installed: Record<string, unknown>, rendered: string): boolean {
  let parsed: unknown;
  try {
    parsed = loadYaml(rendered, { schema: CORE_SCHEMA });
  } catch {
    return false;
  }
  return canonical(installed) === canonical(parsed);
}
