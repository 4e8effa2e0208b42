// The wizard's questions: pure. The answers ARE a preset object; each question reads and writes one part
// of it. The list is recomputed from the answers, so choices (product, runtime, strategy) change what is asked.
// The shared flow lives here (product, runtime, proxy, the Advanced step, review); each product's own
// questions come from its module (src/products/<name>/questions.ts, listed in src/products/wizards.ts).
import { maskUrlCredentials } from '../../util/redact.js';
import { maskUrlCredentialsTyped } from '../../util/url-userinfo.js';
import { WIZARDS, wizardOf } from '../../products/wizards.js';
import { contextQuestion } from './context.js';
import { noProxyProblem } from '../../model/patterns.js';
import { isStored } from '../../model/stored.js';
import { get, listOf, put, set, urlCheck, type Answers, type Ctx, type Detection, type Field, type Option, type ProductWizard, type Question } from '../../products/wizard.js';

export type { Answers, Ctx, Detection, Drafts, Option, Question, Result } from '../../products/wizard.js';
export { get, set, runtimeNotesFor } from '../../products/wizard.js';

function runtimeOptions(d: Detection): Option[] {
  const desc = (name: 'docker' | 'podman') => {
    if (d.pending) return 'detecting…';
    const r = d[name];
    if (!r) return 'not found on PATH';
    // the user's own rootless daemon, which the CLI does not ask (DOCKER_HOST unset): the note below says how
    if (!r.reachable && name === 'docker' && r.rootless) return `${r.version ?? ''} rootless daemon found; DOCKER_HOST is not set`.trim();
    if (!r.reachable) return `${r.version ?? ''} found, daemon not reachable`.trim();
    return `${r.version ?? ''} ${r.rootless ? 'rootless' : 'rootful'}, detected`.trim();
  };
  return [
    { label: 'docker', value: 'docker', hint: desc('docker') },
    { label: 'podman', value: 'podman', hint: desc('podman') },
    { label: 'Kubernetes (helm)', value: 'kubernetes', hint: d.contextFlag ? `context ${d.contextFlag} (--context)` : d.kubeContext ? `context ${d.kubeContext}` : d.pending ? 'detecting…' : 'no kubectl context found' },
  ];
}

export function detectedRuntime(d: Detection): string {
  if (d.podman?.reachable && d.podman.rootless) return 'podman';
  if (d.docker?.reachable) return 'docker';
  if (d.podman?.reachable) return 'podman';
  if (d.kubeContext) return 'kubernetes';
  return 'docker';
}

/** The secrets found in the environment, in the chosen product's section where it has none yet. */
export function withEnvSecrets(answers: Answers, found: Detection['envSecrets'] = []): Answers {
  let out = answers;
  for (const e of found) if (e.path.split('.')[0] === answers.product && get(out, e.path) === undefined) out = set(out, e.path, e.value);
  return out;
}

/**
 * A re-run where a secret's exported variable (FIVETRAN_TOKEN) holds another value than the install's (a
 * rotation typed in the wizard, the old value still exported): which one, asked just before the secret's
 * field, the install's first, so that Enter never puts the old value back unseen. For every secret field
 * that names its `path` (state.ts records the secrets that differ when it prefills the found install).
 */
function withEnvChoices(c: Ctx, list: Question[]): Question[] {
  return list.flatMap((q): Question[] => {
    if (q.kind !== 'text' || !q.secret || !q.path) return [q];
    const entry = c.drafts.envVsInstalled?.[q.path];
    const e = c.detection.envSecrets?.find((x) => x.path === q.path);
    if (!entry || !e) return [q];
    // kept where the wizard cannot read it (a Kubernetes Secret hd-setup made): the review compares them
    const kept = isStored(entry.installed);
    const choice: Question = {
      id: `env-or-installed:${e.path}`,
      step: q.step,
      kind: 'select',
      title: kept ? `${q.title}: $${e.env} (exported in this shell), or the installed one?` : `${q.title}: $${e.env} (exported in this shell) is not the installed one`,
      help: kept
        ? `The installed one is kept where hd-setup does not read it here; the review says whether $${e.env} changes it.`
        : `$${e.env} would replace the installed one: an older value still exported after a rotation would undo it.`,
      options: [
        { label: 'Keep the installed one', value: 'installed', hint: `$${e.env} is not used` },
        { label: `Use $${e.env}`, value: 'env', hint: 'it replaces the installed one' },
      ],
      initial: entry.use ?? 'installed',
      ...(entry.use === undefined ? { ask: true } : {}),
      // the same choice again keeps what the field holds now (a value typed there since)
      apply: (cx, v) => ({
        ...(v === entry.use ? {} : { answers: set(cx.answers, e.path, v === 'env' ? e.value : entry.installed) }),
        drafts: { ...cx.drafts, envVsInstalled: { ...cx.drafts.envVsInstalled, [e.path]: { ...entry, use: v as 'installed' | 'env' } } },
      }),
    };
    return [choice, q];
  });
}

