// The wizard's questions: pure. The answers ARE a preset object; each question reads and writes one part
// of it. The list is recomputed from the answers, so choices (product, runtime, strategy) change what is asked.
import { checkToken } from '../../products/fivetran/token.js';
import { ENGINES, ENGINE_TYPES, isSecretParam, type EngineType } from '../../products/tobiko/engines.js';
import { maskUrlCredentials } from '../../util/redact.js';
import { PATTERNS, mismatch, type Pattern } from '../../model/patterns.js';

export type Answers = Record<string, any>;

export interface Detection {
  docker?: { version?: string; rootless: boolean; reachable: boolean };
  podman?: { version?: string; rootless: boolean; reachable: boolean };
  kubeContext?: string;
  /** An existing install found on this machine, as a preset. */
  installed?: { where: string; preset: Answers; /** Its containers or release exist now (false: only its settings were kept, e.g. after uninstall). */ present?: boolean };
}

/** Transient editing state (a gateway or an affinity rule being entered). */
export interface Drafts {
  gateway?: { name?: string; type?: EngineType; params: Record<string, string>; editing?: string };
  gatewaysDone?: boolean;
  rule?: { name?: string; mode?: string; weight?: string; key?: string; operator?: string; values?: string };
  rulesDone?: boolean;
  placement?: 'none' | 'selector' | 'affinity';
  proxy?: 'none' | 'set';
  advanced?: 'defaults' | 'edit';
  tokenSource?: 'token' | 'secret';
}

export interface Ctx {
  answers: Answers;
  drafts: Drafts;
  detection: Detection;
}

export interface Option {
  label: string;
  value: string;
  hint?: string;
}

interface Base {
  id: string;
  step: string;
  title: string;
  help?: string;
}

export type Result = { answers?: Answers; drafts?: Drafts; goto?: string };

export type Question =
  | (Base & { kind: 'select'; options: Option[]; initial?: string; apply: (c: Ctx, v: string) => Result })
  | (Base & {
      kind: 'text';
      secret?: boolean;
      /** How the value is shown while typing (proxy URLs: credentials masked). */
      display?: (v: string) => string;
      initial: string;
      placeholder?: string;
      validate?: (v: string, c: Ctx) => string | undefined;
      /** Shown under the field as you type (format checks). */
      live?: (v: string) => { ok: boolean; text: string } | undefined;
      apply: (c: Ctx, v: string) => Result;
    })
  | (Base & { kind: 'review' });

export const STEPS = ['Product', 'Runtime', 'Credentials', 'Gateways', 'Proxy', 'Secrets', 'Placement', 'Advanced', 'Review'] as const;

// ---- small path helpers (answers are plain objects) ----
export function get(o: Answers, path: string): any {
  return path.split('.').reduce<any>((x, k) => (x == null ? undefined : x[k]), o);
}

export function set(o: Answers, path: string, v: unknown): Answers {
  const out = structuredClone(o);
  const keys = path.split('.');
  let cur = out;
  for (const k of keys.slice(0, -1)) {
    if (cur[k] == null || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k];
  }
  if (v === undefined) delete cur[keys[keys.length - 1]!];
  else cur[keys[keys.length - 1]!] = v;
  return out;
}

const required = (label: string) => (v: string) => (v.trim() ? undefined : `${label} is required`);
/** Required, and in the model's format (the same check and words as the preset mode). */
const shaped = (label: string, p: Pattern) => (v: string) => (!v.trim() ? `${label} is required` : mapMessage(label, mismatch(p, v.trim())));
const mapMessage = (label: string, m: string | undefined) => (m === undefined ? undefined : m.startsWith('must ') ? `${label} ${m}` : `${label}: ${m}`);
const k8sName = (label: string) => shaped(label, PATTERNS.k8sName);
const urlCheck = (v: string) => (!v.trim() || /^https?:\/\/\S+$/.test(v.trim()) ? undefined : 'must be an http:// or https:// URL, e.g. http://proxy.internal:3128');
const CPU = PATTERNS.cpu.re;
const MEM = PATTERNS.memory.re;
const opt = (re: RegExp, ex: string) => (v: string) => (!v.trim() || re.test(v.trim()) ? undefined : `must look like ${ex}`);

function product(c: Ctx): string | undefined {
  return c.answers.product;
}
const k8s = (c: Ctx) => c.answers.runtime === 'kubernetes';
const sect = (c: Ctx) => (product(c) === 'tobiko' ? 'tobiko' : 'fivetran');
const kpath = (c: Ctx, k: string) => `${sect(c)}.kubernetes.${k}`;

function runtimeOptions(d: Detection): Option[] {
  const desc = (name: 'docker' | 'podman') => {
    const r = d[name];
    if (!r) return 'not found on PATH';
    if (!r.reachable) return `${r.version ?? ''} found, daemon not reachable`.trim();
    return `${r.version ?? ''} ${r.rootless ? 'rootless' : 'rootful'}, detected`.trim();
  };
  return [
    { label: 'docker', value: 'docker', hint: desc('docker') },
    { label: 'podman', value: 'podman', hint: desc('podman') },
    { label: 'Kubernetes (helm)', value: 'kubernetes', hint: d.kubeContext ? `context ${d.kubeContext}` : 'no kubectl context found' },
  ];
}

