/**
 * Where a JSON body names one key twice in one object (`{"comment":"承認","comment":""}`), as a field
 * path, or undefined. JSON.parse keeps the last silently, another parser the first: what a proxy,
 * a log or a signature saw and what was stored would differ. Said to the client instead.
 *
 * Cheap on the bodies that have none: every key is followed by exactly one structural colon, so a
 * body whose colons (in strings too) are as many as the keys its parse holds has no duplicate;
 * only another count is scanned.
 */
export function duplicateKeyPath(text: string, parsed: unknown): string | undefined {
  if (colons(text) === keyCount(parsed)) return undefined;
  return scan(text);
}

function colons(text: string): number {
  let n = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) n += 1;
  return n;
}

/** Iterative: a body nested thousands deep is refused later by its depth (MAX_BODY_DEPTH), not by a stack overflow here. */
function keyCount(value: unknown): number {
  let n = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const item of node) pending.push(item);
      continue;
    }
    for (const key of Object.keys(node)) {
      n += 1;
      pending.push((node as Record<string, unknown>)[key]);
    }
  }
  return n;
}

interface Frame {
  /** An object's keys so far; absent for an array. */
  readonly keys?: Set<string>;
  expectKey: boolean;
  key?: string;
  index: number;
}

/** Walks text that JSON.parse accepted: strings, brackets, commas and colons are all it needs to tell. */
function scan(text: string): string | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      let escaped = false;
      while (text[j] !== '"') {
        if (text[j] === '\\') {
          escaped = true;
          j += 1;
        }
        j += 1;
      }
      const top = stack.at(-1);
      if (top?.keys && top.expectKey) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (top.keys.has(key)) return pathOf(stack.slice(0, -1), key);
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = j;
    } else if (c === '{') stack.push({ keys: new Set(), expectKey: true, index: 0 });
    else if (c === '[') stack.push({ expectKey: false, index: 0 });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack.at(-1);
      if (top?.keys) top.expectKey = true;
      else if (top) top.index += 1;
    }
  }
  return undefined;
}

function pathOf(parents: readonly Frame[], key: string): string {
  let path = '';
  for (const frame of parents) path += frame.keys ? `${path === '' ? '' : '.'}${frame.key ?? ''}` : `[${frame.index}]`;
  const full = path === '' ? key : `${path}.${key}`;
  // A body nested thousands deep would name a field of thousands of `[0]`: its end says where.
  return full.length > 200 ? `…${full.slice(-200)}` : full;
}
