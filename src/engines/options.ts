/** CRIU's options a group round passes to every member's engine. */
export interface CriuOptions {
  leaveRunning: boolean;
  tcpEstablished: boolean;
  fileLocks: boolean;
}

/** The same options as runc and podman spell them (`--leave-running`, …). */
export function criuFlags(options: CriuOptions, forRestore = false): string[] {
  return [
    ...(options.leaveRunning && !forRestore ? ['--leave-running'] : []),
    ...(options.tcpEstablished ? ['--tcp-established'] : []),
    ...(options.fileLocks ? ['--file-locks'] : []),
  ];
}
