/** One flag as runc's urfave/cli declares it: every name, and whether it takes a value. */
export interface FlagSpec {
  names: readonly string[];
  takesValue: boolean;
}

export interface ParsedFlags {
  /** Values by the flag's first name; repeats keep every value, in order. Booleans read "true"/"false". */
  values: Map<string, string[]>;
  /** Flags not in the table, kept raw: runc decides what they mean. */
  unknown: string[];
  /** The first non-flag argument onward (Go's flag package stops there, and so does runc). */
  positionals: string[];
}

export function lastValue(flags: ParsedFlags, name: string): string | undefined {
  const values = flags.values.get(name);
  return values === undefined ? undefined : values[values.length - 1];
}

/** What Go's strconv.ParseBool reads as true; anything else leaves a boolean flag unset. */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

export function isSet(flags: ParsedFlags, name: string): boolean {
  const value = lastValue(flags, name);
  return value !== undefined && GO_TRUE.has(value);
}

/**
 * Parses flags the way Go's flag package does: `-f`, `--f`, `-f=v`, `--f=v`, `-f v`, `--f v`;
 * booleans take only the `=v` form; `--` ends the flags; the first positional ends them too.
 */
export function parseFlags(args: readonly string[], table: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map<string, FlagSpec>();
  for (const spec of table) for (const name of spec.names) byName.set(name, spec);
  const values = new Map<string, string[]>();
  const unknown: string[] = [];
  let index = 0;
  while (index < args.length) {
    const arg = args[index] as string;
    if (arg === '--') {
      index += 1;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const body = arg.replace(/^--?/, '');
    const equals = body.indexOf('=');
    const name = equals === -1 ? body : body.slice(0, equals);
    const spec = byName.get(name);
    index += 1;
    if (spec === undefined) {
      unknown.push(arg);
      continue;
    }
    let value: string;
    if (equals !== -1) value = body.slice(equals + 1);
    else if (!spec.takesValue) value = 'true';
    else {
      value = args[index] ?? '';
      index += 1;
    }
    const key = spec.names[0] as string;
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return { values, unknown, positionals: args.slice(index) };
}
