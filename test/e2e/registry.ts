// A read-only container registry (the pull half of the distribution API) that serves one image from a
// directory made by `podman push IMAGE dir:DIR` (manifest.json, and each blob named by its sha256). No
// registry can be reached from here: the real runtimes pull from this one, named as a mirror of docker.io.
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface Registry {
  /** host:port */
  address: string;
  /** The image's ID (its config's digest) */
  id: string;
  /** Every request, as "METHOD path". */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serve the image in `dir` as `repository` (any tag) until closed. Its config gets the label `label` (a
 * new image ID): a runtime that has the pushed image pulls it as another image, and does not take the
 * pushed image's names from it (podman 4.3 renames an image pulled again under a new name).
 */
export async function serveImage(dir: string, repository: string, label: string): Promise<Registry> {
  const original = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { mediaType?: string; config: { digest: string; size: number } };
  const config = JSON.parse(readFileSync(join(dir, original.config.digest.replace(/^sha256:/, '')), 'utf8')) as { config?: { Labels?: Record<string, string> } };
  config.config = { ...config.config, Labels: { ...config.config?.Labels, [label]: 'true' } };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
  const manifest = Buffer.from(JSON.stringify({ ...original, config: { ...original.config, digest: configDigest, size: configBytes.length } }));
  const manifestType = original.mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
  const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(`${req.method} ${path}`);
    const send = (status: number, body: Buffer, headers: Record<string, string | number> = {}) => {
      res.writeHead(status, { 'Docker-Distribution-API-Version': 'registry/2.0', 'Content-Length': body.length, ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, Buffer.from('{}'));
    if (path === '/v2/' || path === '/v2') return send(200, Buffer.from('{}'), { 'Content-Type': 'application/json' });
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    if (!m || m[1] !== repository) return send(404, Buffer.from('{"errors":[{"code":"NAME_UNKNOWN"}]}'), { 'Content-Type': 'application/json' });
    if (m[2] === 'manifests') {
      if (m[3]!.startsWith('sha256:') && m[3] !== manifestDigest) return send(404, Buffer.from('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}'));
      return send(200, manifest, { 'Content-Type': manifestType, 'Docker-Content-Digest': manifestDigest });
    }
    if (m[3] === configDigest) return send(200, configBytes, { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': configDigest });
    const blob = join(dir, m[3]!.replace(/^sha256:/, ''));
    if (!/^sha256:[0-9a-f]{64}$/.test(m[3]!) || !existsSync(blob)) return send(404, Buffer.from('{"errors":[{"code":"BLOB_UNKNOWN"}]}'));
    return send(200, readFileSync(blob), { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': m[3]! });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    id: configDigest,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