/**
 * Choosing a product: the other products' sections are parked (not dropped), this product's come back.
 * So a --set for the other product (a chart mirror, say) survives going there and back.
 */
function chooseProduct(c: Ctx, id: string) {
  const ids = new Set(WIZARDS.map((w) => w.id));
  const parked: Answers = { ...(c.drafts.parked ?? {}) };
  const answers: Answers = {};
  for (const [k, v] of Object.entries(c.answers)) {
    if (ids.has(k) && k !== id) parked[k] = v;
    else if (k !== 'product') answers[k] = v;
  }
  answers.product = id;
  if (answers[id] === undefined && parked[id] !== undefined) answers[id] = parked[id];
  delete parked[id];
  return { answers: withEnvSecrets(answers, c.detection.envSecrets), drafts: { ...c.drafts, parked } };
}

function proxyQuestions(c: Ctx, w: ProductWizard): Question[] {
  const a = c.answers;
  const proxyMode = c.drafts.proxy ?? (a.proxy ? 'set' : 'none');
  const q: Question[] = [
    {
      id: 'proxy',
      step: 'Proxy',
      kind: 'select',
      title: w.proxyTitle,
      options: [
        { label: 'No proxy', value: 'none' },
        { label: a.proxy ? `Proxy: ${maskUrlCredentials(a.proxy.https ?? a.proxy.http ?? '')}` : 'Use a proxy', value: 'set', hint: 'http/https/no_proxy' },
      ],
      initial: proxyMode,
      // A proxy entered anew (none in the answers) starts its fields from the usual values again.
      apply: (cx, v) => ({
        drafts: { ...cx.drafts, proxy: v as 'none' | 'set', proxyNew: v === 'set' && (cx.drafts.proxyNew || !cx.answers.proxy), proxySent: v === 'set' && cx.answers.proxy ? cx.drafts.proxySent : undefined },
        ...(v === 'none' ? { answers: set(cx.answers, 'proxy', undefined) } : {}),
      }),
    },
  ];
  if (proxyMode === 'set') {
    // A proxy the answers have (installed, or from a preset) is shown as it is, so that Enter on each field
    // keeps it exactly: no HTTP proxy stays none, and no_proxy stays as it is (empty too). One entered now
    // starts from the usual: the HTTP proxy the same as HTTPS, no_proxy localhost and 127.0.0.1.
    // A field of a new proxy answered once shows its answer from then on (Back, then Enter, keeps it).
    const fresh = (id: 'http' | 'no') => (c.drafts.proxyNew === true || !a.proxy) && !c.drafts.proxySent?.[id];
    const sent = (cx: Ctx, id: 'http' | 'no') => ({ ...cx.drafts, proxySent: { ...cx.drafts.proxySent, [id]: true } });
    q.push(
      {
        id: 'proxy-https',
        step: 'Proxy',
        kind: 'text',
        title: 'HTTPS proxy URL',
        help: 'e.g. http://proxy.internal:3128 (user:password@ is masked on display)',
        display: maskUrlCredentialsTyped,
        initial: a.proxy?.https ?? '',
        validate: urlCheck,
        // An HTTP proxy left "same as HTTPS" follows a corrected HTTPS URL.
        apply: (cx, v) => {
          const same = cx.answers.proxy?.http !== undefined && cx.answers.proxy.http === cx.answers.proxy.https;
          const next = set(cx.answers, 'proxy.https', v || undefined);
          return { answers: same ? set(next, 'proxy.http', v || undefined) : next };
        },
      },
      {
        id: 'proxy-http',
        step: 'Proxy',
        kind: 'text',
        title: 'HTTP proxy URL (empty: same as HTTPS; none: no HTTP proxy)',
        display: maskUrlCredentialsTyped,
        initial: fresh('http') || a.proxy?.http === a.proxy?.https ? '' : (a.proxy?.http ?? 'none'),
        validate: (v, cx) => (v.trim() === 'none' ? undefined : urlCheck(v)) ?? ((!v || v.trim() === 'none') && !cx.answers.proxy?.https ? 'give at least one proxy URL, or go back and choose No proxy' : undefined),
        apply: (cx, v) => ({ answers: set(cx.answers, 'proxy.http', v.trim() === 'none' ? undefined : v || cx.answers.proxy?.https), drafts: sent(cx, 'http') }),
      },
      {
        id: 'proxy-no',
        step: 'Proxy',
        kind: 'text',
        title: 'Hosts that bypass the proxy (comma-separated)',
        // each item as the model checks it (proxy.noProxy), said here with the field's words
        validate: (v) => noProxyListProblem(v),
        initial: (fresh('no') ? ['localhost', '127.0.0.1'] : (a.proxy?.noProxy ?? [])).join(', '),
        apply: (cx, v) => {
          const list = listOf(v);
          // none given, and none before: left unset, as it was (not an explicit empty list)
          return { answers: set(cx.answers, 'proxy.noProxy', list.length || cx.answers.proxy?.noProxy !== undefined ? list : undefined), drafts: sent(cx, 'no') };
        },
      },
    );
  }
  return q;
}

