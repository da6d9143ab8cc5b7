// What a handler can raise besides a JSON-RPC error (src/jsonrpc/errors.ts `JsonRpcError`, for a
// request that is wrong): a failure meant for the client to read, and a cancellation.
//
//   throw new HandlerError('City not found')   tools/call  -> result with isError: true
//                                             prompts/get -> -32603 "City not found"
//
// Tool authors know the first as `ToolError` (src/tools/define.ts).

/**
 * A failure whose message is meant for the client: the runner (src/protocol/runner.ts) turns it
 * into a tool error result, or -32603 with this message for the other methods. Any other throw
 * is reported with a generic message and logged on the server only.
 */
export class HandlerError extends Error {}

/**
 * Thrown when the client cancelled the request: the server then sends no response at all
 * (R-JR-20, R-JR-21).
 */
export class Cancelled extends Error {}
