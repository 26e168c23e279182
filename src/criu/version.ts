/** runc runs action scripts from the org.criu.config file only with CRIU 3.19 or newer. */
export const MIN_CRIU = [3, 19] as const;

export function parseCriuVersion(text: string): [number, number] | undefined {
  const match = /Version:\s*(\d+)\.(\d+)/.exec(text);
  return match === null ? undefined : [Number(match[1]), Number(match[2])];
}

export function runsHooksUnderRunc(version: readonly [number, number] | undefined): boolean {
  if (version === undefined) return false;
  const [major, minor] = MIN_CRIU;
  return version[0] > major || (version[0] === major && version[1] >= minor);
}
