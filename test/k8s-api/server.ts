// An in-memory Kubernetes API server for the test suite: small, plain node:http, accepted by the real
// kubectl and helm. What it serves: legacy JSON discovery, a minimal OpenAPI v3 document (PATCH operations
// carry `fieldValidation`, so the clients leave schema validation to the server, which does none), a generic
// object store (label and field selectors, resourceVersion, watch), create / update / patch (merge, strategic,
// JSON, server-side apply) / delete / deletecollection, deployments/scale, pods/log, SelfSubjectAccessReview,
// and a Deployment -> ReplicaSet -> Pod controller that sets the status fields `helm --wait` reads.
// Scenario knobs (see `Scenario`) make pods fail, rights go missing, the server hang, and so on.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { load as loadYaml } from 'js-yaml';
import { jsonPatch, mergePatch, strategicMerge } from './patch.js';
import { PROTOBUF, decodeProtobuf } from './protobuf.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Scenario {
  /** Server version, e.g. 'v1.27.3' for an old cluster. */
  version: string;
  /** What every new pod does: become Ready, or get stuck. */
  pods: 'ready' | 'ImagePullBackOff' | 'CrashLoopBackOff' | 'Unschedulable';
  /** Pods stay ContainerCreating this long before they are Ready. */
  podReadyDelayMs: number;
  /** What `kubectl logs` returns for every pod. */
  logs: string;
  /** Denied rights, as 'verb resource' ('create deployments') or 'resource' (every verb); SSAR answers no and the verb returns 403. */
  forbidden: string[];
  /** The External Secrets Operator CRD: absent, serving external-secrets.io/v1, or only v1beta1. */
  eso: 'missing' | 'v1' | 'v1beta1';
  /** Accept connections and never answer. */
  hang: boolean;
  /** Node labels, one entry per node. */
  nodes: Record<string, string>[];
  /** Bare pods (no owner, e.g. hd-setup's egress check): each URL argument of the command is reachable, unreachable, or the image cannot be pulled. */
  egress: 'reachable' | 'unreachable' | 'no-image';
}

export const DEFAULT_SCENARIO: Scenario = {
  version: 'v1.32.3',
  pods: 'ready',
  podReadyDelayMs: 0,
  logs: 'INFO agent started\n',
  forbidden: [],
  eso: 'missing',
  hang: false,
  nodes: [{ 'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': 'node-1' }],
  egress: 'reachable',
};

interface Resource {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  verbs?: string[];
  subresources?: string[];
  crd?: boolean;
  categories?: string[];
}

const ALL_CATEGORY = new Set(['pods', 'services', 'deployments', 'replicasets']);
const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function builtinResources(): Resource[] {
  const r = (group: string, version: string, plural: string, kind: string, namespaced: boolean, shortNames?: string[], subresources?: string[]): Resource => ({
    group,
    version,
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    ...(shortNames ? { shortNames } : {}),
    ...(subresources ? { subresources } : {}),
  });
  return [
    r('', 'v1', 'namespaces', 'Namespace', false, ['ns'], ['status']),
    r('', 'v1', 'nodes', 'Node', false, ['no'], ['status']),
    r('', 'v1', 'pods', 'Pod', true, ['po'], ['status', 'log']),
    r('', 'v1', 'secrets', 'Secret', true),
    r('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
    r('', 'v1', 'services', 'Service', true, ['svc'], ['status']),
    r('', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']),
    r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], ['status']),
    r('', 'v1', 'events', 'Event', true, ['ev']),
    r('apps', 'v1', 'deployments', 'Deployment', true, ['deploy'], ['status', 'scale']),
    r('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs'], ['status', 'scale']),
    // stored as given (no controller runs them here): what reads a Secret besides Deployments and pods
    r('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts'], ['status', 'scale']),
    r('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds'], ['status']),
    r('batch', 'v1', 'jobs', 'Job', true, undefined, ['status']),
    r('batch', 'v1', 'cronjobs', 'CronJob', true, ['cj'], ['status']),
    r('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
    r('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
    r('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
    r('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
    r('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb'], ['status']),
    r('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, ['crd', 'crds'], ['status']),
    { ...r('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false), verbs: ['create'] },
  ];
}

function esoResources(version: string): Resource[] {
  return [
    { group: 'external-secrets.io', version, plural: 'externalsecrets', singular: 'externalsecret', kind: 'ExternalSecret', namespaced: true, shortNames: ['es'], crd: true },
    { group: 'external-secrets.io', version, plural: 'secretstores', singular: 'secretstore', kind: 'SecretStore', namespaced: true, shortNames: ['ss'], crd: true },
    { group: 'external-secrets.io', version, plural: 'clustersecretstores', singular: 'clustersecretstore', kind: 'ClusterSecretStore', namespaced: false, shortNames: ['css'], crd: true },
  ];
}

const gv = (r: { group: string; version: string }) => (r.group ? `${r.group}/${r.version}` : r.version);
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const HASH_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const randName = (n: number) => Array.from({ length: n }, () => HASH_CHARS[Math.floor(Math.random() * HASH_CHARS.length)]).join('');
const shortHash = (s: string) => [...createHash('sha256').update(s).digest()].slice(0, 10).map((b) => HASH_CHARS[b % HASH_CHARS.length]).join('');

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Obj,
  ) {
    super(message);
  }
}

// ---- selectors --------------------------------------------------------------------------------------

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

export function matchLabels(labels: Record<string, string>, selector: string | null): boolean {
  if (!selector) return true;
  return splitTop(selector).every((req) => {
    let m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(req);
    if (m) {
      const vals = m[3]!.split(',').map((v) => v.trim());
      const has = m[1]! in labels && vals.includes(labels[m[1]!]!);
      return m[2] === 'in' ? has : !has;
    }
    m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(req);
    if (m) return m[2] === '!=' ? labels[m[1]!] !== m[3] : labels[m[1]!] === m[3];
    if (req.startsWith('!')) return !(req.slice(1) in labels);
    return req in labels;
  });
}

function matchFields(obj: Obj, selector: string | null): boolean {
  if (!selector) return true;
  return splitTop(selector).every((req) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(req);
    if (!m) return true;
    const v = m[1]!.split('.').reduce<unknown>((o, k) => (o as Obj | undefined)?.[k], obj);
    const s = v === undefined || v === null ? '' : String(v);
    return m[2] === '!=' ? s !== m[3] : s === m[3];
  });
}

function podMatchesNode(pod: Obj, node: Record<string, string>): boolean {
  for (const [k, v] of Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>)) if (node[k] !== v) return false;
  const terms: Obj[] = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return true;
  return terms.some((t) =>
    ((t.matchExpressions ?? []) as { key: string; operator: string; values?: string[] }[]).every((e) => {
      const v = node[e.key];
      if (e.operator === 'In') return v !== undefined && (e.values ?? []).includes(v);
      if (e.operator === 'NotIn') return v === undefined || !(e.values ?? []).includes(v);
      if (e.operator === 'Exists') return v !== undefined;
      if (e.operator === 'DoesNotExist') return v === undefined;
      // Gt, Lt: the label is an integer, compared with the one value (the scheduler's rule)
      if (v === undefined || !/^-?\d+$/.test(v)) return false;
      return e.operator === 'Gt' ? parseInt(v, 10) > parseInt(e.values?.[0] ?? '', 10) : parseInt(v, 10) < parseInt(e.values?.[0] ?? '', 10);
    }),
  );
}

