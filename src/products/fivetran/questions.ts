// Fivetran's wizard questions: the token (or an existing Secret), the namespace and data PVC, how the
// token reaches the cluster, where pods run (node selector or affinity rules per connection), and the
// Advanced step's settings. No zod here (the wizard's first frame loads this file).
import { PATTERNS, chartProblem, mismatch, imageProblem, labelKeyProblem, labelValueProblem, installDirProblem, quantity } from '../../model/patterns.js';
import { storedSecretLive, K8S_PULL_POLICY_HINTS, PULL_POLICY_HINTS, RESTART_POLICY_HINTS, egressField, maskSecretPairs, pairsOf, pairsProblem, scalarOf, get, isK8s, secretsNote, k8sName, listOf, namespaceQuestion, opt, put, required, set, type Ctx, type Drafts, type Field, type ProductWizard, type Question, type Result, removalQuestion, suggest } from '../wizard.js';
import { CHART_DEFAULT_RESOURCES, FIVETRAN_CHART, FIVETRAN_CHART_VERSIONS, FIVETRAN_IMAGE, FIVETRAN_PULL_POLICIES_K8S, FIVETRAN_RESTART_POLICIES, HD_SETUP_CONFIG_KEYS, containerMemoryProblem } from './constants.js';
import { checkToken } from './token.js';
import { isStored } from '../../model/stored.js';

/** The drafts this product keeps while a rule is entered. */
interface RuleDraft {
  name?: string;
  /** A rule already there, being edited: its name stays (its connections are assigned by it). */
  editing?: boolean;
  mode?: string;
  weight?: string;
  key?: string;
  operator?: string;
  values?: string;
}
/** An answer's assignment: a default rule with no connections has no `connectors` (as the install stores it). */
type Assignment = { rule: string; connectors?: string[]; default?: boolean };

