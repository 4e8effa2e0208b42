// The preset model is the union of the product modules' branches: it is built by the registry
// (src/products/index.ts). Loading (load.ts) reads it from there.
export { presetSchema, presetJsonSchema, computePresetJsonSchema, type Model } from '../products/index.js';
export { RUNTIMES, type Runtime } from './base.js';
