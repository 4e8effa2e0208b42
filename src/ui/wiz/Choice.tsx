// The view of a select question: a list with one option highlighted. Pure: the highlighted option lives
// in the wizard's reducer (state.ts), which gets every key from one input handler. (The line of typed
// text is Field.tsx's TextView.)
import React from 'react';
import { Box, Text } from 'ink';
import { colorsEnabled } from '../theme.js';

export interface ChoiceItem {
  value: string;
  label: string;
  hint?: string;
}

/** First visible row of a window of `limit` rows that keeps the cursor in view, centred when it can. */
export function windowStart(cursor: number, count: number, limit: number): number {
  if (count <= limit) return 0;
  return Math.min(Math.max(0, cursor - Math.floor(limit / 2)), count - limit);
}

export function Choice<T extends ChoiceItem>({ items, cursor, limit = 10, render }: { items: T[]; cursor: number; limit?: number; render: (item: T, selected: boolean) => React.ReactNode }) {
  const top = windowStart(cursor, items.length, limit);
  const shown = items.slice(top, top + limit);
  const below = items.length - top - shown.length;
  return (
    <Box flexDirection="column">
      {top > 0 ? <Text dimColor>{`  ↑ ${top} more`}</Text> : null}
      {shown.map((item, i) => {
        const selected = top + i === cursor;
        return (
          <Box key={item.value}>
            {/* The pointer column never shrinks: a long hint is cut, the rows stay aligned. */}
            <Box flexShrink={0} width={2}>
              <Text color={selected && colorsEnabled() ? 'cyan' : undefined}>{selected ? '❯' : ' '}</Text>
            </Box>
            {render(item, selected)}
          </Box>
        );
      })}
      {below > 0 ? <Text dimColor>{`  ↓ ${below} more`}</Text> : null}
    </Box>
  );
}
