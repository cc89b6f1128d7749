// kill -9 of the control worker at random instants: DebugStalled (see crash-random-suite.ts).
import { randomKillSuite } from './crash-random-suite.js';

randomKillSuite(['DebugStalled']);
