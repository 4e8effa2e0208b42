// Everything the wizard's first frame needs, in one chunk (one module load, not a chain of them).
import { guardOutput } from '../util/output.js';
import { wizardCommand } from './wizard.js';
import '../ui/wiz/run.js';

export async function startWizard(): Promise<number> {
  guardOutput();
  return wizardCommand({});
}
