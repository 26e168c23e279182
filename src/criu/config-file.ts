/** One option of a CRIU config file: `key` or `key=value`, written without the leading `--`. */
export interface CriuOption {
  key: string;
  value?: string;
}

/** Options that may appear more than once and all take effect (criu keeps a list). */
const REPEATABLE = new Set([
  'action-script',
  'external',
  'inherit-fd',
  'ext-mount-map',
  'veth-pair',
]);

/** Parses CRIU's config format: one option a line, `#` comments, blank lines ignored. */
export function parseCriuConfig(text: string): CriuOption[] {
  const options: CriuOption[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const body = line.replace(/^--/, '');
    const match = /^([^\s=]+)(?:\s*[=\s]\s*(.*))?$/.exec(body);
    if (match === null) continue;
    const option: CriuOption = { key: match[1] as string };
    if (match[2] !== undefined && match[2] !== '') option.value = match[2];
    options.push(option);
  }
  return options;
}

export function formatCriuConfig(header: string, options: readonly CriuOption[]): string {
  const lines = options.map((o) => (o.value === undefined ? o.key : `${o.key}=${o.value}`));
  return `# ${header}\n${lines.join('\n')}\n`;
}

export interface MergeResult {
  options: CriuOption[];
  /** cohort's keys dropped because the user's file already sets them. */
  overridden: string[];
}

/** The user's options first and kept whole; cohort adds its own unless the user set that key. */
export function mergeCriuOptions(
  user: readonly CriuOption[],
  cohort: readonly CriuOption[],
): MergeResult {
  const userKeys = new Set(user.map((o) => o.key));
  const options = [...user];
  const overridden: string[] = [];
  for (const option of cohort) {
    const duplicate = options.some((o) => o.key === option.key && o.value === option.value);
    if (duplicate) continue;
    if (REPEATABLE.has(option.key) || !userKeys.has(option.key)) options.push(option);
    else overridden.push(option.key);
  }
  return { options, overridden };
}
