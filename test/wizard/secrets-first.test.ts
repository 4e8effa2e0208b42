// Tobiko on Kubernetes: "Where do the executor secrets live?" is asked before any secret value, and the
// secret values (the client secret, the gateways' passwords) only when hd-setup is to hold them (a Secret it
// creates, or inline). A Secret the user made, or a store, holds them itself: nothing typed for nothing.
// Going back and choosing another strategy puts aside what that one does not use and brings it back when
// one that does is chosen again. Driven through the pure state machine (no Ink).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseModel } from '../../src/products/load.js';
import { render } from '../../src/service/plan.js';
import { productOf } from '../../src/products/index.js';
import { createState, currentQuestion, prefill, progress, reduce, type WizardState } from '../../src/ui/wiz/state.js';
import { questions, type Answers } from '../../src/ui/wiz/questions.js';
import { RENDER_ENV, SECRET_ENV } from '../helpers.js';
import { withSecretRefs } from '../../src/model/secret-refs.js';
import { secretFields } from '../../src/products/secrets.js';
import { toYaml } from '../../src/render/yaml.js';
import { equivalentCommand } from '../../src/service/command.js';

const submit = (s: WizardState, value: string) => reduce(s, { type: 'submit', value });
const walk = (s: WizardState, values: string[]) => values.reduce(submit, s);
const at = (s: WizardState) => currentQuestion(s).id;
function backTo(s: WizardState, id: string): WizardState {
  for (let i = 0; i < 60 && at(s) !== id; i++) s = reduce(s, { type: 'back' });
  expect(at(s)).toBe(id);
  return s;
}
/** The question ids met while submitting `values`, in order. */
function asked(s: WizardState, values: string[]): { s: WizardState; ids: string[] } {
  const ids: string[] = [];
  for (const v of values) {
    ids.push(at(s));
    s = submit(s, v);
    expect(s.error, ids[ids.length - 1]).toBeUndefined();
  }
  return { s, ids };
}
const modelProblem = (answers: Answers) => {
  try {
    parseModel(structuredClone(answers), { env: SECRET_ENV });
    return '';
  } catch (e) {
    return (e as Error).message;
  }
};
/** Up to the strategy question, on Kubernetes. */
const toStrategy = () => walk(createState(), ['tobiko', 'kubernetes', 'acme', 'analytics', 'cid', 'tobiko']);
/** A postgres gateway, with its password when `pw` is given (asked only then). */
const postgres = (pw?: string) => ['add', 'wh', 'postgres', 'db', '5432', 'analytics', 'u', ...(pw === undefined ? [] : [pw]), 'done'];

