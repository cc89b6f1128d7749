// `temporal-ops mcp`: the Model Context Protocol over stdio, for coding agents. Stdout carries
// protocol messages only; progress of the tools goes to the client, our own lines to stderr.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../config.js';
import type { CommandTree } from './run-cli-tool.js';
import type { CommandContext, CommandFn } from '../cli/context.js';
import { ExitCode } from '../cli/output.js';

/**
 * The command over the CLI's own tree (handed in, so the server runs each tool as that command).
 * It serves until the client closes stdin and its calls answered (exit 0), or a SIGINT / SIGTERM (exit 130).
 */
export function mcpCommand(tree: CommandTree): CommandFn<unknown> {
  return (_options, ctx) => mcpServe(tree, ctx);
}

async function mcpServe(tree: CommandTree, ctx: CommandContext): Promise<number> {
  const [{ StdioServerTransport }, { createMcpServer }, { sessionContext }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/stdio.js'),
    import('./server.js'),
    import('./session-context.js'),
  ]);
  const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  const context = sessionContext(ctx);
  const { server, settled } = createMcpServer(tree, context, version);
  const closed = new Promise<number>((resolve) => {
    const stop = (code: number) => () => {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      void server.close().finally(() => resolve(code));
    };
    const interrupted = stop(ExitCode.interrupted);
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    // The transport does not watch for end of input: the client closing stdin ends the session,
    // once the calls it already sent have answered.
    const ended = stop(ExitCode.ok);
    process.stdin.once('end', () => void settled().finally(ended));
  });
  await server.connect(new StdioServerTransport());
  ctx.out.info(`temporal-ops MCP server ${version} on stdio (server ${ctx.target.address})`);
  try {
    return await closed;
  } finally {
    await context.close();
  }
}
