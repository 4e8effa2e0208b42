// Checks of a gateway's connection params where they are used: each name becomes part of an env-file
// key (SQLMESH__GATEWAYS__<G>__CONNECTION__<P>), so a newline or "=" in a name would inject a line.
import type * as z from 'zod';
import { PARAM_NAME, hostProblem, mismatch, portProblem } from '../../model/patterns.js';
import { isRef } from '../../model/refs.js';

/** A value that names a key of the external secret store (`remote:<key>`), not the value. */
export const isRemote = (v: unknown): v is string => typeof v === 'string' && v.startsWith('remote:');
const deferred = (v: unknown) => isRemote(v) || (typeof v === 'string' && isRef(v));

export function checkGatewayParams(params: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const [name, v] of Object.entries(params)) {
    if (name === 'type') continue;
    const bad = mismatch(PARAM_NAME, name);
    if (bad) {
      // the name itself may hold a newline: report it escaped, as JSON
      ctx.addIssue({ code: 'custom', path: [name], message: `${bad}; rename it` });
      continue;
    }
    if (name.includes('__')) ctx.addIssue({ code: 'custom', path: [name], message: 'connection param names must not contain "__" (it separates parts of SQLMESH__ variable names)' });
    if (deferred(v)) continue;
    if (name === 'port') {
      const p = portProblem(v);
      if (p) ctx.addIssue({ code: 'custom', path: [name], message: p });
    }
    if (name === 'host') {
      const p = typeof v === 'string' ? hostProblem(v) : 'must be a host name or an IP address';
      if (p) ctx.addIssue({ code: 'custom', path: [name], message: p });
    }
  }
}