describe('Tobiko on Kubernetes: where the secrets live comes first, their values only when hd-setup holds them', () => {
  it('the strategy is asked before any secret value, after the credentials and the namespace', () => {
    const { s, ids } = asked(createState(), ['tobiko', 'kubernetes', 'acme', 'analytics', 'cid', 'tobiko']);
    expect(ids).toEqual(['product', 'runtime', 'org', 'project', 'client-id', 'tobiko-namespace']);
    expect(questions({ answers: s.answers, drafts: {}, detection: {} }).find((q) => q.id === 'client-id')?.help).toContain('the Secrets step asks where its secret lives');
    expect(at(s)).toBe('strategy');
    // the header: the Secrets step before the Gateways
    expect(progress(s).steps).toEqual(['Product', 'Runtime', 'Credentials', 'Secrets', 'Gateways', 'Proxy', 'Advanced', 'Review']);
    expect(progress(s).current).toBe('Secrets');
  });

  it('an existing Secret: no client secret, no gateway password is asked; the model takes the answers', () => {
    const { s, ids } = asked(toStrategy(), ['existingSecret:existing', 'my-secrets', ...postgres(), 'none', 'defaults']);
    expect(ids).toEqual(['strategy', 'secret-name', 'gw-menu', 'gw-name', 'gw-type', 'gw-param:host', 'gw-param:port', 'gw-param:database', 'gw-param:user', 'gw-menu', 'proxy', 'advanced']);
    expect(at(s)).toBe('review');
    expect(s.answers.tobiko.clientSecret).toBeUndefined();
    expect(s.answers.tobiko.gateways.wh).toEqual({ type: 'postgres', host: 'db', port: 5432, database: 'analytics', user: 'u' });
    expect(s.answers.tobiko.secrets).toEqual({ strategy: 'existingSecret', create: false, name: 'my-secrets' });
    expect(modelProblem(s.answers)).toBe('');
  });

  it('External Secrets: the store is asked, no secret value', () => {
    const { s, ids } = asked(toStrategy(), ['externalSecrets', 'ClusterSecretStore', 'aws', '1h', 'sqlmesh/', ...postgres(), 'none', 'defaults']);
    expect(ids).toEqual(['strategy', 'store-kind', 'store-name', 'refresh', 'key-prefix', 'gw-menu', 'gw-name', 'gw-type', 'gw-param:host', 'gw-param:port', 'gw-param:database', 'gw-param:user', 'gw-menu', 'proxy', 'advanced']);
    expect(at(s)).toBe('review');
    expect(modelProblem(s.answers)).toBe('');
  });

  for (const [strategy, where] of [
    ['existingSecret:create', 'hd-setup puts it in the Secret it creates'],
    ['inline', 'it goes into the Helm values'],
  ] as const) {
    it(`${strategy}: the client secret right after the strategy, and the password; both required (the model needs them)`, () => {
      let s = submit(toStrategy(), strategy);
      expect(at(s)).toBe('client-secret');
      const q = currentQuestion(s);
      expect(q.step).toBe('Secrets');
      expect(q.help).toContain(where);
      s = submit(s, '');
      expect(s.error).toBe('the client secret is required');
      s = walk(s, ['cs-1', 'add', 'wh', 'postgres', 'db', '5432', 'analytics', 'u']);
      expect(at(s)).toBe('gw-param:password');
      expect(currentQuestion(s).help).toContain(where);
      s = submit(s, '');
      expect(s.error).toBe('password is required for postgres');
      s = walk(s, ['pw-1', 'done', 'none', 'defaults']);
      expect(at(s)).toBe('review');
      expect(s.answers.tobiko).toMatchObject({ clientSecret: 'cs-1', gateways: { wh: { password: 'pw-1' } } });
      expect(modelProblem(s.answers)).toBe('');
    });
  }

  it('docker/podman: unchanged, the client secret in the Credentials step and no strategy', () => {
    for (const runtime of ['docker', 'podman']) {
      const { s, ids } = asked(createState(), ['tobiko', runtime, 'acme', 'analytics', 'cid', 'cs', ...postgres('pw'), 'none', 'ok', 'defaults']);
      expect(ids).toEqual(['product', 'runtime', 'org', 'project', 'client-id', 'client-secret', 'gw-menu', 'gw-name', 'gw-type', 'gw-param:host', 'gw-param:port', 'gw-param:database', 'gw-param:user', 'gw-param:password', 'gw-menu', 'proxy', 'secrets-info', 'advanced']);
      expect(questions({ answers: s.answers, drafts: {}, detection: {} }).find((q) => q.id === 'client-secret')?.step).toBe('Credentials');
      expect(at(s)).toBe('review');
    }
  });
});

