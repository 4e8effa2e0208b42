// The runtime step's Kubernetes context picker and the context shown on every Kubernetes screen. Pure:
// the contexts come probed in the detection (service/host.ts); the path of the setting per product too.
import { contextInUse, set, type Ctx, type Question } from '../../products/wizard.js';

export { contextInUse } from '../../products/wizard.js';

/** The path of the chosen product's context setting, if known. */
function pathOf(c: Ctx): string | undefined {
  return c.detection.contextPaths?.[c.answers.product as string];
}

/** After the runtime, on Kubernetes: every context, with its reachability and server version. */
export function contextQuestion(c: Ctx): Question | undefined {
  const list = c.detection.kubeContexts;
  const path = pathOf(c);
  if (c.answers.runtime !== 'kubernetes' || !list?.length || !path) return undefined;
  const current = list.find((k) => k.current)?.name;
  return {
    id: 'context',
    step: 'Runtime',
    kind: 'select',
    title: 'Which Kubernetes cluster (kubectl context)?',
    help: list.some((k) => k.asking) ? `Asking ${list.length === 1 ? 'the context' : `each of the ${list.length} contexts`} for its version (a few seconds at most); you may choose meanwhile.` : `Each context was asked for its version (${list.filter((k) => k.reachable).length} of ${list.length} reachable).`,
    options: list.map((k) => ({
      label: k.name,
      value: k.name,
      hint: [k.current ? 'current' : '', k.asking ? 'asking…' : k.reachable ? `reachable, Kubernetes ${k.version}` : `not reachable: ${k.problem ?? 'no answer'}`].filter(Boolean).join(' · '),
    })),
    initial: contextInUse(c) ?? current ?? list[0]!.name,
    // kubectl's current context stays implicit (as an install without --context); another is written.
    apply: (cx, v) => ({ answers: set(cx.answers, path, v === current && !cx.detection.contextFlag ? undefined : v) }),
  };
}
