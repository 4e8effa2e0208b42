import type { BaseModel as Model } from '../model/base.js';

/** A proxy URL with user:password@ makes whatever holds it a secret file. */
export function proxyHasCredentials(model: Model): boolean {
  return [model.proxy?.http, model.proxy?.https].some((u) => u !== undefined && /^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(u));
}
