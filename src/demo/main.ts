import { configLocation, loadConfig } from '../config/load.js';
import { resolveRunc } from '../config/runc.js';
import { runDemo } from './demo.js';

try {
  // The demo runs the real runc the cohort config names (or the first one found).
  const location = configLocation(process.env);
  const runc = resolveRunc(loadConfig(location), location.path ?? 'the default config');
  process.exitCode = await runDemo({
    runc,
    print: (line) => console.log(line),
    keep: process.argv.includes('--keep'),
  });
} catch (error) {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
