// Tobiko Cloud's wizard questions: the organization, project and OAuth client, the SQLMesh gateways
// (every engine and connection param the model accepts: required ones, one of each set of
// alternatives such as Snowflake's password / key pair / authenticator, and the optional ones), where the
// executor secrets live (on Kubernetes before any secret value, which is asked only when hd-setup keeps it),
// and the Advanced step's settings. No zod here (the wizard's first frame loads it).
import { PATTERNS, chartProblem, hostProblem, imageProblem, imageRepositoryProblem, imageTagProblem, lineProblem, mismatch, installDirProblem, pemProblem, portProblem } from '../../model/patterns.js';
import { PULL_POLICY_HINTS, RESTART_POLICY_HINTS, egressField, maskSecretPairs, pairsOf, pairsProblem, get, isK8s, secretsNote, k8sName, namespaceQuestion, put, required, set, shaped, type Answers, type Ctx, type Drafts, type Field, type ProductWizard, type Question, type Result, removalQuestion, storedSecretLive, suggest } from '../wizard.js';
import { isStored } from '../../model/stored.js';
import { TOBIKO_CHART, TOBIKO_IMAGE, TOBIKO_RESTART_POLICIES, envFileValueProblem, isReservedEnvName, tobikoUrlProblem } from './constants.js';
import { ENGINES, ENGINE_TYPES, PARAM_HELP, altPick, gatewayEnvKey, isKeyMaterial, isSecretParam, paramHoldsSecret, secretsLeftOut, type EngineSpec, type EngineType } from './engines.js';

interface GatewayDraft {
  name?: string;
  type?: EngineType;
  params: Record<string, string>;
  editing?: string;
  /** The alternative chosen in each set of alternatives (by index). */
  auth?: Record<number, string>;
  /** A Secret of the user's or a store: whether it holds each optional key material param (BigQuery's keyfile_json). */
  inSecret?: Record<string, boolean>;
}

const spec = (type: EngineType): EngineSpec => ENGINES[type];
const alternatives = (type: EngineType): string[][] => spec(type).oneOf ?? [];

function secretParam(c: Ctx, p: string): boolean {
  return isSecretParam(p, c.answers.tobiko?.secretParams ?? [], c.answers.tobiko?.nonSecretParams ?? []);
}

/**
 * Where the executor secrets live on Kubernetes: a Secret hd-setup creates, one the user made, a store read
 * by External Secrets, or the Helm values.
 */
type Mode = 'create' | 'existing' | 'externalSecrets' | 'inline';

function modeOf(a: Answers): Mode {
  const s = a.tobiko?.secrets ?? {};
  const st = s.strategy ?? 'existingSecret';
  if (st === 'externalSecrets' || st === 'inline') return st;
  return st === 'existingSecret' && s.create === false ? 'existing' : 'create';
}

/**
 * hd-setup holds the secret values (the env-file; on Kubernetes the Secret it creates or the Helm values):
 * only then are they asked. A Secret the user made, or a store, holds them itself.
 */
const holdsSecrets = (c: Ctx) => !isK8s(c) || ['create', 'inline'].includes(modeOf(c.answers));

/**
 * A Secret of the user's or a store holds the secret values: a secret param is not asked, and neither is key
 * material the chart's keyword rule does not catch (tobiko.secretParams lists it, so that the chart takes it
 * from that Secret too).
 */
const external = (c: Ctx) => !holdsSecrets(c);
const secretOrKey = (c: Ctx, p: string) => secretParam(c, p) || isKeyMaterial(p);
const listsOf = (c: Ctx) => ({ sp: (c.answers.tobiko?.secretParams ?? []) as string[], nsp: (c.answers.tobiko?.nonSecretParams ?? []) as string[] });

/** The Secret the executors read their secrets from (the one named, or the chart's default for the release). */
const secretNameOf = (a: Answers): string => a.tobiko?.secrets?.name ?? `${a.tobiko?.kubernetes?.release ?? 'executors'}-secrets`;

/**
 * The secret params a gateway's executors take from a Secret of the user's or a store: its remote: ones, and
 * those it leaves out that the chart reads from the Secret all the same (secretsLeftOut: the model's rule).
 */
function takenFromSecret(c: Ctx, params: Record<string, unknown>): string[] {
  if (!ENGINES[params.type as EngineType]) return [];
  const { sp, nsp } = listsOf(c);
  const own = Object.keys(params).filter((p) => p !== 'type' && isSecretParam(p, sp, nsp));
  return [...new Set([...own, ...secretsLeftOut(params.type as EngineType, params, sp, nsp, ownSecret(c))])];
}

/** Where the executors find a secret the wizard does not ask: the user's Secret and its key, or the store and its remote key. */
function secretHome(c: Ctx, key: string, value?: unknown): string {
  if (modeOf(c.answers) !== 'externalSecrets') return `Secret ${secretNameOf(c.answers)}, key ${key}`;
  const remote = typeof value === 'string' && value.startsWith('remote:') ? value.slice(7) : `${c.answers.tobiko?.secrets?.keyPrefix ?? 'sqlmesh/'}${key}`;
  return `the store, remote key ${remote}`;
}

/** "a", "a and b", "a, b and c". */
const inWords = (xs: string[]) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);

/** The keys the user's Secret (or the store) must hold for the answers so far, said at the gateway list. */
function secretKeysNote(c: Ctx): string {
  const gws = (c.answers.tobiko?.gateways ?? {}) as Record<string, Record<string, unknown>>;
  const keys: [string, unknown][] = [['TCLOUD_CLIENT_SECRET', undefined]];
  for (const [g, params] of Object.entries(gws)) for (const p of takenFromSecret(c, params)) keys.push([gatewayEnvKey(g, p), params[p]]);
  const the = keys.length > 1 ? 'the keys' : 'the key';
  if (modeOf(c.answers) !== 'externalSecrets') return `Secret ${secretNameOf(c.answers)} must hold ${the} ${inWords(keys.map(([k]) => k))}.`;
  return `The store must hold the remote ${keys.length > 1 ? 'keys' : 'key'} ${inWords(keys.map(([k, v]) => secretHome(c, k, v).replace(/^the store, remote key /, '')))}.`;
}

