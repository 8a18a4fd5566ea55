// Jest config for mediasoup's own Node test suite, which the npm package ships
// compiled (node_modules/mediasoup/node/lib/test/test-*.js). Used by run.sh.
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..', '..');
const suiteDir = path.join(repoRoot, 'node_modules', 'mediasoup', 'node', 'lib', 'test');

module.exports = {
	rootDir: repoRoot,
	roots: [suiteDir],
	testEnvironment: 'node',
	testMatch: ['**/test-*.js'],
	// The suite lives under node_modules, which jest ignores by default.
	testPathIgnorePatterns: [],
	haste: { retainAllFiles: true },
	// Already compiled JavaScript: nothing to transform.
	transform: {},
	cacheDirectory: path.join(repoRoot, '.cache', 'jest-mediasoup-suite'),
	testTimeout: 30000,
	verbose: true,
};