export function detectedRuntime(d: Detection): string {
  if (d.podman?.reachable && d.podman.rootless) return 'podman';
  if (d.docker?.reachable) return 'docker';
  if (d.podman?.reachable) return 'podman';
  if (d.kubeContext) return 'kubernetes';
  return 'docker';
}

function gatewayParams(type: EngineType): string[] {
  const spec = ENGINES[type];
  const alts = 'oneOf' in spec ? spec.oneOf.map((a) => a[0]!) : [];
  return [...spec.required, ...alts];
}

function secretParam(c: Ctx, p: string): boolean {
  return isSecretParam(p, c.answers.tobiko?.secretParams ?? [], c.answers.tobiko?.nonSecretParams ?? []);
}

/** Secret values may be left empty on Kubernetes: an existing Secret or External Secrets can hold them. */
function secretsOptional(c: Ctx): boolean {
  return k8s(c);
}

function commitGateway(c: Ctx): Result {
  const g = c.drafts.gateway!;
  const params: Record<string, unknown> = { type: g.type };
  // The engine's own order (host, port, database, ...), then anything else.
  const order = [...gatewayParams(g.type!), ...Object.keys(g.params)];
  for (const k of [...new Set(order)]) {
    const v = g.params[k];
    if (v === undefined) continue;
    if (v === '') continue;
    params[k] = k === 'port' && /^\d+$/.test(v) ? Number(v) : v;
  }
  let answers = c.answers;
  if (g.editing && g.editing !== g.name) answers = set(answers, `tobiko.gateways.${g.editing}`, undefined);
  answers = set(answers, `tobiko.gateways.${g.name}`, params);
  return { answers, drafts: { ...c.drafts, gateway: undefined }, goto: 'gw-menu' };
}

function gatewayQuestions(c: Ctx): Question[] {
  const gws = (c.answers.tobiko?.gateways ?? {}) as Record<string, any>;
  const def = c.answers.tobiko?.defaultGateway ?? Object.keys(gws)[0];
  const names = Object.keys(gws);
  const menu: Question = {
    id: 'gw-menu',
    step: 'Gateways',
    kind: 'select',
    title: names.length ? `Gateways: ${names.map((n) => `${n} (${gws[n].type})${n === def ? ' [default]' : ''}`).join(', ')}` : 'Add the SQLMesh gateway the executors connect to',
    help: 'A gateway is a connection to your warehouse. The default one is listed first in the chart values.',
    options: [
      ...(names.length ? [{ label: 'Continue', value: 'done', hint: `${names.length} gateway${names.length > 1 ? 's' : ''}` }] : []),
      { label: 'Add a gateway', value: 'add' },
      ...names.flatMap((n) => [
        { label: `Edit ${n}`, value: `edit:${n}` },
        { label: `Remove ${n}`, value: `remove:${n}` },
        ...(n !== def && names.length > 1 ? [{ label: `Make ${n} the default`, value: `default:${n}` }] : []),
      ]),
    ],
    apply: (cx, v) => {
      if (v === 'done') return { drafts: { ...cx.drafts, gatewaysDone: true } };
      if (v === 'add') return { drafts: { ...cx.drafts, gateway: { params: {} } }, goto: 'gw-name' };
      const [op, name] = v.split(':') as [string, string];
      if (op === 'remove') {
        let answers = set(cx.answers, `tobiko.gateways.${name}`, undefined);
        if (answers.tobiko?.defaultGateway === name) answers = set(answers, 'tobiko.defaultGateway', undefined);
        return { answers, goto: 'gw-menu' };
      }
      if (op === 'default') return { answers: set(cx.answers, 'tobiko.defaultGateway', name), goto: 'gw-menu' };
      const { type, ...params } = gws[name];
      return {
        drafts: { ...cx.drafts, gateway: { name, type, editing: name, params: Object.fromEntries(Object.entries(params).map(([k, x]) => [k, String(x)])) } },
        goto: 'gw-name',
      };
    },
  };
  const out: Question[] = [menu];
  const d = c.drafts.gateway;
  if (!d) return out;
  out.push({
    id: 'gw-name',
    step: 'Gateways',
    kind: 'text',
    title: 'Gateway name',
    help: 'Lowercase, a-z 0-9 and "_", no "__" (it separates parts of SQLMESH__ variable names).',
    initial: d.name ?? (names.length ? '' : 'warehouse'),
    validate: (v, cx) => {
      if (!PATTERNS.gatewayName.re.test(v)) return PATTERNS.gatewayName.message;
      if (v.includes('__')) return 'must not contain "__"';
      if (v !== d.editing && cx.answers.tobiko?.gateways?.[v]) return `gateway ${v} exists; edit it from the list instead`;
      return undefined;
    },
    apply: (cx, v) => ({ drafts: { ...cx.drafts, gateway: { ...cx.drafts.gateway!, name: v } } }),
  });
  out.push({
    id: 'gw-type',
    step: 'Gateways',
    kind: 'select',
    title: `Engine of gateway ${d.name ?? ''}`,
    options: ENGINE_TYPES.map((t) => ({ label: ENGINES[t].label, value: t, hint: ENGINES[t].required.join(', ') || 'no required params' })),
    ...(d.type ? { initial: d.type } : {}),
    apply: (cx, v) => {
      const g = cx.drafts.gateway!;
      const type = v as EngineType;
      const defaults = 'defaults' in ENGINES[type] ? (ENGINES[type] as { defaults: Record<string, string | number> }).defaults : {};
      const params = g.type === type ? g.params : Object.fromEntries(Object.entries(defaults).map(([k, x]) => [k, String(x)]));
      return { drafts: { ...cx.drafts, gateway: { ...g, type, params } } };
    },
  });
  if (d.type) {
    const list = gatewayParams(d.type);
    list.forEach((p, i) => {
      const secret = secretParam(c, p);
      out.push({
        id: `gw-param:${p}`,
        step: 'Gateways',
        kind: 'text',
        secret,
        title: `${d.name}: ${p}${secret ? ' (secret)' : ''}`,
        help: secret
          ? secretsOptional(c)
            ? 'Masked. Leave empty if an existing Secret or External Secrets will hold it.'
            : 'Masked; stored only in the 0600 env-file.'
          : `${ENGINES[d.type!].label} connection parameter.`,
        initial: d.params[p] ?? '',
        validate: (v, cx) => (v.trim() || (secret && secretsOptional(cx)) ? undefined : `${p} is required for ${d.type}`),
        apply: (cx, v) => {
          const next: Ctx = { ...cx, drafts: { ...cx.drafts, gateway: { ...cx.drafts.gateway!, params: { ...cx.drafts.gateway!.params, [p]: v } } } };
          return i === list.length - 1 ? commitGateway(next) : { drafts: next.drafts };
        },
      });
    });
  }
  return out;
}

