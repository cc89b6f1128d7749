// DebugStalled diagnose and act for every stall on the srcModule shape (see debug-scenario.ts).
import { shapes } from '../integration/replay-shapes-fixture.js';
import { debugScenario } from './debug-scenario.js';

debugScenario('srcModule', shapes.srcModule);
