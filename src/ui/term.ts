// What the terminal can take, for the Ink screens (the wizard, the live status screen).
// - Below a minimum size, or with TERM=dumb, an Ink screen cannot be drawn: it would print one
//   character per line (a terminal that reports 0×0) or escape codes a dumb terminal shows raw.
// - Ink clears the terminal with ESC[2J ESC[3J ESC[H when a frame is as tall as the window; ESC[3J wipes
//   the user's scrollback, which is theirs: the stream Ink writes to drops it (the screen clear stays).

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 10;

interface Tty {
  columns?: number | undefined;
  rows?: number | undefined;
}

/** Why an Ink screen cannot be drawn on this terminal, as one line with what to do; or undefined. */
export function terminalProblem(out: Tty, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const instead = 'or run without the wizard: hd-setup install --preset <name> --dry-run (list them: hd-setup presets)';
  if ((env.TERM ?? '').toLowerCase() === 'dumb') return `this terminal (TERM=dumb) cannot draw the wizard: run it in a terminal emulator, ${instead}`;
  const cols = out.columns ?? 0;
  const rows = out.rows ?? 0;
  if (cols < MIN_COLUMNS || rows < MIN_ROWS) return `the terminal is too small for the wizard (${cols}×${rows}; it needs at least ${MIN_COLUMNS}×${MIN_ROWS}): enlarge the window, ${instead}`;
  return undefined;
}

/** Erase Saved Lines (xterm): the scrollback. */
const CLEAR_SCROLLBACK = '\u001B[3J';

const wrapped = new WeakMap<NodeJS.WriteStream, NodeJS.WriteStream>();

/** The stream as Ink should see it: the same stream, except that nothing it writes clears the scrollback. */
export function keepScrollback(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  const known = wrapped.get(stream);
  if (known) return known;
  const proxy = new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') {
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...a: unknown[]) => boolean)(typeof chunk === 'string' && chunk.includes(CLEAR_SCROLLBACK) ? chunk.replaceAll(CLEAR_SCROLLBACK, '') : chunk, ...rest);
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  wrapped.set(stream, proxy);
  return proxy;
}
