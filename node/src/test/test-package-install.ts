// The package as users get it: `npm pack` of this clone, installed into an
// empty application directory with `npm install`, then used from there by
// require(), by import and by the TypeScript compiler.

import { execFile, type ExecFileException } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(__dirname, 'fixtures', 'package-app');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const INSTALLED = ['node_modules', 'mediasoup'];
const WORKER_BIN = [...INSTALLED, 'worker', 'out', 'Release', 'mediasoup-worker'];
// Packing builds the TypeScript; installing builds the worker (minutes on two
// cores without a compiler cache).
const INSTALL_TIMEOUT_MS = 30 * 60 * 1000;
const APP_TIMEOUT_MS = 60 * 1000;
// Development packages that must not reach an application's tree.
const DEV_ONLY_PACKAGES = ['typescript', 'jest', 'ts-jest', 'esbuild', 'eslint', 'playwright-core'];

type CommandResult = { code: number; stdout: string; stderr: string };

/**
 * Runs a command to its end. npm passes its own settings down as npm_*
 * variables; the commands here must behave as in a user's shell, so those
 * (and the worker binary override, unless given) are left out.
 */
function runCommand(
	command: string,
	args: string[],
	{ cwd, env = {}, timeout }: { cwd: string; env?: Record<string, string>; timeout: number }
): Promise<CommandResult> {
	const cleanEnv = Object.fromEntries(
		Object.entries(process.env).filter(
			([name]) => !name.toLowerCase().startsWith('npm_') && name !== 'MEDIASOUP_WORKER_BIN'
		)
	);

	return new Promise(resolve => {
		execFile(
			command,
			args,
			{ cwd, env: { ...cleanEnv, ...env }, timeout, maxBuffer: 64 * 1024 * 1024 },
			(error: ExecFileException | null, stdout: string, stderr: string) => {
				resolve({
					code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
					stdout,
					stderr,
				});
			}
		);
	});
}

function expectSuccess(result: CommandResult, what: string): void {
	if (result.code !== 0) {
		throw new Error(`${what} failed (code ${result.code}):\n${result.stdout}\n${result.stderr}`);
	}
}

/**
 * Makes an empty application (as `npm init -y` does) with the fixtures in it.
 */
async function createApp(parent: string, name: string): Promise<string> {
	const appDir = path.join(parent, name);

	fs.mkdirSync(appDir);
	expectSuccess(
		await runCommand('npm', ['init', '-y'], { cwd: appDir, timeout: APP_TIMEOUT_MS }),
		'npm init'
	);

	for (const file of fs.readdirSync(FIXTURES)) {
		fs.copyFileSync(path.join(FIXTURES, file), path.join(appDir, file));
	}

	return appDir;
}

function npmInstall(
	appDir: string,
	tarball: string,
	env: Record<string, string> = {}
): Promise<CommandResult> {
	return runCommand('npm', ['install', '--no-audit', '--no-fund', tarball], {
		cwd: appDir,
		env,
		timeout: INSTALL_TIMEOUT_MS,
	});
}

let tmpDir: string;
let tarball: string;
let packedFiles: string[];
let appDir: string;

beforeAll(async () => {
	tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediasoup-package-'));

	const pack = await runCommand('npm', ['pack', '--json', '--pack-destination', tmpDir], {
		cwd: ROOT,
		timeout: INSTALL_TIMEOUT_MS,
	});

	expectSuccess(pack, 'npm pack');

	// prepack prints the TypeScript build before npm's JSON.
	const [packInfo] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('\n[') + 1)) as {
		filename: string;
		files: { path: string }[];
	}[];

	tarball = path.join(tmpDir, packInfo.filename);
	packedFiles = packInfo.files.map(file => file.path);
	appDir = await createApp(tmpDir, 'app');

	const startedAt = Date.now();
	const install = await npmInstall(appDir, tarball);

	expectSuccess(install, 'npm install of the packed package');
	process.stdout.write(
		`test-package-install: npm install of ${packInfo.filename} took ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`
	);
}, INSTALL_TIMEOUT_MS * 2);

afterAll(() => {
	if (tmpDir) {
		fs.rmSync(tmpDir, { recursive: true, force: true });
	}
});

test('the package holds the compiled library and the worker sources, not the development tree', () => {
	for (const file of [
		'package.json',
		'npm-scripts.mjs',
		'node/lib/index.js',
		'node/lib/index.d.ts',
		'node/lib/types.d.ts',
		'worker/CMakeLists.txt',
		'worker/src/main.cpp',
		'worker/fbs/message.fbs',
	]) {
		expect(packedFiles).toContain(file);
	}

	expect(packedFiles.some(file => file.startsWith('node/lib/fbs/'))).toBe(true);

	for (const prefix of [
		'worker/test/',
		'worker/fuzzer/',
		'node/src/test/',
		'bench/',
		'example/',
		'.ci/',
	]) {
		expect(packedFiles.filter(file => file.startsWith(prefix))).toEqual([]);
	}
});

test('installing builds the worker binary and no devDependency', () => {
	const installedDir = path.join(appDir, ...INSTALLED);

	expect(() => fs.accessSync(path.join(appDir, ...WORKER_BIN), fs.constants.X_OK)).not.toThrow();
	// Only the binary stays: no unit tests, no build tree.
	expect(fs.readdirSync(path.join(installedDir, 'worker', 'out', 'Release'))).toEqual([
		'mediasoup-worker',
	]);

	for (const name of DEV_ONLY_PACKAGES) {
		expect(fs.existsSync(path.join(appDir, 'node_modules', name))).toBe(false);
	}
});