const S = 'fivetran';

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
      menu: { done: 'done', reset: (d: Drafts) => ({ ...d, rule: undefined, ruleRemove: undefined, rulesDone: false }) },
      options: [
        ...(names.length ? [{ label: 'Continue: assign connections', value: 'done' }] : []),
        { label: 'Add a rule', value: 'add' },
        ...names.flatMap((n) => [
          ...(editable(rules[n]) ? [{ label: `Edit ${n}`, value: `edit:${n}`, hint: ruleText(rules[n]) }] : []),
          { label: `Remove ${n}`, value: `remove:${n}`, ...(editable(rules[n]) ? {} : { hint: `${ruleText(rules[n])} (several match expressions: edit them in a preset)` }) },
        ]),
      ],
      apply: (cx, v) => {
        if (v === 'done') return { drafts: { ...cx.drafts, rulesDone: true } };
        if (v === 'add') return { drafts: { ...cx.drafts, rule: {} }, goto: 'rule-name' };
        if (v.startsWith('edit:')) return { drafts: { ...cx.drafts, rule: draftOf(v.slice(5), rules[v.slice(5)]) }, goto: 'rule-mode' };
        return { drafts: { ...cx.drafts, ruleRemove: v.slice(7) }, goto: 'rule-remove' };
      },
    },
  ];
  const removing = c.drafts.ruleRemove as string | undefined;
  if (removing && rules[removing]) {
    const assigned = ((c.answers.fivetran?.kubernetes?.affinity ?? []) as Assignment[]).filter((a) => a.rule === removing).reduce((n, a) => n + (a.connectors?.length ?? 0), 0);
    out.push(
      removalQuestion({
        id: 'rule-remove',
        step: 'Placement',
        draft: 'ruleRemove',
        back: 'rule-menu',
        title: `Remove rule ${removing}${assigned ? ` and its ${assigned} connection${assigned > 1 ? 's' : ''}` : ''}?`,
        remove: (cx) => {
          const answers = set(cx.answers, `fivetran.kubernetes.affinityRules.${removing}`, undefined);
          return set(answers, 'fivetran.kubernetes.affinity', (answers.fivetran?.kubernetes?.affinity ?? []).filter((a: any) => a.rule !== removing));
        },
      }),
    );
  }
  const r = c.drafts.rule as RuleDraft | undefined;
  if (r) {
    const upd = (cx: Ctx, patch: Partial<RuleDraft>): Result => ({ drafts: { ...cx.drafts, rule: { ...cx.drafts.rule, ...patch } } });
    out.push(
      ...(r.editing
        ? []
        : [
            {
              id: 'rule-name',
              step: 'Placement',
              kind: 'text' as const,
              title: 'Rule name',
              help: 'e.g. small, large, ssd',
              initial: r.name ?? '',
              validate: (v: string, cx: Ctx) => (!PATTERNS.affinityRuleName.re.test(v) ? PATTERNS.affinityRuleName.message : cx.answers.fivetran?.kubernetes?.affinityRules?.[v] ? `rule ${v} exists; to change it, choose Edit ${v}` : undefined),
              apply: (cx: Ctx, v: string) => upd(cx, { name: v }),
            },
          ]),
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
              ...suggest(r.weight, '1'),
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
        validate: (v) => required('a label key')(v) ?? (labelKeyProblem(v) ? `the label key ${labelKeyProblem(v)}` : undefined),
        apply: (cx, v) => upd(cx, { key: v }),
      },
      {
        id: 'rule-operator',
        step: 'Placement',
        kind: 'select',
        title: `How is ${r.key ?? 'the label'} matched?`,
        options: Object.entries(OPERATORS).map(([o, hint]) => ({ label: o, value: o, hint })),
        ...(r.operator ? { initial: r.operator } : {}),
        apply: (cx, v) => {
          const res = upd(cx, { operator: v });
          return v === 'Exists' || v === 'DoesNotExist' ? commitRule({ ...cx, drafts: res.drafts! }) : res;
        },
      },
    );
    if (r.operator && r.operator !== 'Exists' && r.operator !== 'DoesNotExist') {
      const gtlt = r.operator === 'Gt' || r.operator === 'Lt';
      out.push({
        id: 'rule-values',
        step: 'Placement',
        kind: 'text',
        title: gtlt ? 'Value (a whole number)' : 'Values (comma-separated)',
        initial: r.values ?? '',
        validate: (v) => {
          const vals = listOf(v);
          if (gtlt) return vals.length === 1 && /^-?[0-9]+$/.test(vals[0]!) ? undefined : `operator ${r.operator} needs exactly one integer value`;
          const bad = vals.find((x) => labelValueProblem(x));
          if (bad !== undefined) return `each value ${labelValueProblem(bad)}`;
          return vals.length ? undefined : 'give at least one value';
        },
        apply: (cx, v) => commitRule({ ...cx, drafts: { ...cx.drafts, rule: { ...cx.drafts.rule, values: v } } }),
      });
    }
  }
  if (!(c.drafts.rulesDone || c.whole) || !names.length) return out;
  // Assignments: connections per rule, and one default (required for a rule without connections).
  const assigned = (c.answers.fivetran?.kubernetes?.affinity ?? []) as Assignment[];
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
        const ids = listOf(v);
        const dup = new Set<string>();
        for (const id of ids) {
          if (dup.has(id)) return `connection ${id} is listed twice`;
          dup.add(id);
        }
        for (const other of (cx.answers.fivetran?.kubernetes?.affinity ?? []) as Assignment[]) {
          if (other.rule === n) continue;
          const clash = ids.find((id) => (other.connectors ?? []).includes(id));
          if (clash) return `connection ${clash} is already in rule ${other.rule}; a connection belongs to one rule only`;
        }
        return undefined;
      },
      apply: (cx, v) => {
        const ids = listOf(v);
        const list = ((cx.answers.fivetran?.kubernetes?.affinity ?? []) as Assignment[]).filter((x) => x.rule !== n);
        const prev = assigned.find((x) => x.rule === n);
        const entry = { rule: n, ...(prev?.default ? { default: true } : {}), connectors: ids };
        const ordered = names.map((nm) => (nm === n ? entry : list.find((x) => x.rule === nm))).filter(Boolean);
        return { answers: set(cx.answers, 'fivetran.kubernetes.affinity', ordered) };
      },
    });
  }
  // A rule without connections can only be the default: the one such rule is the only choice there is.
  const without = names.filter((n) => !assigned.find((x) => x.rule === n)?.connectors?.length);
  out.push({
    id: 'assign-default',
    step: 'Placement',
    kind: 'select',
    title: 'Default rule, for connections not listed',
    help: 'A rule without connections must be the default; only one rule can be.',
    options: [{ label: 'No default', value: '' }, ...names.map((n) => ({ label: n, value: n }))],
    initial: without.length === 1 ? without[0]! : (assigned.find((a) => a.default)?.rule ?? ''),
    // The model's rule, at the question: a rule with no connections is used only as the default.
    validate: (v, cx) => {
      const list = (cx.answers.fivetran?.kubernetes?.affinity ?? []) as Assignment[];
      const empty = names.filter((n) => n !== v && !(list.find((x) => x.rule === n)?.connectors?.length));
      if (!empty.length) return undefined;
      return empty.length === 1
        ? `rule ${empty[0]} has no connections, so it must be the default: choose ${empty[0]}, or go back and give it connection ids`
        : `rules ${empty.join(', ')} have no connections, and only one rule can be the default: go back and give them connection ids, or remove them`;
    },
    apply: (cx, v) => {
      const list = ((cx.answers.fivetran?.kubernetes?.affinity ?? []) as Assignment[]).map(({ default: _d, ...rest }) => (rest.rule === v ? { rule: rest.rule, default: true, connectors: rest.connectors } : rest));
      const withDefault = v && !list.some((x) => x.rule === v) ? [...list, { rule: v, default: true, connectors: [] }] : list;
      const cleaned = withDefault.map((x) => (x.connectors?.length ? x : { rule: x.rule, default: true }));
      return { answers: set(cx.answers, 'fivetran.kubernetes.affinity', cleaned) };
    },
  });
  return out;
}

