import { isMap, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** A field path as the validators name it: `members[1]`, `deadlines.joinMs`. */
export function parseFieldPath(field: string): (string | number)[] {
  const path: (string | number)[] = [];
  for (const part of field.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (match === null) return path;
    if (match[1] !== '') path.push(match[1] ?? '');
    for (const index of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) path.push(Number(index[1]));
  }
  return path;
}

/** The line (1-based) of the deepest node on `path` that exists: the key's line for map entries. */
export function lineOf(
  doc: Document,
  counter: LineCounter,
  path: readonly (string | number)[],
): number {
  let node: unknown = doc.contents;
  let line = lineAt(counter, node as Node | null);
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(step));
      if (pair === undefined) break;
      line = lineAt(counter, pair.key as Node) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step];
      line = lineAt(counter, node as Node) ?? line;
    } else {
      break;
    }
  }
  return line ?? 1;
}

function keyText(key: unknown): string {
  if (key !== null && typeof key === 'object' && 'value' in key)
    return String((key as { value: unknown }).value);
  return String(key);
}

function lineAt(counter: LineCounter, node: Node | null | undefined): number | undefined {
  const start = node?.range?.[0];
  return start === undefined ? undefined : counter.linePos(start).line;
}
