// model + host + what is installed -> files and plan, through the product's module. Pure.
import { posix } from 'node:path';
import type { BaseModel, Location } from '../model/base.js';
import { productOf } from '../products/index.js';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { configHash, containerLabels, readsChanged, quadletDir, quadletFile, quadletPlan, userUnitDir, usesQuadlet } from '../plan/containers.js';
import { fileKey, type Artifacts } from '../products/types.js';
import type { HostFacts, InstalledState, Plan, PlannedFile } from '../plan/types.js';
import type { RenderEnv, RenderedFile } from '../render/types.js';

export function render(model: BaseModel, env: RenderEnv): RenderedFile[] {
  return productOf(model).render(model, env);
}

/**
 * The files an install writes on this host: the product's, and on podman >= 4.4 with a user manager the
 * containers' Quadlet files in place of the product's service unit (plan/containers.ts usesQuadlet).
 */
export function renderForHost(model: BaseModel, host: HostFacts): RenderedFile[] {
  const rendered = render(model, host);
  if (!usesQuadlet(model.runtime, host)) return rendered;
  const product = productOf(model);
  const specs = product.containers(model, host, installDirOf(model, host.home), rendered);
  return [...rendered.filter((f) => f.base !== 'systemd'), ...specs.map((s) => quadletFile(s, product.title))];
}

export function locationOf(model: BaseModel, home: string): Location {
  return productOf(model).location(model, home);
}

/** docker/podman: the install directory; Kubernetes: none (its files live in the state dir). */
export function installDirOf(model: BaseModel, home: string): string {
  return locationOf(model, home).installDir ?? home;
}

/** Where hd-setup keeps a Kubernetes install's files (values, manifests). */
export function stateDirOf(loc: Location, home: string): string {
  return posix.join(home, '.config/hd-setup', loc.product, loc.namespace ?? 'default', loc.release ?? 'default');
}

export function baseDirs(loc: Location, host: Pick<HostFacts, 'home'>): Record<RenderedFile['base'], string> {
  return { install: loc.installDir ?? host.home, state: stateDirOf(loc, host.home), systemd: userUnitDir(host), quadlet: quadletDir(host) };
}

export function placeFiles(model: BaseModel, host: HostFacts, files: RenderedFile[], state: InstalledState): PlannedFile[] {
  const base = baseDirs(locationOf(model, host.home), host);
  return files.map((f) => {
    const dest = posix.join(base[f.base], f.rel);
    const current = state.files[dest];
    const currentMode = state.modes?.[dest];
    return current === undefined ? { ...f, dest } : { ...f, dest, current, ...(currentMode !== undefined ? { currentMode } : {}) };
  });
}

export function buildPlan(model: BaseModel, host: HostFacts, state: InstalledState, rendered: RenderedFile[] = renderForHost(model, host)): Plan {
  const files = placeFiles(model, host, rendered, state);
  const product = productOf(model);
  const installDir = installDirOf(model, host.home);
  if (model.runtime === 'kubernetes') return product.plan(model, host, state, files, installDir, []);
  // The containers are recreated when a config file they read is rewritten (a new secret too, which their
  // config hash leaves out) or the run that last rewrote it did not finish.
  const reads = product.configFiles(model.runtime);
  const inputsChanged = readsChanged(files.find((f) => reads.some((r) => r.base === f.base && r.rel === f.rel)), state);
  const specs = product.containers(model, host, installDir, rendered).map((s) => ({ ...s, inputsChanged }));
  const plan = product.plan(model, host, state, files, installDir, specs);
  return usesQuadlet(model.runtime, host) ? quadletPlan(plan, specs, state, host, product.title) : plan;
}

/**
 * What an install of this model consists of, in the form the read-back sees it: the files by place, the
 * containers as inspect shows them, and the release's values. decode(artifactsOf(m)) gives m back.
 */
export function artifactsOf(model: BaseModel, host: HostFacts, rendered: RenderedFile[] = render(model, host)): Artifacts {
  const product = productOf(model);
  const location = locationOf(model, host.home);
  const files = Object.fromEntries(rendered.map((f) => [fileKey(f.base, f.rel), f.content]));
  if (model.runtime === 'kubernetes') {
    const values = rendered.find((f) => f.rel === 'values.yaml');
    return { location, files, containers: {}, values: values ? (JSON.parse(JSON.stringify(loadYaml(values.content, { schema: CORE_SCHEMA }))) as Record<string, unknown>) : {} };
  }
  const specs = product.containers(model, host, installDirOf(model, host.home), rendered);
  const containers = Object.fromEntries(specs.map((s) => [s.name, { image: s.image, labels: containerLabels(s, configHash(s)), restart: s.restart }]));
  return { location, files, containers };
}
