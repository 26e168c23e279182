// Folders of src/ depend one way: a folder may import only folders ranked below it (and itself).
// Higher rank = closer to the user; entries wire everything, core depends on nothing of ours.
const RANK = {
  entries: 10,
  cli: 9,
  demo: 9,
  daemon: 8,
  agent: 7,
  runtime: 6,
  session: 5,
  engines: 5,
  coordinator: 4,
  store: 3,
  etcd: 3,
  runc: 2,
  spec: 2,
  criu: 2,
  config: 1,
  core: 0,
  gen: 0,
};

const folders = Object.keys(RANK);
const layerRules = folders.map((from) => {
  const above = folders.filter((to) => to !== from && RANK[to] >= RANK[from]);
  return {
    name: `layer-${from}`,
    comment: `src/${from} may import only folders ranked below it`,
    severity: 'error',
    from: { path: `^src/${from}/` },
    to: { path: `^src/(${above.join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a cycle between modules',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'unknown-folder',
      comment: 'every folder of src/ has a rank in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: `^src/(?!(${folders.join('|')})/)` },
      to: {},
    },
    ...layerRules.filter((rule) => !rule.to.path.endsWith('()/')),
    {
      name: 'pure-protocol',
      comment: 'the protocol is a pure state machine: no I/O, no gRPC, no server or client code',
      severity: 'error',
      from: { path: '^src/coordinator/protocol/' },
      to: { path: '^src/coordinator/(server|client|wire|store|daemon)/|node_modules' },
    },
    {
      name: 'protocol-without-io',
      comment: "the protocol's clock and effects come from outside: no Node built-in module",
      severity: 'error',
      from: { path: '^src/coordinator/protocol/' },
      to: { dependencyTypes: ['core'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|test|node_modules)/' },
  },
};