/** A Secret of the user's (create: false): the preset can name none of its keys, so secretParams alone says which are there. */
const ownSecret = (c: Ctx) => external(c) && modeOf(c.answers) !== 'externalSecrets';

/**
 * A Secret of the user's: which of `names` (a set of alternatives, or one optional key) it holds is one setting
 * for every gateway of the engine that gives none of them (tobiko.secretParams, one list), said before the
 * choice: the other such gateways follow it. (A store names each gateway's own remote keys: nothing is shared.)
 */
function sharedNote(c: Ctx, d: GatewayDraft, names: string[]): string[] {
  if (!ownSecret(c)) return [];
  const gws = (c.answers.tobiko?.gateways ?? {}) as Record<string, Record<string, unknown>>;
  const others = Object.entries(gws).filter(([n, ps]) => n !== d.name && n !== d.editing && ps.type === d.type && !names.some((a) => ps[a] !== undefined)).map(([n]) => n);
  if (!others.length) return [];
  return [`Shared with ${others.length > 1 ? 'gateways' : 'gateway'} ${inWords(others)}: with Secret ${secretNameOf(c.answers)} one list (tobiko.secretParams) says which every ${ENGINES[d.type!].label} gateway reads, so this choice is theirs too.`];
}

/** Where a secret typed now goes on Kubernetes, said under its field. */
const secretHelp = (c: Ctx) => (!isK8s(c) ? 'Masked; stored only in the 0600 env-file.' : modeOf(c.answers) === 'inline' ? 'Masked; it goes into the Helm values (inline).' : 'Masked; hd-setup puts it in the Secret it creates (kubectl, on stdin).');


/**
 * The alternative of a set in use: the chosen one, else the one the gateway has, else the one tobiko.secretParams
 * marks (a Secret of the user's or a store holds that one: secretsLeftOut), else the first.
 */
function chosen(c: Ctx, d: GatewayDraft, i: number, alts: string[]): string {
  const held = alts.find((a) => listsOf(c).sp.includes(a) && secretParam(c, a));
  return d.auth?.[i] ?? alts.find((a) => d.params[a] !== undefined && d.params[a] !== '') ?? held ?? alts[0]!;
}

/** A Secret of the user's or a store: whether it holds an optional key material param (given as remote:, or listed in tobiko.secretParams). */
function inSecret(c: Ctx, d: GatewayDraft, p: string): boolean {
  return d.inSecret?.[p] ?? ((d.params[p] !== undefined && d.params[p] !== '') || (ownSecret(c) && listsOf(c).sp.includes(p) && secretParam(c, p)));
}

/** A store's remote key for a gateway param, as the ExternalSecret names it unless the gateway gives another. */
const remoteDefault = (a: Answers, gateway: string, p: string) => `remote:${a.tobiko?.secrets?.keyPrefix ?? 'sqlmesh/'}${gatewayEnvKey(gateway, p)}`;

/** The params asked for a gateway, in the engine's order: required, the chosen alternatives, optional. */
function askedParams(c: Ctx, d: GatewayDraft): { name: string; optional: boolean }[] {
  const t = d.type!;
  const alts = alternatives(t).map((a, i) => chosen(c, d, i, a));
  return [...spec(t).required.map((name) => ({ name, optional: false })), ...alts.map((name) => ({ name, optional: false })), ...(spec(t).optional ?? []).map((name) => ({ name, optional: true }))];
}

/**
 * The check of one connection param: the model's (src/products/tobiko/params.ts) for a port or a host;
 * any other is one line, but for a masked one on Kubernetes (a PEM key), where a Secret or the values
 * hold its lines as they are: each of them one line.
 */
function paramProblem(name: string, v: string, lines = false): string | undefined {
  if (name === 'port') return portProblem(v);
  if (name === 'host') return hostProblem(v);
  if (lines) return pemProblem(v) ?? (v.split(/\r?\n/).some((l) => lineProblem(l)) ? 'has a control character on one of its lines' : undefined);
  return lineProblem(v);
}

function commitGateway(c: Ctx): Result {
  const g = c.drafts.gateway as GatewayDraft;
  const params: Record<string, unknown> = { type: g.type };
  const asked = askedParams(c, g).map((p) => p.name);
  // Alternatives not chosen are dropped (a key pair replaces a password); anything else is kept.
  const unchosen = new Set(alternatives(g.type!).flat().filter((a) => !asked.includes(a)));
  const optionalKeys = (spec(g.type!).optional ?? []).filter(isKeyMaterial);
  for (const k of [...new Set([...asked, ...Object.keys(g.params)])]) {
    const v = g.params[k];
    if (v === undefined || v === '' || unchosen.has(k)) continue;
    // an optional key (its remote: name) that the Secret of the user's or the store is said not to hold
    if (external(c) && optionalKeys.includes(k) && !inSecret(c, g, k)) continue;
    params[k] = k === 'port' && /^\d+$/.test(v) ? Number(v) : v;
  }
  // a store: an optional key said to be there is named by its remote key (nothing shared decides it)
  if (external(c) && !ownSecret(c)) for (const k of optionalKeys) if (params[k] === undefined && inSecret(c, g, k)) params[k] = remoteDefault(c.answers, g.name!, k);
  let answers = c.answers;
  if (g.editing && g.editing !== g.name) answers = set(answers, `tobiko.gateways.${g.editing}`, undefined);
  answers = set(answers, `tobiko.gateways.${g.name}`, params);
  answers = withKeyMaterialMarked(c, answers, g, params);
  return { answers, drafts: { ...c.drafts, gateway: undefined, heldSecrets: heldFor(c.drafts.heldSecrets, g) }, goto: 'gw-menu' };
}

