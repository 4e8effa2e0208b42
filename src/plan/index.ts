// model + detected state -> plan. Pure.
import { posix } from 'node:path';
import type { Model } from '../model/schema.js';
import { planFivetranContainers, planFivetranKubernetes } from '../products/fivetran/plan.js';
import { planTobikoContainers, planTobikoKubernetes } from '../products/tobiko/plan.js';
import { render } from '../render/index.js';
import type { RenderedFile } from '../render/types.js';
import { expandTilde } from '../util/paths.js';
import { userUnitDir } from './containers.js';
import type { HostFacts, InstalledState, Plan, PlannedFile } from './types.js';


export function installDirOf(model: Model, home: string): string {
  const dir = model.product === 'fivetran' ? model.fivetran?.installDir : model.tobiko?.docker.installDir;
  return posix.resolve(expandTilde(dir ?? '~', home));
}

export function stateDirOf(model: Model, home: string): string {
  const k = model.product === 'fivetran' ? model.fivetran?.kubernetes : model.tobiko?.kubernetes;
  return posix.join(home, '.config/hd-setup', model.product, k?.namespace ?? 'default', k?.release ?? 'default');
}

export function placeFiles(model: Model, host: HostFacts, files: RenderedFile[], state: InstalledState): PlannedFile[] {
  const base = {
    install: installDirOf(model, host.home),
    state: stateDirOf(model, host.home),
    systemd: userUnitDir(host),
  };
  return files.map((f) => {
    const dest = posix.join(base[f.base], f.rel);
    const current = state.files[dest];
    return current === undefined ? { ...f, dest } : { ...f, dest, current };
  });
}

export function buildPlan(model: Model, host: HostFacts, state: InstalledState, rendered: RenderedFile[] = render(model, host)): Plan {
  const files = placeFiles(model, host, rendered, state);
  if (model.runtime === 'kubernetes') {
    return model.product === 'fivetran' ? planFivetranKubernetes(model, state, files) : planTobikoKubernetes(model, state, files);
  }
  const dir = installDirOf(model, host.home);
  return model.product === 'fivetran' ? planFivetranContainers(model, host, state, files, dir) : planTobikoContainers(model, host, state, files, dir);
}

export * from './types.js';
