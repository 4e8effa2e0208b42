// Tiny entry chunk: answers --version without loading the rest, then hands over to main.
import { VERSION } from '../version.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  await import('./main.js');
}
