// How the changes list of a re-run says a change of fivetran.kubernetes.affinity: per rule, the connections
// it gains (and from which rule they move) and loses, and the default rule, in a line of bounded length
// whatever the number of connections (its values, before and after, could be 10,000 ids each). Pure.

type Assignment = { rule: string; connectors?: string[]; default?: boolean };

/** Connections named per rule, rules named in all, and the characters they take at most: the rest are counted. */
const NAMED_PER_RULE = 3;
const RULES_NAMED = 4;
const NAMES_WIDTH = 360;
/** A name longer than this (an id, a rule's name) loses its middle to "…" (ids differ most at their ends). */
const NAME_MAX = 40;

const short = (s: string) => (s.length > NAME_MAX ? `${s.slice(0, 24)}…${s.slice(-(NAME_MAX - 25))}` : s);
const count = (n: number) => n.toLocaleString('en-US');
const isAssignments = (v: unknown): v is Assignment[] => Array.isArray(v) && v.every((a) => typeof a === 'object' && a !== null && typeof (a as Assignment).rule === 'string');

/** Who holds each connection: connection -> rule. */
function owners(list: Assignment[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of list) for (const c of a.connectors ?? []) if (!m.has(c)) m.set(c, a.rule);
  return m;
}

/** The counts of what a part leaves unnamed: "(997 added, 3 removed)". */
const counts = (added: number, removed: number) => `(${[added ? `${count(added)} added` : '', removed ? `${count(removed)} removed` : ''].filter(Boolean).join(', ')})`;

/**
 * The change of the affinity assignments from `from` to `to` (either may be absent), e.g.
 * `default small -> xl; small +c9; xl +c2 (from small), -c7`; undefined when either is not a list of them.
 */
export function affinityChangeText(from: unknown, to: unknown): string | undefined {
  const [a, b] = [from ?? [], to ?? []];
  if (!isAssignments(a) || !isAssignments(b)) return undefined;
  const [was, now] = [owners(a), owners(b)];
  const parts: string[] = [];
  const [defA, defB] = [a.find((x) => x.default)?.rule, b.find((x) => x.default)?.rule];
  if (defA !== defB) parts.push(`default ${defA === undefined ? 'none' : short(defA)} -> ${defB === undefined ? 'none' : short(defB)}`);
  const rules = [...new Set([...b.map((x) => x.rule), ...a.map((x) => x.rule)])];
  const changed: { rule: string; items: string[]; added: number; removed: number }[] = [];
  for (const rule of rules) {
    // in: each connection this rule has now and did not (from another rule: said where from);
    // out: each it had that no rule has now (one moved to another rule is said there)
    const gained = (b.find((x) => x.rule === rule)?.connectors ?? []).filter((c) => now.get(c) === rule && was.get(c) !== rule);
    const lost = (a.find((x) => x.rule === rule)?.connectors ?? []).filter((c) => was.get(c) === rule && !now.has(c));
    if (!gained.length && !lost.length) continue;
    const items = [...gained.map((c) => `+${short(c)}${was.has(c) ? ` (from ${short(was.get(c)!)})` : ''}`), ...lost.map((c) => `-${short(c)}`)];
    changed.push({ rule, items, added: gained.length, removed: lost.length });
  }
  // Rules in order, each with its first items, while they fit; then each rule's rest and the rules left, counted.
  let width = parts.join('; ').length;
  let shown = 0;
  for (const r of changed.slice(0, RULES_NAMED)) {
    if (shown && width + short(r.rule).length + r.items[0]!.length > NAMES_WIDTH) break;
    const named: string[] = [];
    for (const item of r.items.slice(0, NAMED_PER_RULE)) {
      if (named.length && width + item.length > NAMES_WIDTH) break;
      named.push(item);
      width += item.length + 2;
    }
    const rest = r.items.length - named.length;
    // (the items are the added ones first: what is left unnamed is the last of those, then the removed)
    const unnamedAdded = Math.max(0, r.added - named.length);
    const part = `${short(r.rule)} ${named.join(', ')}${rest ? ` and ${count(rest)} more ${counts(unnamedAdded, rest - unnamedAdded)}` : ''}`;
    parts.push(part);
    width = parts.join('; ').length;
    shown++;
  }
  const others = changed.slice(shown);
  if (others.length) {
    const sum = (k: 'added' | 'removed') => others.reduce((n, r) => n + r[k], 0);
    parts.push(`and ${count(others.length)} more rule${others.length > 1 ? 's' : ''} ${counts(sum('added'), sum('removed'))}`);
  }
  // (the same connections in each rule, listed in another order: the values change, the placement does not)
  return parts.length ? parts.join('; ') : 'the same connections per rule, listed in another order';
}
