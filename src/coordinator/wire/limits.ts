/** A whole round of 4096 members with their names fits many times over. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
export const MAX_REASON_CHARS = 2048;
export const MAX_PATH_CHARS = 4096;
