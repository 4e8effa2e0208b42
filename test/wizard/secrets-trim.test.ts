// Secrets are trimmed wherever they come from (issue 15, point 1): the built CLI renders the files an
// install writes; a token with spaces around it (env, file:, --set) is stored without them.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_SECRET, TOKEN, WAREHOUSE_PASSWORD, cli, expectNoSecrets, tmp } from '../helpers.js';

function renderedToken(args: string[], env: Record<string, string>, stderr = ''): string {
  const out = tmp();
  const r = cli(['render', '--preset', 'fivetran-docker', ...args, '--out', out], { env });
  expect(r.stderr).toBe(stderr);
  expect(r.code).toBe(0);
  expectNoSecrets(r.stdout);
  const files = readFileSync(join(out, 'conf/config.json'), 'utf8');
  return JSON.parse(files).token as string;
}

describe('secrets are stored trimmed (the built CLI, render --out)', () => {
  it('from an environment variable with spaces: FIVETRAN_TOKEN=" $T "', () => {
    expect(renderedToken([], { FIVETRAN_TOKEN: ` ${TOKEN} ` })).toBe(TOKEN);
    expect(renderedToken([], { FIVETRAN_TOKEN: `\t${TOKEN}\n` })).toBe(TOKEN);
  });
  it('from a file: with a trailing newline and leading spaces', () => {
    const f = join(tmp(), 'token');
    writeFileSync(f, `  ${TOKEN}\n\n`, { mode: 0o600 });
    expect(renderedToken(['--set', `fivetran.token=file:${f}`], {})).toBe(TOKEN);
  });
  it('from --set with spaces', () => {
    // (a literal on the command line: warned about, by name)
    const warning = 'warning: fivetran.token is given on the command line, where other users can read it (ps) and your shell history keeps it; give it as env:FIVETRAN_TOKEN (export it first) or file:PATH\n';
    expect(renderedToken(['--set', `fivetran.token= ${TOKEN} `], {}, warning)).toBe(TOKEN);
  });
  it('a Tobiko client secret from the environment', () => {
    const out = tmp();
    const r = cli(['render', '--preset', 'tobiko-docker', '--out', out], { env: { TCLOUD_CLIENT_SECRET: `  ${CLIENT_SECRET} `, WAREHOUSE_PASSWORD } });
    expect(r.code).toBe(0);
    const env = readFileSync(join(out, 'tobiko.env'), 'utf8');
    expect(env).toMatch(new RegExp(`^TCLOUD_CLIENT_SECRET=['"]?${CLIENT_SECRET}['"]?$`, 'm'));
  });
});
