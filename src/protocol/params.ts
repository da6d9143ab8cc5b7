// Validating a method's params with valibot: a mismatch is -32602 Invalid params naming the
// field, thrown for dispatch to answer.

import * as v from 'valibot'
import { invalidParams, JsonRpcError } from '../jsonrpc/errors.ts'
import { describeIssues } from '../jsonrpc/issues.ts'
import type { Params } from '../jsonrpc/message.ts'

/** Parses `params` (absent params read as `{}`) or throws -32602. */
export const parseParams = <T>(
  method: string,
  schema: v.GenericSchema<unknown, T>,
  params: Params | undefined,
): T => {
  const result = v.safeParse(schema, params ?? {})
  if (result.success) return result.output
  throw new JsonRpcError(invalidParams(`${method}: ${describeIssues(result.issues, 'params')}`))
}
