/** @type {import('jest').Config} */
module.exports = {
	verbose: true,
	testEnvironment: 'node',
	testRegex: 'node/src/test/test-.*\\.ts$',
	transform: {
		'^.+\\.ts?$': ['ts-jest', { diagnostics: { warnOnly: false } }],
	},
	coveragePathIgnorePatterns: ['node/src/fbs', 'node/src/test'],
	cacheDirectory: '.cache/jest',
	testTimeout: 30000,
};
