import { loadConfig } from '../config/load.js';
import { runDemo } from './demo.js';

try {
  // The demo runs the real runc the cohort config names (or the first one found).
  const runc = loadConfig({ env: process.env }).runc;
  process.exitCode = await runDemo({
    runc,
    print: (line) => console.log(line),
    keep: process.argv.includes('--keep'),
  });
} catch (error) {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