function affinityQuestions(c: Ctx): Question[] {
  const rules = (c.answers.fivetran?.kubernetes?.affinityRules ?? {}) as Record<string, any>;
  const names = Object.keys(rules);
  const out: Question[] = [
    {
      id: 'rule-menu',
      step: 'Placement',
      kind: 'select',
      title: names.length ? `Affinity rules: ${names.join(', ')}` : 'Define a node-affinity rule for Hybrid Deployment jobs',
      help: 'A rule matches nodes by label. Then you assign connection ids to rules, with one optional default.',
      options: [
        ...(names.length ? [{ label: 'Continue: assign connections', value: 'done' }] : []),
        { label: 'Add a rule', value: 'add' },
        ...names.map((n) => ({ label: `Remove ${n}`, value: `remove:${n}` })),
      ],
      apply: (cx, v) => {
        if (v === 'done') return { drafts: { ...cx.drafts, rulesDone: true } };
        if (v === 'add') return { drafts: { ...cx.drafts, rule: {} }, goto: 'rule-name' };
        const name = v.slice(7);
        let answers = set(cx.answers, `fivetran.kubernetes.affinityRules.${name}`, undefined);
        answers = set(answers, 'fivetran.kubernetes.affinity', (answers.fivetran?.kubernetes?.affinity ?? []).filter((a: any) => a.rule !== name));
        return { answers, goto: 'rule-menu' };
      },
    },
  ];
  const r = c.drafts.rule;
  if (r) {
    const upd = (cx: Ctx, patch: Partial<NonNullable<Drafts['rule']>>): Result => ({ drafts: { ...cx.drafts, rule: { ...cx.drafts.rule!, ...patch } } });
    out.push(
      {
        id: 'rule-name',
        step: 'Placement',
        kind: 'text',
        title: 'Rule name',
        help: 'e.g. small, large, ssd',
        initial: r.name ?? '',
        validate: (v, cx) => (!PATTERNS.affinityRuleName.re.test(v) ? PATTERNS.affinityRuleName.message : cx.answers.fivetran?.kubernetes?.affinityRules?.[v] ? `rule ${v} exists` : undefined),
        apply: (cx, v) => upd(cx, { name: v }),
      },
      {
        id: 'rule-mode',
        step: 'Placement',
        kind: 'select',
        title: `Rule ${r.name ?? ''}: required or preferred?`,
        options: [
          { label: 'preferred', value: 'preferred', hint: 'the scheduler favours matching nodes' },
          { label: 'required', value: 'required', hint: 'jobs run only on matching nodes' },
        ],
        ...(r.mode ? { initial: r.mode } : {}),
        apply: (cx, v) => upd(cx, { mode: v }),
      },
      ...(r.mode === 'preferred'
        ? [
            {
              id: 'rule-weight',
              step: 'Placement',
              kind: 'text' as const,
              title: 'Weight (1-100)',
              initial: r.weight ?? '1',
              validate: (v: string) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 100 ? undefined : 'a whole number from 1 to 100'),
              apply: (cx: Ctx, v: string) => upd(cx, { weight: v }),
            },
          ]
        : []),
      {
        id: 'rule-key',
        step: 'Placement',
        kind: 'text',
        title: 'Node label key',
        help: 'e.g. hd_size, node.kubernetes.io/instance-type',
        initial: r.key ?? '',
        validate: required('a label key'),
        apply: (cx, v) => upd(cx, { key: v }),
      },
      {
        id: 'rule-operator',
        step: 'Placement',
        kind: 'select',
        title: 'Operator',
        options: ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'].map((o) => ({ label: o, value: o })),
        ...(r.operator ? { initial: r.operator } : {}),
        apply: (cx, v) => {
          const res = upd(cx, { operator: v });
          return v === 'Exists' || v === 'DoesNotExist' ? commitRule({ ...cx, drafts: res.drafts! }) : res;
        },
      },
    );
    if (r.operator && r.operator !== 'Exists' && r.operator !== 'DoesNotExist') {
      out.push({
        id: 'rule-values',
        step: 'Placement',
        kind: 'text',
        title: 'Values (comma-separated)',
        initial: r.values ?? '',
        validate: (v) => (v.split(',').map((x) => x.trim()).filter(Boolean).length ? undefined : 'give at least one value'),
        apply: (cx, v) => commitRule({ ...cx, drafts: { ...cx.drafts, rule: { ...cx.drafts.rule!, values: v } } }),
      });
    }
  }
  if (!c.drafts.rulesDone || !names.length) return out;
  // Assignments: connections per rule, and one optional default.
  const assigned = (c.answers.fivetran?.kubernetes?.affinity ?? []) as { rule: string; connectors: string[]; default?: boolean }[];
  for (const n of names) {
    const a = assigned.find((x) => x.rule === n);
    out.push({
      id: `assign:${n}`,
      step: 'Placement',
      kind: 'text',
      title: `Connection ids for rule ${n} (comma-separated)`,
      help: 'Leave empty for none; a rule without connections must be the default.',
      initial: (a?.connectors ?? []).join(', '),
      validate: (v, cx) => {
        const ids = v.split(',').map((x) => x.trim()).filter(Boolean);
        const dup = new Set<string>();
        for (const id of ids) if (dup.has(id)) return `connection ${id} is listed twice`;
        for (const other of (cx.answers.fivetran?.kubernetes?.affinity ?? []) as { rule: string; connectors: string[] }[]) {
          if (other.rule === n) continue;
          const clash = ids.find((id) => other.connectors.includes(id));
          if (clash) return `connection ${clash} is already in rule ${other.rule}; a connection belongs to one rule only`;
        }
        return undefined;
      },
      apply: (cx, v) => {
        const ids = v.split(',').map((x) => x.trim()).filter(Boolean);
        const list = ((cx.answers.fivetran?.kubernetes?.affinity ?? []) as any[]).filter((x) => x.rule !== n);
        const prev = assigned.find((x) => x.rule === n);
        const entry = { rule: n, ...(prev?.default ? { default: true } : {}), connectors: ids };
        const ordered = names.map((nm) => (nm === n ? entry : list.find((x) => x.rule === nm))).filter(Boolean);
        return { answers: set(cx.answers, 'fivetran.kubernetes.affinity', ordered) };
      },
    });
  }
  out.push({
    id: 'assign-default',
    step: 'Placement',
    kind: 'select',
    title: 'Default rule, for connections not listed',
    options: [{ label: 'No default', value: '' }, ...names.map((n) => ({ label: n, value: n }))],
    initial: assigned.find((a) => a.default)?.rule ?? '',
    apply: (cx, v) => {
      const list = ((cx.answers.fivetran?.kubernetes?.affinity ?? []) as any[]).map(({ default: _d, ...rest }) => (rest.rule === v ? { rule: rest.rule, default: true, connectors: rest.connectors } : rest));
      const withDefault = v && !list.some((x) => x.rule === v) ? [...list, { rule: v, default: true, connectors: [] }] : list;
      const cleaned = withDefault.filter((x) => x.default || x.connectors.length).map((x) => (x.connectors.length ? x : { rule: x.rule, default: true }));
      return { answers: set(cx.answers, 'fivetran.kubernetes.affinity', cleaned) };
    },
  });
  return out;
}

