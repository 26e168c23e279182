import { cpSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../helpers/runc.js';
import { lastOf, readStages } from './containerfile.js';

/**
 * The final stage of the Containerfile laid out in `dest` from this checkout, as the image holds
 * it under its WORKDIR: `COPY bin bin` copies the clone's bin/, and `COPY --from=build DIR/X X`
 * the build's output, which `npm run build` made here in the same place. Returns the WORKDIR.
 */
export function stageImageTree(dest: string): string {
  const final = readStages().at(-1) ?? [];
  const workdir = lastOf(final, 'WORKDIR')?.text ?? '/';
  for (const copy of final.filter((instruction) => instruction.keyword === 'COPY')) {
    const fromBuild = copy.words[0]?.startsWith('--from=') === true;
    const words = fromBuild ? copy.words.slice(1) : copy.words;
    const target = words.at(-1) ?? '.';
    for (const source of words.slice(0, -1)) {
      const path = fromBuild ? relative(workdir, source) : source;
      const into =
        target.endsWith('/') || target === '.' || target === './' ? join(target, path) : target;
      cpSync(join(REPO_ROOT, path), join(dest, into), { recursive: true });
    }
  }
  return workdir;
}
