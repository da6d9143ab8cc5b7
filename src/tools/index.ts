// The tools this server offers, in listing order. To add one: write src/tools/<name>.ts with
// defineTool (see echo.ts), then add it here.

import { add } from './add.ts'
import { count } from './count.ts'
import type { Tool } from './define.ts'
import { echo } from './echo.ts'
import { fetchDocument } from './fetch.ts'
import { greet } from './greet.ts'
import { search } from './search.ts'

export const TOOLS: readonly Tool[] = [echo, add, count, greet, search, fetchDocument]
