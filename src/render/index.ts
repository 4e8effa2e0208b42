// model -> files. Pure: no I/O, no clock, no environment.
import type { Model } from '../model/schema.js';
import { renderFivetran } from '../products/fivetran/render.js';
import { renderTobiko } from '../products/tobiko/render.js';
import type { RenderEnv, RenderedFile } from './types.js';

export function render(model: Model, env: RenderEnv): RenderedFile[] {
  return model.product === 'fivetran' ? renderFivetran(model, env) : renderTobiko(model, env);
}

export * from './types.js';
