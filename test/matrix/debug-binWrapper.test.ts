// DebugStalled diagnose and act for every stall on the binWrapper shape (see debug-scenario.ts).
import { shapes } from '../integration/replay-shapes-fixture.js';
import { debugScenario } from './debug-scenario.js';

debugScenario('binWrapper', shapes.binWrapper);
