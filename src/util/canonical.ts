// JSON with sorted keys: equal values give equal text, whatever the order of their maps.

/** Keys whose value is undefined are left out (as JSON.stringify does); `text` may rewrite each string first. */
export function canonical(v: unknown, text: (s: string) => string = (s) => s): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x, text)).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k], text)}`)
      .join(',')}}`;
  }
  return JSON.stringify(typeof v === 'string' ? text(v) : (v ?? null));
}