function commitRule(c: Ctx): Result {
  const r = c.drafts.rule as RuleDraft;
  // (Exists and DoesNotExist take none: values typed for another operator before are dropped)
  const values = r.operator === 'Exists' || r.operator === 'DoesNotExist' ? [] : listOf(r.values ?? '');
  const rule: Record<string, unknown> = { mode: r.mode ?? 'preferred', ...(r.mode !== 'required' ? { weight: Number(r.weight ?? 1) } : {}), match: [{ key: r.key, operator: r.operator ?? 'In', ...(values.length ? { values } : {}) }] };
  // an edited rule keeps what it left to the defaults, where the edit gave the default (a re-run that changes
  // nothing of it writes it as it was)
  const prev = r.editing ? (c.answers.fivetran?.kubernetes?.affinityRules?.[r.name!] as Record<string, any> | undefined) : undefined;
  if (prev) {
    if (prev.mode === undefined && rule.mode === 'preferred') delete rule.mode;
    if (prev.weight === undefined && rule.weight === 1) delete rule.weight;
    const m = (rule.match as Record<string, unknown>[])[0]!;
    if (prev.match?.[0]?.operator === undefined && m.operator === 'In') delete m.operator;
  }
  return { answers: set(c.answers, `fivetran.kubernetes.affinityRules.${r.name}`, rule), drafts: { ...c.drafts, rule: undefined }, goto: 'rule-menu' };
}

/** A rule the wizard's questions can hold whole: one match expression (more are a preset's). */
function editable(rule: Record<string, any> | undefined): boolean {
  return Array.isArray(rule?.match) && rule.match.length === 1 && Object.keys(rule).every((k) => k === 'mode' || k === 'weight' || k === 'match');
}

