// Failures whose cause is the connection, told apart by class and gRPC status (never by message):
// bad settings, refused credentials, and a namespace the server does not have.
import {
  BookkeepingNamespaceMissingError,
  ConnectConfigError,
  ConnectionFailedError,
  ExitError,
} from '../errors.js';
import { isNotFound } from '../temporal/grpc.js';
import { connectionExit, isRefused, type CliContext } from './context.js';
import { ExitCode } from './output.js';

function namespaceMissing(ctx: Pick<CliContext, 'target'>): ExitError {
  return new ExitError(
    `namespace ${ctx.target.namespace} not found on ${ctx.target.address}`,
    ExitCode.namespaceNotFound,
  );
}

/** True when the server says the context's namespace does not exist (one DescribeNamespace call). */
async function namespaceIsMissing(ctx: CliContext): Promise<boolean> {
  try {
    const client = await ctx.client();
    await client.workflowService.describeNamespace({ namespace: ctx.target.namespace });
    return false;
  } catch (error) {
    return isNotFound(error);
  }
}

/**
 * The error a command's failure stands for: connection settings -> exit 2, a connection refused for
 * a named cause -> 3 or 12 (connectionExit), refused credentials -> 12, a missing namespace (the
 * user's, or the bookkeeping one we may not create) -> 11 (asked of the server only when the failure
 * was a not-found); else itself.
 */
export async function explainFailure(error: unknown, ctx: CliContext | undefined): Promise<unknown> {
  if (error instanceof ConnectConfigError) return new ExitError(error.message, ExitCode.usage);
  if (error instanceof ConnectionFailedError) return connectionExit(error);
  if (error instanceof BookkeepingNamespaceMissingError)
    return new ExitError(error.message, ExitCode.namespaceNotFound);
  if (ctx === undefined) return error;
  if (error instanceof Error && error.name === 'NamespaceNotFoundError') return namespaceMissing(ctx);
  if (isRefused(error))
    return new ExitError(
      `${ctx.target.address} refused the credentials for namespace ${ctx.target.namespace}: ${(error as Error).message}`,
      ExitCode.unauthorized,
    );
  const notFound = error instanceof ExitError ? error.exitCode === ExitCode.notFound : isNotFound(error);
  if (notFound && (await namespaceIsMissing(ctx))) return namespaceMissing(ctx);
  return error;
}
