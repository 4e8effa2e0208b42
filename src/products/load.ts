// Loading a preset into the joined model of the registered products: model/load.ts does the generic work
// (files, --set paths, env names, caps) for a schema it is given; this binds it to the registry's schema.
import * as generic from '../model/load.js';
import { presetJsonSchema, presetSchema, type Model } from './index.js';

export type { LoadOptions } from '../model/load.js';
export type Loaded = generic.Loaded<Model>;

const SCHEMAS: generic.ModelSchemas<Model> = { schema: presetSchema, jsonSchema: presetJsonSchema };

export const buildRaw = (opts: generic.LoadOptions) => generic.buildRaw(SCHEMAS, opts);
export const parseModel = (raw: Record<string, unknown>, ctx?: Parameters<typeof generic.parseModel>[2]) => generic.parseModel(SCHEMAS, raw, ctx);
export const loadModel = (opts: generic.LoadOptions): Loaded => generic.loadModel(SCHEMAS, opts);
/** A --set / env value as the model's field at `path` takes it (strings stay strings; otherwise YAML). */
export const parseValue = (path: (string | number)[], raw: string) => generic.parseValue(presetJsonSchema(), path, raw);
/** The model path an HD_SETUP_* variable names, or undefined. */
export const envPath = (name: string) => generic.envPath(presetJsonSchema(), name);
