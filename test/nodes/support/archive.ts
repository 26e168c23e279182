import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOk } from '../../helpers/run.js';

/**
 * A file of a member's tmpfs as its stored checkpoint holds it: the member's archive in a dir:
 * store (DIR/epoch-N/MEMBER.tar.gz) carries CRIU's images, and CRIU keeps each tmpfs's content
 * in checkpoint/tmpfs-dev-*.tar.gz.img. Undefined when no tmpfs of the member has the file.
 */
export async function checkpointedFile(
  storeDir: string,
  epoch: number,
  member: string,
  file: string,
): Promise<string | undefined> {
  const work = mkdtempSync(join(tmpdir(), 'cohort-archive-'));
  try {
    const archive = join(storeDir, `epoch-${epoch}`, `${member}.tar.gz`);
    await runOk('tar', ['-xzf', archive, '-C', work, '--wildcards', 'checkpoint/tmpfs-dev-*']);
    const images = readdirSync(join(work, 'checkpoint'));
    for (const [i, image] of images.entries()) {
      const out = join(work, `tmpfs-${i}`);
      await runOk('mkdir', ['-p', out]);
      await runOk('tar', ['-xzf', join(work, 'checkpoint', image), '-C', out]);
      if (existsSync(join(out, file))) return readFileSync(join(out, file), 'utf8');
    }
    return undefined;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
