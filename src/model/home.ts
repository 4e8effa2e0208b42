// The home directory every path of an install hangs from (~/fivetran, the registry, locks). HOME set but
// empty (`env HOME= …`, some CI runners) is taken as unset, so nothing lands under the working directory;
// a relative HOME is refused.
import { userInfo } from 'node:os';
import { isAbsolute, posix } from 'node:path';
import { UserError } from './errors.js';

export function homeOf(env: NodeJS.ProcessEnv = process.env): string {
  const h = env.HOME;
  // the paths under it (the install directory, the record of installs) would hold it too, and break every later run
  if (h && /[\x00-\x1f\x7f]/.test(h)) throw new UserError([{ path: 'HOME', message: `holds a control character (a newline, a tab…); set HOME to your home directory (e.g. HOME=${safeUser() ?? '/home/you'})` }]);
  if (h && !isAbsolute(h)) throw new UserError([{ path: 'HOME', message: `is "${h}", not an absolute path; set HOME to your home directory (e.g. HOME=${safeUser() ?? '/home/you'})` }]);
  // one spelling of one folder: HOME=/home/ana/ (a trailing slash, a doubled one) made every path another
  // string, and a re-run recreated the agent (HOST_USER_HOME_DIR changed) or found two installs
  if (h) return posix.normalize(h).replace(/(.)\/+$/, '$1');
  const passwd = safeUser();
  if (passwd) return passwd;
  throw new UserError([{ path: 'HOME', message: 'is not set, and this user has no home directory in the password database; set HOME to your home directory' }]);
}

function safeUser(): string | undefined {
  try {
    return userInfo().homedir || undefined;
  } catch {
    return undefined;
  }
}