function commitRule(c: Ctx): Result {
  const r = c.drafts.rule!;
  const values = (r.values ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const rule: Record<string, unknown> = { mode: r.mode ?? 'preferred', ...(r.mode !== 'required' ? { weight: Number(r.weight ?? 1) } : {}), match: [{ key: r.key, operator: r.operator ?? 'In', ...(values.length ? { values } : {}) }] };
  return { answers: set(c.answers, `fivetran.kubernetes.affinityRules.${r.name}`, rule), drafts: { ...c.drafts, rule: undefined }, goto: 'rule-menu' };
}

function namespaceQuestion(c: Ctx, id: string, section: 'fivetran' | 'tobiko'): Question {
  return {
    id,
    step: 'Credentials',
    kind: 'text',
    title: 'Namespace',
    help: `Created when missing${c.detection.kubeContext ? `; context ${c.detection.kubeContext}` : ''}.`,
    initial: c.answers[section]?.kubernetes?.namespace ?? section,
    validate: k8sName('the namespace'),
    apply: (cx, v) => ({ answers: set(cx.answers, `${section}.kubernetes.namespace`, v) }),
  };
}

/** Every question for the current answers, in order. */
export function questions(c: Ctx): Question[] {
  const q: Question[] = [];
  const a = c.answers;
  q.push({
    id: 'product',
    step: 'Product',
    kind: 'select',
    title: 'What do you want to install?',
    options: [
      { label: 'Fivetran Hybrid Deployment Agent', value: 'fivetran', hint: 'Fivetran pipelines, in your network' },
      { label: 'Tobiko Cloud hybrid executors', value: 'tobiko', hint: 'SQLMesh plans and runs, in your network' },
    ],
    ...(a.product ? { initial: a.product } : {}),
    // Switching product drops the other product's answers, keeps this product's (prefilled) ones.
    apply: (cx, v) => {
      const { fivetran, tobiko, ...rest } = cx.answers;
      const own = v === 'fivetran' ? fivetran : tobiko;
      return { answers: { ...rest, product: v, ...(own ? { [v]: own } : {}) } };
    },
  });
  q.push({
    id: 'runtime',
    step: 'Runtime',
    kind: 'select',
    title: 'Where should it run?',
    help: 'Detected runtimes are marked. Rootless podman or docker is what the vendors recommend.',
    options: runtimeOptions(c.detection),
    initial: a.runtime ?? detectedRuntime(c.detection),
    apply: (cx, v) => ({ answers: set(cx.answers, 'runtime', v) }),
  });
  if (!a.product || !a.runtime) return [...q, { id: 'review', step: 'Review', kind: 'review', title: 'Review' }];
  const isK8s = k8s(c);
  // ---- Credentials ----
  if (a.product === 'fivetran') {
    if (isK8s) {
      q.push({
        id: 'token-source',
        step: 'Credentials',
        kind: 'select',
        title: 'How does the agent get its token?',
        options: [
          { label: 'Paste the token', value: 'token', hint: 'hd-setup stores it in a Secret' },
          { label: 'An existing Kubernetes Secret', value: 'secret', hint: 'you manage the Secret' },
        ],
        initial: c.drafts.tokenSource ?? (a.fivetran?.kubernetes?.tokenSecret ? 'secret' : 'token'),
        apply: (cx, v) => {
          const answers = v === 'token' ? set(cx.answers, 'fivetran.kubernetes.tokenSecret', undefined) : set(cx.answers, 'fivetran.token', undefined);
          return { answers, drafts: { ...cx.drafts, tokenSource: v as 'token' | 'secret' } };
        },
      });
    }
    const source = isK8s ? (c.drafts.tokenSource ?? (a.fivetran?.kubernetes?.tokenSecret ? 'secret' : 'token')) : 'token';
    if (source === 'token') {
      q.push({
        id: 'token',
        step: 'Credentials',
        kind: 'text',
        secret: true,
        title: 'Agent token',
        help: 'From the Fivetran dashboard when you created the agent. It is base64 of <controller_id>:<secret>.',
        initial: a.fivetran?.token ?? '',
        live: (v) => {
          if (!v) return undefined;
          const t = checkToken(v);
          return t.ok ? { ok: true, text: `valid token for controller ${t.controllerId}` } : { ok: false, text: `token ${t.message}` };
        },
        validate: (v) => {
          if (!v) return 'the token is required';
          const t = checkToken(v);
          return t.ok ? undefined : `token ${t.message}`;
        },
        apply: (cx, v) => ({ answers: set(cx.answers, 'fivetran.token', v) }),
      });
    } else {
      q.push(
        {
          id: 'token-secret-name',
          step: 'Credentials',
          kind: 'text',
          title: 'Secret name',
          initial: a.fivetran?.kubernetes?.tokenSecret?.name ?? '',
          validate: k8sName('the Secret name'),
          apply: (cx, v) => ({ answers: set(cx.answers, 'fivetran.kubernetes.tokenSecret.name', v) }),
        },
        {
          id: 'token-secret-key',
          step: 'Credentials',
          kind: 'text',
          title: 'Key in the Secret that holds the token',
          initial: a.fivetran?.kubernetes?.tokenSecret?.key ?? 'token',
          validate: required('the key'),
          apply: (cx, v) => ({ answers: set(cx.answers, 'fivetran.kubernetes.tokenSecret.key', v) }),
        },
      );
    }
    if (isK8s) {
      q.push(
        namespaceQuestion(c, 'namespace', 'fivetran'),
        {
          id: 'pvc',
          step: 'Credentials',
          kind: 'text',
          title: 'PersistentVolumeClaim for pipeline data',
          help: 'It must exist in that namespace (ReadWriteMany). The preflight checks it.',
          initial: a.fivetran?.kubernetes?.dataVolumePvc ?? '',
          validate: k8sName('the PVC name'),
          apply: (cx, v) => ({ answers: set(cx.answers, 'fivetran.kubernetes.dataVolumePvc', v) }),
        },
      );
    }
  } else {
    const t = a.tobiko ?? {};
    q.push(
      { id: 'org', step: 'Credentials', kind: 'text', title: 'Tobiko Cloud organization', initial: t.org ?? '', validate: shaped('the organization', PATTERNS.tobikoOrg), apply: (cx, v) => ({ answers: set(cx.answers, 'tobiko.org', v) }) },
      { id: 'project', step: 'Credentials', kind: 'text', title: 'Project', initial: t.project ?? '', validate: shaped('the project', PATTERNS.tobikoProject), apply: (cx, v) => ({ answers: set(cx.answers, 'tobiko.project', v) }) },
      { id: 'client-id', step: 'Credentials', kind: 'text', title: 'OAuth client id', initial: t.clientId ?? '', validate: required('the client id'), apply: (cx, v) => ({ answers: set(cx.answers, 'tobiko.clientId', v) }) },
      {
        id: 'client-secret',
        step: 'Credentials',
        kind: 'text',
        secret: true,
        title: 'OAuth client secret',
        help: isK8s ? 'Masked. Leave empty if an existing Secret or External Secrets will hold it.' : 'Masked; stored only in the 0600 env-file.',
        initial: t.clientSecret ?? '',
        validate: (v) => (v || isK8s ? undefined : 'the client secret is required'),
        apply: (cx, v) => ({ answers: set(cx.answers, 'tobiko.clientSecret', v || undefined) }),
      },
    );
    if (isK8s) {
      q.push(namespaceQuestion(c, 'tobiko-namespace', 'tobiko'));
    }
    q.push(...gatewayQuestions(c));
    if (!c.drafts.gatewaysDone && !c.drafts.gateway) return [...q, { id: 'review', step: 'Review', kind: 'review', title: 'Review' }];
  }
  // ---- Proxy ----
  const proxyMode = c.drafts.proxy ?? (a.proxy ? 'set' : 'none');
  q.push({
    id: 'proxy',
    step: 'Proxy',
    kind: 'select',
    title: `Do${a.product === 'tobiko' ? ' the executors' : 'es the agent'} reach the internet through a proxy?`,
    options: [
      { label: 'No proxy', value: 'none' },
      { label: a.proxy ? `Proxy: ${maskUrlCredentials(a.proxy.https ?? a.proxy.http ?? '')}` : 'Use a proxy', value: 'set', hint: 'http/https/no_proxy' },
    ],
    initial: proxyMode,
    apply: (cx, v) => ({ drafts: { ...cx.drafts, proxy: v as 'none' | 'set' }, ...(v === 'none' ? { answers: set(cx.answers, 'proxy', undefined) } : {}) }),
  });
  if (proxyMode === 'set') {
    q.push(
      {
        id: 'proxy-https',
        step: 'Proxy',
        kind: 'text',
        title: 'HTTPS proxy URL',
        help: 'e.g. http://proxy.internal:3128 (user:password@ is masked on display)',
        display: maskUrlCredentials,
        initial: a.proxy?.https ?? '',
        validate: urlCheck,
        apply: (cx, v) => ({ answers: set(cx.answers, 'proxy.https', v || undefined) }),
      },
      {
        id: 'proxy-http',
        step: 'Proxy',
        kind: 'text',
        title: 'HTTP proxy URL (empty: same as HTTPS)',
        display: maskUrlCredentials,
        initial: a.proxy?.http ?? '',
        validate: (v, cx) => urlCheck(v) ?? (!v && !cx.answers.proxy?.https ? 'give at least one proxy URL, or go back and choose No proxy' : undefined),
        apply: (cx, v) => ({ answers: set(cx.answers, 'proxy.http', v || cx.answers.proxy?.https) }),
      },
      {
        id: 'proxy-no',
        step: 'Proxy',
        kind: 'text',
        title: 'Hosts that bypass the proxy (comma-separated)',
        initial: (a.proxy?.noProxy ?? ['localhost', '127.0.0.1']).join(', '),
        apply: (cx, v) => ({ answers: set(cx.answers, 'proxy.noProxy', v.split(',').map((x) => x.trim()).filter(Boolean)) }),
      },
    );
  }
  // ---- Secrets ----
  if (!isK8s) {
    q.push({
      id: 'secrets-info',
      step: 'Secrets',
      kind: 'select',
      title: 'Secrets',
      help: a.product === 'fivetran' ? 'The token goes only into conf/config.json, 0600 in a 0700 directory; never on a command line.' : 'Secrets go only into a 0600 env-file passed with --env-file; never on a command line.',
      options: [{ label: a.product === 'fivetran' ? 'Config file, 0600' : 'Env-file, 0600', value: 'ok' }],
      apply: () => ({}),
    });
  } else if (a.product === 'fivetran') {
    if (a.fivetran?.token) {
      q.push({
        id: 'token-delivery',
        step: 'Secrets',
        kind: 'select',
        title: 'How should the token reach the cluster?',
        options: [
          { label: 'A Secret created with kubectl', value: 'secret', hint: 'recommended: the Helm values hold no secret' },
          { label: 'Inline in the Helm values', value: 'inline', hint: 'the values file is 0600 and fed to helm on stdin' },
        ],
        initial: a.fivetran?.kubernetes?.tokenDelivery ?? 'secret',
        apply: (cx, v) => ({ answers: set(cx.answers, 'fivetran.kubernetes.tokenDelivery', v === 'secret' ? undefined : v) }),
      });
    }
  } else {
    const s = a.tobiko?.secrets ?? {};
    const strategy = s.strategy ?? 'existingSecret';
    q.push({
      id: 'strategy',
      step: 'Secrets',
      kind: 'select',
      title: 'Where do the executor secrets live?',
      options: [
        { label: 'A Kubernetes Secret', value: 'existingSecret:create', hint: 'hd-setup creates it from what you entered (kubectl, on stdin)' },
        { label: 'An existing Secret', value: 'existingSecret:existing', hint: 'you manage it: TCLOUD_CLIENT_SECRET, SQLMESH__GATEWAYS__...' },
        { label: 'External Secrets Operator', value: 'externalSecrets', hint: 'an ExternalSecret pulls them from your store' },
        { label: 'Inline in the Helm values', value: 'inline', hint: 'development only: the values file holds secrets' },
      ],
      initial: strategy === 'existingSecret' ? `existingSecret:${s.create === false ? 'existing' : 'create'}` : strategy,
      apply: (cx, v) => {
        const [st, mode] = v.split(':');
        let answers = set(cx.answers, 'tobiko.secrets', { ...(st !== 'existingSecret' || mode === 'existing' ? { strategy: st } : {}), ...(mode === 'existing' ? { create: false } : {}) });
        if (st === 'externalSecrets' || mode === 'existing') answers = dropSecretValues(answers);
        return { answers };
      },
    });
    if (strategy === 'externalSecrets') {
      q.push(
        {
          id: 'store-kind',
          step: 'Secrets',
          kind: 'select',
          title: 'Secret store kind',
          options: [
            { label: 'ClusterSecretStore', value: 'ClusterSecretStore' },
            { label: 'SecretStore (namespaced)', value: 'SecretStore' },
          ],
          initial: s.store?.kind ?? 'ClusterSecretStore',
          apply: (cx, v) => ({ answers: set(cx.answers, 'tobiko.secrets.store.kind', v) }),
        },
        { id: 'store-name', step: 'Secrets', kind: 'text', title: 'Store name', initial: s.store?.name ?? '', validate: k8sName('the store name'), apply: (cx, v) => ({ answers: set(cx.answers, 'tobiko.secrets.store.name', v) }) },
        {
          id: 'refresh',
          step: 'Secrets',
          kind: 'text',
          title: 'Refresh interval',
          initial: s.refreshInterval ?? '1h',
          validate: (v) => mismatch(PATTERNS.duration, v.trim()),
          apply: (cx, v) => ({ answers: set(cx.answers, 'tobiko.secrets.refreshInterval', v) }),
        },
        { id: 'key-prefix', step: 'Secrets', kind: 'text', title: 'Remote key prefix', initial: s.keyPrefix ?? 'sqlmesh/', apply: (cx, v) => ({ answers: set(cx.answers, 'tobiko.secrets.keyPrefix', v) }) },
      );
    } else if (strategy === 'existingSecret' && s.create === false) {
      q.push({ id: 'secret-name', step: 'Secrets', kind: 'text', title: 'Secret name', initial: s.name ?? 'executors-secrets', validate: k8sName('the Secret name'), apply: (cx, v) => ({ answers: set(cx.answers, 'tobiko.secrets.name', v) }) });
    }
  }
  // ---- Placement (Kubernetes) ----
  if (isK8s) {
    const hasAffinity = Object.keys(a.fivetran?.kubernetes?.affinityRules ?? {}).length > 0;
    const hasSelector = Object.keys(get(a, kpath(c, 'nodeSelector')) ?? {}).length > 0;
    const placement = c.drafts.placement ?? (hasAffinity ? 'affinity' : hasSelector ? 'selector' : 'none');
    if (a.product === 'fivetran') {
      q.push({
        id: 'placement',
        step: 'Placement',
        kind: 'select',
        title: 'Where should pods run?',
        options: [
          { label: 'Anywhere', value: 'none' },
          { label: 'Nodes with a label (node selector)', value: 'selector', hint: 'for the agent pod' },
          { label: 'Affinity rules per connection', value: 'affinity', hint: 'for the pipeline jobs; excludes a node selector' },
        ],
        initial: placement,
        apply: (cx, v) => {
          let answers = cx.answers;
          if (v !== 'affinity') answers = set(set(answers, 'fivetran.kubernetes.affinityRules', undefined), 'fivetran.kubernetes.affinity', undefined);
          if (v !== 'selector') answers = set(answers, 'fivetran.kubernetes.nodeSelector', undefined);
          return { answers, drafts: { ...cx.drafts, placement: v as 'none' | 'selector' | 'affinity' } };
        },
      });
      if (placement === 'affinity') q.push(...affinityQuestions(c));
    }
    if (placement === 'selector' && a.product === 'fivetran') {
      q.push({
        id: 'selector',
        step: 'Placement',
        kind: 'text',
        title: 'Node selector (key=value, comma-separated)',
        initial: Object.entries(a.fivetran?.kubernetes?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(', '),
        validate: (v) => (v.split(',').every((kv) => /^[^=\s]+=[^=\s]*$/.test(kv.trim())) ? undefined : 'write key=value pairs, e.g. pool=agents'),
        apply: (cx, v) => ({ answers: set(cx.answers, 'fivetran.kubernetes.nodeSelector', Object.fromEntries(v.split(',').map((kv) => kv.trim().split('=') as [string, string]))) }),
      });
    }
    // ---- Advanced ----
    const adv = c.drafts.advanced ?? 'defaults';
    q.push({
      id: 'advanced',
      step: 'Advanced',
      kind: 'select',
      title: 'Resources and replicas',
      options: [
        { label: 'Keep the defaults', value: 'defaults', hint: a.product === 'fivetran' ? 'cpu 2, memory 2Gi' : 'one apply and one run executor' },
        { label: 'Edit', value: 'edit' },
      ],
      initial: adv,
      apply: (cx, v) => ({ drafts: { ...cx.drafts, advanced: v as 'defaults' | 'edit' } }),
    });
    if (adv === 'edit') {
      if (a.product === 'fivetran') {
        for (const [path, label, re, ex] of [
          ['requests.cpu', 'CPU request', CPU, '2 or 500m'],
          ['requests.memory', 'Memory request', MEM, '2Gi or 512Mi'],
          ['limits.cpu', 'CPU limit', CPU, '2 or 500m'],
          ['limits.memory', 'Memory limit', MEM, '2Gi'],
        ] as const) {
          q.push({
            id: `res:${path}`,
            step: 'Advanced',
            kind: 'text',
            title: `${label} (empty: chart default)`,
            initial: String(get(a, `fivetran.kubernetes.resources.${path}`) ?? ''),
            validate: opt(re, ex),
            apply: (cx, v) => ({ answers: set(cx.answers, `fivetran.kubernetes.resources.${path}`, v || undefined) }),
          });
        }
      } else {
        for (const role of ['apply', 'run'] as const) {
          q.push({
            id: `replicas:${role}`,
            step: 'Advanced',
            kind: 'text',
            title: `${role} executor replicas`,
            initial: String(a.tobiko?.kubernetes?.[role]?.replicas ?? 1),
            validate: (v) => (/^\d+$/.test(v) && Number(v) <= 50 ? undefined : 'a whole number from 0 to 50'),
            apply: (cx, v) => ({ answers: set(cx.answers, `tobiko.kubernetes.${role}.replicas`, Number(v) === 1 ? undefined : Number(v)) }),
          });
        }
      }
    }
  }
  q.push({ id: 'review', step: 'Review', kind: 'review', title: 'Review' });
  return q;
}

/** With a store or an existing Secret, the secret values are not ours to hold. */
function dropSecretValues(answers: Answers): Answers {
  let out = set(answers, 'tobiko.clientSecret', undefined);
  for (const [g, params] of Object.entries((out.tobiko?.gateways ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const p of Object.keys(params)) if (isSecretParam(p, out.tobiko?.secretParams ?? [], out.tobiko?.nonSecretParams ?? [])) out = set(out, `tobiko.gateways.${g}.${p}`, undefined);
  }
  return out;
}

/** Paths in the answers that hold secret values (for masking and "save as preset"). */
export function secretPathsOf(answers: Answers): string[] {
  const out: string[] = [];
  if (answers.fivetran?.token) out.push('fivetran.token');
  if (answers.tobiko?.clientSecret) out.push('tobiko.clientSecret');
  for (const [g, params] of Object.entries((answers.tobiko?.gateways ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const p of Object.keys(params)) if (isSecretParam(p, answers.tobiko?.secretParams ?? [], answers.tobiko?.nonSecretParams ?? []) && typeof params[p] === 'string') out.push(`tobiko.gateways.${g}.${p}`);
  }
  return out;
}
