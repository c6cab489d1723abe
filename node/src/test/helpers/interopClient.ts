// Builds the interop test page (fixtures/interop-client) in memory with
// esbuild: the real mediasoup-client package bundled for the browser. Nothing
// is written to disk.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const CLIENT_DIR = path.join(__dirname, '..', 'fixtures', 'interop-client');

export type InteropClientFiles = {
	html: string;
	script: string;
};

let built: Promise<InteropClientFiles> | undefined;

async function build(): Promise<InteropClientFiles> {
	const result = await esbuild.build({
		entryPoints: [path.join(CLIENT_DIR, 'client.ts')],
		bundle: true,
		write: false,
		format: 'iife',
		platform: 'browser',
		target: 'chrome110',
		sourcemap: 'inline',
		logLevel: 'silent',
		define: { 'process.env.NODE_ENV': '"test"' },
	});

	return {
		html: fs.readFileSync(path.join(CLIENT_DIR, 'index.html'), 'utf8'),
		script: result.outputFiles[0].text,
	};
}

/**
 * The page and its script (built once per test file).
 */
export function buildInteropClient(): Promise<InteropClientFiles> {
	built ??= build();

	return built;
}
