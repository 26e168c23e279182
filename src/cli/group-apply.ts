import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { manifestSize } from '../coordinator/manifest.js';
import { CohortError, ErrorCode } from '../core/errors.js';
import type { CliContext } from './context.js';
import { parseGroupManifest } from './manifest/parse-manifest.js';

interface GroupApplyArgs {
  file: string;
}

export function groupApplyCommand(context: CliContext): CommandModule<object, GroupApplyArgs> {
  return {
    command: 'apply',
    describe:
      'create or replace a group from a manifest (YAML or JSON: name, members or size, deadlines)',
    builder: (yargs) =>
      yargs.option('file', {
        alias: 'f',
        type: 'string',
        demandOption: true,
        requiresArg: true,
        describe: 'the manifest file',
      }),
    handler: async (args) => {
      const manifest = parseGroupManifest(readManifestFile(args.file), args.file);
      const client = await context.coordinator();
      await client.applyGroup(manifest);
      const who = manifest.members?.join(', ') ?? `any ${manifestSize(manifest)} members`;
      context.io.out(`group ${manifest.name} applied: ${who}\n`);
    },
  };
}

function readManifestFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CohortError(
      ErrorCode.Argv,
      `manifest ${path}: cannot be read (${code}); give the path of a YAML or JSON file`,
      {
        cause: error,
      },
    );
  }
}
