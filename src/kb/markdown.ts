// One Markdown file as a document (`POST /admin/kb/docs` with `Content-Type: text/markdown`):
// the title is the first `# ` heading (outside code fences), the text is the rest of the file,
// and the id, unless given, is a slug of the title.
//
//   # Streamable HTTP          -> title "Streamable HTTP", id "streamable-http"
//   One endpoint, POST ...     -> text "One endpoint, POST ..."

export interface Markdown {
  title: string | null
  text: string
}

/** Splits a Markdown file into its first level-1 ATX heading and the text without it. */
export const parseMarkdown = (source: string): Markdown => {
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/)
  let fence: string | null = null
  for (const [index, line] of lines.entries()) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1]
    if (marker !== undefined) {
      if (fence === null) fence = marker
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null
      continue
    }
    if (fence !== null) continue
    const heading = /^ {0,3}# +(.*?)(?: +#+)? *$/.exec(line)
    if (heading !== null && heading[1]!.trim() !== '') {
      // The heading goes, with the blank line after it.
      const after = lines[index + 1]?.trim() === '' ? index + 2 : index + 1
      const text = [...lines.slice(0, index), ...lines.slice(after)].join('\n').trim()
      return { title: heading[1]!.trim(), text }
    }
  }
  return { title: null, text: source.trim() }
}

/** "Streamable HTTP: an Überblick!" -> "streamable-http-an-uberblick"; "" if nothing is left. */
export const slug = (title: string): string =>
  title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 128)
    .replace(/^-+|-+$/g, '')
