// server_tour: a prompt without arguments whose first message embeds a resource. Shows how a
// prompt hands the model a document along with the question.

import { resource } from '../protocol/content.ts'
import { LOGO_ICON } from '../resources/logo.ts'
import { README, readme } from '../resources/readme.ts'
import { definePrompt, user } from './define.ts'

export const serverTour = definePrompt({
  name: 'server_tour',
  title: 'Tour of this server',
  description: 'Asks the model for a short tour of this server, from its readme.',
  icons: [LOGO_ICON],
  get: () => [
    user(resource({ uri: readme.uri, mimeType: 'text/markdown', text: README })),
    user(
      'Using the document above, give me a short tour of this MCP server: what can I try first?',
    ),
  ],
})
