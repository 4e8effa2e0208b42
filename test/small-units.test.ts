// Small pure pieces the mutation sample found untested.
import { describe, expect, it } from 'vitest';
import { windowStart } from '../src/ui/wiz/Choice.js';
import { unreachableCause } from '../src/exec/kube-reach.js';
import { dockerHubName } from '../src/plan/containers.js';
import { holdsSecretValue, namedLikeSecret, settingNamedLikeSecret } from '../src/model/secret-names.js';
import { reportedError } from './helpers.js';

describe('the option list window', () => {
  it('keeps the cursor centred when it can, and stops at the ends', () => {
    expect(windowStart(3, 5, 10)).toBe(0); // all fit
    expect(windowStart(0, 30, 10)).toBe(0);
    expect(windowStart(12, 30, 10)).toBe(7); // 12 - 5: the cursor in the middle row
    expect(windowStart(15, 30, 6)).toBe(12);
    expect(windowStart(29, 30, 10)).toBe(20); // the last page
  });
});

describe('the docker.io name of an image named without a registry', () => {
  it('docker.io for a name without a registry; none for a name with one (a dot, a colon, localhost, an upper-case letter in the first part)', () => {
    expect(dockerHubName('tobikodata/tcloud:latest')).toBe('docker.io/tobikodata/tcloud:latest');
    expect(dockerHubName('busybox')).toBe('docker.io/busybox');
    expect(dockerHubName('org/app@sha256:' + 'a'.repeat(64))).toBe('docker.io/org/app@sha256:' + 'a'.repeat(64));
    for (const given of ['docker.io/tobikodata/tcloud:latest', 'us-docker.pkg.dev/p/r/ldp-agent:production', 'registry:5000/app:1', 'localhost/hd-agent-test:latest', '127.0.0.1:9/app:latest', '[::1]:5000/app', 'MyReg/team/x:1', 'LOCALHOST/x']) expect(dockerHubName(given), given).toBeUndefined();
  });
});

describe('a setting named like a secret', () => {
  it('the chart\'s words, and key material they miss, but not its path, file, ID or name', () => {
    for (const n of ['DB_PASSWORD', 'aws_secret_access_key', 'GITHUB_TOKEN', 'SNOWFLAKE_PRIVATE_KEY', 'private-key', 'DD_API_KEY', 'openai_apikey', 'KEY_PASSPHRASE', 'PGPASSWD', 'TOKEN_PATH', 'ENCRYPTION_KEY', 'DD_APP_KEY', 'DD_APPLICATION_KEY', 'TLS_CLIENT_KEY', 'JWT_SIGNING_KEY', 'MASTER_KEY', 'NEW_RELIC_LICENSE_KEY', 'SSH_KEY', 'DB_PWD', 'SMTP_PASS', 'db-pass', 'PASS', 'AZURE_STORAGE_ACCOUNT_KEY', 'HMAC_KEY', 'JWT_KEY', 'AUTH_KEY', 'SHARED_KEY', 'WEBHOOK_KEY', 'SAS_KEY', 'TLS_KEY', 'SSL_KEY', 'DBPASS', 'PGPASS', 'DB_PASS_1', 'SMTP_PASS_ENCODED', 'dbPass', 'dbPwd', 'apiKey', 'x-api-key', 'DD_API_KEY_2', 'api_key_2', 'PRIVATE_KEY_PEM', 'SERVICE_ACCOUNT_KEY_JSON', 'GOOGLE_CREDENTIALS', 'DB_CREDS']) expect(settingNamedLikeSecret(n), n).toBe(true);
    for (const n of ['LOG_LEVEL', 'SNOWFLAKE_PRIVATE_KEY_PATH', 'PRIVATE_KEY_FILE', 'API_KEY_ID', 'api_key_name', 'AWS_ACCESS_KEY_ID', 'KEY', 'MONKEY', 'SNOWFLAKE_PRIVATE_KEY_DIR', 'API_KEY_HEADER', 'CLIENT_KEY_TYPE', 'PWD', 'OLDPWD', 'BYPASS', 'COMPASS', 'SORT_KEY', 'PARTITION_KEY', 'PUBLIC_KEY', 'APP_KEYCLOAK_URL', 'CLIENT_KEYSTORE', 'ENCRYPTION_KEY_VERSION', 'KEYS', 'PASSENGER_COUNT', 'SORT_KEY_2', 'PUBLIC_KEY_PEM', 'GOOGLE_APPLICATION_CREDENTIALS_FILE', 'KEY_2', 'CREDENTIALS_PATH', 'API_KEY_ID_2', 'USE_CREDENTIALS', 'HAS_CREDENTIALS', 'SKIP_CREDENTIALS', 'NUM_CREDENTIALS', 'enableCreds']) expect(settingNamedLikeSecret(n), n).toBe(false);
    // a gateway param keeps the chart's rule (the chart decides which go into its Secret)
    expect(namedLikeSecret('private_key')).toBe(false);
  });
});

