// A plan is data (types.ts); the step builders (containers.ts, kubernetes.ts, lifecycle.ts) are pure.
// Products build their install plans from them; the service layer (src/service/plan.ts) asks the product.
export * from './types.js';
