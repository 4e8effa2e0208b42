// The home directory every path of an install hangs from (~/fivetran, the registry, locks). HOME set but
// empty (`env HOME= …`, some CI runners) is taken as unset, so nothing lands under the working directory;
// a relative HOME is refused.
import { statSync } from 'node:fs';
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

// A HOME that is not there (HOME=/nonexistent, a user without one, `sudo -u` keeping another's) would have
// the install made under a folder created for it, where nobody looks: refused by every command that keeps
// anything there (render, which writes only into its --out folder, takes it as it is).
const seen = new Set<string>();
/** homeOf, for a command that keeps files under it: an existing folder, or exit 2 naming HOME. */
export function usableHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = homeOf(env);
  return existingHome(home, env.HOME ? 'is' : "is not set, and this user's home directory in the password database is");
}

function existingHome(home: string, what: string): string {
  if (seen.has(home)) return home;
  let problem: string | undefined;
  try {
    if (!statSync(home).isDirectory()) problem = 'not a folder';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') problem = 'which does not exist (hd-setup does not create it)';
  }
  if (problem) throw new UserError([{ path: 'HOME', message: `${what} ${home}, ${problem}; set HOME to an existing folder of yours (your home directory, or one made for hd-setup: mkdir it first)` }]);
  seen.add(home);
  return home;
}

function safeUser(): string | undefined {
  try {
    return userInfo().homedir || undefined;
  } catch {
    return undefined;
  }
}