/**
 * tobiko.secretParams once a gateway is entered, where a Secret of the user's or a store holds the secrets
 * (elsewhere a key typed is listed as it is typed). Key material the gateway takes from there (the
 * alternative chosen, an optional key said to be there) is listed, so the chart reads it from the Secret as
 * it does a password; other key material of its engine leaves the list unless a gateway gives it itself.
 * With the user's own Secret the list is the one choice every gateway of the engine follows (said at the
 * question). With a store each gateway names its remote keys: this one's choice, where the list would pick
 * another for it, and the others' as they were, where the list's change would move them.
 */
function withKeyMaterialMarked(c: Ctx, answers: Answers, g: GatewayDraft, params: Record<string, unknown>): Answers {
  if (!external(c)) return answers;
  const type = g.type!;
  const { nsp } = listsOf(c);
  const store = !ownSecret(c);
  const before = (answers.tobiko?.secretParams ?? []) as string[];
  const others = Object.entries((answers.tobiko?.gateways ?? {}) as Record<string, Record<string, unknown>>).filter(([n, ps]) => n !== g.name && ps.type === type);
  const leaves = (ps: Record<string, unknown>, alts: string[]) => !alts.some((a) => ps[a] !== undefined);
  // what each gateway that gives none of a set takes from the Secret or the store: this one its choice; the
  // others what the list gave them, or with the user's own Secret this one's choice (one list for all)
  const wants: { gateway: string; set: string[]; want: string }[] = [];
  alternatives(type).forEach((alts, i) => {
    const mine = chosen(c, g, i, alts);
    if (leaves(params, alts)) wants.push({ gateway: g.name!, set: alts, want: mine });
    const shared = !store && leaves(params, alts);
    for (const [n, ps] of others) {
      const theirs = shared ? mine : altPick(alts, before, nsp);
      if (leaves(ps, alts) && theirs !== undefined) wants.push({ gateway: n, set: alts, want: theirs });
    }
  });
  const used = new Set(wants.map((w) => w.want));
  for (const p of spec(type).optional ?? []) if (inSecret(c, g, p)) used.add(p);
  // a key named here (a remote: one) stays listed: listed, the chart takes it for a secret
  for (const ps of [params, ...others.map(([, ps]) => ps)]) for (const p of Object.keys(ps)) used.add(p);
  const engineKeys = [...alternatives(type).flat(), ...(spec(type).optional ?? [])].filter(isKeyMaterial);
  const after = [...new Set([...before.filter((p) => !engineKeys.includes(p) || used.has(p)), ...engineKeys.filter((p) => used.has(p))])];
  let out = answers;
  // a store: a gateway the list would now give another alternative names its own by its remote key
  if (store) {
    for (const w of wants) {
      if (altPick(w.set, after, nsp) === w.want || !secretOrKey(c, w.want)) continue;
      if (w.gateway === g.name) params[w.want] = remoteDefault(answers, g.name, w.want);
      else out = set(out, `tobiko.gateways.${w.gateway}.${w.want}`, remoteDefault(answers, w.gateway, w.want));
    }
    out = set(out, `tobiko.gateways.${g.name}`, params);
  }
  if (after.length === before.length && after.every((p, i) => p === before[i])) return out;
  return put(out, 'tobiko.secretParams', after.length ? after : undefined);
}

/**
 * The secrets put aside for this gateway (heldSecrets) once it is entered: a renamed gateway takes its
 * own along; a new one by the name of one removed starts with none of that one's.
 */
function heldFor(held: Held | undefined, g: GatewayDraft): Held | undefined {
  if (!held) return held;
  const out: Held = {};
  for (const e of Object.values(held)) {
    if (e.gateway === undefined || (e.gateway !== g.name && e.gateway !== g.editing)) out[heldKey(e)] = e;
    else if (g.editing !== undefined && e.gateway === g.editing) {
      const moved: HeldSecret = { ...e, gateway: g.name!, path: `tobiko.gateways.${g.name}.${e.param}` };
      out[heldKey(moved)] = moved;
    }
  }
  return out;
}

/** The secret params a gateway lacks that hd-setup is to hold (a required one, or one of a set of alternatives). */
function missingSecrets(c: Ctx, params: Record<string, unknown>): string[] {
  const type = params.type as EngineType;
  if (!ENGINES[type]) return [];
  const missing = spec(type).required.filter((p) => secretParam(c, p) && params[p] === undefined);
  for (const alts of alternatives(type)) if (!alts.some((a) => params[a] !== undefined) && alts.some((a) => secretParam(c, a))) missing.push(alts.join(' | '));
  // optional key material the user's Secret was said to hold (tobiko.secretParams lists it): now typed, or not set
  for (const p of (spec(type).optional ?? []).filter(isKeyMaterial)) if (params[p] === undefined && listsOf(c).sp.includes(p)) missing.push(p);
  return missing;
}

