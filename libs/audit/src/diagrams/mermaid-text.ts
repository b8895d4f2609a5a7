/** Mermaid state ids: letters, digits and underscores only (dots would be read as syntax). */
export function mermaidId(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `s_${id}`;
}

/**
 * Text for a quoted state description or a transition label. Quotes, semicolons, angle brackets
 * and line breaks would end the statement or be read as markup; `<br/>` is added by the caller.
 */
export function mermaidText(text: string): string {
  return text
    .replace(/"/g, "'")
    .replace(/;/g, ',')
    .replace(/[<>]/g, '')
    .replace(/[\r\n]+/g, ' ')
    .trim();
}

/** Transition labels cannot hold a colon (it separates the label); times keep theirs in descriptions only. */
export function mermaidLabel(text: string): string {
  return mermaidText(text).replace(/:/g, ' ');
}
