// Colours and symbols; NO_COLOR turns off colour, and NO_COLOR or CI (or a test run) the animation.
export function animationEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR && !env.CI && env.NODE_ENV !== 'test' && !env.VITEST;
}

export function colorsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR;
}

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export const STATUS_ICON = {
  pending: '○',
  running: '…',
  done: '✔',
  failed: '✖',
  skipped: '↷',
  cancelled: '⊘',
} as const;

export const STATUS_COLOR = {
  pending: 'gray',
  running: 'cyan',
  done: 'green',
  failed: 'red',
  skipped: 'gray',
  cancelled: 'yellow',
} as const;

export const CHECK_COLOR = { ok: 'green', warn: 'yellow', fail: 'red', skipped: 'gray' } as const;
