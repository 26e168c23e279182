// A warning or an unhandled rejection in a test run is a bug, not noise.
process.on('warning', (warning) => {
  throw warning;
});
process.on('unhandledRejection', (reason) => {
  throw reason;
});
