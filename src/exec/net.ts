// Network probes for doctor: reachability and the server's Date header (clock skew).
// The probe goes the way the agent goes: through the proxy the install is configured with (and past
// it for no_proxy hosts), not through whatever this shell has in HTTPS_PROXY.
export interface ProbeResult {
  ok: boolean;
  /** It went through the proxy (the host is not in no_proxy). */
  proxied: boolean;
  status?: number;
  date?: string;
  error?: string;
}

export interface ProbeProxy {
  url: string;
  noProxy: string[];
}

/** no_proxy semantics as curl and Go read them: "*", exact hosts, and domain suffixes (".x.com" or "x.com"). */
export function bypassesProxy(host: string, noProxy: string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return noProxy.some((raw) => {
    const e = raw.trim().toLowerCase().replace(/:\d+$/, '');
    if (!e) return false;
    if (e === '*') return true;
    const d = e.replace(/^\*?\./, '');
    return h === d || h.endsWith(`.${d}`);
  });
}

export async function probeEndpoint(url: string, timeoutMs: number, proxy?: ProbeProxy): Promise<ProbeResult> {
  const proxied = Boolean(proxy && !bypassesProxy(new URL(url).hostname, proxy.noProxy));
  try {
    if (proxy && proxied) {
      // Loaded only here (doctor, with a proxy). Bundled, a CJS package's import() holds it as default.
      const mod = (await import('undici')) as typeof import('undici') & { default?: typeof import('undici') };
      const { ProxyAgent, request } = mod.default ?? mod;
      const dispatcher = new ProxyAgent(proxy.url);
      try {
        const res = await request(url, { method: 'HEAD', dispatcher, signal: AbortSignal.timeout(timeoutMs) });
        await res.body.dump();
        const date = res.headers.date;
        return { ok: true, proxied, status: res.statusCode, ...(typeof date === 'string' ? { date } : {}) };
      } finally {
        await dispatcher.close().catch(() => undefined);
      }
    }
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    return { ok: true, proxied, status: res.status, ...(res.headers.get('date') ? { date: res.headers.get('date')! } : {}) };
  } catch (e) {
    const err = e as Error & { code?: string; cause?: { code?: string } };
    return { ok: false, proxied, error: err.cause?.code ?? err.code ?? (err.name === 'TimeoutError' ? 'timeout' : err.message) };
  }
}
