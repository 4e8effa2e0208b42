// Imported first by main: Ctrl-C handling is in place before any other module is evaluated.
import { installInterruptHandlers } from '../util/interrupt.js';

installInterruptHandlers();
