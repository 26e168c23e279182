/** One WWW-Authenticate challenge: `Basic realm="…"` or `Bearer realm="…",service="…",scope="…"`. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses the first challenge of a WWW-Authenticate header (quoted values may hold commas). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (header === null) return undefined;
  const match = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (match === null) return undefined;
  const params: Record<string, string> = {};
  const pair = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/g;
  for (const found of (match[2] ?? '').matchAll(pair)) {
    const key = found[1]?.toLowerCase() ?? '';
    params[key] = found[2] !== undefined ? found[2].replace(/\\(.)/g, '$1') : (found[3] ?? '');
  }
  return { scheme: (match[1] ?? '').toLowerCase(), params };
}

/** A repository scope for a token request (distribution's token auth). */
export function repositoryScope(repository: string, actions: readonly string[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}
