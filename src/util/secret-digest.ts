// Comparing a Secret's data in the cluster with what hd-setup would apply, without keeping the data: a keyed
// digest whose key is random for each process. It is good for comparing within one run, and for nothing
// else: nothing derived from a secret outlives the process or can be checked against a guess.
import { createHmac, randomBytes } from 'node:crypto';

let key: Buffer | undefined;

/** The digest of one value of a Secret's data, the same for the same text within this process only. */
export function secretDigest(value: string): string {
  return createHmac('sha256', (key ??= randomBytes(32))).update(value).digest('hex');
}
