import type { JsonObject } from '@nws/engine';
import { PLACEHOLDERS } from '@nws/personal-data';
import { contentHash } from '@nws/workflows/connection-application/master-data/master-data.content';

/**
 * A master-data version's `contentHash` is the hash of its content as registered. Where a
 * published answer shows the content with personal data withheld (a suspended person's values as
 * ［利用停止中］, an erased one's as ［消去済み］), that hash can no longer match what is sent, and a
 * consumer checking it (the reference distributor does) would refuse the version for good and
 * leave its application short of `distributed`. Such content is sent with `publishedContentHash`,
 * the hash of the content as sent: `contentHash` stays the version's identity. Content that holds
 * no placeholder gets none, so corrupted content is never vouched for here.
 */
export function markWithheldContent(body: unknown): unknown {
  if (Array.isArray(body)) {
    let copy: unknown[] | undefined;
    body.forEach((item, index) => {
      const marked = markWithheldContent(item);
      if (marked !== item) (copy ??= [...body])[index] = marked;
    });
    return copy ?? body;
  }
  if (body === null || typeof body !== 'object') return body;
  const node = body as Record<string, unknown>;
  const content = node['content'];
  if (typeof node['contentHash'] === 'string' && content !== null && typeof content === 'object' && holdsPlaceholder(content)) {
    // The recipe of the version's own contentHash, over what is sent.
    return { ...node, publishedContentHash: contentHash(content as JsonObject) };
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(node)) {
    if (value === null || typeof value !== 'object') continue;
    const marked = markWithheldContent(value);
    if (marked !== value) (copy ??= { ...node })[key] = marked;
  }
  return copy ?? body;
}

function holdsPlaceholder(value: unknown): boolean {
  if (typeof value === 'string') return PLACEHOLDERS.has(value);
  if (Array.isArray(value)) return value.some(holdsPlaceholder);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsPlaceholder);
  return false;
}
