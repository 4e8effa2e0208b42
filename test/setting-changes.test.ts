// The changes list of a re-run (settingChanges, then the text the dry-run, the confirmation and the wizard's
// review print), in-process: the affinity of a Fivetran release said per rule, whatever the number of
// connections; the cases the end-to-end tests (k8s-real/lifecycle.test.ts) do not reach.
import { describe, expect, it } from 'vitest';
import { settingChanges } from '../src/service/install.js';
import { load } from './helpers.js';

type Assignment = { rule: string; connectors?: string[]; default?: boolean };
const preset = (affinityRules: Record<string, unknown>, affinity: Assignment[]) => ({
  product: 'fivetran',
  runtime: 'kubernetes',
  fivetran: { token: 'stored:secret/hd-agent-hd-setup-token#token', kubernetes: { namespace: 'fivetran', dataVolumePvc: 'data', affinityRules, affinity } },
});
const rules = (...names: string[]) => Object.fromEntries(names.map((n) => [n, { mode: 'required', match: [{ key: 'pool', values: [n.slice(0, 60)] }] }]));
/** The changes from the install `was` to the preset `now`, as path: text. */
const changes = (was: ReturnType<typeof preset>, now: ReturnType<typeof preset>) =>
  settingChanges({ preset: was, secretPaths: [] }, load({ presetObject: now, env: {} }).model).map((c) => `${c.path}: ${c.text ?? `${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}`}`);

describe('the changes list says an affinity change per rule', () => {
  it('the same connections listed in another order: said so, not as two lists', () => {
    const was = preset(rules('a', 'b'), [{ rule: 'a', connectors: ['c1', 'c2'] }, { rule: 'b', default: true }]);
    const now = preset(rules('a', 'b'), [{ rule: 'a', connectors: ['c2', 'c1'] }, { rule: 'b', default: true }]);
    expect(changes(was, now)).toEqual(['fivetran.kubernetes.affinity: the same connections per rule, listed in another order']);
  });
  it('a rule given up, its connections to the default: each said removed from it; the rule\'s own settings one line each', () => {
    const was = preset(rules('a', 'b'), [{ rule: 'a', connectors: ['c1', 'c2'] }, { rule: 'b', default: true }]);
    const now = preset(rules('b'), [{ rule: 'b', default: true }]);
    expect(changes(was, now)).toEqual([
      'fivetran.kubernetes.affinity: a -c1, -c2',
      'fivetran.kubernetes.affinityRules.a.match: [{"key":"pool","operator":"In","values":["a"]}] -> undefined',
      'fivetran.kubernetes.affinityRules.a.mode: "required" -> undefined',
    ]);
  });
  it('long names are cut; many rules and connections are counted: the line stays short', () => {
    const long = (p: string, i: number) => `${p}_${'x'.repeat(80)}_${i}`;
    const names = Array.from({ length: 30 }, (_, i) => long('rule', i));
    const conns = (i: number) => Array.from({ length: 300 }, (_, j) => long(`c${i}`, j));
    const was = preset(rules(...names), names.map((rule, i) => ({ rule, connectors: conns(i), ...(i === 0 ? { default: true } : {}) })));
    const now = preset(rules(...names), names.map((rule, i) => ({ rule, connectors: conns((i + 1) % names.length), ...(i === 1 ? { default: true } : {}) })));
    const [line, ...rest] = changes(was, now);
    expect(rest).toEqual([]);
    expect(line!.length).toBeLessThan(450);
    // a long name keeps its ends: the rules still tell apart
    const rule = (i: number) => `rule_${'x'.repeat(19)}…${'x'.repeat(13)}_${i}`;
    const conn = (i: number, j: number) => `c${i}_${'x'.repeat(21)}…${'x'.repeat(13)}_${j}`;
    expect(line).toBe(`fivetran.kubernetes.affinity: default ${rule(0)} -> ${rule(1)}; ${rule(0)} +${conn(1, 0)} (from ${rule(1)}), +${conn(1, 1)} (from ${rule(1)}) and 298 more (298 added); and 29 more rules (8,700 added)`);
  });
});