describe.each([
	['require()', 'app.cjs'],
	['import', 'app.mjs'],
])('an application using the package through %s', (loadedBy, script) => {
	test('creates a Worker, a Router and a WebRtcTransport, routes RTP between DirectTransports and exits after closing', async () => {
		const result = await runCommand(process.execPath, [script], {
			cwd: appDir,
			timeout: APP_TIMEOUT_MS,
		});

		expectSuccess(result, `node ${script}`);

		const output = JSON.parse(result.stdout);
		const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

		expect(output.version).toBe(packageJson.version);
		expect(output.workerBin).toBe(path.join(appDir, ...WORKER_BIN));
		expect(output.workerPid).toBeGreaterThan(0);
		expect(output.iceCandidates).toEqual([{ address: '127.0.0.1', protocol: 'udp' }]);
		expect(output.receivedSsrc).toBe(output.consumerSsrc);
		expect(output.receivedPayload).toBe(output.sentPayload);
		expect(output.workerClosed).toBe(true);
		expect(output.workerDied).toBe(false);
		expect(output.errorClasses).toEqual(['NotFoundError', 'UnsupportedError', 'WorkerClosedError']);

		if (loadedBy === 'import') {
			expect(output.namedExportsMatch).toBe(true);
		}
	});
});

describe('TypeScript against the installed package', () => {
	function writeTsconfig(files: string[]): void {
		fs.writeFileSync(
			path.join(appDir, 'tsconfig.json'),
			JSON.stringify({
				compilerOptions: {
					module: 'node16',
					moduleResolution: 'node16',
					target: 'ES2022',
					strict: true,
					noEmit: true,
					// A Node application has Node's types; the package does not bring them.
					typeRoots: [path.join(ROOT, 'node_modules', '@types')],
					types: ['node'],
				},
				files,
			})
		);
	}

	test('the public types resolve (tsc --noEmit passes)', async () => {
		writeTsconfig(['typed.ts']);

		const result = await runCommand(process.execPath, [TSC, '-p', 'tsconfig.json'], {
			cwd: appDir,
			timeout: APP_TIMEOUT_MS,
		});

		expectSuccess(result, 'tsc');
	});

	test('the public types reject wrong options', async () => {
		writeTsconfig(['typed-wrong.ts']);

		const result = await runCommand(process.execPath, [TSC, '-p', 'tsconfig.json'], {
			cwd: appDir,
			timeout: APP_TIMEOUT_MS,
		});
		const errorLines = result.stdout.split('\n').filter(line => line.includes('error TS'));

		expect(result.code).not.toBe(0);
		expect(errorLines).toHaveLength(2);
		expect(errorLines[0]).toMatch(/typed-wrong\.ts\(6,.*TransportListenInfo\[\]/);
		expect(errorLines[1]).toMatch(/typed-wrong\.ts\(9,.*"verbose".*WorkerLogLevel/);
	});
});

describe('with MEDIASOUP_WORKER_BIN set', () => {
	let otherAppDir: string;
	let install: CommandResult;

	beforeAll(async () => {
		otherAppDir = await createApp(tmpDir, 'app-with-worker-bin');
		install = await npmInstall(otherAppDir, tarball, {
			MEDIASOUP_WORKER_BIN: path.join(appDir, ...WORKER_BIN),
		});
	}, INSTALL_TIMEOUT_MS);

	test('installing builds nothing and the library runs the given binary', async () => {
		expectSuccess(install, 'npm install with MEDIASOUP_WORKER_BIN');
		expect(fs.existsSync(path.join(otherAppDir, ...INSTALLED, 'worker', 'out'))).toBe(false);

		const result = await runCommand(process.execPath, ['app.cjs'], {
			cwd: otherAppDir,
			env: { MEDIASOUP_WORKER_BIN: path.join(appDir, ...WORKER_BIN) },
			timeout: APP_TIMEOUT_MS,
		});

		expectSuccess(result, 'node app.cjs');
		expect(JSON.parse(result.stdout)).toMatchObject({
			workerBin: path.join(appDir, ...WORKER_BIN),
			workerClosed: true,
		});
	});

	test('a missing system library stops the build with the apt-get line, not a CMake error', async () => {
		// pkg-config finds no library at all in an empty directory.
		const result = await runCommand(
			process.execPath,
			[path.join(otherAppDir, ...INSTALLED, 'npm-scripts.mjs'), 'postinstall'],
			{
				cwd: path.join(otherAppDir, ...INSTALLED),
				env: { PKG_CONFIG_LIBDIR: path.join(tmpDir, 'empty'), PKG_CONFIG_PATH: '' },
				timeout: APP_TIMEOUT_MS,
			}
		);

		expect(result.code).not.toBe(0);
		expect(result.stderr).toMatch(
			/missing system build dependencies \(libuv, openssl, libsrtp2, usrsctp, flatbuffers\)/
		);
		expect(result.stderr).toMatch(
			/apt-get install -y libuv1-dev libssl-dev libsrtp2-dev libusrsctp-dev libflatbuffers-dev\n/
		);
		expect(`${result.stdout}${result.stderr}`).not.toMatch(/CMake|cmake -S/);
	});
});
