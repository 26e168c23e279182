// A member in its own process: joins, says so on stdout, then only heartbeats (until stopped).
import { connectCoordinator } from '../../../src/coordinator/client.js';

const [address = '', group = '', member = '', size = '2'] = process.argv.slice(2);
const client = await connectCoordinator({ address, connectTimeoutMs: 10_000 });
await client.openSession({ group, member, kind: 'checkpoint', declaredSize: Number(size) });
process.stdout.write('joined\n');
setInterval(() => undefined, 60_000);
