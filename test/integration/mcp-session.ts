// An MCP client session over stdio against `temporal-ops mcp`, as a coding agent runs it, with every
// call checked by ajv: its arguments against the tool's inputSchema, its structuredContent against its outputSchema.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { packageRoot } from '../../src/config.js';
import { testTarget, type Harness } from '../helpers/harness.js';

export interface Outcome<T = unknown> {
  exitCode: number;
  result?: T;
  error?: string;
  log: string[];
}

export interface Called<T> {
  isError: boolean;
  outcome: Outcome<T>;
  text: string;
}

export interface McpSession {
  client: Client;
  tools: Tool[];
  /** What the server wrote to stderr so far. */
  log(): string;
  /** Calls a tool; asserts its arguments and its structuredContent against the tool's schemas. */
  call<T>(name: string, args: Record<string, unknown>, options?: RequestOptions): Promise<Called<T>>;
  /** Calls a tool with arguments its inputSchema may refuse; asserts its structuredContent against its outputSchema. */
  callUnchecked<T>(name: string, args: Record<string, unknown>, options?: RequestOptions): Promise<Called<T>>;
  /** The tools called so far, in order. */
  called: string[];
  close(): Promise<void>;
}

const ajv = new AjvJsonSchemaValidator();

/** Asserts `value` against the JSON Schema `schema`. */
export function assertValid(schema: object, value: unknown, what: string): void {
  const check = ajv.getValidator(schema as never)(value);
  assert.ok(check.valid, `${what}: ${check.errorMessage} in ${JSON.stringify(value)}`);
}

/** Spawns `temporal-ops mcp` on the harness's state dir and ops queue and connects a client to it. */
export async function openMcpSession(h: Harness): Promise<McpSession> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(packageRoot, 'bin', 'temporal-ops.mjs'), 'mcp'],
    env: {
      ...env,
      TEMPORAL_ADDRESS: testTarget().address,
      TEMPORAL_OPS_STATE_DIR: h.settings.stateDir,
      TEMPORAL_OPS_TASK_QUEUE: h.settings.opsTaskQueue,
    },
    stderr: 'pipe',
  });
  let serverLog = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    serverLog += chunk.toString();
  });
  const client = new Client({ name: 'mcp-test', version: '1.0.0' });
  await client.connect(transport);
  const { tools } = await client.listTools();
  const called: string[] = [];
  const session: McpSession = {
    client,
    tools,
    called,
    log: () => serverLog,
    async callUnchecked<T>(name: string, args: Record<string, unknown>, options?: RequestOptions) {
      const tool = tools.find((t) => t.name === name);
      assert.ok(tool?.outputSchema, `tool ${name} is listed with an outputSchema`);
      const result = await client.callTool({ name, arguments: args }, undefined, {
        timeout: 120_000,
        ...options,
      });
      assert.ok(result.structuredContent, `${name} returns structuredContent: ${JSON.stringify(result)}`);
      assertValid(tool.outputSchema, result.structuredContent, `${name} structuredContent`);
      const content = result.content as { type: string; text?: string }[];
      return {
        isError: result.isError === true,
        outcome: result.structuredContent as unknown as Outcome<T>,
        text: content[0]?.text ?? '',
      };
    },
    call<T>(name: string, args: Record<string, unknown>, options?: RequestOptions) {
      const tool = tools.find((t) => t.name === name);
      assert.ok(tool, `tool ${name} is listed`);
      assertValid(tool.inputSchema, args, `${name} arguments`);
      called.push(name);
      return session.callUnchecked<T>(name, args, options);
    },
    close: () => client.close(),
  };
  return session;
}