function gatewayQuestions(c: Ctx): Question[] {
  const gws = (c.answers.tobiko?.gateways ?? {}) as Record<string, any>;
  const def = c.answers.tobiko?.defaultGateway ?? Object.keys(gws)[0];
  const names = Object.keys(gws);
  // On Kubernetes a gateway entered while a Secret of the user's or a store held the secrets has none of its
  // own: when hd-setup is to hold them (the strategy changed since), it is edited to give them.
  const lacking: Record<string, string[]> = isK8s(c) && holdsSecrets(c) ? Object.fromEntries(names.map((n) => [n, missingSecrets(c, gws[n])])) : {};
  const menu: Question = {
    id: 'gw-menu',
    step: 'Gateways',
    kind: 'select',
    title: names.length ? `Gateways: ${names.map((n) => `${n} (${gws[n].type})${n === def ? ' [default]' : ''}`).join(', ')}` : 'Add the SQLMesh gateway the executors connect to',
    // Where the default gateway ends up: the chart's values on Kubernetes, the env-file on docker/podman.
    help: isK8s(c)
      ? `A gateway is a connection to your warehouse. The default one is listed first in the chart values.${external(c) ? ` ${secretKeysNote(c)}` : ''}`
      : 'A gateway is a connection to your warehouse. The default one is SQLMESH__DEFAULT_GATEWAY in the env-file.',
    menu: { done: 'done', reset: (d: Drafts) => ({ ...d, gateway: undefined, gatewayRemove: undefined, gatewaysDone: false }) },
    options: [
      ...(names.length ? [{ label: 'Continue', value: 'done', hint: `${names.length} gateway${names.length > 1 ? 's' : ''}` }] : []),
      { label: 'Add a gateway', value: 'add' },
      ...names.flatMap((n) => [
        { label: `Edit ${n}`, value: `edit:${n}`, ...(lacking[n]?.length ? { hint: `no ${lacking[n]!.join(', ')} yet` } : {}) },
        { label: `Remove ${n}`, value: `remove:${n}` },
        ...(n !== def && names.length > 1 ? [{ label: `Make ${n} the default`, value: `default:${n}` }] : []),
      ]),
    ],
    validate: (v) => {
      const n = v === 'done' ? names.find((x) => lacking[x]?.length) : undefined;
      return n ? `gateway ${n} has no ${lacking[n]!.join(', ')} yet: choose "Edit ${n}" to give it (it goes into ${modeOf(c.answers) === 'inline' ? 'the Helm values' : 'the Secret hd-setup creates'})` : undefined;
    },
    apply: (cx, v) => {
      if (v === 'done') return { drafts: { ...cx.drafts, gatewaysDone: true } };
      if (v === 'add') return { drafts: { ...cx.drafts, gateway: { params: {} } }, goto: 'gw-name' };
      const [op, name] = v.split(':') as [string, string];
      if (op === 'remove') return { drafts: { ...cx.drafts, gatewayRemove: name }, goto: 'gw-remove' };
      if (op === 'default') return { answers: set(cx.answers, 'tobiko.defaultGateway', name), goto: 'gw-menu' };
      const { type, ...params } = gws[name];
      const text = (x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x));
      return {
        drafts: { ...cx.drafts, gateway: { name, type, editing: name, params: Object.fromEntries(Object.entries(params).map(([k, x]) => [k, text(x)])) } },
        goto: 'gw-name',
      };
    },
  };
  const out: Question[] = [menu];
  const removing = c.drafts.gatewayRemove as string | undefined;
  if (removing && gws[removing]) {
    const n = Object.keys(gws[removing]).length - 1;
    out.push(
      removalQuestion({
        id: 'gw-remove',
        step: 'Gateways',
        draft: 'gatewayRemove',
        back: 'gw-menu',
        title: `Remove gateway ${removing} (${gws[removing].type}${n ? `, ${n} setting${n > 1 ? 's' : ''}` : ''})?`,
        ...(removing === def && names.length > 1 ? { help: `It is the default gateway: the next one becomes the default.` } : {}),
        remove: (cx) => {
          let answers = set(cx.answers, `tobiko.gateways.${removing}`, undefined);
          if (answers.tobiko?.defaultGateway === removing) answers = set(answers, 'tobiko.defaultGateway', undefined);
          return answers;
        },
      }),
    );
  }
  const d = c.drafts.gateway as GatewayDraft | undefined;
  if (!d) return out;
  const upd = (cx: Ctx, patch: Partial<GatewayDraft>): Drafts => ({ ...cx.drafts, gateway: { ...cx.drafts.gateway, ...patch } });
  out.push({
    id: 'gw-name',
    step: 'Gateways',
    kind: 'text',
    title: 'Gateway name',
    help: 'Lowercase, a-z 0-9 and "_", no "__" (it separates parts of SQLMESH__ variable names).',
    ...(d.name === undefined && !names.length ? suggest(undefined, 'warehouse') : { initial: d.name ?? '' }),
    validate: (v, cx) => {
      if (!PATTERNS.gatewayName.re.test(v)) return PATTERNS.gatewayName.message;
      if (v.includes('__')) return 'must not contain "__"';
      if (v !== d.editing && cx.answers.tobiko?.gateways?.[v]) return `gateway ${v} exists; edit it from the list instead`;
      return undefined;
    },
    apply: (cx, v) => ({ drafts: upd(cx, { name: v }) }),
  });
  out.push({
    id: 'gw-type',
    step: 'Gateways',
    kind: 'select',
    title: `Engine of gateway ${d.name ?? ''}`,
    options: ENGINE_TYPES.map((t) => ({ label: ENGINES[t].label, value: t, hint: [...spec(t).required, ...alternatives(t).map((a) => a.join(' | '))].join(', ') || 'no required params' })),
    ...(d.type ? { initial: d.type } : {}),
    apply: (cx, v) => {
      const g = cx.drafts.gateway as GatewayDraft;
      const type = v as EngineType;
      const defaults = spec(type).defaults ?? {};
      const params = g.type === type ? g.params : Object.fromEntries(Object.entries(defaults).map(([k, x]) => [k, String(x)]));
      return { drafts: upd(cx, { type, params, ...(g.type === type ? {} : { auth: {} }) }) };
    },
  });
  if (!d.type) return out;
  const type = d.type;
  // One question per set of alternatives (Snowflake: password, key pair or authenticator), before the params.
  alternatives(type).forEach((alts, i) => {
    out.push({
      id: `gw-auth:${i}`,
      step: 'Gateways',
      kind: 'select',
      title: `${d.name}: which of ${alts.join(', ')}?`,
      // a Secret of the user's or a store: a secret one (key material too) is not typed; where each is read
      // from is said in the help, whole (an option's hint is cut to the line, and the key names are long)
      help: [
        `${ENGINES[type].label} needs one of them.`,
        ...(external(c) && alts.some((x) => secretOrKey(c, x)) ? ['Not typed here, read by the executors from:', ...alts.filter((x) => secretOrKey(c, x)).map((x) => `${x}: ${secretHome(c, gatewayEnvKey(d.name ?? '', x), d.params[x])}`), ...sharedNote(c, d, alts)] : []),
      ].join('\n'),
      // docker/podman: a value the env-file cannot hold as it comes (a PEM key spans lines) says what to choose instead
      options: alts.map((x) => {
        const hint = external(c) && secretOrKey(c, x)
          ? `not typed here: in ${modeOf(c.answers) === 'externalSecrets' ? 'the store' : `Secret ${secretNameOf(c.answers)}`}`
          : [...(secretParam(c, x) ? ['secret'] : []), ...(!isK8s(c) && FILE_ALTERNATIVE[x] ? [`one line only in the env-file: a PEM key file goes with ${FILE_ALTERNATIVE[x]}`] : [])].join('; ');
        return { label: x, value: x, ...(hint ? { hint } : {}) };
      }),
      initial: chosen(c, d, i, alts),
      apply: (cx, v) => ({ drafts: upd(cx, { auth: { ...(cx.drafts.gateway as GatewayDraft).auth, [i]: v } }) }),
    });
  });
  // A secret param is asked only where hd-setup holds it: a Secret the user made, or the store, has it. So
  // has key material; an optional key is asked only whether it is there.
  const list = askedParams(c, d).filter(({ name: p, optional }) => !external(c) || !secretOrKey(c, p) || (optional && isKeyMaterial(p)));
  list.forEach(({ name: p, optional }, i) => {
    const secret = secretParam(c, p);
    const last = i === list.length - 1;
    if (external(c) && secretOrKey(c, p)) {
      const home = secretHome(c, gatewayEnvKey(d.name ?? '', p), d.params[p]);
      const held = modeOf(c.answers) === 'externalSecrets' ? 'From the store' : `In Secret ${secretNameOf(c.answers)}`;
      out.push({
        id: `gw-param:${p}`,
        step: 'Gateways',
        kind: 'select',
        title: `${d.name}: ${p} (optional)`,
        help: [`${PARAM_HELP[p]?.replace(/ \(masked;[^)]*\)\.$/, '.') ?? `${ENGINES[type].label} connection parameter.`} Not typed here: if set, it is read from ${home}${ownSecret(c) ? ` (tobiko.secretParams lists ${p})` : ''}.`, ...sharedNote(c, d, [p])].join('\n'),
        options: [
          { label: 'Not set', value: 'unset' },
          { label: held, value: 'secret', hint: home },
        ],
        initial: inSecret(c, d, p) ? 'secret' : 'unset',
        apply: (cx, v) => {
          const g = cx.drafts.gateway as GatewayDraft;
          const drafts = upd(cx, { inSecret: { ...g.inSecret, [p]: v === 'secret' } });
          return last ? commitGateway({ ...cx, drafts }) : { drafts };
        },
      });
      return;
    }
    out.push({
      id: `gw-param:${p}`,
      step: 'Gateways',
      kind: 'text',
      // Masked: the model's secrets, key material whatever the model calls it, and a value that holds a secret (a URL with a password).
      secret: secret || isKeyMaterial(p) || paramHoldsSecret(p, d.params[p]),
      title: `${d.name}: ${p}${secret ? ' (secret)' : ''}${optional ? ' (optional; empty: not set)' : ''}`,
      help: secret ? secretHelp(c) : (PARAM_HELP[p] ?? `${ENGINES[type].label} connection parameter.`),
      initial: d.params[p] ?? '',
      ...(secret && isK8s(c) ? { live: storedSecretLive } : {}),
      validate: (v, cx) => {
        if (!v.trim()) return optional ? undefined : `${p} is required for ${type}`;
        // The env-file holds one line per value (docker/podman): a key's content must come from a file there.
        if (envFileValueProblem(v.trim()) && !isK8s(cx)) return `${p} spans several lines, which the env-file cannot hold: save it to a file and choose ${FILE_ALTERNATIVE[p] ?? 'a single-line value'} instead`;
        const bad = paramProblem(p, v.trim(), (secret || isKeyMaterial(p)) && isK8s(cx));
        if (bad) return `${p} ${bad}`;
        // Kubernetes, a Secret of the user's or a store: a value that holds a secret cannot go there from here,
        // and the chart would pass it in clear (it takes from the Secret only the params named like secrets).
        if (isK8s(cx) && external(cx) && !secret && paramHoldsSecret(p, v.trim())) {
          return `${p} holds a secret (a URL with a password in it), which the chart would pass to the executors in clear: give it without the password, or put it in ${secretHome(cx, gatewayEnvKey(d.name ?? '', p))} and mark it secret (--set tobiko.secretParams=[${p}])`;
        }
        return undefined;
      },
      apply: (cx, v) => {
        const g = cx.drafts.gateway as GatewayDraft;
        // Key material the chart's keyword rule would not call secret goes into secretParams, so the chart,
        // the env-file and every output treat it as one. So does, on Kubernetes, a value that holds a secret
        // (a URL with a password): the chart then takes it from the Secret hd-setup creates, not the values.
        const mark = !secret && v.trim() !== '' && (isKeyMaterial(p) || (isK8s(cx) && paramHoldsSecret(p, v.trim())));
        const nsp = (cx.answers.tobiko?.nonSecretParams ?? []) as string[];
        const marked = mark ? set(cx.answers, 'tobiko.secretParams', [...new Set([...((cx.answers.tobiko?.secretParams ?? []) as string[]), p])]) : cx.answers;
        const forced = mark && nsp.includes(p) ? put(marked, 'tobiko.nonSecretParams', nsp.length > 1 ? nsp.filter((x) => x !== p) : undefined) : marked;
        const next: Ctx = { ...cx, answers: forced, drafts: upd(cx, { params: { ...g.params, [p]: v } }) };
        return last ? commitGateway(next) : { answers: forced, drafts: next.drafts };
      },
    });
  });
  // An engine with nothing to ask (DuckDB with no database): commit from the last question asked.
  if (!list.length) {
    const lastQ = out[out.length - 1]!;
    if (lastQ.kind === 'select') {
      const apply = lastQ.apply;
      lastQ.apply = (cx, v) => {
        const r = apply(cx, v);
        return commitGateway({ ...cx, ...(r.answers ? { answers: r.answers } : {}), drafts: r.drafts ?? cx.drafts });
      };
    }
  }
  return out;
}

