// DebugStalled diagnose and act for every stall on the make shape (see debug-scenario.ts).
import { shapes } from '../integration/replay-shapes-fixture.js';
import { debugScenario } from './debug-scenario.js';

debugScenario('make', shapes.make);
