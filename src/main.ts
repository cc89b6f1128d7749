// Entry point: one command line, one exit code, the only process.exit of the CLI. It joins the two
// front doors: the CLI, and the MCP server that runs the CLI's commands as tools.
import { runCli } from './cli/run-cli.js';
import type { CommandTree } from './mcp/run-cli-tool.js';

const mcp = async (tree: CommandTree) => (await import('./mcp/command.js')).mcpCommand(tree);

// gRPC-js gives Node an IP address as the TLS server name when the address is one (DEP0123). The
// certificate is still checked against that address; the warning is noise on the user's terminal.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const code = typeof rest[0] === 'object' ? (rest[0] as { code?: string } | null)?.code : rest[1];
  if (code !== 'DEP0123') (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

process.exit(await runCli(process.argv.slice(2), { mcp }));
