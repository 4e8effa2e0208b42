// Raw key input for the wizard: Ink's input events (one escape sequence, or a run of plain text, each)
// before useInput's interpretation, which cannot tell Backspace from Delete and drops Alt-b/f/d.
// The sequences are parsed by keys.ts (pure, tested without Ink).
import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';

/** Call `handler` with each raw input event while `isActive`; puts the terminal in raw mode meanwhile. */
export function useRawInput(handler: (data: string) => void, { isActive = true }: { isActive?: boolean } = {}): void {
  const { setRawMode, internal_eventEmitter: events } = useStdin();
  const current = useRef(handler);
  current.current = handler;
  useEffect(() => {
    if (!isActive) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isActive, setRawMode]);
  useEffect(() => {
    if (!isActive) return;
    const on = (data: string | Buffer) => current.current(String(data));
    events.on('input', on);
    return () => {
      events.removeListener('input', on);
    };
  }, [isActive, events]);
}
