// Snapshots live in the top-level __snapshots__/ folder, where reviewers look for them.
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const snapshots = path.join(root, '__snapshots__');
const tests = path.join(root, 'test');

module.exports = {
  resolveSnapshotPath: (testPath, ext) => path.join(snapshots, path.relative(tests, testPath) + ext),
  resolveTestPath: (snapshotPath, ext) =>
    path.join(tests, path.relative(snapshots, snapshotPath).slice(0, -ext.length)),
  testPathForConsistencyCheck: path.join(tests, 'synth.test.ts'),
};
