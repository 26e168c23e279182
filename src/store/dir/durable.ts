import { open, rename, rm, symlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsync of a file or directory by path. */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `path` through a temp file, fsync and rename: a reader sees the old file or the whole new one. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await syncPath(dirname(path));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Points the symlink `path` at `target`, replacing it atomically. */
export async function replaceSymlink(target: string, path: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  await symlink(target, temp);
  await rename(temp, path);
}