describe('a value that holds a secret whatever its name', () => {
  it('a URL with a password, or a query parameter named as a secret or signing the URL; not an empty one, a flag, a reference or a user alone', () => {
    for (const v of ['postgres://bob:pw@db/app', 'redis://:pw@cache:6379', 'https://db/x?sslpassword=abc123', 'https://h/p?a=1&api_key=k-123', 'https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=AbC%2Bd', 'https://b.s3.amazonaws.com/k?X-Amz-Signature=ab12']) expect(holdsSecretValue(v), v).toBe(true);
    for (const v of ['http://u:@h', 'https://h/?token=', 'https://h/?api_key=true', 'env:DATABASE_URL', 'file:/run/secrets/db', 'file:app.db?mode=ro', 'bob:pw@db', 'https://bob@db/app', 'https://example.test/?mode=ro', 'plain text', 42]) expect(holdsSecretValue(v), String(v)).toBe(false);
  });
});

describe('why a Kubernetes API server is unreachable', () => {
  it('names each cause the clients report', () => {
    expect(unreachableCause({ stderr: 'dial tcp 10.0.0.1:6443: connect: no route to host' })).toBe('no route to it (VPN down?)');
    expect(unreachableCause({ stderr: 'dial tcp: connect: network is unreachable' })).toBe('no route to it (VPN down?)');
    expect(unreachableCause({ stderr: 'dial tcp 127.0.0.1:1: connect: connection refused' })).toBe('connection refused (nothing listens at that address)');
    expect(unreachableCause({ stderr: 'dial tcp: lookup k8s.example: no such host' })).toBe('the host name does not resolve');
    expect(unreachableCause({ stderr: '', failure: 'timeout' })).toMatch(/^no answer within /);
  });
});

