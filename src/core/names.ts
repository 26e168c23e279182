import { CohortError, type ErrorCode } from './errors.js';

/** Group, member and node names: safe in paths, log lines, metric labels, image tags and CNs. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The rule in words, for every message that refuses a name. */
export const NAME_RULE = "1-63 letters, digits, '.', '_' or '-', starting with a letter or digit";

/** The most members one group may have: one join carries every name, far below gRPC's limit. */
export const MAX_MEMBERS = 4096;

export function isValidName(value: unknown): value is string {
  return typeof value === 'string' && NAME_PATTERN.test(value);
}

/** What is wrong with a value that is not a name, and the fix. */
export function nameProblem(value: unknown): string {
  return `${JSON.stringify(value) ?? 'nothing'} is not a name; use ${NAME_RULE}`;
}

/** Returns the name, or throws `code` naming where it came from (`--node`, `join.group`) and the rule. */
export function checkName(value: unknown, where: string, code: ErrorCode): string {
  if (isValidName(value)) return value;
  // A flag reads `--node "x" is not a name`; a message field reads `join.group: "x" is not …`.
  const subject = where.startsWith('-') ? where : `${where}:`;
  throw new CohortError(code, `${subject} ${nameProblem(value)}`, { details: { field: where } });
}