// ---- the server --------------------------------------------------------------------------------------

interface Watcher {
  res: Resource;
  ns: string | undefined;
  labels: string | null;
  fields: string | null;
  out: ServerResponse;
}

export interface RequestRecord {
  method: string;
  url: string;
  contentType: string;
}

export class KubeApiServer {
  readonly scenario: Scenario;
  readonly requests: RequestRecord[] = [];
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  private store = new Map<string, Obj>();
  private rv = 1;
  private history: { rv: number; type: string; res: Resource; obj: Obj }[] = [];
  private watchers = new Set<Watcher>();
  private timers = new Set<NodeJS.Timeout>();
  private reconcileQueued = false;
  /** Logs of bare pods, by namespace/name (the others log `scenario.logs`). */
  private podLogs = new Map<string, string>();
  port = 0;

  constructor(scenario: Partial<Scenario> = {}) {
    this.scenario = { ...DEFAULT_SCENARIO, ...scenario };
    for (const ns of ['default', 'kube-system', 'kube-public']) this.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    this.setNodes(this.scenario.nodes);
    this.setEso(this.scenario.eso);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const w of this.watchers) w.out.end();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- scenario set-up -------------------------------------------------------------------------------

  setNodes(nodes: Record<string, string>[]): void {
    for (const n of this.list(this.res('', 'nodes'), undefined)) this.remove(this.res('', 'nodes'), undefined, n.metadata.name);
    nodes.forEach((labels, i) =>
      this.seed({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: labels['kubernetes.io/hostname'] ?? `node-${i + 1}`, labels },
        status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { architecture: labels['kubernetes.io/arch'] ?? 'amd64' } },
      }),
    );
  }

  setEso(eso: Scenario['eso']): void {
    this.scenario.eso = eso;
    const crd = this.res('apiextensions.k8s.io', 'customresourcedefinitions');
    if (this.get(crd, undefined, 'externalsecrets.external-secrets.io')) this.remove(crd, undefined, 'externalsecrets.external-secrets.io');
    if (eso === 'missing') return;
    this.seed({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'externalsecrets.external-secrets.io' },
      spec: {
        group: 'external-secrets.io',
        names: { kind: 'ExternalSecret', plural: 'externalsecrets', singular: 'externalsecret' },
        scope: 'Namespaced',
        versions: [{ name: eso, served: true, storage: true }],
      },
    });
  }

  /** Puts an object in the store as a cluster admin would (no rights checked, namespace not required). */
  seed(obj: Obj): Obj {
    const [group, version] = String(obj.apiVersion).includes('/') ? String(obj.apiVersion).split('/') : ['', String(obj.apiVersion)];
    const res = this.resources().find((r) => r.group === group && r.version === version && r.kind === obj.kind);
    if (!res) throw new Error(`seed: unknown kind ${obj.apiVersion} ${obj.kind}`);
    return this.write(res, res.namespaced ? (obj.metadata.namespace ?? 'default') : undefined, obj, 'ADDED');
  }

  /** A helm release stored as helm's secrets driver does, e.g. one left in pending-install. */
  seedHelmRelease(r: { name: string; namespace: string; version?: number; status: string; chart?: string; chartVersion?: string; config?: Obj }): Obj {
    const version = r.version ?? 1;
    const t = new Date().toISOString();
    const release = {
      name: r.name,
      namespace: r.namespace,
      version,
      info: { first_deployed: t, last_deployed: t, deleted: '', description: `Release ${r.status}`, status: r.status },
      chart: { metadata: { name: r.chart ?? 'hybrid-deployment-agent', version: r.chartVersion ?? '0.24.0', apiVersion: 'v2' }, lock: null, templates: [], values: {}, schema: null, files: [] },
      config: r.config ?? {},
      manifest: '',
    };
    const payload = gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
    if (!this.get(this.res('', 'namespaces'), undefined, r.namespace)) this.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: r.namespace } });
    return this.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'helm.sh/release.v1',
      metadata: { name: `sh.helm.release.v1.${r.name}.v${version}`, namespace: r.namespace, labels: { name: r.name, owner: 'helm', status: r.status, version: String(version) } },
      data: { release: Buffer.from(payload).toString('base64') },
    });
  }

  // ---- store -----------------------------------------------------------------------------------------

  resources(): Resource[] {
    const eso = this.scenario.eso === 'missing' ? [] : esoResources(this.scenario.eso);
    return [...builtinResources(), ...eso];
  }

  /** A resource by group and plural (the version is the one served). */
  res(group: string, plural: string): Resource {
    const r = this.resources().find((x) => x.group === group && x.plural === plural);
    if (!r) throw new Error(`no resource ${group}/${plural}`);
    return r;
  }

  private key(res: Resource, ns: string | undefined, name: string): string {
    return `${res.group}/${res.plural}/${ns ?? ''}/${name}`;
  }

  get(res: Resource, ns: string | undefined, name: string): Obj | undefined {
    const o = this.store.get(this.key(res, ns, name));
    return o ? clone(o) : undefined;
  }

  list(res: Resource, ns: string | undefined, labels: string | null = null, fields: string | null = null): Obj[] {
    const prefix = `${res.group}/${res.plural}/${ns ?? ''}`;
    const out: Obj[] = [];
    for (const [k, o] of this.store) {
      if (!(ns === undefined ? k.startsWith(`${res.group}/${res.plural}/`) : k.startsWith(`${prefix}/`))) continue;
      if (matchLabels(o.metadata.labels ?? {}, labels) && matchFields(o, fields)) out.push(clone(o));
    }
    return out.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  }

  /** Every version of objects of one kind ever written (deleted ones too), oldest first: for short-lived objects. */
  written(group: string, plural: string): Obj[] {
    return this.history.filter((h) => h.res.group === group && h.res.plural === plural && h.type !== 'DELETED').map((h) => clone(h.obj));
  }

  private everything: Obj[] | undefined;
  /** From now on, keep every version of every object written (the watch history is capped): for leak checks. */
  keepAll(): void {
    this.everything ??= [...this.store.values()].map(clone);
  }
  /** Every version of every object written since keepAll() (deleted ones too), oldest first. */
  allWritten(): Obj[] {
    if (!this.everything) throw new Error('allWritten() needs keepAll() first');
    return this.everything.map(clone);
  }

  /** Objects of one kind anywhere: a short-hand for tests (`objects('apps', 'deployments', 'ns')`). */
  objects(group: string, plural: string, ns?: string): Obj[] {
    return this.list(this.res(group, plural), ns);
  }

  private write(res: Resource, ns: string | undefined, obj: Obj, type: 'ADDED' | 'MODIFIED'): Obj {
    const o = clone(obj);
    o.apiVersion = gv(res);
    o.kind = res.kind;
    o.metadata ??= {};
    if (res.namespaced) o.metadata.namespace = ns;
    else delete o.metadata.namespace;
    if (type === 'ADDED') {
      o.metadata.uid = randomUUID();
      o.metadata.creationTimestamp = now();
      if (!o.metadata.name && o.metadata.generateName) o.metadata.name = `${o.metadata.generateName}${randName(5)}`;
      if (res.kind === 'Deployment' || res.kind === 'ReplicaSet') o.metadata.generation = 1;
      if (res.kind === 'Namespace') o.status = { phase: 'Active' };
    }
    if (res.kind === 'Secret') {
      if (o.stringData) {
        o.data = { ...(o.data ?? {}) };
        for (const [k, v] of Object.entries(o.stringData as Record<string, string>)) o.data[k] = Buffer.from(v).toString('base64');
        delete o.stringData;
      }
      o.type ??= 'Opaque';
    }
    if (res.kind === 'Deployment') {
      o.spec.replicas ??= 1;
      o.spec.strategy ??= { type: 'RollingUpdate' };
      if (o.spec.strategy.type === 'RollingUpdate') o.spec.strategy.rollingUpdate ??= { maxUnavailable: '25%', maxSurge: '25%' };
      o.spec.revisionHistoryLimit ??= 10;
      o.spec.progressDeadlineSeconds ??= 600;
    }
    if (res.kind === 'PersistentVolumeClaim') o.status ??= { phase: 'Bound', accessModes: o.spec?.accessModes ?? ['ReadWriteMany'] };
    o.metadata.resourceVersion = String(++this.rv);
    this.store.set(this.key(res, ns, o.metadata.name), o);
    this.notify(type, res, o);
    this.queueReconcile();
    return clone(o);
  }

  /** `orphan`: propagationPolicy Orphan (kubectl delete --cascade=orphan): what it owns stays, without the owner reference. */
  private remove(res: Resource, ns: string | undefined, name: string, orphan = false): Obj | undefined {
    const k = this.key(res, ns, name);
    const o = this.store.get(k);
    if (!o) return undefined;
    this.store.delete(k);
    o.metadata.resourceVersion = String(++this.rv);
    this.notify('DELETED', res, o);
    // Garbage collection: whatever this object owns goes too; a namespace takes its content with it.
    const uid = o.metadata.uid;
    for (const [key, child] of [...this.store]) {
      const owned = ((child.metadata.ownerReferences ?? []) as Obj[]).some((r) => r.uid === uid);
      const inNs = res.kind === 'Namespace' && child.metadata.namespace === name;
      if (owned && orphan && !inNs) {
        const refs = (child.metadata.ownerReferences as Obj[]).filter((r) => r.uid !== uid);
        child.metadata = { ...child.metadata, resourceVersion: String(++this.rv) };
        if (refs.length) child.metadata.ownerReferences = refs;
        else delete child.metadata.ownerReferences;
        continue;
      }
      if (owned || inNs) {
        const cr = this.resources().find((r) => key.startsWith(`${r.group}/${r.plural}/`))!;
        this.remove(cr, child.metadata.namespace, child.metadata.name);
      }
    }
    this.queueReconcile();
    return o;
  }

  private notify(type: string, res: Resource, obj: Obj): void {
    this.history.push({ rv: Number(obj.metadata.resourceVersion), type, res, obj: clone(obj) });
    if (this.everything && type !== 'DELETED') this.everything.push(clone(obj));
    if (this.history.length > 2000) this.history.splice(0, 500);
    for (const w of this.watchers) if (this.watchMatches(w, res, obj)) w.out.write(`${JSON.stringify({ type, object: obj })}\n`);
  }

  private watchMatches(w: Watcher, res: Resource, obj: Obj): boolean {
    return w.res.group === res.group && w.res.plural === res.plural && (w.ns === undefined || obj.metadata.namespace === w.ns) && matchLabels(obj.metadata.labels ?? {}, w.labels) && matchFields(obj, w.fields);
  }

  // ---- the controller ------------------------------------------------------------------------------

  private queueReconcile(): void {
    if (this.reconcileQueued) return;
    this.reconcileQueued = true;
    setImmediate(() => {
      this.reconcileQueued = false;
      this.reconcile();
    });
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private owned(res: Resource, owner: Obj): Obj[] {
    return this.list(res, owner.metadata.namespace).filter((o) => ((o.metadata.ownerReferences ?? []) as Obj[]).some((r) => r.uid === owner.metadata.uid && r.controller));
  }

  private ownerRef(o: Obj): Obj {
    return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true, blockOwnerDeletion: true };
  }

  private setIfChanged(res: Resource, o: Obj, next: Obj): void {
    if (JSON.stringify(o) !== JSON.stringify(next)) this.write(res, next.metadata.namespace, next, 'MODIFIED');
  }

  reconcile(): void {
    const deps = this.res('apps', 'deployments');
    const rss = this.res('apps', 'replicasets');
    const pods = this.res('', 'pods');
    for (const d of this.list(deps, undefined)) {
      const template = clone(d.spec.template);
      const hash = shortHash(JSON.stringify(template)).slice(0, 10);
      const mine = this.owned(rss, d);
      let current = mine.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
      if (!current) {
        template.metadata ??= {};
        template.metadata.labels = { ...(template.metadata.labels ?? {}), 'pod-template-hash': hash };
        current = this.write(
          rss,
          d.metadata.namespace,
          {
            metadata: { name: `${d.metadata.name}-${hash}`, labels: template.metadata.labels, annotations: { 'deployment.kubernetes.io/revision': String(mine.length + 1) }, ownerReferences: [this.ownerRef(d)] },
            spec: { replicas: 0, selector: { matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash } }, template },
          },
          'ADDED',
        );
      }
      for (const rs of this.owned(rss, d)) {
        const want = rs.metadata.name === current.metadata.name ? d.spec.replicas : 0;
        if (rs.spec.replicas !== want) this.setIfChanged(rss, rs, { ...rs, spec: { ...rs.spec, replicas: want } });
      }
    }
    for (const rs of this.list(rss, undefined)) {
      const have = this.owned(pods, rs);
      for (const p of have.slice(rs.spec.replicas)) this.remove(pods, p.metadata.namespace, p.metadata.name);
      for (let i = have.length; i < rs.spec.replicas; i++) this.startPod(rs);
      const live = this.owned(pods, rs);
      const ready = live.filter((p) => (p.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True')).length;
      const status = { replicas: live.length, fullyLabeledReplicas: live.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: rs.metadata.generation };
      this.setIfChanged(rss, rs, { ...rs, status });
    }
    for (const d of this.list(deps, undefined)) {
      const mine = this.owned(rss, d);
      const newest = mine.find((rs) => rs.spec.replicas === d.spec.replicas && rs.metadata.labels?.['pod-template-hash'] === shortHash(JSON.stringify(d.spec.template)).slice(0, 10));
      const sum = (f: string) => mine.reduce((n, rs) => n + (rs.status?.[f] ?? 0), 0);
      const ready = sum('readyReplicas');
      const available = ready >= d.spec.replicas;
      const status: Obj = {
        observedGeneration: d.metadata.generation,
        replicas: sum('replicas'),
        updatedReplicas: newest?.status?.replicas ?? 0,
        readyReplicas: ready,
        availableReplicas: ready,
        unavailableReplicas: Math.max(0, d.spec.replicas - ready),
        conditions: [
          { type: 'Available', status: available ? 'True' : 'False', reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.' },
          { type: 'Progressing', status: 'True', reason: available ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated', message: `ReplicaSet "${newest?.metadata.name ?? d.metadata.name}" is progressing.` },
        ],
      };
      for (const k of ['readyReplicas', 'availableReplicas', 'unavailableReplicas', 'updatedReplicas', 'replicas']) if (status[k] === 0) delete status[k];
      const prev = d.status ?? {};
      const stable = (c: Obj[] = []) => c.map((x) => `${x.type}${x.status}${x.reason}`).join();
      if (JSON.stringify({ ...prev, conditions: stable(prev.conditions) }) !== JSON.stringify({ ...status, conditions: stable(status.conditions) })) this.write(deps, d.metadata.namespace, { ...d, status }, 'MODIFIED');
    }
    this.runBarePods();
  }

  /**
   * Bare pods (no owner: hd-setup's egress check) "run" once: every http(s) URL among the container's command
   * arguments is reported as the `egress` knob says, in the log format of the check's script; with `no-image`
   * the pod stays Pending in ImagePullBackOff. Nothing is really fetched.
   */
  private runBarePods(): void {
    const pods = this.res('', 'pods');
    for (const p of this.list(pods, undefined)) {
      if ((p.metadata.ownerReferences ?? []).length || p.status?.phase) continue;
      const c = (p.spec?.containers ?? [])[0] ?? {};
      if (this.scenario.egress === 'no-image') {
        this.write(pods, p.metadata.namespace, { ...p, status: { phase: 'Pending', containerStatuses: [{ name: c.name, image: c.image, ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }] } }, 'MODIFIED');
        continue;
      }
      const urls = ([...(c.command ?? []), ...(c.args ?? [])] as string[]).filter((a) => /^https?:\/\//.test(a));
      const ok = this.scenario.egress === 'reachable';
      this.podLogs.set(`${p.metadata.namespace}/${p.metadata.name}`, urls.map((u) => (ok ? `OK ${u} 200` : `FAIL ${u} curl: (28) Connection timed out after 10001 milliseconds`)).join('\n') + '\n');
      this.write(pods, p.metadata.namespace, { ...p, spec: { ...p.spec, nodeName: 'node-1' }, status: { phase: 'Succeeded', containerStatuses: [{ name: c.name, image: c.image, ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } }, 'MODIFIED');
    }
  }

  private event(pod: Obj, reason: string, message: string): void {
    const evs = this.res('', 'events');
    this.write(
      evs,
      pod.metadata.namespace,
      {
        metadata: { name: `${pod.metadata.name}.${randName(8)}` },
        type: 'Warning',
        reason,
        message,
        involvedObject: { kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
        source: { component: 'kubelet' },
        firstTimestamp: now(),
        lastTimestamp: now(),
        count: 1,
      },
      'ADDED',
    );
  }

  private startPod(rs: Obj): void {
    const pods = this.res('', 'pods');
    const t = rs.spec.template;
    const containers = (t.spec.containers ?? []) as Obj[];
    const missingPvc = ((t.spec.volumes ?? []) as Obj[]).map((v) => v.persistentVolumeClaim?.claimName).find((c) => c && !this.get(this.res('', 'persistentvolumeclaims'), rs.metadata.namespace, c));
    const nodes = this.list(this.res('', 'nodes'), undefined).map((n) => n.metadata.labels ?? {});
    const fits = nodes.some((n) => podMatchesNode(t, n));
    const mode = missingPvc ? 'pvc' : !fits || this.scenario.pods === 'Unschedulable' ? 'Unschedulable' : this.scenario.pods;
    const cond = (type: string, ok: boolean, extra: Obj = {}) => ({ type, status: ok ? 'True' : 'False', lastTransitionTime: now(), ...extra });
    const waiting = (reason: string, message?: string) => containers.map((c) => ({ name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason, ...(message ? { message } : {}) } } }));
    const base = {
      metadata: { name: `${rs.metadata.name}-${randName(5)}`, labels: t.metadata?.labels ?? {}, annotations: t.metadata?.annotations ?? {}, ownerReferences: [this.ownerRef(rs)] },
      spec: { ...clone(t.spec), ...(mode === 'pvc' || mode === 'Unschedulable' ? {} : { nodeName: nodes.find((n) => podMatchesNode(t, n))?.['kubernetes.io/hostname'] ?? 'node-1' }) },
    };
    let status: Obj;
    if (mode === 'pvc' || mode === 'Unschedulable') {
      const message = mode === 'pvc' ? `0/${nodes.length} nodes are available: persistentvolumeclaim "${missingPvc}" not found. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.` : `0/${nodes.length} nodes are available: ${nodes.length} node(s) didn't match Pod's node affinity/selector. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
      status = { phase: 'Pending', conditions: [cond('PodScheduled', false, { reason: 'Unschedulable', message })] };
    } else if (mode === 'ImagePullBackOff') {
      const img = containers[0]?.image;
      status = { phase: 'Pending', conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', false), cond('Ready', false)], containerStatuses: waiting('ImagePullBackOff', `Back-off pulling image "${img}": ErrImagePull: failed to pull and unpack image "${img}": failed to resolve reference "${img}": dial tcp: lookup registry: i/o timeout`) };
    } else if (mode === 'CrashLoopBackOff') {
      status = {
        phase: 'Running',
        conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', false), cond('Ready', false)],
        containerStatuses: containers.map((c) => ({ name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: 4, lastState: { terminated: { exitCode: 1, reason: 'Error' } }, state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 1m20s restarting failed container=${c.name}` } } })),
      };
    } else if (this.scenario.podReadyDelayMs > 0) {
      status = { phase: 'Pending', conditions: [cond('PodScheduled', true), cond('Ready', false)], containerStatuses: waiting('ContainerCreating') };
    } else status = this.readyStatus(containers);
    const pod = this.write(pods, rs.metadata.namespace, { ...base, status }, 'ADDED');
    if (mode === 'pvc' || mode === 'Unschedulable') this.event(pod, 'FailedScheduling', status.conditions[0].message);
    if (mode === 'ImagePullBackOff') this.event(pod, 'Failed', `Error: ImagePullBackOff`);
    if (mode === 'CrashLoopBackOff') this.event(pod, 'BackOff', `Back-off restarting failed container ${containers[0]?.name} in pod ${pod.metadata.name}`);
    if (mode === 'ready' && this.scenario.podReadyDelayMs > 0) {
      this.later(this.scenario.podReadyDelayMs, () => {
        const p = this.get(pods, pod.metadata.namespace, pod.metadata.name);
        if (p) this.write(pods, p.metadata.namespace, { ...p, status: this.readyStatus(containers) }, 'MODIFIED');
      });
    }
  }

  private readyStatus(containers: Obj[]): Obj {
    const c = (type: string) => ({ type, status: 'True', lastTransitionTime: now() });
    return {
      phase: 'Running',
      startTime: now(),
      conditions: [c('PodScheduled'), c('Initialized'), c('ContainersReady'), c('Ready')],
      containerStatuses: containers.map((x) => ({ name: x.name, image: x.image, imageID: `${x.image}@sha256:0`, ready: true, started: true, restartCount: 0, state: { running: { startedAt: now() } } })),
    };
  }

  // ---- HTTP --------------------------------------------------------------------------------------------

  private async body(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    const s = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(s) });
    res.end(s);
  }

  private status(res: ServerResponse, e: HttpError): void {
    this.send(res, e.code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: e.reason, ...(e.details ? { details: e.details } : {}), code: e.code });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', contentType: String(req.headers['content-type'] ?? '') });
    if (this.scenario.hang) return; // the socket stays open; nothing is ever written
    try {
      await this.route(req, res);
    } catch (e) {
      if (e instanceof HttpError) this.status(res, e);
      else this.status(res, new HttpError(500, 'InternalError', `test server: ${(e as Error).message}`));
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname.replace(/\/$/, '');
    const m = /^v(\d+)\.(\d+)/.exec(this.scenario.version);
    if (p === '/version') {
      return this.send(res, 200, { major: m?.[1] ?? '1', minor: m?.[2] ?? '32', gitVersion: this.scenario.version, gitCommit: '0', gitTreeState: 'clean', buildDate: '2025-03-11T00:00:00Z', goVersion: 'go1.23', compiler: 'gc', platform: 'linux/amd64' });
    }
    if (p === '/api') return this.send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }] });
    if (p === '/apis') return this.send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groups() });
    if (p === '/openapi/v3') return this.send(res, 200, { paths: Object.fromEntries(this.groupVersions().map((g) => [g.startsWith('v') ? `api/${g}` : `apis/${g}`, { serverRelativeURL: `/openapi/v3/${g.startsWith('v') ? `api/${g}` : `apis/${g}`}?hash=${this.rv}` }])) });
    if (p.startsWith('/openapi/v3/')) return this.send(res, 200, this.openapi(p.slice('/openapi/v3/'.length).replace(/^apis?\//, '')));
    if (p === '/healthz' || p === '/readyz' || p === '/livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return void res.end('ok');
    }
    const g = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/(.*))?$/.exec(p);
    if (!g) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    const group = g[1] ? '' : g[2]!;
    const version = g[1] ?? g[3]!;
    const inGv = this.resources().filter((r) => r.group === group && r.version === version);
    if (inGv.length === 0) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    if (!g[4]) return this.send(res, 200, this.resourceList(group, version, inGv));
    const parts = g[4].split('/');
    let ns: string | undefined;
    if (parts[0] === 'namespaces' && parts.length >= 3 && inGv.some((r) => r.namespaced && r.plural === parts[2])) {
      ns = parts[1];
      parts.splice(0, 2);
    }
    const resource = inGv.find((r) => r.plural === parts[0] && (ns === undefined ? true : r.namespaced));
    if (!resource) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    const [, name, sub] = parts;
    return this.serve(req, res, url, resource, ns, name, sub);
  }

  private groupVersions(): string[] {
    return [...new Set(this.resources().map(gv))];
  }

  private groups(): Obj[] {
    const byGroup = new Map<string, string[]>();
    for (const r of this.resources()) if (r.group) byGroup.set(r.group, [...new Set([...(byGroup.get(r.group) ?? []), r.version])]);
    return [...byGroup].map(([name, versions]) => ({
      name,
      versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    }));
  }

  private resourceList(group: string, version: string, rs: Resource[]): Obj {
    const resources: Obj[] = [];
    for (const r of rs) {
      resources.push({ name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs ?? ALL_VERBS, ...(r.shortNames ? { shortNames: r.shortNames } : {}), ...(ALL_CATEGORY.has(r.plural) ? { categories: ['all'] } : {}) });
      for (const s of r.subresources ?? []) {
        const kind = s === 'scale' ? 'Scale' : r.kind;
        resources.push({ name: `${r.plural}/${s}`, singularName: '', namespaced: r.namespaced, kind, ...(s === 'scale' ? { group: 'autoscaling', version: 'v1' } : {}), verbs: s === 'log' ? ['get'] : ['get', 'patch', 'update'] });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
  }

  /** One PATCH operation per kind, carrying `fieldValidation`: enough for kubectl and helm to leave validation to the server. */
  private openapi(groupVersion: string): Obj {
    const paths: Obj = {};
    for (const r of this.resources().filter((x) => gv(x) === groupVersion)) {
      const base = `/${r.group ? `apis/${r.group}` : 'api'}/${r.version}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}/{name}`;
      paths[base] = {
        patch: {
          operationId: `patch${r.kind}`,
          'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
          parameters: [
            { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
            { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          ],
          responses: { '200': { description: 'OK' } },
        },
      };
    }
    return { openapi: '3.0.0', info: { title: 'Kubernetes', version: this.scenario.version }, paths, components: { schemas: {} } };
  }

  private denied(verb: string, res: Resource): boolean {
    return this.scenario.forbidden.some((f) => f === res.plural || f === `${verb} ${res.plural}` || f === `${verb} ${res.plural}.${res.group}`);
  }

  private forbid(verb: string, res: Resource, ns: string | undefined, name?: string): never {
    const where = ns ? ` in the namespace "${ns}"` : ' at the cluster scope';
    throw new HttpError(403, 'Forbidden', `${res.plural}${name ? ` "${name}"` : ''} is forbidden: User "test-user" cannot ${verb} resource "${res.plural}" in API group "${res.group}"${where}`, { ...(name ? { name } : {}), kind: res.plural });
  }

  private async parseBody(req: IncomingMessage): Promise<Obj> {
    const buf = await this.body(req);
    const ct = String(req.headers['content-type'] ?? '');
    if (ct.startsWith(PROTOBUF)) return decodeProtobuf(buf);
    if (ct.includes('yaml')) return loadYaml(buf.toString('utf8')) as Obj;
    return JSON.parse(buf.toString('utf8') || '{}') as Obj;
  }

  private notFound(res: Resource, name: string): never {
    throw new HttpError(404, 'NotFound', `${res.plural}${res.group ? `.${res.group}` : ''} "${name}" not found`, { name, group: res.group, kind: res.plural });
  }

  private requireNamespace(ns: string | undefined): void {
    if (ns !== undefined && !this.get(this.res('', 'namespaces'), undefined, ns)) throw new HttpError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
  }

  private async serve(req: IncomingMessage, res: ServerResponse, url: URL, r: Resource, ns: string | undefined, name: string | undefined, sub: string | undefined): Promise<void> {
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    const dryRun = q.get('dryRun') === 'All';
    const labels = q.get('labelSelector');
    const fields = q.get('fieldSelector');

    if (r.kind === 'SelfSubjectAccessReview') {
      if (method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', 'only create is allowed');
      const body = await this.parseBody(req);
      const a = body.spec?.resourceAttributes ?? {};
      const target = this.resources().find((x) => x.plural === a.resource && x.group === (a.group ?? ''));
      const allowed = !target || !this.denied(a.verb, target);
      return this.send(res, 201, { ...body, apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: { creationTimestamp: null }, status: { allowed, ...(allowed ? {} : { reason: 'no RBAC policy matched' }) } });
    }

    if (!name) {
      // Collection: list, watch, create, deletecollection.
      if (method === 'GET') {
        const verb = q.get('watch') === 'true' || q.get('watch') === '1' ? 'watch' : 'list';
        if (this.denied(verb, r)) this.forbid(verb, r, ns);
        if (verb === 'watch') return this.watch(res, r, ns, labels, fields, q.get('resourceVersion'), Number(q.get('timeoutSeconds') ?? 0));
        return this.send(res, 200, { kind: `${r.kind}List`, apiVersion: gv(r), metadata: { resourceVersion: String(this.rv) }, items: this.list(r, ns, labels, fields) });
      }
      if (method === 'POST') {
        if (this.denied('create', r)) this.forbid('create', r, ns);
        const body = await this.parseBody(req);
        this.requireNamespace(ns);
        const n = body.metadata?.name;
        if (n && this.get(r, ns, n)) throw new HttpError(409, 'AlreadyExists', `${r.plural}${r.group ? `.${r.group}` : ''} "${n}" already exists`, { name: n, group: r.group, kind: r.plural });
        if (!n && !body.metadata?.generateName) throw new HttpError(422, 'Invalid', `${r.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
        delete body.metadata.resourceVersion;
        if (dryRun) return this.send(res, 201, { ...body, apiVersion: gv(r), kind: r.kind });
        return this.send(res, 201, this.write(r, ns, body, 'ADDED'));
      }
      if (method === 'DELETE') {
        if (this.denied('deletecollection', r)) this.forbid('deletecollection', r, ns);
        const gone = this.list(r, ns, labels, fields).map((o) => this.remove(r, o.metadata.namespace, o.metadata.name));
        return this.send(res, 200, { kind: `${r.kind}List`, apiVersion: gv(r), metadata: { resourceVersion: String(this.rv) }, items: gone });
      }
      throw new HttpError(405, 'MethodNotAllowed', `${method} is not allowed on a collection`);
    }

    if (sub === 'log') {
      if (!this.get(r, ns, name)) this.notFound(r, name);
      const lines = (this.podLogs.get(`${ns}/${name}`) ?? this.scenario.logs).split('\n').filter(Boolean);
      const tail = q.get('tailLines');
      const text = (tail ? lines.slice(-Number(tail)) : lines).join('\n') + '\n';
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return void res.end(text);
    }

    if (sub === 'scale') {
      const verb = method === 'GET' ? 'get' : method === 'PUT' ? 'update' : 'patch';
      if (this.denied(verb, r)) this.forbid(verb, r, ns, name);
      const cur = this.get(r, ns, name) ?? this.notFound(r, name);
      const scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace: ns, uid: cur.metadata.uid, resourceVersion: cur.metadata.resourceVersion, creationTimestamp: cur.metadata.creationTimestamp }, spec: { replicas: cur.spec.replicas }, status: { replicas: cur.status?.replicas ?? 0, selector: Object.entries(cur.spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') } };
      if (method === 'GET') return this.send(res, 200, scale);
      const body = await this.parseBody(req);
      const next = method === 'PUT' ? body : this.applyPatch(String(req.headers['content-type'] ?? ''), scale, body);
      const replicas = Number(next.spec?.replicas ?? cur.spec.replicas);
      if (replicas !== cur.spec.replicas) this.write(r, ns, { ...cur, metadata: { ...cur.metadata, generation: (cur.metadata.generation ?? 1) + 1 }, spec: { ...cur.spec, replicas } }, 'MODIFIED');
      return this.send(res, 200, { ...scale, spec: { replicas } });
    }

    const verb = method === 'GET' ? 'get' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : method === 'DELETE' ? 'delete' : '';
    if (!verb) throw new HttpError(405, 'MethodNotAllowed', `${method} is not allowed`);
    if (this.denied(verb, r)) this.forbid(verb, r, ns, name);
    const cur = this.get(r, ns, name);
    if (method === 'GET') return this.send(res, 200, cur ?? this.notFound(r, name));
    if (method === 'DELETE') {
      if (!cur) this.notFound(r, name);
      if (dryRun) return this.send(res, 200, cur);
      // DeleteOptions in the body (kubectl) or the query: Orphan leaves what it owns
      const opts = await this.parseBody(req).catch(() => ({}) as Obj);
      const policy = (opts as Obj).propagationPolicy ?? q.get('propagationPolicy');
      return this.send(res, 200, this.remove(r, ns, name, policy === 'Orphan'));
    }
    const body = await this.parseBody(req);
    const ct = String(req.headers['content-type'] ?? '');
    if (method === 'PUT') {
      if (!cur) this.notFound(r, name);
      const want = body.metadata?.resourceVersion;
      if (want && want !== cur.metadata.resourceVersion) throw new HttpError(409, 'Conflict', `Operation cannot be fulfilled on ${r.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
      const next: Obj = { ...body, metadata: { ...body.metadata, uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp } };
      if (sub !== 'status') next.status = body.status ?? cur.status;
      return this.send(res, 200, dryRun ? next : this.update(r, ns, cur, next));
    }
    // PATCH
    if (!cur) {
      if (!ct.includes('apply-patch')) this.notFound(r, name);
      if (this.denied('create', r)) this.forbid('create', r, ns, name);
      this.requireNamespace(ns);
      return this.send(res, 201, dryRun ? body : this.write(r, ns, { ...body, metadata: { ...body.metadata, name } }, 'ADDED'));
    }
    const next = this.applyPatch(ct, cur, body);
    next.metadata = { ...next.metadata, name, uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp };
    return this.send(res, 200, dryRun ? next : this.update(r, ns, cur, next));
  }

  private applyPatch(ct: string, cur: Obj, body: unknown): Obj {
    try {
      if (ct.startsWith('application/json-patch+json')) return jsonPatch(cur, body as never) as Obj;
      if (ct.startsWith('application/merge-patch+json')) return mergePatch(cur, body) as Obj;
      if (ct.startsWith('application/strategic-merge-patch+json')) return strategicMerge(cur, body) as Obj;
      if (ct.startsWith('application/apply-patch')) return strategicMerge(cur, body) as Obj; // server-side apply, as far as these clients need it
    } catch (e) {
      throw new HttpError(422, 'Invalid', `the patch could not be applied: ${(e as Error).message}`);
    }
    throw new HttpError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  }

  private update(r: Resource, ns: string | undefined, cur: Obj, next: Obj): Obj {
    if (r.kind === 'Deployment' || r.kind === 'ReplicaSet') {
      next.metadata.generation = JSON.stringify(next.spec) === JSON.stringify(cur.spec) ? cur.metadata.generation : (cur.metadata.generation ?? 1) + 1;
    }
    const { resourceVersion: _rv, ...meta } = next.metadata;
    const same = JSON.stringify({ ...next, metadata: meta }) === JSON.stringify({ ...cur, metadata: { ...cur.metadata, resourceVersion: undefined } });
    if (same) return cur; // a no-op write keeps its resourceVersion, as on a real server
    return this.write(r, ns, next, 'MODIFIED');
  }

  private watch(res: ServerResponse, r: Resource, ns: string | undefined, labels: string | null, fields: string | null, since: string | null, timeoutSeconds: number): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const w: Watcher = { res: r, ns, labels, fields, out: res };
    if (!since || since === '0') {
      for (const o of this.list(r, ns, labels, fields)) res.write(`${JSON.stringify({ type: 'ADDED', object: o })}\n`);
    } else {
      for (const h of this.history) if (h.rv > Number(since) && this.watchMatches(w, h.res, h.obj)) res.write(`${JSON.stringify({ type: h.type, object: h.obj })}\n`);
    }
    this.watchers.add(w);
    const done = () => {
      this.watchers.delete(w);
      res.end();
    };
    res.on('close', () => this.watchers.delete(w));
    if (timeoutSeconds > 0) this.later(timeoutSeconds * 1000, done);
  }
}
