// What every install has, whatever the product: the runtime and the proxy. Each product adds its own
// section (src/products/<name>/schema.ts); the registry (src/products/index.ts) joins them.
import type { Proxy } from './common.js';

export const RUNTIMES = ['docker', 'podman', 'kubernetes'] as const;
export type Runtime = (typeof RUNTIMES)[number];
export type ContainerRuntime = Exclude<Runtime, 'kubernetes'>;

export interface BaseModel {
  product: string;
  runtime: Runtime;
  proxy?: Proxy | undefined;
}

/** A product's section of a parsed model. */
export function sectionOf<T>(model: BaseModel, id: string): T {
  const s = (model as unknown as Record<string, unknown>)[id];
  if (s === undefined) throw new Error(`${id} options missing`);
  return s as T;
}

/** Where an install is: the one type every command uses to find, lock, record and act on an install. */
export interface Location {
  product: string;
  runtime: Runtime;
  /** docker/podman: the absolute install directory. */
  installDir?: string;
  /** Kubernetes. */
  namespace?: string;
  release?: string;
  context?: string;
}

export function sameLocation(a: Location, b: Location): boolean {
  return a.product === b.product && a.runtime === b.runtime && a.installDir === b.installDir && a.namespace === b.namespace && a.release === b.release && (a.context ?? '') === (b.context ?? '');
}

export function describeLocation(l: Location): string {
  if (l.runtime === 'kubernetes') return `release ${l.release} in namespace ${l.namespace}${l.context ? ` (context ${l.context})` : ''}`;
  return l.installDir ?? '?';
}