/** A rule in a few words: `required: pool In (a, b)`, `preferred 50: ssd Exists`. */
function ruleText(rule: Record<string, any> | undefined): string {
  const mode = rule?.mode ?? 'preferred';
  const head = mode === 'preferred' ? `preferred ${rule?.weight ?? 1}` : mode;
  const m = (rule?.match ?? []) as Record<string, any>[];
  return `${head}: ${m.map((x) => `${x.key} ${x.operator ?? 'In'}${x.values?.length ? ` (${x.values.join(', ')})` : ''}`).join(' and ')}`;
}

/** The draft of a rule already there, its answers prefilled. */
function draftOf(name: string, rule: Record<string, any>): RuleDraft {
  const m = (rule.match?.[0] ?? {}) as Record<string, any>;
  const mode = rule.mode ?? 'preferred';
  return { name, editing: true, mode, ...(mode === 'preferred' ? { weight: String(rule.weight ?? 1) } : {}), key: m.key, operator: m.operator ?? 'In', ...(m.values?.length ? { values: m.values.join(', ') } : {}) };
}

const tokenSourceOf = (c: Ctx): 'token' | 'secret' => (isK8s(c) ? (c.drafts.tokenSource ?? (c.answers.fivetran?.kubernetes?.tokenSecret ? 'secret' : 'token')) : 'token');

