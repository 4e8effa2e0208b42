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
