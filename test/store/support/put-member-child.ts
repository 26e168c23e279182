// Puts one large member and commits it, printing progress: a test kills this process mid-upload.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  makeConfigDump,
  makeRuncArchiveSource,
  openStore,
  parseStoreLocation,
} from '../../../src/store/index.js';

const [location = '', epochText = '0', megabytes = '64', parent = tmpdir()] = process.argv.slice(2);
const dir = mkdtempSync(join(parent, 'child-'));
mkdirSync(join(dir, 'checkpoint'));
writeFileSync(join(dir, 'checkpoint', 'pages-1.img'), randomBytes(Number(megabytes) * 1024 * 1024));
writeFileSync(join(dir, 'config.json'), '{}');
const store = openStore(parseStoreLocation(location), { env: {}, tlsVerify: false });
process.stdout.write('uploading\n');
const member = await store.putMember({
  group: 'web',
  epoch: Number(epochText),
  member: 'db',
  source: makeRuncArchiveSource({
    imageDir: join(dir, 'checkpoint'),
    specFile: join(dir, 'config.json'),
    configDump: makeConfigDump({ id: 'db', checkpointedTime: new Date() }),
  }),
});
await store.putCheckpoint({
  group: 'web',
  epoch: Number(epochText),
  createdAt: new Date().toISOString(),
  location,
  members: [member],
});
process.stdout.write('committed\n');
