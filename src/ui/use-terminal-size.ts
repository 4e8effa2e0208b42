// The terminal's size as React state: a resize draws the screen again at the new width (Ink lays the old
// tree out again on 'resize', but text wrapped by hand to the old width would stay as it was).
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export interface TerminalSize {
  columns: number;
  rows: number;
}

const sizeOf = (out: NodeJS.WriteStream | undefined): TerminalSize => ({ columns: out?.columns || 80, rows: out?.rows || 24 });

export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    if (!stdout) return;
    const resized = () => setSize((was) => {
      const now = sizeOf(stdout);
      return now.columns === was.columns && now.rows === was.rows ? was : now;
    });
    stdout.on('resize', resized);
    resized();
    return () => {
      stdout.off('resize', resized);
    };
  }, [stdout]);
  return size;
}