/** Where a multi-line key can go instead, on docker/podman (the env-file holds one line per value). */
const FILE_ALTERNATIVE: Record<string, string> = { private_key: 'private_key_path', keyfile_json: 'keyfile' };

/**
 * A secret value put aside (drafts.heldSecrets) while the strategy does not use it: a value typed for a
 * Secret hd-setup creates, while an existing Secret is chosen; a store's remote: key, while hd-setup holds
 * the values. Choosing a strategy that uses it again brings it back, where nothing took its place.
 */
interface HeldSecret {
  path: string;
  value: unknown;
  /** A gateway's param: the gateway, the param and the engine it was given for. */
  gateway?: string;
  param?: string;
  type?: string;
}
type Held = Record<string, HeldSecret>;

/** What a secret's value is: one hd-setup holds, one kept in the Secret the install made (stored:), a store's key (remote:). */
type Kind = 'value' | 'stored' | 'remote';
const kindOf = (v: unknown): Kind => (isStored(v) ? 'stored' : typeof v === 'string' && v.startsWith('remote:') ? 'remote' : 'value');
const heldKey = (e: HeldSecret) => `${kindOf(e.value)}:${e.path}`;

/**
 * The kinds of secret value each strategy uses (the model's rules): the Secret hd-setup creates keeps what
 * the install has in it; inline values cannot come from it; a Secret the user made holds every one; a store
 * holds them, under the remote keys given.
 */
