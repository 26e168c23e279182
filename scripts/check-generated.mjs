// Fails when src/gen is not exactly what `npm run generate` makes from proto/ (edited by hand,
// or the .proto changed without regenerating).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const GENERATED = 'src/gen';
const out = mkdtempSync(join(tmpdir(), 'cohort-generate-'));

function files(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

try {
  execFileSync('buf', ['generate', 'proto', '--template', 'proto/buf.gen.yaml', '-o', out], {
    stdio: 'inherit',
  });
  const fresh = join(out, GENERATED);
  const want = files(fresh);
  const have = files(GENERATED);
  const differ = [...new Set([...want, ...have])].filter(
    (file) =>
      !want.includes(file) ||
      !have.includes(file) ||
      !readFileSync(join(fresh, file)).equals(readFileSync(join(GENERATED, file))),
  );
  if (differ.length > 0) {
    console.error(`${GENERATED} is not what proto/ generates: ${differ.join(', ')}`);
    console.error('run `npm run generate` and commit the result');
    process.exitCode = 1;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
