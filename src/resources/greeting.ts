// greeting: a resource template, one resource per name. Shows an RFC 6570 variable read back from
// the URI, completion for it, and "not found" for a name we will not greet.

import { completeFrom } from '../protocol/completer.ts'
import { defineResourceTemplate } from './define.ts'

const NAMES = ['Ada', 'Alan', 'Barbara', 'Donald', 'Edsger', 'Grace', 'Katherine', 'Margaret']

export const greeting = defineResourceTemplate({
  uriTemplate: 'bare-mcp://greeting/{name}',
  name: 'greeting',
  title: 'A greeting',
  description: 'A one-line greeting for the name in the URI (1 to 100 characters).',
  mimeType: 'text/plain',
  complete: { name: completeFrom(NAMES) },
  // `name` comes from the client: use it only after checking it.
  read: (_uri, { name }) =>
    name !== undefined && name.trim() !== '' && name.length <= 100 ? `Hello, ${name}!` : null,
})