/** Why a comma-separated no_proxy list is not one the model takes (undefined: it is). */
export function noProxyListProblem(v: string): string | undefined {
  for (const item of listOf(v)) {
    const bad = noProxyProblem(item);
    if (bad) return `hosts that bypass the proxy: ${JSON.stringify(item)} ${bad}`;
  }
  return undefined;
}

const shown = (f: Field, v: unknown) => (v === undefined ? undefined : (f.show ?? String)(v));

/** One Advanced setting as a question: a choice among the model's values, or a text in its format. */
export function fieldQuestion(c: Ctx, f: Field): Question {
  const current = shown(f, get(c.answers, f.path));
  // Keeping the value shown keeps the setting as it is (its type, and what the text does not show).
  const stored = (cx: Ctx, v: string) => (v === current ? cx.answers : put(cx.answers, f.path, v === '' || v === f.default ? undefined : (f.parse ?? ((x: string) => x))(v)));
  // (and what follows from it, kept or changed)
  const store = (cx: Ctx, v: string) => ({ answers: f.carries ? f.carries(stored(cx, v)) : stored(cx, v) });
  const help = [f.help, `--set ${f.path}=…`].filter(Boolean).join(' ');
  if (f.options) {
    return {
      id: `adv:${f.path}`,
      step: 'Advanced',
      kind: 'select',
      title: f.label,
      help,
      options: f.options.map((o) => ({ label: o, value: o, ...(o === f.default ? { isDefault: true } : {}), ...(f.optionHints?.[o] ? { hint: f.optionHints[o] } : {}) })),
      initial: current ?? f.default ?? f.options[0]!,
      apply: store,
    };
  }
  return {
    id: `adv:${f.path}`,
    step: 'Advanced',
    kind: 'text',
    title: f.default ? `${f.label} (empty: ${f.default})` : f.label,
    help,
    initial: current ?? '',
    ...(f.display ? { display: f.display } : {}),
    ...(f.live ? { live: f.live } : {}),
    validate: (v, cx) => (v === '' ? f.needed?.(cx.answers) : f.check?.(v)),
    apply: store,
  };
}

/** The Advanced step: skipped by default; "Edit" asks every setting the main flow does not. */
function advancedQuestions(c: Ctx, w: ProductWizard): Question[] {
  const fields = w.advanced(c);
  const extra = w.advancedQuestions?.(c) ?? [];
  const given = [...fields.filter((f) => get(c.answers, f.path) !== undefined).map((f) => `${f.path.split('.').pop()}=${shown(f, get(c.answers, f.path))}`), ...(w.advancedGiven?.(c) ?? [])];
  const mode = c.drafts.advanced ?? 'defaults';
  const q: Question[] = [
    {
      id: 'advanced',
      step: 'Advanced',
      kind: 'select',
      title: 'Advanced settings',
      help: `Image and registry mirror, pull policy, ${c.answers.runtime === 'kubernetes' ? 'release, chart and version, resources' : 'install directory, restart policy'} and more.`,
      options: [
        { label: given.length ? 'Keep these settings' : 'Keep the defaults', value: 'defaults', ...(given.length ? { hint: given.join(', ') } : {}) },
        { label: 'Edit', value: 'edit', hint: `${fields.length + extra.length} settings` },
      ],
      initial: mode,
      apply: (cx, v) => ({ drafts: { ...cx.drafts, advanced: v as 'defaults' | 'edit' } }),
    },
  ];
  // "Edit" promises as many settings as it asks: the count is the questions themselves.
  if (mode === 'edit') q.push(...fields.map((f) => fieldQuestion(c, f)), ...extra);
  return q;
}

const REVIEW: Question = { id: 'review', step: 'Review', kind: 'review', title: 'Review' };

/** Every question for the current answers, in order. */
export function questions(c: Ctx): Question[] {
  const q: Question[] = [];
  const a = c.answers;
  q.push({
    id: 'product',
    step: 'Product',
    kind: 'select',
    title: 'What do you want to install?',
    options: WIZARDS.map((w) => ({ label: w.option.label, value: w.id, hint: w.option.hint })),
    ...(a.product ? { initial: a.product } : {}),
    apply: chooseProduct,
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
  const context = contextQuestion(c);
  if (context) q.push(context);
  const w = wizardOf(a.product);
  if (!w || !a.runtime) return [...q, REVIEW];
  q.push(...withEnvChoices(c, w.questions(c, { proxy: () => proxyQuestions(c, w) })), ...advancedQuestions(c, w), REVIEW);
  return q;
}

