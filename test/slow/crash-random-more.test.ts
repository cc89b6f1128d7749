// kill -9 of the control worker at random instants: CleanStartUv and CleanStartTwice (see crash-random-suite.ts).
import { randomKillSuite } from './crash-random-suite.js';

randomKillSuite(['CleanStartUv', 'CleanStartTwice']);
