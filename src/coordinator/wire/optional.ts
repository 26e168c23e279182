/** Only the entries that are set: optional fields stay absent rather than present as undefined. */
export function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
  const set: Partial<T> = {};
  for (const key in fields) if (fields[key] !== undefined) set[key] = fields[key];
  return set;
}

/** proto3 writes no empty string: '' is absent. */
export function nonEmpty(value: string): string | undefined {
  return value === '' ? undefined : value;
}
