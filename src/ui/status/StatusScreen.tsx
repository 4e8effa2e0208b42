// Live status screen: steps with spinner and elapsed time, the current command (masked), a bounded
// output tail, hints (why it is stuck, with the fix), and the final summary.
import React, { useEffect, useReducer, useState } from 'react';
import { Box, Text, useApp, useInput } from 'ink';
import { useTerminalSize } from '../use-terminal-size.js';
import type { HdEvent } from '../../exec/events.js';
import { summaryLines } from '../summary.js';
import { CHECK_COLOR, SPINNER, STATUS_COLOR, STATUS_ICON, animationEnabled, colorsEnabled } from '../theme.js';
import { elapsed, fitStatus, initialStatus, statusReducer, stuckChoice, type StatusState, type StepView } from './reducer.js';

export interface EventSource {
  subscribe(listener: (e: HdEvent) => void): () => void;
}

export function createEventBus(): EventSource & { emit: (e: HdEvent) => void } {
  const buffer: HdEvent[] = [];
  const listeners = new Set<(e: HdEvent) => void>();
  return {
    emit(e) {
      buffer.push(e);
      for (const l of listeners) l(e);
    },
    subscribe(listener) {
      for (const e of buffer) listener(e);
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function color<T extends string>(c: T): T | undefined {
  return colorsEnabled() ? c : undefined;
}

/** The check status column: the longest status ("skipped") and a space. */
const CHECK_WIDTH = 8;

function StepLine({ step, frame, animate }: { step: StepView; frame: number; animate: boolean }) {
  const icon = step.status === 'running' && animate ? SPINNER[frame % SPINNER.length] : STATUS_ICON[step.status];
  const time = step.status === 'running' || step.status === 'done' || step.status === 'failed' ? elapsed(step) : '';
  return (
    <Box flexDirection="column">
      {/* Layout: every text sits in its own column box, so a long line wraps under its own start (a
          hanging indent), never back to column 0. */}
      <Box>
        <Box flexShrink={0}>
          <Text color={color(STATUS_COLOR[step.status])}>{icon} </Text>
        </Box>
        <Text>
          <Text bold={step.status === 'running'} dimColor={step.status === 'pending'}>
            {step.title}
          </Text>
          {time ? <Text dimColor> {time}</Text> : null}
          {step.status === 'skipped' && step.detail ? <Text dimColor> ({step.detail})</Text> : null}
        </Text>
      </Box>
      {step.checks
        .filter((c) => c.status !== 'ok' || step.status === 'running')
        .map((c) => (
          <Box key={c.id} marginLeft={4}>
            <Box flexShrink={0} width={CHECK_WIDTH}>
              <Text color={color(CHECK_COLOR[c.status])}>{c.status}</Text>
            </Box>
            <Box flexDirection="column">
              <Text>
                {c.id}: {c.message}
              </Text>
              {c.fix && c.status !== 'ok' ? <Text dimColor>{`fix: ${c.fix}`}</Text> : null}
            </Box>
          </Box>
        ))}
      {step.hints.map((h) => (
        <Box key={h.message} marginLeft={4}>
          <Box flexShrink={0}>
            <Text color={color('yellow')}>! </Text>
          </Box>
          <Box flexDirection="column">
            <Text color={color('yellow')}>{h.message}</Text>
            {h.fix ? <Text dimColor>{`fix: ${h.fix}`}</Text> : null}
          </Box>
        </Box>
      ))}
      {step.notes.map((n) => (
        <Box key={n} marginLeft={4}>
          <Text dimColor>{n}</Text>
        </Box>
      ))}
      {step.status === 'failed' && !step.checks.some((c) => c.status === 'fail') && step.hints.length === 0 ? (
        <Box flexDirection="column" marginLeft={4}>
          <Text color={color('red')}>{step.error}</Text>
          {step.fix ? <Text color={color('yellow')}>fix: {step.fix}</Text> : null}
        </Box>
      ) : null}
    </Box>
  );
}

function OutputLines({ lines }: { lines: string[] }) {
  return (
    <>
      {lines.map((l, i) => (
        <Text key={i} dimColor wrap="truncate-end">
          {'  | '}
          {l}
        </Text>
      ))}
    </>
  );
}

export function StatusView({ state, frame = 0, animate = false, folded = 0 }: { state: StatusState; frame?: number; animate?: boolean; folded?: number }) {
  const { columns } = useTerminalSize();
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        hd-setup · {state.verb} {state.title}
      </Text>
      {folded ? <Text dimColor>{`${STATUS_ICON.done} ${folded} earlier step${folded > 1 ? 's' : ''} done`}</Text> : null}
      {state.steps.slice(folded).map((s, i) => (
        <StepLine key={`${i + folded}:${s.id}`} step={s} frame={frame} animate={animate} />
      ))}
      {state.command && !state.summary ? (
        <Box flexDirection="column" marginTop={1}>
          <Text dimColor wrap="truncate-end">
            $ {state.command}
            {state.stdin ? `   # stdin: ${state.stdin}` : ''}
          </Text>
          <OutputLines lines={state.tail} />
        </Box>
      ) : null}
      {state.failureOutput.length > 0 ? (
        <Box flexDirection="column" marginTop={1}>
          <OutputLines lines={state.failureOutput} />
        </Box>
      ) : null}
      {state.asking && !state.summary ? (
        <Box flexDirection="column" marginTop={1}>
          <Text color={color('yellow')}>{`${state.asking.message}: waiting will not resolve this.`}</Text>
          <Text dimColor>{`fix: ${state.asking.fix}`}</Text>
          <Text bold>Press Enter (or s) to stop waiting, w to keep waiting.</Text>
        </Box>
      ) : null}
      {state.summary ? (
        <Box marginTop={1}>
          <Text color={color(state.summary.ok ? 'green' : 'red')}>{summaryLines(state.summary, state.title, Math.max(20, columns - 1)).join('\n')}</Text>
        </Box>
      ) : null}
    </Box>
  );
}

/** Subscribes to the event bus; exits (in one place, after the last flush) once the summary arrived. */
export function StatusApp({ source, animate = animationEnabled(), onAnswer, onSummary }: { source: EventSource; animate?: boolean; onAnswer?: (id: string, choice: 'stop' | 'wait') => void; /** Whether the last frame holds the summary (else the caller prints it, once). */ onSummary?: (inFrame: boolean) => void }) {
  const [state, dispatch] = useReducer((s: StatusState, e: HdEvent) => statusReducer(s, e), initialStatus);
  // On a terminal the keyboard is read (raw) for the whole screen: a key typed while steps run is neither
  // echoed into the frame (which would leave a copy of it in the scrollback) nor left for the shell.
  // Raw mode turns Ctrl-C into a key: it is sent on as the SIGINT it would have been.
  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') {
        process.kill(process.pid, 'SIGINT');
        return;
      }
      const choice = stuckChoice(input, key);
      if (choice && state.asking) onAnswer?.(state.asking.id, choice);
    },
    { isActive: Boolean(onAnswer) },
  );
  const [frame, setFrame] = useState(0);
  const { exit } = useApp();
  useEffect(() => source.subscribe(dispatch), [source]);
  useEffect(() => {
    if (!animate || state.summary) return;
    const t = setInterval(() => setFrame((f) => f + 1), 100);
    return () => clearInterval(t);
  }, [animate, state.summary]);
  const size = useTerminalSize();
  const width = size.columns - 1;
  const rows = size.rows;
  // The frame stays shorter than the terminal (Ink clears and reprints one as tall as it, into the
  // scrollback). The summary is in the last frame only when the whole frame still fits; else the
  // caller prints it once, after the screen is gone (run.tsx): never repainted.
  const summaryHeight = state.summary ? 1 + summaryLines(state.summary, state.title, Math.max(20, width)).length : 0;
  const bare = { ...state, summary: undefined };
  const withSummary = state.summary ? fitStatus(bare, width, rows - 2 - summaryHeight) : undefined;
  const inFrame = Boolean(withSummary && withSummary.folded === 0 && withSummary.steps.length === state.steps.length && summaryHeight < rows - 3);
  useEffect(() => {
    if (state.summary) {
      onSummary?.(inFrame);
      exit();
    }
  }, [state.summary, exit]);
  const live = fitStatus(bare, width, Math.max(3, rows - 2));
  if (inFrame) return <StatusView state={state} frame={frame} animate={animate} />;
  return <StatusView state={live} folded={live.folded} frame={frame} animate={animate} />;
}