const USES: Record<Mode, Kind[]> = { create: ['value', 'stored'], inline: ['value'], existing: [], externalSecrets: ['remote'] };

/** Every secret value of the answers: the client secret, and each gateway's secret params. */
function secretValues(a: Answers): HeldSecret[] {
  const t = a.tobiko ?? {};
  const out: HeldSecret[] = t.clientSecret !== undefined ? [{ path: 'tobiko.clientSecret', value: t.clientSecret }] : [];
  for (const [g, params] of Object.entries((t.gateways ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const [p, value] of Object.entries(params)) {
      if (isSecretParam(p, t.secretParams ?? [], t.nonSecretParams ?? []) && value !== undefined) out.push({ path: `tobiko.gateways.${g}.${p}`, value, gateway: g, param: p, type: String(params.type) });
    }
  }
  return out;
}

/** Whether a held secret may go back: its place is empty, its gateway is there with the same engine, and no alternative to it is set. */
function fits(a: Answers, e: HeldSecret): boolean {
  if (get(a, e.path) !== undefined) return false;
  if (e.gateway === undefined) return true;
  const params = a.tobiko?.gateways?.[e.gateway] as Record<string, unknown> | undefined;
  if (!params || params.type !== e.type) return false;
  const alts = alternatives(e.type as EngineType).find((x) => x.includes(e.param!)) ?? [];
  return !alts.some((x) => params[x] !== undefined);
}

/**
 * The secret values for a strategy: those it does not use are put aside (held), those held that it uses
 * come back (the latest put aside first). Nothing typed is lost by going back and choosing another.
 */
function placeSecrets(answers: Answers, held: Held = {}, mode: Mode): { answers: Answers; held: Held } {
  let out = answers;
  const keep: Held = { ...held };
  for (const e of secretValues(out)) {
    if (USES[mode].includes(kindOf(e.value))) continue;
    delete keep[heldKey(e)];
    keep[heldKey(e)] = e;
    out = set(out, e.path, undefined);
  }
  for (const [k, e] of Object.entries(keep).reverse()) {
    if (!USES[mode].includes(kindOf(e.value)) || !fits(out, e)) continue;
    out = set(out, e.path, e.value);
    delete keep[k];
  }
  return { answers: out, held: keep };
}

/** The OAuth client secret: asked where hd-setup holds it (docker/podman: the env-file; Kubernetes: a Secret it creates, or inline). */
function clientSecretQuestion(c: Ctx, step: string): Question {
  const k8s = isK8s(c);
  return {
    id: 'client-secret',
    step,
    kind: 'text',
    secret: true,
    path: 'tobiko.clientSecret',
    title: 'OAuth client secret',
    help: secretHelp(c),
    initial: c.answers.tobiko?.clientSecret ?? '',
    ...(k8s ? { live: storedSecretLive } : {}),
    // docker/podman: it goes into the env-file, one line per value (a paste of several lines is refused here, not at the review)
    validate: (v) => {
      if (!v) return 'the client secret is required';
      const bad = k8s ? undefined : envFileValueProblem(v);
      return bad ? `the client secret ${bad}: give it on one line` : undefined;
    },
    apply: (cx, v) => ({ answers: set(cx.answers, 'tobiko.clientSecret', v || undefined) }),
  };
}

/**
 * Kubernetes: where the executor secrets live, asked before any secret value, then what that strategy
 * needs: the store, the Secret's name, or the client secret (only when hd-setup holds the values).
 */
function secretsQuestions(c: Ctx): Question[] {
  const s = c.answers.tobiko?.secrets ?? {};
  const strategy = s.strategy ?? 'existingSecret';
  const q: Question[] = [
    {
      id: 'strategy',
      step: 'Secrets',
      kind: 'select',
      title: 'Where do the executor secrets live?',
      help: 'The client secret and the gateways\' passwords are asked next only if hd-setup is to keep them: in a Secret it creates, or inline.',
      options: [
        { label: 'A Kubernetes Secret', value: 'existingSecret:create', hint: 'hd-setup creates it from what you enter next (kubectl, on stdin)' },
        { label: 'An existing Secret', value: 'existingSecret:existing', hint: 'you manage it: TCLOUD_CLIENT_SECRET, SQLMESH__GATEWAYS__...' },
        { label: 'External Secrets Operator', value: 'externalSecrets', hint: 'an ExternalSecret pulls them from your store' },
        { label: 'Inline in the Helm values', value: 'inline', hint: 'development only: the values file holds secrets' },
      ],
      initial: strategy === 'existingSecret' ? `existingSecret:${s.create === false ? 'existing' : 'create'}` : strategy,
      apply: (cx, v) => {
        const [st, mode] = v.split(':');
        // Only the strategy and create change: the other settings (a --set keyPrefix, a store) stay.
        const answers = put(put(cx.answers, 'tobiko.secrets.strategy', st !== 'existingSecret' || mode === 'existing' ? st : undefined), 'tobiko.secrets.create', mode === 'existing' ? false : undefined);
        const placed = placeSecrets(answers, cx.drafts.heldSecrets, modeOf(answers));
        return { answers: placed.answers, drafts: { ...cx.drafts, heldSecrets: placed.held } };
      },
    },
  ];
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
  if (holdsSecrets(c)) q.push(clientSecretQuestion(c, 'Secrets'));
  return q;
}

function questions(c: Ctx, shared: { proxy(): Question[] }): Question[] {
  const k8s = isK8s(c);
  const t = c.answers.tobiko ?? {};
  const q: Question[] = [
    { id: 'org', step: 'Credentials', kind: 'text', title: 'Tobiko Cloud organization', help: 'Its name in Tobiko Cloud: the <org> in https://cloud.tobikodata.com/sqlmesh/<org>/<project>.', initial: t.org ?? '', validate: shaped('the organization', PATTERNS.tobikoOrg), apply: (cx, v) => ({ answers: set(cx.answers, 'tobiko.org', v) }) },
    { id: 'project', step: 'Credentials', kind: 'text', title: 'Project', help: 'The project the executors run: the <project> in that URL.', initial: t.project ?? '', validate: shaped('the project', PATTERNS.tobikoProject), apply: (cx, v) => ({ answers: set(cx.answers, 'tobiko.project', v) }) },
    {
      id: 'client-id',
      step: 'Credentials',
      kind: 'text',
      title: 'OAuth client id',
      help: `Of the OAuth client Tobiko Cloud gave you for these executors (not a secret; ${k8s ? 'the Secrets step asks where its secret lives' : 'its secret comes next'}).`,
      initial: t.clientId ?? '',
      validate: required('the client id'),
      apply: (cx, v) => ({ answers: set(cx.answers, 'tobiko.clientId', v) }),
    },
  ];
  // Kubernetes: where the secrets live comes before any of them is asked (a Secret of the user's or a store
  // holds them itself); docker/podman: the env-file holds them, said after the proxy.
  if (k8s) q.push(namespaceQuestion(c, 'tobiko-namespace', 'tobiko'), ...secretsQuestions(c));
  else q.push(clientSecretQuestion(c, 'Credentials'));
  q.push(...gatewayQuestions(c));
  // The gateway list is open: the walk ends there.
  if (!(c.drafts.gatewaysDone || c.whole) && !c.drafts.gateway) return q;
  q.push(...shared.proxy());
  if (!k8s) q.push(secretsNote('Secrets go only into a 0600 env-file passed with --env-file; never on a command line.', 'Env-file, 0600'));
  return q;
}

const url: Field = {
  path: 'tobiko.url',
  label: 'Tobiko Cloud URL',
  help: 'Default: https://cloud.tobikodata.com/sqlmesh/<org>/<project>; a single-tenant or private deployment has its own.',
  check: tobikoUrlProblem,
};

function extraEnvField(path: string): Field {
  return {
    path,
    label: 'Extra environment variables (empty: none)',
    help: 'NAME=value, comma-separated, for both executors. A NAME with PASSWORD, SECRET or TOKEN in it, or one of key material (DD_API_KEY, DB_PASS), is a secret, and so is a value holding a URL with a password (masked, as it is typed too): give it as NAME=env:VAR or NAME=file:PATH.',
    check: (v) =>
      pairsProblem(v, (n) => (!mismatch(PATTERNS.envVarName, n) ? (isReservedEnvName(n) ? `${n} is set by hd-setup from its own question` : undefined) : `${n}: ${PATTERNS.envVarName.message}`)),
    parse: (v) => pairsOf(v).map(([name, value]) => ({ name, value })),
    show: (v) => (v as { name: string; value: string }[]).map((e) => `${e.name}=${e.value}`).join(', '),
    display: maskSecretPairs,
  };
}

function advanced(c: Ctx): Field[] {
  if (!isK8s(c)) {
    return [
      url,
      { path: 'tobiko.docker.image', label: 'Executor image', help: 'A registry mirror: the same image on your registry.', default: TOBIKO_IMAGE, check: imageProblem },
      { path: 'tobiko.docker.pullPolicy', label: 'Image pull policy', default: 'always', options: ['always', 'missing', 'never'], optionHints: PULL_POLICY_HINTS },
      { path: 'tobiko.docker.installDir', label: 'Install directory', help: 'Where the 0600 env-file lives.', default: '~/tobiko', check: installDirProblem },
      { path: 'tobiko.docker.restartPolicy', label: 'Restart policy', default: 'unless-stopped', options: TOBIKO_RESTART_POLICIES, optionHints: RESTART_POLICY_HINTS },
      extraEnvField('tobiko.docker.extraEnv'),
    ];
  }
  return [
    url,
    {
      path: 'tobiko.kubernetes.image.repository',
      label: 'Executor image repository (empty: the chart default)',
      help: 'A registry mirror, e.g. registry.internal/tobikodata/tcloud; give the tag too.',
      check: imageRepositoryProblem,
      needed: (a) => (a.tobiko?.kubernetes?.image?.tag ? 'give the repository of that tag (the image is a repository and a tag), or clear the tag' : undefined),
    },
    {
      path: 'tobiko.kubernetes.image.tag',
      label: 'Executor image tag (empty: the chart default)',
      check: imageTagProblem,
      needed: (a) => (a.tobiko?.kubernetes?.image?.repository ? 'give the tag of that repository (the image is a repository and a tag), or clear the repository' : undefined),
    },
    { path: 'tobiko.kubernetes.release', label: 'Helm release name', default: 'executors', check: (v) => mismatch(PATTERNS.helmRelease, v) },
    { path: 'tobiko.kubernetes.chart', label: 'Chart reference', help: 'A mirror of the chart, e.g. oci://registry.internal/tobikodata/hybrid-executors.', default: TOBIKO_CHART, check: chartProblem },
    { path: 'tobiko.kubernetes.chartVersion', label: 'Chart version (empty: the latest)', check: (v) => (v === '' ? undefined : mismatch(PATTERNS.chartVersion, v)) },
    { path: 'tobiko.kubernetes.timeout', label: 'Helm timeout', default: '5m', check: (v) => mismatch(PATTERNS.duration, v) },
    extraEnvField('tobiko.kubernetes.extraEnv'),
    egressField('tobiko.kubernetes.egressCheck'),
  ];
}

/** Scratch disk, as the chart takes it. */
const EPHEMERAL = { re: /^[0-9]+(Mi|Gi)$/, message: 'must be like 10Gi or 512Mi' };

const RESOURCES = [
  ['requests.cpu', 'CPU request', PATTERNS.cpu],
  ['requests.memory', 'memory request', PATTERNS.memory],
  ['requests.ephemeral-storage', 'scratch disk request (ephemeral-storage)', EPHEMERAL],
  ['limits.cpu', 'CPU limit', PATTERNS.cpu],
  ['limits.memory', 'memory limit', PATTERNS.memory],
  ['limits.ephemeral-storage', 'scratch disk limit (ephemeral-storage)', EPHEMERAL],
] as const;

const ROLE = { apply: 'Apply executor', run: 'Run executor' } as const;

function advancedQuestions(c: Ctx): Question[] {
  if (!isK8s(c)) return [];
  const resources = (['apply', 'run'] as const).flatMap((role) =>
    RESOURCES.map(([path, label, p]) => ({
      id: `res:${role}.${path}`,
      step: 'Advanced',
      kind: 'text' as const,
      title: `${ROLE[role]}: ${label} (empty: chart default)`,
      help: `--set tobiko.kubernetes.${role}.resources.${path}=…`,
      initial: String(get(c.answers, `tobiko.kubernetes.${role}.resources.${path}`) ?? ''),
      validate: (v: string) => (v && !p.re.test(v) ? p.message : undefined),
      // An empty field stays unset: no `requests: {}`.
      apply: (cx: Ctx, v: string) => ({ answers: put(cx.answers, `tobiko.kubernetes.${role}.resources.${path}`, v || undefined) }),
    })),
  );
  return [...replicas(c), ...resources];
}

function replicas(c: Ctx): Question[] {
  return (['apply', 'run'] as const).map((role) => ({
    id: `replicas:${role}`,
    step: 'Advanced',
    kind: 'text' as const,
    title: `${ROLE[role]}: replicas`,
    help: `${role === 'apply' ? 'Pods that apply plans' : 'Pods that run scheduled model runs'}. --set tobiko.kubernetes.${role}.replicas=…`,
    initial: String(c.answers.tobiko?.kubernetes?.[role]?.replicas ?? 1),
    validate: (v: string) => (/^\d+$/.test(v) && Number(v) <= 50 ? undefined : 'a whole number from 0 to 50'),
    apply: (cx: Ctx, v: string) => ({ answers: put(cx.answers, `tobiko.kubernetes.${role}.replicas`, Number(v) === 1 ? undefined : Number(v)) }),
  }));
}

export const tobikoWizard: ProductWizard = {
  id: 'tobiko',
  option: { label: 'Tobiko Cloud hybrid executors', hint: 'SQLMesh plans and runs, in your network' },
  proxyTitle: 'Do the executors reach the internet through a proxy?',
  questions,
  advanced,
  advancedQuestions,
  advancedGiven: (c) =>
    isK8s(c)
      ? (['apply', 'run'] as const).flatMap((r) => [
          ...(c.answers.tobiko?.kubernetes?.[r]?.replicas !== undefined ? [`${r}.replicas=${c.answers.tobiko.kubernetes[r].replicas}`] : []),
          ...RESOURCES.map(([path]) => [path, get(c.answers, `tobiko.kubernetes.${r}.resources.${path}`)] as const).filter(([, v]) => v !== undefined).map(([path, v]) => `${r}.${path}=${v}`),
        ])
      : [],
};