function questions(c: Ctx, shared: { proxy(): Question[] }): Question[] {
  const a = c.answers;
  const k8s = isK8s(c);
  const q: Question[] = [];
  // ---- Credentials ----
  if (k8s) {
    q.push({
      id: 'token-source',
      step: 'Credentials',
      kind: 'select',
      title: 'How does the agent get its token?',
      options: [
        { label: 'Paste the token', value: 'token', hint: 'hd-setup keeps it for you: in a Secret it creates, or inline (the Secrets step asks)' },
        { label: 'An existing Kubernetes Secret', value: 'secret', hint: 'you manage the Secret' },
      ],
      initial: tokenSourceOf(c),
      apply: (cx, v) => {
        const answers = v === 'token' ? put(cx.answers, 'fivetran.kubernetes.tokenSecret', undefined) : set(cx.answers, 'fivetran.token', undefined);
        return { answers, drafts: { ...cx.drafts, tokenSource: v as 'token' | 'secret' } };
      },
    });
  }
  if (tokenSourceOf(c) === 'token') {
    q.push({
      id: 'token',
      step: 'Credentials',
      kind: 'text',
      secret: true,
      path: 'fivetran.token',
      title: 'Agent token',
      help: 'From the Fivetran dashboard when you created the agent. It is base64 of <controller_id>:<secret>.',
      initial: a.fivetran?.token ?? '',
      live: (v) => {
        if (!v) return undefined;
        // A re-run of a Kubernetes install: the token is in the Secret hd-setup made; Enter keeps it.
        const kept = storedSecretLive(v);
        if (kept) return kept;
        const t = checkToken(v);
        return t.ok ? { ok: true, text: `well-formed token for controller ${t.controllerId} (Fivetran checks it on connect)` } : { ok: false, text: `token ${t.message}` };
      },
      validate: (v) => {
        if (!v) return 'the token is required';
        if (isStored(v)) return undefined;
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
        ...suggest(a.fivetran?.kubernetes?.tokenSecret?.key, 'token'),
        validate: required('the key'),
        apply: (cx, v) => ({ answers: set(cx.answers, 'fivetran.kubernetes.tokenSecret.key', v) }),
      },
    );
  }
  if (k8s) {
    q.push(namespaceQuestion(c, 'namespace', S), {
      id: 'pvc',
      step: 'Credentials',
      kind: 'text',
      title: 'PersistentVolumeClaim for pipeline data',
      help: 'It must exist in that namespace (ReadWriteMany). The preflight checks it.',
      initial: a.fivetran?.kubernetes?.dataVolumePvc ?? '',
      validate: k8sName('the PVC name'),
      apply: (cx, v) => ({ answers: set(cx.answers, 'fivetran.kubernetes.dataVolumePvc', v) }),
    });
  }
  q.push(...shared.proxy());
  // ---- Secrets ----
  if (!k8s) {
    q.push(secretsNote('The token goes only into conf/config.json, 0600 in a 0700 directory; never on a command line.', 'Config file, 0600'));
    return q;
  }
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
  // ---- Placement ----
  const hasAffinity = Object.keys(a.fivetran?.kubernetes?.affinityRules ?? {}).length > 0;
  const hasSelector = Object.keys(a.fivetran?.kubernetes?.nodeSelector ?? {}).length > 0;
  const placement = c.drafts.placement ?? (hasAffinity ? 'affinity' : hasSelector ? 'selector' : 'none');
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
      if (v !== 'affinity') answers = put(put(answers, 'fivetran.kubernetes.affinityRules', undefined), 'fivetran.kubernetes.affinity', undefined);
      if (v !== 'selector') answers = put(answers, 'fivetran.kubernetes.nodeSelector', undefined);
      return { answers, drafts: { ...cx.drafts, placement: v } };
    },
  });
  if (placement === 'affinity') q.push(...affinityQuestions(c));
  if (placement === 'selector') {
    q.push({
      id: 'selector',
      step: 'Placement',
      kind: 'text',
      title: 'Node selector (key=value, comma-separated)',
      initial: Object.entries(a.fivetran?.kubernetes?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(', '),
      validate: (v) => {
        const pairs = v.split(',').map((kv) => kv.trim());
        const wrong = pairs.find((kv) => !/^[^=\s]+=[^=\s]*$/.test(kv));
        if (wrong !== undefined) return `${wrong ? `"${wrong}"` : 'an empty item'} is not key=value; write key=value pairs, e.g. pool=agents`;
        for (const [k, val] of pairs.map((kv) => kv.split('=') as [string, string])) {
          const bad = labelKeyProblem(k) ? `the key ${k} ${labelKeyProblem(k)}` : labelValueProblem(val) ? `the value of ${k} ${labelValueProblem(val)}` : undefined;
          if (bad) return bad;
        }
        return undefined;
      },
      apply: (cx, v) => ({ answers: set(cx.answers, 'fivetran.kubernetes.nodeSelector', Object.fromEntries(pairsOf(v))) }),
    });
  }
  return q;
}

/** Node-affinity operators, as Kubernetes reads them. */
const OPERATORS: Record<string, string> = {
  In: 'its value is one of a list',
  NotIn: 'its value is none of a list, or the node lacks it',
  Exists: 'the node has it, any value',
  DoesNotExist: 'the node lacks it',
  Gt: 'its value, a whole number, is greater than one',
  Lt: 'its value, a whole number, is less than one',
};

