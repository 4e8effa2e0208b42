// Whether a node's labels meet a pod's placement, as the Kubernetes scheduler decides it: one rule for
// the placement preflight (before an install) and the watcher (a pod that cannot be scheduled, named).

/** A node-affinity match expression as the API has it (read from a pod, values may be missing). */
export interface MatchExpression {
  key: string;
  operator: string;
  values?: readonly string[];
}

/** One expression against one node's labels. Gt/Lt: the label is an integer greater/less than the value. */
export function expressionMatches(labels: Record<string, string>, e: MatchExpression): boolean {
  const v = labels[e.key];
  const values = e.values ?? [];
  switch (e.operator) {
    case 'In':
      return v !== undefined && values.includes(v);
    case 'NotIn':
      return v === undefined || !values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
    case 'Lt': {
      if (v === undefined || !/^-?[0-9]+$/.test(v)) return false;
      return e.operator === 'Gt' ? Number(v) > Number(values[0]) : Number(v) < Number(values[0]);
    }
    default:
      return false; // the API server refuses any other operator: no node meets it
  }
}

/** A node selector and a required node-affinity term (every expression) against one node's labels. */
export function nodeMatches(labels: Record<string, string>, selector: Record<string, string> = {}, expressions: readonly MatchExpression[] = []): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v) && expressions.every((e) => expressionMatches(labels, e));
}

/** A part of a pod's placement, named; `label` is what `kubectl label node` would take to meet it, when a label can. */
export interface PlacementPart {
  text: string;
  label?: string;
}

/**
 * Why no node meets a pod's required placement: its node selector, and its node-affinity terms (one of
 * which must hold, each with all its expressions), as the scheduler reads them. `parts` are the ones no node
 * meets even alone; when each is met by some node but no node meets them all, they are all named and
 * `together` is set. Undefined when some node meets the whole placement: the cause is elsewhere (capacity, taints).
 */
export function unmetPlacement(
  nodes: readonly Record<string, string>[],
  selector: Record<string, string> = {},
  terms: readonly (readonly MatchExpression[])[] = [],
): { parts: PlacementPart[]; together: boolean } | undefined {
  // An empty term matches no node (the API's rule).
  const meetsTerm = (n: Record<string, string>, t: readonly MatchExpression[]) => t.length > 0 && nodeMatches(n, {}, t);
  if (nodes.some((n) => nodeMatches(n, selector) && (terms.length === 0 || terms.some((t) => meetsTerm(n, t))))) return undefined;
  const pair = ([k, v]: [string, string]): PlacementPart => ({ text: `node selector ${k}=${v}`, label: `${k}=${v}` });
  const expression = (e: MatchExpression): PlacementPart => ({
    text: `node affinity ${e.key} ${e.operator} ${(e.values ?? []).join(',')}`.trim(),
    ...(e.operator === 'In' && e.values?.length === 1 ? { label: `${e.key}=${e.values[0]}` } : {}),
  });
  const alone = [
    ...Object.entries(selector).filter(([k, v]) => !nodes.some((n) => n[k] === v)).map(pair),
    ...terms.flat().filter((e) => !nodes.some((n) => expressionMatches(n, e))).map(expression),
  ];
  if (alone.length > 0) return { parts: alone, together: false };
  // With several terms, which one the pod was meant to meet is not known: the selector is named with the first.
  return { parts: [...Object.entries(selector).map(pair), ...(terms[0] ?? []).map(expression)], together: true };
}
