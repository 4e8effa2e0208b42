// Fix texts name the exact --set path of the setting, for the product and runtime in hand (never a
// placeholder such as <product>.pullPolicy).
import { describe, expect, it, vi } from 'vitest';
import { PRODUCTS } from '../../src/products/index.js';
import { containerChecks, type CheckContext } from '../../src/exec/preflight.js';
import { HOST, load } from '../helpers.js';

const fs = vi.hoisted(() => ({ free: undefined as number | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return { ...real, statfsSync: (p: string) => (fs.free === undefined ? real.statfsSync(p) : { bavail: fs.free, bsize: 1 }) };
});

const ctxOf = (preset: string) => {
  const { model } = load({ preset });
  const product = PRODUCTS.find((p) => p.id === model.product)!;
  return { model, product, host: HOST, state: { images: [] }, installDir: '/tmp', allowRoot: false, env: {} } as unknown as CheckContext;
};

describe('fix texts name the exact --set path for the product and runtime', () => {
  it('an image that must be present (pull policy never): the pull policy\'s path', async () => {
    for (const [preset, path] of [
      ['fivetran-docker', 'fivetran.pullPolicy'],
      ['tobiko-docker', 'tobiko.docker.pullPolicy'],
    ] as const) {
      const r = await containerChecks['image-present']!(ctxOf(preset));
      expect(r.fix).toContain(`--set ${path}=missing`);
      expect(r.fix).not.toContain('<');
    }
  });

  it('a full disk: the install directory\'s path', async () => {
    fs.free = 1000;
    try {
      for (const [preset, path] of [
        ['fivetran-docker', 'fivetran.installDir'],
        ['tobiko-docker', 'tobiko.docker.installDir'],
      ] as const) {
        const r = await containerChecks.disk!(ctxOf(preset));
        expect(r.status).toBe('fail');
        expect(r.fix).toContain(`--set ${path}=`);
      }
    } finally {
      fs.free = undefined;
    }
  });
});
