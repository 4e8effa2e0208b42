// After the entry: starts the wizard straight away on a terminal with no arguments (without loading the CLI
// parser or the model first); else hands over to main.
import './interrupt-first.js'; // Ctrl-C handled from the first line on
import { importWithoutFetch } from '../util/ink-loader.js';
import { exitQuietlyOnEpipe } from '../util/epipe.js';

exitQuietlyOnEpipe(); // `hd-setup status | head -1`: a closed stdout ends quietly, from the first write on


const args = process.argv.slice(2);
if (args.length === 0 && process.stdin.isTTY && process.stdout.isTTY && !process.env.CI) {
  // Keys typed while the wizard loads are neither echoed into the screen (an arrow would print ^[[B above
  // the first frame) nor lost: in raw mode they wait in the terminal until the wizard reads them. Ctrl-C
  // meanwhile is a key, which the wizard reads as cancel; the terminal's mode is restored at exit.
  process.stdin.setRawMode(true);
  try {
    const mark = (what: string) => process.env.HD_SETUP_DEBUG && process.stderr.write(`${what} at ${(process.uptime() * 1000).toFixed(0)} ms\n`);
    mark('entry');
    const { startWizard } = await importWithoutFetch(() => import('./wizard-main.js'));
    mark('wizard loaded');
    process.exitCode = await startWizard();
  } catch (e) {
    const { reportError } = await import('./context.js');
    process.exitCode = reportError(e, false);
  }
} else {
  await import('./main.js');
}
