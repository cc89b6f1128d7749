// Public surface of src/diagnosis: pure facts -> verdict + evidence + remedy, safe in workflow code.

export type * from '../contract/facts.js';
export * from '../contract/verdicts.js';
export { diagnose } from './diagnose.js';
export { groupRemedies } from './remedies.js';
