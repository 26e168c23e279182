// One election contender as its own process: campaigns, writes `leader` fenced once it leads,
// reports JSON lines on stdout, and on `write-fenced` (stdin) retries a write with its last fence.
import { createInterface } from 'node:readline';
import { isCohortError } from '../../../src/core/errors.js';
import { openEtcd, type EtcdOptions, type Leadership } from '../../../src/etcd/index.js';

const config = JSON.parse(process.argv[2] ?? '{}') as { name: string; etcd: EtcdOptions };
const say = (event: string, facts: Record<string, unknown> = {}): void => {
  process.stdout.write(
    JSON.stringify({ event, name: config.name, at: Date.now(), ...facts }) + '\n',
  );
};

const etcd = await openEtcd(config.etcd);
let last: Leadership | undefined;

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'write-fenced' || last === undefined) return;
  const fence = { key: last.key, createRevision: last.createRevision };
  etcd.write([{ type: 'put', key: 'leader', value: `${config.name} (late)` }], fence).then(
    (result) => say('write', { ok: true, revision: result.revision }),
    (error: unknown) =>
      say('write', { ok: false, code: isCohortError(error) ? error.code : String(error) }),
  );
});

say('ready');
for (;;) {
  const leadership = await etcd.campaign({ name: config.name });
  last = leadership;
  const written = await leadership.write([{ type: 'put', key: 'leader', value: config.name }]);
  say('leading', { key: leadership.key, revision: written.revision });
  const lost = await leadership.lost;
  say('lost', { code: lost.code, message: lost.message });
}
