// Masks every known secret value in text. All output passes through one of these.
export const MASK = '********';

export class Redactor {
  private list: string[] = [];
  constructor(secrets: Iterable<string> = []) {
    this.add(secrets);
  }
  add(secrets: Iterable<string>): void {
    for (const s of secrets) {
      if (!s || this.list.includes(s)) continue;
      this.list.push(s);
      // A secret may also show up JSON-escaped (config.json) or base64-encoded (Kubernetes Secret data).
      const json = JSON.stringify(s).slice(1, -1);
      if (json !== s) this.list.push(json);
      if (s.length >= 6) this.list.push(Buffer.from(s, 'utf8').toString('base64').replace(/=+$/, ''));
    }
    this.list.sort((a, b) => b.length - a.length);
  }
  get size(): number {
    return this.list.length;
  }
  redact(text: string): string {
    let out = text;
    for (const s of this.list) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  }
  /** Deep-redact strings inside a JSON-able value. */
  redactValue<T>(v: T): T {
    return JSON.parse(this.redact(JSON.stringify(v))) as T;
  }
}

/** Mask the password of credentials in URLs: http://user:pass@host -> http://user:****@host */
export function maskUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s/@]+@/gi, `$1${MASK}@`);
}

/** The password parts of credentials in a URL (raw and percent-decoded). */
export function urlPasswords(url: string): string[] {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/@:\s]*:([^/@\s]+)@/i.exec(url);
  if (!m?.[1]) return [];
  let decoded = m[1];
  try {
    decoded = decodeURIComponent(m[1]);
  } catch {
    /* keep raw */
  }
  return [...new Set([m[1], decoded])];
}
