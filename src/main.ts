// Entry point: one command line, one exit code, the only process.exit of the CLI. It joins the two
// front doors: the CLI, and the MCP server that runs the CLI's commands as tools.
import { runCli } from './cli/run-cli.js';
import type { CommandTree } from './mcp/run-cli-tool.js';

const mcp = async (tree: CommandTree) => (await import('./mcp/command.js')).mcpCommand(tree);

process.exit(await runCli(process.argv.slice(2), { mcp }));
