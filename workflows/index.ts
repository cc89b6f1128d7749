// The recipes. Each exported name is the workflow type users pass to `--type`.
export { CleanStart } from './clean-start.js';
