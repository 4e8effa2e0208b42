// What renderers produce. Each product renders its own files (src/products/<name>/render.ts); the
// service layer (src/service/plan.ts) asks the product's module.
export * from './types.js';
