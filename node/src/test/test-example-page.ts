// The example's page (example/client) is bundled by esbuild, which does not
// check types: tsc does it here, with the DOM and mediasoup-client types.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

test('the example page type-checks', () => {
	const result = spawnSync(
		process.execPath,
		[
			path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
			'-p',
			path.join(ROOT, 'example', 'tsconfig.json'),
		],
		{ encoding: 'utf8' }
	);

	// tsc prints its errors on stdout.
	expect(`${result.stdout}${result.stderr}`).toBe('');
	expect(result.status).toBe(0);
}, 60000);
