/** Left-aligned columns separated by two spaces, one row a line; the last column is not padded. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...all.map((row) => (row[column] ?? '').length)),
  );
  return (
    all
      .map((row) =>
        row
          .map((cell, column) =>
            column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
          )
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** A duration for people: 850ms, 2.4s, 3m05s. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** An ISO time, or "-" when there is none. */
export function formatTime(value: string | number | Date | undefined): string {
  if (value === undefined) return '-';
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace('.000Z', 'Z');
}
