// One helper for the tests that mount Ink views (ink-testing-library): the last frame, waiting for it, keys.
import { expect } from 'vitest';

type App = { frames: string[]; stdin: { write(data: string): void } };

/** A turn of the event loop and a little more: Ink renders a key's effect after it. */
export const tick = (ms = 25) => new Promise((r) => setImmediate(() => setTimeout(r, ms)));

/** The last frame drawn (under CI=true Ink writes a bare "\n" when it unmounts: the frame before it). */
export function frameOf(app: { frames: string[] }): string {
  return [...app.frames].reverse().find((f) => f.trim() !== '') ?? '';
}

/** Wait (up to 10 s, on a loaded machine) until `ok()`; fail naming it if it never holds (never go on as if it had). */
export async function until(ok: () => boolean): Promise<void> {
  for (let t = Date.now(); Date.now() - t < 10_000 && !ok(); ) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`until: never held within 10 s: ${ok.toString()}`);
}

/** Wait (up to 10 s) until the last frame contains `text`, and fail showing the frame if it never does. */
export async function untilFrame(app: { frames: string[] }, text: string): Promise<void> {
  await until(() => frameOf(app).includes(text)).catch(() => undefined);
  expect(frameOf(app)).toContain(text);
}

/** Type keys one at a time, each followed by a tick. */
export function keysFor(app: App): (...ks: string[]) => Promise<void> {
  return async (...ks) => {
    for (const k of ks) {
      app.stdin.write(k);
      await tick();
    }
  };
}