describe('a rootless docker is told from the daemon\'s answers', () => {
  it('by its security options, or by a data root in the home directory', async () => {
    const { detectRuntime } = await import('../src/exec/detect.js');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { mkdtempSync } = await import('node:fs');
    const saved = { ...process.env };
    const home = mkdtempSync(join(tmpdir(), 'hd-home-ana-')); // (a HOME that does not exist is refused)
    Object.assign(process.env, { PATH: `${join(import.meta.dirname, 'stubs/bin')}:/usr/bin:/bin`, HOME: home, HD_STUB_STATE: join(tmpdir(), 'hd-stub-rootless') });
    try {
      process.env.HD_STUB_DOCKER_INFO = '["name=seccomp,profile=builtin"]|/var/lib/docker';
      expect((await detectRuntime('docker')).rootless).toBe(false);
      process.env.HD_STUB_DOCKER_INFO = `["name=seccomp,profile=builtin"]|${home}/.local/share/docker`;
      expect((await detectRuntime('docker')).rootless).toBe(true);
      process.env.HD_STUB_DOCKER_INFO = '["name=seccomp,profile=builtin","name=rootless"]|/srv/docker';
      expect((await detectRuntime('docker')).rootless).toBe(true);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});

describe('the terminal size hook', () => {
  it('follows a resize, and lets go of the stream when unmounted (screens mounted again and again leak no resize listener)', async () => {
    const { createElement } = await import('react');
    const { Text } = await import('ink');
    const { render } = await import('ink-testing-library');
    const { useTerminalSize } = await import('../src/ui/use-terminal-size.js');
    const { tick, frameOf } = await import('./ink-frames.js');
    const Size = () => {
      const s = useTerminalSize();
      return createElement(Text, null, `${s.columns}x${s.rows}`);
    };
    const app = render(createElement(Size));
    const out = app.stdout as unknown as NodeJS.EventEmitter;
    await tick();
    expect(frameOf(app)).toBe('100x24');
    Object.defineProperty(out, 'columns', { value: 60, configurable: true });
    out.emit('resize');
    await tick();
    expect(frameOf(app)).toBe('60x24');
    app.unmount();
    expect(out.listenerCount('resize')).toBe(0);
  });
});

describe('a file-system refusal, as one line with the fix for where it is', () => {
  const report = (code: string, path: string) => reportedError(Object.assign(new Error(`${code}: x, open '${path}'`), { code, path, syscall: 'open' }));
  it("hd-setup's own folder: make it writable, or another HOME", async () => {
    expect(await report('EROFS', '/home/ana/.config/hd-setup/locks/x.lock')).toEqual({ exit: 2, err: 'error: cannot use /home/ana/.config/hd-setup/locks/x.lock: the file system is read-only (EROFS); make /home/ana/.config/hd-setup/locks writable for this user (hd-setup keeps its files there), or run with HOME set to a folder that is\n' });
  });
  it('any other path (a file the user gave): its permissions, not "hd-setup keeps its files there"', async () => {
    expect(await report('EACCES', '/srv/presets/p.yaml')).toEqual({ exit: 2, err: "error: cannot use /srv/presets/p.yaml: permission denied (EACCES); check that this user may use /srv/presets/p.yaml (its permissions and those of the folders above it, the file system's mount options)\n" });
    expect((await report('ENOSPC', '/opt/fivetran/conf/config.json.tmp')).err).toBe('error: cannot use /opt/fivetran/conf/config.json.tmp: no space is left on the device (ENOSPC); free some space on the file system that holds /opt/fivetran/conf\n');
  });
  it('an error without a path or of another kind stays a bug report (exit 1)', async () => {
    const { reportError } = await import('../src/cli/context.js');
    const write = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(reportError(Object.assign(new Error('x'), { code: 'EACCES' }), false)).toBe(1);
      expect(reportError(Object.assign(new Error('x'), { code: 'ECONNRESET', path: '/x' }), false)).toBe(1);
    } finally {
      process.stderr.write = write;
    }
  });
});

describe('permissionFix: the chmod for what this user lacks, read through a link', () => {
  it('asks for the owner bits hd-setup uses that are missing, and no chmod where the mode allows it (a read-only mount, an ACL: the chmod did nothing)', async () => {
    const { permissionFix } = await import('../src/util/bounded-read.js');
    const { mkdtempSync, chmodSync, symlinkSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const d = mkdtempSync(join(tmpdir(), 'hd-perm-'));
    const conf = join(d, 'conf');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(conf);
    chmodSync(conf, 0o500);
    expect(permissionFix(conf, 'wx')).toEqual({ mode: 'mode 0500', fix: `give it back its permissions: chmod u+w ${conf}` });
    chmodSync(conf, 0o000);
    expect(permissionFix(conf, 'x')!.fix).toBe(`give it back its permissions: chmod u+rwx ${conf}`);
    chmodSync(conf, 0o700);
    expect(permissionFix(conf, 'wx')).toEqual({ mode: 'mode 0700', fix: 'its mode allows it, so something else refuses it (a read-only mount, an ACL, SELinux or AppArmor): check those, or choose another place' });
    const file = join(conf, 'config.json');
    writeFileSync(file, '{}', { mode: 0o200 });
    chmodSync(file, 0o200);
    expect(permissionFix(file, 'r')!.fix).toBe(`give it back its permissions: chmod u+r ${file}`);
    // a link: the mode of what it points at (the link's own is 0777)
    const link = join(d, 'link');
    symlinkSync(conf, link);
    chmodSync(conf, 0o600);
    expect(permissionFix(link, 'x')).toEqual({ mode: 'mode 0600', fix: `give it back its permissions: chmod u+x ${link}` });
  });
});