function advanced(c: Ctx): Field[] {
  const image: Field = {
    path: 'fivetran.image',
    label: 'Agent image',
    help: 'A registry mirror: the same image on your registry, e.g. registry.internal/fivetran/ldp-agent:production.',
    default: FIVETRAN_IMAGE,
    check: imageProblem,
  };
  const config: Field = {
    path: 'fivetran.config',
    label: 'Extra agent parameters (empty: none)',
    help: `key=value, comma-separated, for config.json${isK8s(c) ? ' (the chart\'s config)' : ''}, e.g. custom_dns=10.0.0.2.`,
    check: (v) =>
      pairsProblem(v, (k) => (!/^[a-z][a-z0-9_]*$/.test(k) ? `${k}: config keys are snake_case agent parameters` : HD_SETUP_CONFIG_KEYS.includes(k) ? `${k} is set by hd-setup from its own question` : undefined)),
    parse: (v) => Object.fromEntries(pairsOf(v).map(([k, x]) => [k, scalarOf(x)])),
    show: (v) => Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${String(x)}`).join(', '),
    display: maskSecretPairs,
  };
  if (!isK8s(c)) {
    return [
      image,
      { path: 'fivetran.pullPolicy', label: 'Image pull policy', default: 'always', options: ['always', 'missing', 'never'], optionHints: PULL_POLICY_HINTS },
      { path: 'fivetran.installDir', label: 'Install directory', help: 'conf/ data/ logs/ tmp/ go here.', default: '~/fivetran', check: installDirProblem },
      { path: 'fivetran.memory', label: 'Container memory limit', default: '2048m', check: containerMemoryProblem },
      { path: 'fivetran.restartPolicy', label: 'Restart policy', default: 'on-failure:3', options: FIVETRAN_RESTART_POLICIES, optionHints: RESTART_POLICY_HINTS },
      { path: 'fivetran.selinux', label: 'SELinux on the host (host_selinux_enabled)', default: 'auto', options: ['auto', 'true', 'false'], optionHints: { auto: 'detect it on the host (getenforce)' }, parse: (v) => (v === 'auto' ? v : v === 'true'), show: String },
      config,
    ];
  }
  return [
    image,
    { path: 'fivetran.kubernetes.imagePullPolicy', label: 'Image pull policy', default: 'Always', options: FIVETRAN_PULL_POLICIES_K8S, optionHints: K8S_PULL_POLICY_HINTS },
    { path: 'fivetran.kubernetes.release', label: 'Helm release name', default: 'hd-agent', check: (v) => mismatch(PATTERNS.helmRelease, v) },
    chartField(c),
    // a chart on this host is installed as it is (helm ignores --version for it): its version is not asked
    ...(localVersion(c, get(c.answers, 'fivetran.kubernetes.chart') ?? '') ? [] : [{ path: 'fivetran.kubernetes.chartVersion', label: 'Chart version', default: DEFAULT_CHART_VERSION, options: FIVETRAN_CHART_VERSIONS }]),
    { path: 'fivetran.kubernetes.timeout', label: 'Helm timeout', default: '5m', check: (v) => mismatch(PATTERNS.duration, v) },
    config,
    egressField('fivetran.kubernetes.egressCheck'),
  ];
}

const DEFAULT_CHART_VERSION = FIVETRAN_CHART_VERSIONS[0];

/** The version of the chart `ref` names on this host, when it is one hd-setup writes values for; else undefined. */
function localVersion(c: Ctx, ref: string): string | undefined {
  const l = c.detection.localChart?.(ref);
  return l && 'version' in l && (FIVETRAN_CHART_VERSIONS as readonly string[]).includes(l.version) ? l.version : undefined;
}

/**
 * The chart: a registry's (a mirror), or one on this host, whose own version then is the chart version (the
 * values differ between versions, and preflight refuses another): set with it, and not asked.
 */
function chartField(c: Ctx): Field {
  return {
    path: 'fivetran.kubernetes.chart',
    label: 'Chart reference',
    help: 'A mirror of the chart, e.g. oci://registry.internal/helm/hybrid-deployment-agent, or a chart on this host (a directory or .tgz; its own version is used).',
    default: FIVETRAN_CHART,
    check: (v) => {
      const bad = chartProblem(v);
      if (bad) return bad;
      const l = c.detection.localChart?.(v);
      if (!l) return undefined;
      if ('problem' in l) return l.problem;
      return localVersion(c, v) ? undefined : `the chart in ${v} is version ${l.version}; hd-setup writes the values of chart ${FIVETRAN_CHART_VERSIONS.join(' or ')}: give a copy of one of those`;
    },
    live: (v) => {
      const version = localVersion(c, v);
      return version ? { ok: true, text: `a local chart, version ${version}: that version is used (helm installs the chart as it is there)` } : undefined;
    },
    carries: (answers) => {
      const version = localVersion(c, get(answers, 'fivetran.kubernetes.chart') ?? '');
      return version ? put(answers, 'fivetran.kubernetes.chartVersion', version === DEFAULT_CHART_VERSION ? undefined : version) : answers;
    },
  };
}

function advancedQuestions(c: Ctx): Question[] {
  if (!isK8s(c)) return [];
  const CPU = PATTERNS.cpu.re;
  const MEM = PATTERNS.memory.re;
  return (
    [
      ['requests.cpu', 'CPU request', CPU, '2 or 500m'],
      ['requests.memory', 'Memory request', MEM, '2Gi or 512Mi'],
      ['limits.cpu', 'CPU limit', CPU, '2 or 500m'],
      ['limits.memory', 'Memory limit', MEM, '2Gi'],
    ] as const
  ).map(([path, label, re, ex]) => ({
    id: `res:${path}`,
    step: 'Advanced',
    kind: 'text' as const,
    title: `${label} (empty: chart default)`,
    initial: String(get(c.answers, `fivetran.kubernetes.resources.${path}`) ?? ''),
    validate: (v: string, cx: Ctx) => opt(re, ex)(v) ?? (path.startsWith('limits.') ? limitBelowRequest(cx, path.slice('limits.'.length) as 'cpu' | 'memory', v.trim()) : undefined),
    // An empty field stays unset: no `requests: {}` (which the chart reads as "no requests").
    apply: (cx: Ctx, v: string) => ({ answers: put(cx.answers, `fivetran.kubernetes.resources.${path}`, v || undefined) }),
  }));
}

/**
 * Why a limit (`v`; empty: the chart's) is below its request, which the API server refuses (preflight's
 * resources check says so at the review, too late to be of use: skipping it cannot help). The block is all or
 * nothing: once any value is given, the chart's 2 CPU / 2Gi stand for those left empty (normalize, index.ts).
 */
function limitBelowRequest(c: Ctx, res: 'cpu' | 'memory', v: string): string | undefined {
  const r = (c.answers.fivetran?.kubernetes?.resources ?? {}) as { requests?: Record<string, string>; limits?: Record<string, string> };
  const others = [r.requests?.cpu, r.requests?.memory, ...(['cpu', 'memory'] as const).filter((x) => x !== res).map((x) => r.limits?.[x])];
  if (!v && !others.some(Boolean)) return undefined; // no resources at all: the chart's own
  const chart = CHART_DEFAULT_RESOURCES[res];
  const request = r.requests?.[res];
  const [limit, wanted] = [quantity(v || chart), quantity(request ?? chart)];
  if (limit === undefined || wanted === undefined || limit >= wanted) return undefined;
  const name = res === 'cpu' ? 'CPU' : 'memory';
  if (!v) return `empty is the chart's ${name} limit, ${chart}, below the ${name} request ${request}, which Kubernetes refuses: give ${request} or more, or go back and lower the request`;
  return request
    ? `the ${name} limit ${v} is below the ${name} request ${request}, which Kubernetes refuses: give ${request} or more, or go back and lower the request`
    : `the ${name} limit ${v} is below the ${name} request, the chart's ${chart} (the request left empty), which Kubernetes refuses: give ${chart} or more, or go back and give a request of ${v} or less`;
}

export const fivetranWizard: ProductWizard = {
  id: S,
  option: { label: 'Fivetran Hybrid Deployment Agent', hint: 'Fivetran pipelines, in your network' },
  proxyTitle: 'Does the agent reach the internet through a proxy?',
  questions,
  advanced,
  advancedQuestions,
  advancedGiven: (c) =>
    isK8s(c)
      ? Object.entries((c.answers.fivetran?.kubernetes?.resources ?? {}) as Record<string, Record<string, string>>).flatMap(([kind, vals]) => Object.entries(vals ?? {}).map(([k, v]) => `${kind}.${k}=${v}`))
      : [],
};
