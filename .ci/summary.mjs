// Prints the one summary line of a CI run from the counts that npm-scripts
// recorded for each test suite (Catch2 and Jest).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const summaryFile = path.join(root, '.cache', 'test-summary.json');

let passed = 0;
let failed = 0;

if (fs.existsSync(summaryFile)) {
	const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));

	for (const counts of Object.values(summary)) {
		passed += counts.passed;
		failed += counts.failed;
	}
} else {
	// Nothing ran at all: that is a failure.
	failed = 1;
}

console.log(`${passed} passed, ${failed} failed`);

process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
