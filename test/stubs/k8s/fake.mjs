// Recording fakes of kubectl and helm (no cluster can exist here). Invoked as `fake.mjs kubectl|helm ...`.
// Logs argv + stdin per call as JSON lines to $HD_FAKE_LOG; keeps state in $HD_FAKE_STATE (JSON);
// plays the scenario in $HD_FAKE_SCENARIO with realistic output. It never echoes stdin.
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const [tool, ...argv] = process.argv.slice(2);
const scenario = process.env.HD_FAKE_SCENARIO ?? 'success';
const fast = process.env.HD_FAKE_FAST === '1';
const stateFile = process.env.HD_FAKE_STATE ?? '/tmp/hd-fake-state.json';
const list = (v, d = '') => (v ?? d).split(',').map((s) => s.trim()).filter(Boolean);

function load() {
  if (existsSync(stateFile)) return JSON.parse(readFileSync(stateFile, 'utf8'));
  return {
    namespaces: list(process.env.HD_FAKE_NAMESPACES, 'default,kube-system'),
    pvcs: list(process.env.HD_FAKE_PVCS),
    secrets: list(process.env.HD_FAKE_SECRETS),
    crds: list(process.env.HD_FAKE_CRDS),
    releases: JSON.parse(process.env.HD_FAKE_RELEASES ?? '[]'),
    objects: {},
    polls: 0,
  };
}
const state = load();
// Several fakes run at once (helm --wait beside the pod watcher): replace the state file atomically.
const save = () => {
  const tmp = `${stateFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, stateFile);
};

const needsStdin = argv.some((a, i) => (a === '-f' || a === '--filename' || a === '--values') && argv[i + 1] === '-');
const stdin = needsStdin ? readFileSync(0, 'utf8') : null;
if (process.env.HD_FAKE_LOG) appendFileSync(process.env.HD_FAKE_LOG, JSON.stringify({ tool, argv, stdin }) + '\n');

const out = (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
const fail = (msg, code = 1) => {
  process.stderr.write(msg.endsWith('\n') ? msg : msg + '\n');
  save();
  process.exit(code);
};
const flag = (name, short) => {
  const i = argv.findIndex((a) => a === name || (short && a === short));
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : undefined;
};
// Positional args, without flags and their values.
const VALUED = new Set(['-n', '--namespace', '--context', '--kube-context', '--kubeconfig', '-o', '--output', '-l', '--selector', '-f', '--filename', '--values', '--version', '--timeout', '--template', '--field-selector', '--filter', '-c', '--tail']);
const pos = [];
for (let i = 0; i < argv.length; i++) {
  if (VALUED.has(argv[i])) i++;
  else if (!argv[i].startsWith('-')) pos.push(argv[i]);
}
const ns = flag('--namespace', '-n') ?? 'default';
const sleep = (ms) => new Promise((r) => setTimeout(r, fast ? Math.min(ms, 200) : ms));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));

const now = new Date().toISOString();
const notFound = (kind, name) => fail(`Error from server (NotFound): ${kind} "${name}" not found`);

function release(name) {
  return state.releases.find((r) => r.name === name && r.namespace === ns);
}

function podsFor(selector) {
  const rel = state.releases.find((r) => r.namespace === ns && selector.includes(r.name));
  if (!rel) return [];
  const fivetran = rel.chart.startsWith('hybrid-deployment-agent');
  const names = fivetran ? [`${rel.name}-6d4f8b7c9-x2k8p`] : [`${rel.name}-apply-7b6c9d8f9-abc12`, `${rel.name}-run-6d5b8c7e8-def34`];
  const image = fivetran ? (rel.values?.agent?.image ?? 'us-docker.pkg.dev/prod-eng-fivetran-ldp/public-docker-us/ldp-agent:production') : 'tobikodata/tcloud:latest';
  state.polls++;
  return names.map((name, i) => {
    const labels = fivetran
      ? { 'app.kubernetes.io/name': 'hd-agent', 'app.kubernetes.io/app': rel.name, 'app.kubernetes.io/part-of': 'hybrid-deployment' }
      : { 'app.kubernetes.io/instance': rel.name, 'app.kubernetes.io/component': i === 0 ? 'apply-executor' : 'run-executor' };
    const spec = { containers: [{ name: 'main', image }], ...(rel.values?.agent?.node_selector ? { nodeSelector: rel.values.agent.node_selector } : {}) };
    if (scenario === 'unschedulable-affinity' && !spec.nodeSelector) spec.nodeSelector = { hd_size: 'large' };
    const base = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec };
    const waiting = (reason, message) => ({
      ...base,
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
        containerStatuses: [{ name: 'main', image, ready: false, restartCount: reason === 'CrashLoopBackOff' ? 4 : 0, state: { waiting: { reason, message } } }],
      },
    });
    switch (scenario) {
      case 'image-pull-backoff':
        return waiting('ImagePullBackOff', `Back-off pulling image "${image}": ErrImagePull: failed to pull and unpack image "${image}": failed to resolve reference "${image}": dial tcp 142.250.1.82:443: i/o timeout`);
      case 'crashloop':
        return { ...waiting('CrashLoopBackOff', `back-off 1m20s restarting failed container=main pod=${name}`), status: { ...waiting('CrashLoopBackOff', 'back-off').status, phase: 'Running' } };
      case 'unschedulable-affinity':
        return {
          ...base,
          status: {
            phase: 'Pending',
            conditions: [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
              },
            ],
          },
        };
      case 'pvc-pending':
        return {
          ...base,
          spec: { ...spec, volumes: [{ name: 'data', persistentVolumeClaim: { claimName: rel.values?.config?.data_volume_pvc ?? 'data' } }] },
          status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.' }] },
        };
      case 'helm-timeout':
        return waiting('ContainerCreating', '');
      default:
        if (state.polls <= 1 && scenario === 'success-slow') return waiting('ContainerCreating', '');
        return {
          ...base,
          status: {
            phase: 'Running',
            conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }],
            containerStatuses: [{ name: 'main', image, ready: true, restartCount: 0, state: { running: { startedAt: now } } }],
          },
        };
    }
  });
}

function events() {
  const ev = (reason, obj, message) => ({ apiVersion: 'v1', kind: 'Event', type: 'Warning', reason, message, involvedObject: { kind: 'Pod', name: obj, namespace: ns }, lastTimestamp: now });
  const pod = state.releases.find((r) => r.namespace === ns)?.name ?? 'pod';
  switch (scenario) {
    case 'image-pull-backoff':
      return [ev('Failed', pod, 'Failed to pull image: rpc error: code = Unknown desc = dial tcp: i/o timeout'), ev('BackOff', pod, 'Back-off pulling image')];
    case 'unschedulable-affinity':
      return [ev('FailedScheduling', pod, "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.")];
    case 'crashloop':
      return [ev('BackOff', pod, 'Back-off restarting failed container main')];
    case 'forbidden-runtime':
      return [ev('FailedCreate', pod, 'pods "x" is forbidden: error looking up service account fivetran/hd-agent-sa: serviceaccount "hd-agent-sa" not found')];
    default:
      return [];
  }
}

async function kubectl() {
  const [verb, kind, name] = pos;
  if (verb === 'version') {
    const server = scenario === 'server-too-old' ? 'v1.27.3' : 'v1.31.2';
    if (scenario === 'unreachable') {
      out(JSON.stringify({ clientVersion: { gitVersion: 'v1.31.2' } }));
      fail('The connection to the server 10.0.0.1:6443 was refused - did you specify the right host or port?');
    }
    return out(JSON.stringify({ clientVersion: { major: '1', minor: '31', gitVersion: 'v1.31.2' }, kustomizeVersion: 'v5.4.2', serverVersion: { major: '1', minor: server.split('.')[1], gitVersion: server, platform: 'linux/amd64' } }, null, 2));
  }
  if (verb === 'config') {
    if (kind === 'current-context') return out(process.env.HD_FAKE_CONTEXT ?? 'kind-hd-test');
    if (kind === 'get-contexts') return list(process.env.HD_FAKE_CONTEXTS, `${process.env.HD_FAKE_CONTEXT ?? 'kind-hd-test'},prod-east`).includes(name) ? out(name) : fail(`error: context ${name} not found`);
  }
  if (verb === 'auth' && kind === 'can-i') {
    const res = pos[3] ?? '';
    if (scenario === 'forbidden' && /^(deployments|secrets|roles)/.test(res)) {
      out('no');
      process.exit(1);
    }
    return out('yes');
  }
  if (verb === 'create' && kind === 'namespace') {
    state.namespaces.push(name);
    save();
    return out(`namespace/${name} created`);
  }
  if (verb === 'apply') {
    if (scenario === 'forbidden') fail(`Error from server (Forbidden): error when creating "STDIN": secrets is forbidden: User "dev@example.com" cannot create resource "secrets" in API group "" in the namespace "${ns}"`);
    for (const doc of (stdin ?? '').split(/^---$/m)) {
      const k = /^kind:\s*(\S+)/m.exec(doc)?.[1];
      const n = /^\s+name:\s*(\S+)/m.exec(doc)?.[1];
      if (!k || !n) continue;
      const key = `${ns}/${k}/${n}`;
      const existed = key in state.objects;
      state.objects[key] = true;
      if (k === 'Secret') state.secrets.push(`${ns}/${n}`);
      // Server-side apply (what hd-setup uses: no last-applied-configuration copy) reports every object the same way.
      const how = argv.includes('--server-side') ? 'serverside-applied' : existed ? 'configured' : 'created';
      out(`${k === 'ExternalSecret' ? 'externalsecret.external-secrets.io' : k.toLowerCase()}/${n} ${how}`);
    }
    return save();
  }
  if (verb === 'get') {
    const json = flag('-o', '--output') === 'json';
    if (kind === 'namespace' || kind === 'namespaces' || kind === 'ns') return state.namespaces.includes(name) ? out(`namespace/${name}`) : notFound('namespaces', name);
    if (kind === 'pvc' || kind === 'persistentvolumeclaim') {
      if (scenario === 'pvc-missing' || !state.pvcs.includes(`${ns}/${name}`)) return notFound('persistentvolumeclaims', name);
      return out(JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: ns }, spec: { accessModes: ['ReadWriteMany'] }, status: { phase: scenario === 'pvc-pending' ? 'Pending' : 'Bound' } }));
    }
    if (kind === 'secret') return state.secrets.includes(`${ns}/${name}`) ? out(`secret/${name}`) : notFound('secrets', name);
    if (kind === 'crd') {
      if (!state.crds.includes(name)) return notFound('customresourcedefinitions.apiextensions.k8s.io', name);
      return out(flag('--output', '-o') === 'json' ? JSON.stringify({ metadata: { name }, spec: { versions: [{ name: 'v1', served: true }] } }) : `customresourcedefinition.apiextensions.k8s.io/${name}`);
    }
    if (kind === 'nodes') {
      const labels = Object.fromEntries(list(process.env.HD_FAKE_NODE_LABELS).map((kv) => kv.split('=')));
      const arch = process.env.HD_FAKE_NODES_ARCH ?? 'amd64';
      return out(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [1, 2, 3].map((i) => ({ metadata: { name: `node-${i}`, labels: { 'kubernetes.io/arch': arch, 'kubernetes.io/hostname': `node-${i}`, ...labels } } })) }));
    }
    if (kind === 'pods') {
      const items = podsFor(flag('-l', '--selector') ?? '');
      save();
      return out(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    }
    if (kind === 'events') return out(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: events() }));
    if (json) return out(JSON.stringify({ items: [] }));
  }
  if (verb === 'logs') {
    return out(
      scenario === 'crashloop'
        ? '2026-11-24 10:00:01 INFO Starting Hybrid Deployment Agent\n2026-11-24 10:00:02 INFO Connecting to orchestrator\n2026-11-24 10:00:03 ERROR Invalid token: authentication failed (401)'
        : '2026-11-24 10:00:01 INFO Starting Hybrid Deployment Agent\n2026-11-24 10:00:03 INFO Agent registered',
    );
  }
  if (verb === 'delete') return out(`${kind} deleted`);
  if (verb === 'scale') return out(`deployment.apps/${name} scaled`);
  fail(`fake kubectl: unsupported: ${argv.join(' ')}`, 99);
}

async function helm() {
  const [verb, name, chart] = pos;
  if (verb === 'version') {
    const v = scenario === 'helm-too-old' ? 'v3.12.0' : 'v3.16.2';
    return out(argv.includes('--short') ? `${v}+g13654a5` : v);
  }
  if (verb === 'upgrade') {
    if (scenario === 'forbidden') fail(`Error: UPGRADE FAILED: query: failed to query with labels: secrets is forbidden: User "dev@example.com" cannot list resource "secrets" in API group "" in the namespace "${ns}"`);
    const vf = flag('-f', '--values');
    const valuesText = vf === '-' ? stdin : vf && existsSync(vf) ? readFileSync(vf, 'utf8') : '';
    let values = {};
    try {
      values = JSON.parse(JSON.stringify(parseValues(valuesText ?? '')));
    } catch {
      values = {};
    }
    const chartName = chart.includes('hybrid-executors') ? 'hybrid-executors-0.3.1' : `hybrid-deployment-agent-${flag('--version') ?? '0.24.0'}`;
    let rel = release(name);
    const first = !rel;
    if (!rel) {
      rel = { name, namespace: ns, revision: 0, chart: chartName, values, history: [] };
      state.releases.push(rel);
      if (argv.includes('--create-namespace') && !state.namespaces.includes(ns)) state.namespaces.push(ns);
    }
    rel.history.push(rel.values);
    rel.values = values;
    rel.revision++;
    rel.chart = chartName;
    rel.status = 'deployed';
    save();
    const failing = ['image-pull-backoff', 'crashloop', 'unschedulable-affinity', 'helm-timeout', 'pvc-pending'].includes(scenario);
    if (argv.includes('--wait')) await sleep(failing ? 1500 : 500);
    if (failing && argv.includes('--wait')) {
      rel.status = 'failed';
      save();
      fail(`Error: ${first ? 'INSTALL' : 'UPGRADE'} FAILED: context deadline exceeded`);
    }
    if (first) out(`Release "${name}" does not exist. Installing it now.`);
    return out(`Release "${name}" has been upgraded. Happy Helming!\nNAME: ${name}\nLAST DEPLOYED: ${new Date().toUTCString()}\nNAMESPACE: ${ns}\nSTATUS: deployed\nREVISION: ${rel.revision}\nTEST SUITE: None`);
  }
  if (verb === 'list') {
    const filter = flag('--filter');
    const re = filter ? new RegExp(filter) : /./;
    return out(JSON.stringify(state.releases.filter((r) => r.namespace === ns && re.test(r.name)).map((r) => ({ name: r.name, namespace: r.namespace, revision: String(r.revision), updated: now, status: r.status ?? 'deployed', chart: r.chart, app_version: r.chart.split('-').pop() }))));
  }
  if (verb === 'get' && name === 'values') {
    const rel = release(chart);
    return rel ? out(JSON.stringify(rel.values)) : fail('Error: release: not found');
  }
  if (verb === 'status') {
    const rel = release(name);
    return rel ? out(JSON.stringify({ name, namespace: ns, version: rel.revision, info: { status: rel.status ?? 'deployed' }, chart: { metadata: { name: rel.chart } } })) : fail('Error: release: not found');
  }
  if (verb === 'rollback') {
    const rel = release(name);
    if (!rel) return fail('Error: release: not found');
    rel.values = rel.history.pop() ?? rel.values;
    rel.revision++;
    rel.status = 'deployed';
    save();
    return out('Rollback was a success! Happy Helming!');
  }
  if (verb === 'uninstall') {
    state.releases = state.releases.filter((r) => !(r.name === name && r.namespace === ns));
    save();
    return out(`release "${name}" uninstalled`);
  }
  fail(`fake helm: unsupported: ${argv.join(' ')}`, 99);
}

/** Just enough YAML for values files written by hd-setup (block style, 2-space indents, "- " lists). */
function parseValues(text) {
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  let i = 0;
  const scalar = (s) => {
    s = s.trim();
    if (/^".*"$/.test(s) || /^'.*'$/.test(s)) return s.slice(1, -1);
    if (s === 'true' || s === 'false') return s === 'true';
    if (/^-?\d+$/.test(s)) return Number(s);
    if (s === '{}') return {};
    if (s === '[]') return [];
    return s;
  };
  const indent = (l) => l.length - l.trimStart().length;
  function block(ind) {
    if (i < lines.length && lines[i].trimStart().startsWith('- ') && indent(lines[i]) === ind) {
      const arr = [];
      while (i < lines.length && indent(lines[i]) === ind && lines[i].trimStart().startsWith('- ')) {
        const rest = lines[i].trimStart().slice(2);
        if (/^[^\s:]+:( |$)/.test(rest)) {
          lines[i] = ' '.repeat(ind + 2) + rest;
          arr.push(block(ind + 2));
        } else {
          arr.push(scalar(rest));
          i++;
        }
      }
      return arr;
    }
    const obj = {};
    while (i < lines.length && indent(lines[i]) === ind) {
      const m = /^(\s*)("?[^":]+"?):\s*(.*)$/.exec(lines[i]);
      if (!m) break;
      const key = m[2].replace(/^"|"$/g, '');
      i++;
      if (m[3] !== '') obj[key] = scalar(m[3]);
      else if (i < lines.length && indent(lines[i]) > ind) obj[key] = block(indent(lines[i]));
      else if (i < lines.length && indent(lines[i]) === ind && lines[i].trimStart().startsWith('- ')) obj[key] = block(ind);
      else obj[key] = null;
    }
    return obj;
  }
  return block(0);
}

await (tool === 'helm' ? helm() : kubectl());
save();
