import type { BaseModel as Model } from '../model/base.js';
import { hasPassword } from '../util/url-userinfo.js';

/** A proxy URL with user:password@ makes whatever holds it a secret file. */
export function proxyHasCredentials(model: Model): boolean {
  return [model.proxy?.http, model.proxy?.https].some((u) => u !== undefined && hasPassword(u));
}
