// DebugStalled diagnose and act for every stall on the singleFile shape (see debug-scenario.ts).
import { shapes } from '../integration/replay-shapes-fixture.js';
import { debugScenario } from './debug-scenario.js';

debugScenario('singleFile', shapes.singleFile);
