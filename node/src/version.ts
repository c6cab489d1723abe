import * as fs from 'node:fs';
import * as path from 'node:path';

// node/src or node/lib sit two levels below the package root.
const packageJsonPath = path.join(__dirname, '..', '..', 'package.json');

/**
 * Version of this library (from package.json).
 */
export const version: string = (
	JSON.parse(fs.readFileSync(packageJsonPath, 'utf8')) as { version: string }
).version;
