// doctor's agent check refers to container-owner for a container that is not this install's by the names
// that check reports (data), never by the words of the refusal: here the refusal is reworded, as an edit of
// its text would, and agent still refers to it rather than saying the refusal a second time. doctor runs in
// this process (so that the refusal can be reworded) on the stub runtime; the install is made by the CLI.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../src/model/errors.js';
import { cli } from './helpers.js';
import { rootFlags, stubEnv } from './stub-runtime.js';

// The step the products' plans build for each container refuses one that is not the install's: its words
// changed (the name quoted), as an edit of its text would change them.
vi.mock('../src/plan/containers.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/plan/containers.js')>();
  return {
    ...real,
    containerStep: (...a: Parameters<typeof real.containerStep>) => {
      try {
        return real.containerStep(...a);
      } catch (e) {
        if (e instanceof UserError) for (const p of e.problems) p.path = p.path.replace(/^container (\S+)$/, 'container "$1"');
        throw e;
      }
    },
  };
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("doctor: a container of the install's name that the user made", () => {
  it('agent refers to container-owner by the container it reports, whatever the words of that report (it matched their beginning)', async () => {
    const s = await stubEnv('docker', {}, { imagePresent: true });
    try {
      expect(cli(['install', '--preset', 'fivetran-docker', '--yes', ...rootFlags], { env: s.env }).code).toBe(0);
      expect(spawnSync('docker', ['rm', '-f', 'controller'], { env: s.env }).status).toBe(0);
      expect(spawnSync('docker', ['run', '-d', '--name', 'controller', '--label', 'mine=yes', 'example.com/mine:1', 'sleep', '1e5'], { env: s.env }).status).toBe(0);
      for (const [k, v] of Object.entries(s.env)) if (v !== undefined) vi.stubEnv(k, v);
      const { findAll, findContext } = await import('../src/service/find.js');
      const { doctor } = await import('../src/service/lifecycle.js');
      const [d] = await findAll(findContext());
      const checks = await doctor(d!, rootFlags.length ? { allowRoot: true } : {});
      expect(checks.filter((c) => c.id === 'container-owner')).toEqual([
        {
          id: 'container-owner',
          status: 'fail',
          message: expect.stringMatching(/^container "controller" belongs to no hd-setup install: it was not made by hd-setup \(labels: mine=yes\)/),
          fix: 'rename it ("docker rename controller controller-old") or remove it ("docker rm -f controller") yourself, then run again',
        },
      ]);
      expect(checks.filter((c) => c.id === 'agent')).toEqual([{ id: 'agent', status: 'fail', message: "container controller is not this install's", fix: 'see container-owner: whose it is, and the fix' }]);
    } finally {
      s.server.close();
    }
  }, 60_000);
});
