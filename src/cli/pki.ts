import type { CommandModule } from 'yargs';
import type { CliContext } from './context.js';
import { pkiAddCommand } from './pki-add.js';
import { pkiInitCommand } from './pki-init.js';

export function pkiCommand(context: CliContext): CommandModule {
  return {
    command: 'pki',
    describe: 'make the certificates for mutual TLS between cohortd, nodes and operators',
    builder: (yargs) =>
      yargs
        .command(pkiInitCommand(context))
        .command(pkiAddCommand(context))
        .demandCommand(1, 'name a pki command: init or add'),
    handler: () => undefined,
  };
}