describe('Back to the strategy: values put aside, and back when a strategy that uses them is chosen again', () => {
  it('typed for a Secret hd-setup creates, then an existing Secret: not in the answers (nor lost); a Secret hd-setup creates again: back', () => {
    let s = walk(toStrategy(), ['existingSecret:create', 'cs-1', ...postgres('pw-1'), 'none', 'defaults']);
    expect(at(s)).toBe('review');
    s = walk(backTo(s, 'strategy'), ['existingSecret:existing', 'executors-secrets']);
    expect(s.answers.tobiko.clientSecret).toBeUndefined();
    expect(s.answers.tobiko.gateways.wh.password).toBeUndefined();
    expect(JSON.stringify(s.answers)).not.toMatch(/cs-1|pw-1/);
    // Enter on to the review: the model takes them (it refuses a literal with create: false)
    s = walk(s, ['done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(modelProblem(s.answers)).toBe('');
    // and back: the field shows the one typed before (Enter keeps it), and the gateway has its password
    s = submit(backTo(s, 'strategy'), 'existingSecret:create');
    expect(at(s)).toBe('client-secret');
    expect(s.text).toBe('cs-1');
    expect(s.answers.tobiko.gateways.wh.password).toBe('pw-1');
    s = walk(s, ['cs-1', 'done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(s.answers.tobiko).toMatchObject({ clientSecret: 'cs-1', gateways: { wh: { password: 'pw-1' } } });
    expect(modelProblem(s.answers)).toBe('');
  });

  it('a gateway entered while an existing Secret held the secrets: a Secret hd-setup creates asks for its password at the list', () => {
    let s = walk(toStrategy(), ['existingSecret:existing', 'executors-secrets', ...postgres(), 'none', 'defaults']);
    s = walk(backTo(s, 'strategy'), ['existingSecret:create', 'cs-1']);
    expect(at(s)).toBe('gw-menu');
    const menu = currentQuestion(s);
    expect(menu.kind === 'select' && menu.options.find((o) => o.value === 'edit:wh')?.hint).toBe('no password yet');
    s = submit(s, 'done');
    expect(s.error).toBe('gateway wh has no password yet: choose "Edit wh" to give it (it goes into the Secret hd-setup creates)');
    expect(at(s)).toBe('gw-menu');
    s = walk(s, ['edit:wh', 'wh', 'postgres', 'db', '5432', 'analytics', 'u']);
    expect(at(s)).toBe('gw-param:password');
    s = walk(s, ['pw-2', 'done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(modelProblem(s.answers)).toBe('');
  });

  it('a value typed later replaces the one put aside; a renamed gateway takes its own along; a removed one\'s does not come back', () => {
    let s = walk(toStrategy(), ['existingSecret:create', 'cs-1', ...postgres('pw-1'), 'none', 'defaults']);
    // inline: typed again there, then an existing Secret, then a Secret hd-setup creates: the latest one
    s = walk(backTo(s, 'strategy'), ['existingSecret:existing', 'executors-secrets']);
    s = walk(backTo(s, 'strategy'), ['inline']);
    expect(s.text).toBe('cs-1');
    s = walk(s, ['cs-2', 'done', 'none', 'defaults']);
    s = walk(backTo(s, 'strategy'), ['existingSecret:existing', 'executors-secrets']);
    // renamed while put aside
    s = walk(s, ['edit:wh', 'main', 'postgres', 'db', '5432', 'analytics', 'u']);
    expect(Object.keys(s.answers.tobiko.gateways)).toEqual(['main']);
    s = walk(backTo(s, 'strategy'), ['existingSecret:create']);
    expect(s.text).toBe('cs-2');
    expect(s.answers.tobiko.gateways.main.password).toBe('pw-1');
    // removed, and one by the same name added while put aside: not the removed one's password
    s = walk(backTo(s, 'strategy'), ['existingSecret:existing', 'executors-secrets', 'remove:main', 'remove', 'add', 'main', 'postgres', 'db2', '5432', 'other', 'u2']);
    s = walk(backTo(s, 'strategy'), ['existingSecret:create', 'cs-2']);
    expect(s.answers.tobiko.gateways.main).toEqual({ type: 'postgres', host: 'db2', port: 5432, database: 'other', user: 'u2' });
    expect(submit(s, 'done').error).toMatch(/^gateway main has no password/);
  });
});

describe('re-runs: what the install keeps is kept', () => {
  const SECRET = 'stored:secret/executors-secrets#TCLOUD_CLIENT_SECRET';
  const PW = 'stored:secret/executors-secrets#SQLMESH__GATEWAYS__WH__CONNECTION__PASSWORD';
  const created = { product: 'tobiko', runtime: 'kubernetes', tobiko: { org: 'acme', project: 'p', clientId: 'c', clientSecret: SECRET, gateways: { wh: { type: 'postgres', host: 'db', port: 5432, database: 'a', user: 'u', password: PW } }, kubernetes: { namespace: 'tobiko' } } };

  it('a Secret hd-setup made: the stored secrets are taken as given, the field says so; put aside for an existing Secret or inline, back after', () => {
    let s = prefill(createState(created));
    expect(at(s)).toBe('review');
    expect(s.answers.tobiko.clientSecret).toBe(SECRET);
    s = backTo(s, 'client-secret');
    const q = currentQuestion(s);
    expect(q.kind === 'text' && q.live?.(SECRET)).toEqual({ ok: true, text: 'kept where the install has it (secret/executors-secrets#TCLOUD_CLIENT_SECRET); Enter keeps it, or paste a new one' });
    // inline cannot take them from the Secret: asked again
    s = submit(backTo(s, 'strategy'), 'inline');
    expect(at(s)).toBe('client-secret');
    expect(s.text).toBe('');
    expect(s.answers.tobiko.gateways.wh.password).toBeUndefined();
    // a Secret hd-setup creates again: they are back
    s = walk(backTo(s, 'strategy'), ['existingSecret:create']);
    expect(s.text).toBe(SECRET);
    s = walk(s, [SECRET, 'done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(s.answers).toEqual(created);
  });

  it('one typed in place of the stored one (inline) is the one that comes back, not the stored one', () => {
    let s = prefill(createState(created));
    s = walk(backTo(s, 'strategy'), ['inline', 'cs-new']);
    s = walk(backTo(s, 'strategy'), ['existingSecret:existing', 'executors-secrets']);
    expect(s.answers.tobiko.clientSecret).toBeUndefined();
    s = submit(backTo(s, 'strategy'), 'existingSecret:create');
    expect(s.text).toBe('cs-new');
    // the password was not typed again: the stored one is back
    expect(s.answers.tobiko.gateways.wh.password).toBe(PW);
  });

  it('External Secrets with a remote key of its own: kept (it was dropped); put aside while hd-setup holds the values', () => {
    const eso = { product: 'tobiko', runtime: 'kubernetes', tobiko: { org: 'acme', project: 'p', clientId: 'c', gateways: { wh: { type: 'postgres', host: 'db', port: 5432, database: 'a', user: 'u', password: 'remote:team/wh-pass' } }, secrets: { strategy: 'externalSecrets', store: { kind: 'ClusterSecretStore', name: 'aws' } } } };
    let s = prefill(createState(eso));
    expect(at(s)).toBe('review');
    expect(s.answers.tobiko.gateways.wh.password).toBe('remote:team/wh-pass');
    expect(modelProblem(s.answers)).toBe('');
    s = walk(backTo(s, 'strategy'), ['existingSecret:create', 'cs-1']);
    expect(s.answers.tobiko.gateways.wh.password).toBeUndefined();
    expect(submit(s, 'done').error).toMatch(/^gateway wh has no password/);
    s = walk(backTo(s, 'strategy'), ['externalSecrets']);
    expect(s.answers.tobiko.gateways.wh.password).toBe('remote:team/wh-pass');
    expect(s.answers.tobiko.clientSecret).toBeUndefined();
  });

  it('an existing Secret: prefilled up to the review, no secret asked on the way', () => {
    const existing = { product: 'tobiko', runtime: 'kubernetes', tobiko: { org: 'acme', project: 'p', clientId: 'c', gateways: { wh: { type: 'postgres', host: 'db', port: 5432, database: 'a', user: 'u' } }, secrets: { strategy: 'existingSecret', create: false, name: 'mine' }, kubernetes: { namespace: 'tobiko' } } };
    const s = prefill(createState(existing));
    expect(at(s)).toBe('review');
    expect(s.history).not.toContain('client-secret');
    expect(s.answers).toEqual(existing);
  });
});

describe('key material under a Secret of the user\'s or a store: not asked, like a password; where it is read from is said', () => {
  const model = (answers: Answers) => parseModel(structuredClone(answers), { env: SECRET_ENV }).model;
  const rendered = (answers: Answers) => Object.fromEntries(render(model(answers), RENDER_ENV).map((f) => [f.path, parse(f.content)]));
  const hintOf = (s: WizardState, value: string) => {
    const q = currentQuestion(s);
    return q.kind === 'select' ? q.options.find((o) => o.value === value)?.hint : undefined;
  };
  /** The option the cursor is on. */
  const selected = (s: WizardState) => {
    const q = currentQuestion(s);
    return q.kind === 'select' ? q.options[s.choice]?.value : undefined;
  };

  it('an existing Secret, Snowflake with a key pair: private_key is not asked; secretParams lists it; the chart reads it from the Secret', () => {
    expect(currentQuestion(walk(toStrategy(), ['existingSecret:existing', 'my-secrets'])).help).toContain('Secret my-secrets must hold the key TCLOUD_CLIENT_SECRET.');
    let s = walk(toStrategy(), ['existingSecret:existing', 'my-secrets', 'add', 'lake', 'snowflake']);
    expect(at(s)).toBe('gw-auth:0');
    // the option says where, short (a hint is cut to the line); the help names each key whole
    expect(hintOf(s, 'private_key')).toBe('not typed here: in Secret my-secrets');
    expect(hintOf(s, 'password')).toBe('not typed here: in Secret my-secrets');
    expect(hintOf(s, 'private_key_path')).toBeUndefined();
    expect(currentQuestion(s).help!.split('\n')).toEqual([
      'Snowflake needs one of them.',
      'Not typed here, read by the executors from:',
      'password: Secret my-secrets, key SQLMESH__GATEWAYS__LAKE__CONNECTION__PASSWORD',
      'private_key: Secret my-secrets, key SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY',
    ]);
    const r = asked(s, ['private_key', 'acct', 'svc', '', '', '']);
    expect(r.ids).toEqual(['gw-auth:0', 'gw-param:account', 'gw-param:user', 'gw-param:warehouse', 'gw-param:database', 'gw-param:role']);
    s = r.s;
    expect(at(s)).toBe('gw-menu');
    expect(s.answers.tobiko.gateways.lake).toEqual({ type: 'snowflake', account: 'acct', user: 'svc' });
    expect(s.answers.tobiko.secretParams).toEqual(['private_key']);
    // the list says which keys the Secret must hold
    expect(currentQuestion(s).help).toContain('Secret my-secrets must hold the keys TCLOUD_CLIENT_SECRET and SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY.');
    s = walk(s, ['done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(modelProblem(s.answers)).toBe('');
    const files = rendered(s.answers);
    expect(Object.keys(files)).toEqual(['values.yaml']);
    const values = files['values.yaml'];
    // listed with an empty value and in secretParams: the chart takes SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY from the Secret
    expect(values.global.sqlmesh.secretParams).toEqual(['private_key']);
    expect(values.global.sqlmesh.gateways.lake.connection).toEqual({ type: 'snowflake', account: 'acct', user: 'svc', private_key: '' });
    expect(values.secrets).toEqual({ existingSecret: 'my-secrets' });
    expect(productOf(model(s.answers)).kube(model(s.answers)).requiredSecret?.fix).toBe('create it with the keys TCLOUD_CLIENT_SECRET, SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY, or set tobiko.secrets.create=true');

    // edited: the key pair is the alternative in use; a password instead takes it out of secretParams
    s = walk(backTo(s, 'gw-menu'), ['edit:lake', 'lake', 'snowflake']);
    expect(at(s)).toBe('gw-auth:0');
    expect(selected(s)).toBe('private_key');
    s = walk(s, ['password', 'acct', 'svc', '', '', '', 'done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(s.answers.tobiko.secretParams).toBeUndefined();
    expect(rendered(s.answers)['values.yaml'].global.sqlmesh.gateways.lake.connection).toEqual({ type: 'snowflake', account: 'acct', user: 'svc', password: '' });
  });

  it('External Secrets, Snowflake with a key pair: not asked; the ExternalSecret fetches it from the store', () => {
    let s = walk(toStrategy(), ['externalSecrets', 'ClusterSecretStore', 'aws', '1h', 'team/', 'add', 'lake', 'snowflake']);
    expect(hintOf(s, 'private_key')).toBe('not typed here: in the store');
    expect(currentQuestion(s).help).toContain('private_key: the store, remote key team/SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY');
    s = walk(s, ['private_key', 'acct', 'svc', '', '', '']);
    expect(at(s)).toBe('gw-menu');
    expect(currentQuestion(s).help).toContain('The store must hold the remote keys team/TCLOUD_CLIENT_SECRET and team/SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY.');
    s = walk(s, ['done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(modelProblem(s.answers)).toBe('');
    const files = rendered(s.answers);
    expect(files['values.yaml'].global.sqlmesh.gateways.lake.connection.private_key).toBe('');
    expect(files['values.yaml'].global.sqlmesh.gateways.lake.connection.password).toBeUndefined();
    expect(files['external-secret.yaml'].spec.data).toEqual([
      { secretKey: 'SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY', remoteRef: { key: 'team/SQLMESH__GATEWAYS__LAKE__CONNECTION__PRIVATE_KEY' } },
      { secretKey: 'TCLOUD_CLIENT_SECRET', remoteRef: { key: 'team/TCLOUD_CLIENT_SECRET' } },
    ]);
  });

  it('BigQuery\'s keyfile_json under an existing Secret: asked only whether the Secret holds it, never its value', () => {
    let s = walk(toStrategy(), ['existingSecret:existing', 'my-secrets', 'add', 'bq', 'bigquery', 'my-project', 'service-account-json', '']);
    expect(at(s)).toBe('gw-param:keyfile_json');
    const q = currentQuestion(s);
    expect(q.kind).toBe('select');
    expect(q.help).toBe('The service account JSON key itself. Not typed here: if set, it is read from Secret my-secrets, key SQLMESH__GATEWAYS__BQ__CONNECTION__KEYFILE_JSON (tobiko.secretParams lists keyfile_json).');
    expect(hintOf(s, 'secret')).toBe('Secret my-secrets, key SQLMESH__GATEWAYS__BQ__CONNECTION__KEYFILE_JSON');
    s = walk(s, ['secret', '']);
    expect(at(s)).toBe('gw-menu');
    expect(s.answers.tobiko.gateways.bq).toEqual({ type: 'bigquery', project: 'my-project', method: 'service-account-json' });
    expect(s.answers.tobiko.secretParams).toEqual(['keyfile_json']);
    s = walk(s, ['done', 'none', 'defaults']);
    expect(modelProblem(s.answers)).toBe('');
    const values = rendered(s.answers)['values.yaml'];
    expect(values.global.sqlmesh.secretParams).toEqual(['keyfile_json']);
    expect(values.global.sqlmesh.gateways.bq.connection).toEqual({ type: 'bigquery', project: 'my-project', method: 'service-account-json', keyfile_json: '' });
    // not set: none in the values, and none in secretParams
    s = walk(backTo(s, 'gw-menu'), ['edit:bq', 'bq', 'bigquery', 'my-project', '', '']);
    expect(at(s)).toBe('gw-param:keyfile_json');
    expect(selected(s)).toBe('secret');
    s = walk(s, ['unset', '', 'done', 'none', 'defaults']);
    expect(s.answers.tobiko.secretParams).toBeUndefined();
    expect(rendered(s.answers)['values.yaml'].global.sqlmesh.gateways.bq.connection).toEqual({ type: 'bigquery', project: 'my-project' });
  });

  it('two Snowflake gateways under one existing Secret: one list (secretParams) says the alternative of both; the question says so, and a change there is theirs too (never refused: each can be changed)', () => {
    let s = walk(toStrategy(), ['existingSecret:existing', 'my-secrets', 'add', 'lake', 'snowflake', 'private_key', 'acct', 'svc', '', '', '', 'add', 'lake2', 'snowflake']);
    expect(at(s)).toBe('gw-auth:0');
    // the one the Secret holds for the other is where the cursor starts, and the sharing is said before the choice
    expect(selected(s)).toBe('private_key');
    expect(currentQuestion(s).help).toContain('Shared with gateway lake: with Secret my-secrets one list (tobiko.secretParams) says which every Snowflake gateway reads, so this choice is theirs too.');
    s = walk(s, ['password', 'acct', 'svc', '', '', '']);
    expect(s.error).toBeUndefined();
    expect(at(s)).toBe('gw-menu');
    // both now read the password: what the values say is what the last choice said
    expect(s.answers.tobiko.secretParams).toBeUndefined();
    s = walk(s, ['done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(modelProblem(s.answers)).toBe('');
    const conn = (v: Record<string, any>, g: string) => v.global.sqlmesh.gateways[g].connection;
    let v = rendered(s.answers)['values.yaml'];
    expect([conn(v, 'lake').password, conn(v, 'lake2').password]).toEqual(['', '']);
    // and back to the key pair from either one: never stuck
    s = walk(backTo(s, 'gw-menu'), ['edit:lake', 'lake', 'snowflake', 'private_key', 'acct', 'svc', '', '', '', 'done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    v = rendered(s.answers)['values.yaml'];
    expect([conn(v, 'lake').private_key, conn(v, 'lake2').private_key]).toEqual(['', '']);
    // an alternative given here (a path) is this gateway's own
    s = walk(backTo(s, 'gw-menu'), ['edit:lake2', 'lake2', 'snowflake', 'private_key_path', 'acct', 'svc', '/keys/k.p8', '', '', '', 'done', 'none', 'defaults']);
    expect(s.answers.tobiko.secretParams).toEqual(['private_key']);
    expect(modelProblem(s.answers)).toBe('');
  });

  it('External Secrets: each gateway names its own remote keys, so one choosing a password beside one whose key pair is in the store gets the password (it got the key pair)', () => {
    let s = walk(toStrategy(), ['externalSecrets', 'ClusterSecretStore', 'aws', '1h', 'team/', 'add', 'a', 'snowflake', 'private_key', 'acct', 'svc', '', '', '', 'add', 'b', 'snowflake']);
    expect(currentQuestion(s).help).not.toContain('Shared with');
    s = walk(s, ['password', 'acct', 'svc', '', '', '', 'done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(modelProblem(s.answers)).toBe('');
    const files = rendered(s.answers);
    expect(files['values.yaml'].global.sqlmesh.gateways.a.connection.private_key).toBe('');
    expect(files['values.yaml'].global.sqlmesh.gateways.b.connection).toEqual({ type: 'snowflake', account: 'acct', user: 'svc', password: '' });
    expect(files['external-secret.yaml'].spec.data.map((d: { secretKey: string }) => d.secretKey)).toEqual(['SQLMESH__GATEWAYS__A__CONNECTION__PRIVATE_KEY', 'SQLMESH__GATEWAYS__B__CONNECTION__PASSWORD', 'TCLOUD_CLIENT_SECRET']);
    // the other way round: a on a password, then b on a key pair: a keeps its password
    s = walk(toStrategy(), ['externalSecrets', 'ClusterSecretStore', 'aws', '1h', 'team/', 'add', 'a', 'snowflake', 'password', 'acct', 'svc', '', '', '', 'add', 'b', 'snowflake', 'private_key', 'acct', 'svc', '', '', '', 'done', 'none', 'defaults']);
    expect(modelProblem(s.answers)).toBe('');
    const data = rendered(s.answers)['external-secret.yaml'].spec.data.map((d: { secretKey: string; remoteRef: { key: string } }) => [d.secretKey, d.remoteRef.key]);
    expect(data).toEqual([
      ['SQLMESH__GATEWAYS__A__CONNECTION__PASSWORD', 'team/SQLMESH__GATEWAYS__A__CONNECTION__PASSWORD'],
      ['SQLMESH__GATEWAYS__B__CONNECTION__PRIVATE_KEY', 'team/SQLMESH__GATEWAYS__B__CONNECTION__PRIVATE_KEY'],
      ['TCLOUD_CLIENT_SECRET', 'team/TCLOUD_CLIENT_SECRET'],
    ]);
  });

  it('External Secrets, two BigQuery gateways: "Not set" for one beside one whose keyfile_json is in the store fetches none for it', () => {
    const s = walk(toStrategy(), ['externalSecrets', 'ClusterSecretStore', 'aws', '1h', 'team/', 'add', 'a', 'bigquery', 'p1', 'service-account-json', '', 'secret', '', 'add', 'b', 'bigquery', 'p2', 'oauth', '', 'unset', '', 'done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(modelProblem(s.answers)).toBe('');
    const files = rendered(s.answers);
    expect(files['values.yaml'].global.sqlmesh.gateways.a.connection.keyfile_json).toBe('');
    expect(files['values.yaml'].global.sqlmesh.gateways.b.connection.keyfile_json).toBeUndefined();
    expect(files['external-secret.yaml'].spec.data.map((d: { secretKey: string }) => d.secretKey)).toEqual(['SQLMESH__GATEWAYS__A__CONNECTION__KEYFILE_JSON', 'TCLOUD_CLIENT_SECRET']);
  });

  it('keyfile_json said to be in the user\'s Secret, then a Secret hd-setup creates: the gateway list says it has none yet', () => {
    let s = walk(toStrategy(), ['existingSecret:existing', 'my-secrets', 'add', 'bq', 'bigquery', 'my-project', 'service-account-json', '', 'secret', '', 'done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    s = walk(backTo(s, 'strategy'), ['existingSecret:create', 'cs-1']);
    expect(at(s)).toBe('gw-menu');
    const q = currentQuestion(s);
    expect(q.kind === 'select' && q.options.find((o) => o.value === 'edit:bq')?.hint).toBe('no keyfile_json yet');
  });

  it('docker: a gateway edited leaves tobiko.secretParams as it was given (key material of no gateway was dropped from it)', () => {
    const preset = { product: 'tobiko', runtime: 'docker', tobiko: { org: 'acme', project: 'p', clientId: 'c', clientSecret: 'env:TCLOUD_CLIENT_SECRET', secretParams: ['private_key', 'keyfile_json'], gateways: { lake: { type: 'snowflake', account: 'a', user: 'u', password: 'env:WAREHOUSE_PASSWORD' } } } };
    let s = prefill(createState(preset));
    expect(at(s)).toBe('review');
    s = walk(backTo(s, 'gw-menu'), ['edit:lake', 'lake', 'snowflake', 'password', 'a', 'u', '', '', '', '', 'done', 'none', 'ok', 'defaults']);
    expect(at(s)).toBe('review');
    expect(s.answers.tobiko.secretParams).toEqual(['private_key', 'keyfile_json']);
  });

  it('a key typed for a Secret hd-setup creates, then an existing Secret: put aside, and the chart reads the key pair (not a password) from that Secret', () => {
    let s = walk(toStrategy(), ['existingSecret:create', 'cs-1', 'add', 'lake', 'snowflake', 'private_key', 'acct', 'svc', 'pk-1', '', '', '', 'done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(s.answers.tobiko.secretParams).toEqual(['private_key']);
    s = walk(backTo(s, 'strategy'), ['existingSecret:existing', 'my-secrets', 'done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(JSON.stringify(s.answers)).not.toMatch(/pk-1|cs-1/);
    expect(modelProblem(s.answers)).toBe('');
    expect(rendered(s.answers)['values.yaml'].global.sqlmesh.gateways.lake.connection).toEqual({ type: 'snowflake', account: 'acct', user: 'svc', private_key: '' });
    // and back: the key typed before
    s = walk(backTo(s, 'strategy'), ['existingSecret:create']);
    expect(s.answers.tobiko.gateways.lake.private_key).toBe('pk-1');
  });

  it('an existing Secret and secretParams naming a param that is no key material (database): no gateway is made to read it from the Secret', () => {
    const preset = { product: 'tobiko', runtime: 'kubernetes', tobiko: { org: 'acme', project: 'p', clientId: 'c', secretParams: ['database'], gateways: { lake: { type: 'snowflake', account: 'a', user: 'u' } }, secrets: { strategy: 'existingSecret', create: false, name: 'mine' }, kubernetes: { namespace: 'tobiko' } } };
    expect(modelProblem(preset)).toBe('');
    expect(rendered(preset)['values.yaml'].global.sqlmesh.gateways.lake.connection).toEqual({ type: 'snowflake', account: 'a', user: 'u', password: '' });
  });

  it('a preset with an existing Secret and secretParams [private_key]: the key is not in the preset, and the chart reads it from the Secret', () => {
    const preset = { product: 'tobiko', runtime: 'kubernetes', tobiko: { org: 'acme', project: 'p', clientId: 'c', secretParams: ['private_key'], gateways: { lake: { type: 'snowflake', account: 'a', user: 'u' } }, secrets: { strategy: 'existingSecret', create: false, name: 'mine' }, kubernetes: { namespace: 'tobiko' } } };
    expect(modelProblem(preset)).toBe('');
    const values = rendered(preset)['values.yaml'];
    expect(values.global.sqlmesh.gateways.lake.connection).toEqual({ type: 'snowflake', account: 'a', user: 'u', private_key: '' });
    // the wizard on it: up to the review, nothing asked
    const w = prefill(createState(preset));
    expect(at(w)).toBe('review');
    expect(w.answers).toEqual(preset);
  });
});

describe('a value typed into a param that holds a secret (a URL with a password): never in the values, the saved preset or the command', () => {
  const PW = 'Typ3dUrlPw';
  const URL_PW = `postgresql://u:${PW}@h:5432/db`;
  const model = (answers: Answers) => parseModel(structuredClone(answers), { env: SECRET_ENV }).model;
  const files = (answers: Answers): Record<string, string> => Object.fromEntries(render(model(answers), RENDER_ENV).map((f) => [f.path, f.content]));
  /** What the review saves (cli/wizard.ts save) and the command it prints (service/command.ts). */
  const saved = (answers: Answers) => toYaml(withSecretRefs(answers, secretFields(answers)).preset);
  const lake = ['add', 'lake', 'duckdb', URL_PW];

  it('docker: kept as typed for the 0600 env-file; saved and printed as env:LAKE_DATABASE; masked when the gateway is edited again', () => {
    let s = walk(createState(), ['tobiko', 'docker', 'acme', 'analytics', 'cid', 'cs', ...lake]);
    expect(at(s)).toBe('gw-menu');
    s = walk(s, ['done', 'none', 'ok', 'defaults']);
    expect(at(s)).toBe('review');
    expect(s.answers.tobiko.gateways.lake).toEqual({ type: 'duckdb', database: URL_PW });
    expect(s.answers.tobiko.secretParams).toBeUndefined();
    expect(files(s.answers)['tobiko.env']).toContain(`\nSQLMESH__GATEWAYS__LAKE__CONNECTION__DATABASE=${URL_PW}\n`);
    expect(saved(s.answers)).toContain('      database: env:LAKE_DATABASE\n');
    const eq = equivalentCommand(s.answers, { env: { ...SECRET_ENV, LAKE_DATABASE: URL_PW } });
    expect(eq.vars).toContain('LAKE_DATABASE');
    for (const out of [saved(s.answers), eq.command]) expect(out).not.toContain(PW);
    s = walk(backTo(s, 'gw-menu'), ['edit:lake', 'lake', 'duckdb']);
    expect(at(s)).toBe('gw-param:database');
    expect(currentQuestion(s)).toMatchObject({ kind: 'text', secret: true });
  });

  it('Kubernetes, a Secret hd-setup creates: marked secret (secretParams), so the chart takes it from that Secret, not from the 0644 values', () => {
    let s = walk(toStrategy(), ['existingSecret:create', 'cs-1', 'add', 'wh', 'postgres', 'db', '5432', 'analytics', 'u', 'pw-1', ...lake]);
    expect(at(s)).toBe('gw-menu');
    expect(s.answers.tobiko.secretParams).toEqual(['database']);
    s = walk(s, ['done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(modelProblem(s.answers)).toBe('');
    const f = files(s.answers);
    expect(f['values.yaml']).not.toContain(PW);
    expect(parse(f['values.yaml']!).global.sqlmesh.gateways.lake.connection).toEqual({ type: 'duckdb', database: '' });
    expect(parse(f['secret.yaml']!).stringData.SQLMESH__GATEWAYS__LAKE__CONNECTION__DATABASE).toBe(URL_PW);
    expect(saved(s.answers)).not.toContain(PW);
  });

  it('Kubernetes, a Secret of the user\'s: refused at the question (the chart would pass it in clear, and the wizard does not write that Secret)', () => {
    let s = walk(toStrategy(), ['existingSecret:existing', 'my-secrets', ...lake]);
    expect(at(s)).toBe('gw-param:database');
    expect(s.error).toBe('database holds a secret (a URL with a password in it), which the chart would pass to the executors in clear: give it without the password, or put it in Secret my-secrets, key SQLMESH__GATEWAYS__LAKE__CONNECTION__DATABASE and mark it secret (--set tobiko.secretParams=[database])');
    s = walk(s, ['postgresql://u@h:5432/db', 'done', 'none', 'defaults']);
    expect(at(s)).toBe('review');
    expect(modelProblem(s.answers)).toBe('');
  });
});
