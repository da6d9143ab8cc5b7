// logo: a 16x16 PNG, read as a base64 blob. Shows binary contents (`read` returns bytes and the
// server encodes them) and doubles as the icon of the demo resources and prompts.

import type { Icon } from '../protocol/content.ts'
import { defineResource } from './define.ts'

const LOGO_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAPUlEQVR42mP43KBAEmIgU8N/MMClCFkWRQNWPWhS6BrQ9GCKozsJWQ6rIBY/YJpKQAN+LmWhNMI00DC1AgBN0e2Qm6zGZgAAAABJRU5ErkJggg=='

const bytes = Uint8Array.from(atob(LOGO_PNG), (char) => char.charCodeAt(0))

/** The logo as an icon (2025-11-25+): a data: URI, so clients need not fetch anything. */
export const LOGO_ICON: Icon = {
  src: `data:image/png;base64,${LOGO_PNG}`,
  mimeType: 'image/png',
  sizes: ['16x16'],
}

export const logo = defineResource({
  uri: 'bare-mcp://logo.png',
  name: 'logo.png',
  title: 'bare-mcp logo',
  description: "The server's 16x16 logo, a PNG image.",
  mimeType: 'image/png',
  size: bytes.length,
  annotations: { audience: ['user'], priority: 0.1 },
  icons: [LOGO_ICON],
  read: () => bytes,
})
