// Network probes for doctor: reachability and the server's Date header (clock skew).
export interface ProbeResult {
  ok: boolean;
  status?: number;
  date?: string;
  error?: string;
}

export async function probeEndpoint(url: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    return { ok: true, status: res.status, ...(res.headers.get('date') ? { date: res.headers.get('date')! } : {}) };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { ok: false, error: err.cause?.code ?? (err.name === 'TimeoutError' ? 'timeout' : err.message) };
  }
}
