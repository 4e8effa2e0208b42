// Which names and values are a secret's (no zod here: the wizard's first frame reads it).
import { findUserinfos, parseUserinfo, valueHasUrlPassword } from '../util/url-userinfo.js';
/** The words that make a name a secret's (the Tobiko chart's own rule for gateway params). */
export const SECRET_WORDS = ['password', 'secret', 'token'] as const;
/** Whether a name (a gateway param, by the chart's rule) says it holds a secret: DB_PASSWORD, aws_secret_access_key, GITHUB_TOKEN. */
export function namedLikeSecret(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_WORDS.some((w) => lower.includes(w));
}

/** A name's words: split at _ - . and between a lower-case letter or digit and an upper-case one (dbPass: db, pass), lower-cased. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Words that are a password or key material in themselves: DB_PASS_1, dbPwd, KEY_PASSPHRASE, PGPASSWD, openai_apikey, DBPASS. */
const SECRET_WORD = /^(pass|pwd)$|passwd|passphrase|(apikey|appkey|privatekey|accesskey|authkey)$|^(db|pg|sql|mysql|mongo|redis|ldap|smtp|mail|ftp|admin|root|user|app)(pass|pwd)$/;
/** What comes before KEY when the key is no secret: a table's or a cache's key, a public key (PARTITION_KEY, PUBLIC_KEY). */
const PLAIN_KEY = new Set(['public', 'sort', 'partition', 'primary', 'foreign', 'cache', 'idempotency', 'object', 'routing', 'shard', 'range', 'hash', 'lookup', 'group', 'dedup', 'dedupe', 'unique', 'composite', 'row', 'map', 'dict', 'json', 's3', 'blob', 'redis']);
/** What a name ends in when it names where a secret is, what it is called or what it is like, not the secret: PRIVATE_KEY_PATH, API_KEY_ID, API_KEY_HEADER, ENCRYPTION_KEY_VERSION. */
const ABOUT_A_SECRET = new Set(['path', 'file', 'dir', 'id', 'name', 'header', 'type', 'version', 'url', 'uri', 'prefix', 'suffix', 'length', 'size', 'format', 'count', 'location', 'region', 'ref', 'arn']);

/** Words after a key that say how it is written, not what it is: PRIVATE_KEY_PEM, SERVICE_ACCOUNT_KEY_JSON. */
const KEY_FORMAT = new Set(['pem', 'der', 'b64', 'base64', 'json', 'encoded']);
/** A last word that is credentials in itself: GOOGLE_CREDENTIALS, DB_CREDS (not GOOGLE_APPLICATION_CREDENTIALS_FILE: about them). */
const CREDENTIALS = new Set(['credentials', 'credential', 'creds', 'cred']);
/** A first word that makes a name about credentials a switch or a count, not them: USE_CREDENTIALS=1, NUM_CREDS. */
const FLAG_WORDS = new Set(['use', 'has', 'have', 'skip', 'num', 'count', 'max', 'min', 'enable', 'enabled', 'disable', 'disabled', 'no', 'with', 'without', 'allow', 'require', 'required', 'refresh', 'rotate', 'validate', 'check', 'load', 'is']);

/**
 * Key material whose name has none of the chart's words (password, secret, token), read word by word: a key
 * of some kind as the last word (DD_API_KEY, HMAC_KEY, AZURE_STORAGE_ACCOUNT_KEY, apiKey; not a table's or a
 * cache's key, nor a public key: PLAIN_KEY), a password or passphrase however written (SECRET_WORD: DB_PASS_1,
 * dbPwd, PGPASSWD; not PWD or OLDPWD alone, the shell's working directories). Not a name whose last word says
 * it is about a secret (ABOUT_A_SECRET: PRIVATE_KEY_PATH, API_KEY_ID). Nor KEYCLOAK_URL or CLIENT_KEYSTORE:
 * words, not letters. A number or a format word after it is left out first (DD_API_KEY_2, PRIVATE_KEY_PEM);
 * credentials as the last word are one (GOOGLE_CREDENTIALS).
 */
export function namedLikeKeyMaterial(name: string): boolean {
  // (a number or a format after the key says which one or how it is written: DD_API_KEY_2, PRIVATE_KEY_PEM)
  const w = wordsOf(name);
  while (w.length > 1 && (/^[0-9]+$/.test(w.at(-1)!) || KEY_FORMAT.has(w.at(-1)!))) w.pop();
  const last = w.at(-1);
  if (last !== undefined && CREDENTIALS.has(last)) return !FLAG_WORDS.has(w[0]!);
  if (last === undefined || ABOUT_A_SECRET.has(last)) return false;
  if (w.length === 1 && (last === 'pwd' || last === 'oldpwd')) return false;
  if (w.some((x) => SECRET_WORD.test(x))) return true;
  return (last === 'key' || last === 'keys') && w.length > 1 && !PLAIN_KEY.has(w.at(-2)!);
}

/** Whether the name of a setting of hd-setup's own (an extra env var, an agent parameter) says it holds a secret: the chart's words, or key material they miss. */
export function settingNamedLikeSecret(name: string): boolean {
  return namedLikeSecret(name) || namedLikeKeyMaterial(name);
}

/**
 * A value a setting named like a secret may hold as one: not a flag (USE_SECRETS_MANAGER=true is a setting,
 * and masking "true" everywhere would break every --json). A number may be a password (DB_PASSWORD=98765432),
 * given as text or as a number (`--set fivetran.config.db_password=98765432` reads a number).
 */
export function couldBeSecret(v: unknown): v is string | number {
  if (typeof v === 'number') return Number.isFinite(v);
  return typeof v === 'string' && v.trim() !== '' && !/^(true|false|yes|no|on|off)$/i.test(v.trim());
}

/** Query parameters that sign a URL (an Azure SAS URL, an S3 or GCS presigned one): whoever has it has access. */
const SIGNATURE_PARAMS = new Set(['sig', 'signature', 'x-amz-signature', 'x-goog-signature']);

/**
 * A value that holds a secret whatever its setting is called: a URL with a password
 * (DATABASE_URL=postgres://bob:pw@db/x), or a URL's query parameter named as one (?sslpassword=…). Not a
 * reference (env:NAME, file:PATH): what it names is read when it is resolved.
 */
export function holdsSecretValue(v: unknown): boolean {
  if (typeof v !== 'string' || /^(env|file):/.test(v)) return false;
  // the value as one URL (a password holding `\` or `"` unencoded too), and any URL inside it
  if (parseUserinfo(v)?.password || findUserinfos(v).some((u) => u.password) || valueHasUrlPassword(v)) return true;
  const q = v.indexOf('?');
  if (q < 0) return false;
  for (const m of v.slice(q).matchAll(/[?&;]([^=&;#\s]+)=([^&;#\s]+)/g)) if ((settingNamedLikeSecret(m[1]!) || SIGNATURE_PARAMS.has(m[1]!.toLowerCase())) && couldBeSecret(m[2]!)) return true;
  return false;
}

/** Whether a setting of hd-setup's own (an extra env var, an agent parameter) holds a secret: by its name, or by its value. */
export function settingHoldsSecret(name: string, v: unknown): boolean {
  return (settingNamedLikeSecret(name) && couldBeSecret(v)) || holdsSecretValue(v);
}
