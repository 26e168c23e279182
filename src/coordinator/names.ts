import { ErrorCode } from '../core/errors.js';
import { checkName as checkNameAs } from '../core/names.js';

export { isValidName, NAME_PATTERN } from '../core/names.js';

/** Throws BadMessage naming the field when `value` is not a valid group or member name. */
export function checkName(value: unknown, field: string): string {
  return checkNameAs(value, field, ErrorCode.BadMessage);
}
