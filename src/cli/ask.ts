// One line typed at a terminal, for the CLI's questions ("Apply this plan? [y/N]", "Which one?").
import { createInterface } from 'node:readline/promises';

/**
 * The answer, trimmed. Ctrl-C at the question is the interrupt it is everywhere else (readline would end
 * the question with an "Aborted" error, exit 1): the process gets its SIGINT, so nothing is changed and the
 * exit is 130.
 */
export async function askLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}
