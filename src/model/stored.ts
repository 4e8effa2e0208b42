// A secret that an install keeps where hd-setup put it (a Kubernetes Secret it manages) and that the
// read-back cannot see: `stored:<where>`. It counts as present; rendering leaves the stored value where it
// is (the Secret is not re-applied for it), and export-preset turns it into an env: reference.
export const STORED_PREFIX = 'stored:' as const;

export function isStored(v: unknown): v is `${typeof STORED_PREFIX}${string}` {
  return typeof v === 'string' && v.startsWith(STORED_PREFIX);
}

export function storedRef(where: string): string {
  return `${STORED_PREFIX}${where}`;
}

/** The Kubernetes Secret a stored value is kept in (`stored:secret/<name>#<key>`); undefined for anything else. */
export function storedSecretName(v: unknown): string | undefined {
  return isStored(v) ? /^secret\/([^#]+)#/.exec(v.slice(STORED_PREFIX.length))?.[1] : undefined;
}

/**
 * A secret that was not given where only the host checks run (`doctor` before an install): it stands in
 * so that the model is whole, and is never written, sent or checked (doctor writes nothing).
 */
export const NOT_GIVEN = storedRef('not-given');

export function isNotGiven(v: unknown): boolean {
  return v === NOT_GIVEN;
}
