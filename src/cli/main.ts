// Entry point: one command line, one exit code, the only process.exit of the CLI.
import { runCli } from './run-cli.js';

process.exit(await runCli(process.argv.slice(2)));
