// A secret that an install keeps where hd-setup put it (a Kubernetes Secret it manages) and that the
// read-back cannot see: `stored:<where>`. It counts as present; rendering leaves the stored value where it
// is (the Secret is not re-applied for it), and export-preset turns it into an env: reference.
export const STORED_PREFIX = 'stored:';

export function isStored(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith(STORED_PREFIX);
}

export function storedRef(where: string): string {
  return `${STORED_PREFIX}${where}`;
}
