// One file per entry point: Node then reads and links one module instead of a few hundred,
// which is most of what a runtime call spends before doing its work.
import { build } from 'esbuild';

const entries = {
  runtime: 'dist/src/entries/runtime-main.js',
  cohortd: 'dist/src/entries/cohortd-main.js',
  cohortctl: 'dist/src/entries/cohortctl-main.js',
};

await build({
  entryPoints: entries,
  outdir: 'dist/bundle',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // Dynamic imports stay separate chunks: create never reads the gRPC code a session needs.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  // CommonJS dependencies (grpc-js, protobufjs) call require(); ESM output needs one made for them.
  banner: {
    js: "import { createRequire as cohortCreateRequire } from 'node:module'; const require = cohortCreateRequire(import.meta.url);",
  },
});
