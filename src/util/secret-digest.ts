// Comparing a Secret's data in the cluster with what hd-setup would apply, without keeping the data: a keyed
// digest whose key is random for each process. It is good for comparing within one run, and for nothing
// else: nothing derived from a secret outlives the process or can be checked against a guess.
import { createHmac, randomBytes } from 'node:crypto';

let key: Buffer | undefined;

/** The digest of a Secret's data (key → text), the same for the same data within this process only. */
export function secretDigest(data: Record<string, string>): string {
  const h = createHmac('sha256', (key ??= randomBytes(32)));
  h.update(JSON.stringify(Object.keys(data).sort().map((k) => [k, data[k]])));
  return h.digest('hex');
}
