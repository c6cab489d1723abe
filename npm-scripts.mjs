// Every build, test and lint task of the project. Uses only Node built-ins so
// that it runs before node_modules exists (e.g. `npm test` on a fresh clone).
//
// Usage: node npm-scripts.mjs <task>

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const WORKER_DIR = path.join(ROOT, 'worker');
const BUILD_TYPE = process.env.MEDIASOUP_BUILDTYPE === 'Debug' ? 'Debug' : 'Release';
const OUT_DIR = path.join(WORKER_DIR, 'out', BUILD_TYPE);
const SANITIZE_OUT_DIR = path.join(WORKER_DIR, 'out', 'Sanitize');
const FBS_DIR = path.join(WORKER_DIR, 'fbs');
const TS_FBS_DIR = path.join(ROOT, 'node', 'src', 'fbs');
const CACHE_DIR = path.join(ROOT, '.cache');
const SUMMARY_FILE = path.join(CACHE_DIR, 'test-summary.json');
// The published package ships neither the worker's unit tests nor its fuzzers
// (package.json "files"): a clone has them, an installed package does not.
const HAS_WORKER_TESTS = fs.existsSync(path.join(WORKER_DIR, 'test', 'src'));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

// What the worker build needs from the system: pkg-config modules and
// programs, each with the Debian package that provides it.
const SYSTEM_DEPS = [
	{ pkgConfig: 'libuv', debian: 'libuv1-dev' },
	{ pkgConfig: 'openssl', debian: 'libssl-dev' },
	{ pkgConfig: 'libsrtp2', debian: 'libsrtp2-dev' },
	{ pkgConfig: 'usrsctp', debian: 'libusrsctp-dev' },
	{ pkgConfig: 'flatbuffers', debian: 'libflatbuffers-dev' },
	{ program: 'flatc', debian: 'flatbuffers-compiler' },
	{ program: 'cmake', debian: 'cmake' },
	{ program: 'ninja', debian: 'ninja-build' },
	{ program: 'g++', debian: 'g++' },
];
// Needed only to build the worker's unit tests (a clone, not the package).
const WORKER_TEST_SYSTEM_DEPS = [{ pkgConfig: 'catch2', debian: 'catch2' }];
// Needed only by the tests: the browser of the interop tests and iproute2
// for their private network namespaces (`ip`) and bandwidth limits (`tc`,
// same package; listed so that an `ip` from elsewhere does not hide its
// absence); FFmpeg (with ffprobe) and GStreamer
// for the plain-RTP interop tests (one element of each plugin set the tests
// use stands for its package); aiortc, the REMB-only WebRTC receiver, for
// Debian's python3.
const TEST_SYSTEM_DEPS = [
	{ program: 'chromium', debian: 'chromium' },
	{ program: 'ip', debian: 'iproute2' },
	{ program: 'tc', debian: 'iproute2' },
	{ program: 'nft', debian: 'nftables' },
	{ program: 'ffmpeg', debian: 'ffmpeg' },
	{ program: 'ffprobe', debian: 'ffmpeg' },
	{ program: 'gst-launch-1.0', debian: 'gstreamer1.0-tools' },
	{ gstElement: 'audiotestsrc', debian: 'gstreamer1.0-plugins-base' },
	{ gstElement: 'vp8enc', debian: 'gstreamer1.0-plugins-good' },
	{ gstElement: 'opusparse', debian: 'gstreamer1.0-plugins-bad' },
	{ pythonModule: 'aiortc', debian: 'python3-aiortc' },
];
// Debian's python packages are for its own interpreter, whatever python3
// comes first on PATH (e.g. pyenv's).
const DEBIAN_PYTHON = '/usr/bin/python3';
// Needed only by `fuzz`: libFuzzer and the sanitizer runtimes come with
// clang's runtime libraries, a package of their own.
const FUZZ_SYSTEM_DEPS = [
	{ program: 'clang++', debian: 'clang' },
	{ clangRuntime: 'libclang_rt.fuzzer-x86_64.a', debian: 'libclang-rt-dev' },
];
const FUZZ_OUT_DIR = path.join(WORKER_DIR, 'out', 'Fuzzer');
// Jest files (regular expressions, without "test-" and ".ts") that
// `test:sanitizers` runs against the ASan + UBSan worker: every hostile-input
// file, whoever adds it, is matched by the last one.
const SANITIZER_JEST_FILES = [
	'WebRtcTransport',
	'PlainTransport',
	'PipeTransport',
	'DirectTransport',
	'Producer',
	'Consumer',
	'DataProducer',
	'DataConsumer',
	'hostile-.*',
];
// Seconds each fuzzer runs in `npm run fuzz` (FUZZ_SECONDS to change).
const FUZZ_SECONDS = Number(process.env.FUZZ_SECONDS ?? 20);
// Needed only by `bench`: the C sender, receiver and relay of the forwarding,
// incoming-bwe and outgoing-bwe benchmarks are compiled with cc.
const BENCH_SYSTEM_DEPS = [{ program: 'cc', debian: 'gcc' }];
// Needed only by `lint` and `format`.
const LINT_SYSTEM_DEPS = [{ program: 'clang-format', debian: 'clang-format' }];

const tasks = {
	// Runs when an application installs the package (and on `npm install` in a
	// clone). It builds the worker binary and nothing else: the package ships
	// its TypeScript compiled, and no devDependency is needed. It never
	// installs system packages: it stops with the apt-get line to run.
	postinstall: async () => {
		if (process.env.MEDIASOUP_WORKER_BIN) {
			console.log(
				`npm-scripts: MEDIASOUP_WORKER_BIN is set (${process.env.MEDIASOUP_WORKER_BIN}), not building the worker`
			);
		} else {
			await ensureSystemDeps(SYSTEM_DEPS, { install: false });
			await buildWorker({ targets: ['mediasoup-worker'] });

			// In an installed package the objects are only disk space.
			if (!HAS_WORKER_TESTS) {
				fs.rmSync(path.join(OUT_DIR, 'build'), { recursive: true, force: true });
			}
		}

		// A clone installed with scripts has no node/lib yet (and has tsc).
		if (!fs.existsSync(path.join(ROOT, 'node', 'lib', 'index.js'))) {
			await buildTypeScript();
		}
	},
	'typescript:build': async () => {
		await ensureNodeModules();
		await buildTypeScript();
	},
	'worker:build': async () => {
		await ensureSystemDeps(
			HAS_WORKER_TESTS ? [...SYSTEM_DEPS, ...WORKER_TEST_SYSTEM_DEPS] : SYSTEM_DEPS
		);
		await buildWorker({ tests: HAS_WORKER_TESTS });
	},
	flatc: async () => {
		await ensureSystemDeps(SYSTEM_DEPS);
		generateTypeScriptFbs({ force: true });
	},
	test: async () => {
		await ensureNodeModules();
		await ensureSystemDeps([...SYSTEM_DEPS, ...WORKER_TEST_SYSTEM_DEPS, ...TEST_SYSTEM_DEPS]);
		await buildWorker({ tests: true });
		await buildTypeScript();
		fs.rmSync(SUMMARY_FILE, { force: true });

		const workerOk = await testWorker();
		const nodeOk = await testNode();

		printSummary();

		if (!workerOk || !nodeOk) {
			process.exitCode = 1;
		}
	},
	'test:worker': async () => {
		await ensureSystemDeps([...SYSTEM_DEPS, ...WORKER_TEST_SYSTEM_DEPS]);
		await buildWorker({ tests: true });

		if (!(await testWorker())) {
			process.exitCode = 1;
		}
	},
	'test:node': async () => {
		await ensureNodeModules();
		await ensureSystemDeps([...SYSTEM_DEPS, ...TEST_SYSTEM_DEPS]);
		await buildWorker();
		// The example's tests run the built library (node/lib).
		await buildTypeScript();

		if (!(await testNode())) {
			process.exitCode = 1;
		}
	},
	'test:sanitizers': async () => {
		await ensureSystemDeps([...SYSTEM_DEPS, ...WORKER_TEST_SYSTEM_DEPS]);
		await buildWorker({
			outDir: SANITIZE_OUT_DIR,
			buildType: 'Debug',
			sanitize: true,
			tests: true,
		});

		const catch2Ok = runCatch2(
			path.join(SANITIZE_OUT_DIR, 'mediasoup-worker-test'),
			'worker-sanitizers',
			{
				ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1',
				UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
			}
		);

		await ensureNodeModules();
		await buildTypeScript();

		const jestOk = await testNodeWithSanitizers();

		if (!catch2Ok || !jestOk) {
			process.exitCode = 1;
		}
	},
	fuzz: async () => {
		await ensureSystemDeps([...SYSTEM_DEPS, ...FUZZ_SYSTEM_DEPS]);

		const buildDir = path.join(FUZZ_OUT_DIR, 'build');

		if (!fs.existsSync(path.join(buildDir, 'build.ninja'))) {
			run('cmake', [
				'-S',
				WORKER_DIR,
				'-B',
				buildDir,
				'-G',
				'Ninja',
				'-DCMAKE_BUILD_TYPE=RelWithDebInfo',
				'-DCMAKE_C_COMPILER=clang',
				'-DCMAKE_CXX_COMPILER=clang++',
				'-DMEDIASOUP_BUILD_FUZZERS=ON',
				'-DMEDIASOUP_BUILD_TESTS=OFF',
				`-DMEDIASOUP_OUTPUT_DIR=${FUZZ_OUT_DIR}`,
			]);
		}

		run('ninja', ['-C', buildDir]);

		const fuzzers = fs
			.readdirSync(FUZZ_OUT_DIR)
			.filter(f => f.startsWith('mediasoup-worker-fuzzer-'))
			.sort();
		let passed = 0;
		let failed = 0;

		for (const fuzzer of fuzzers) {
			const corpus = path.join(FUZZ_OUT_DIR, 'corpus', fuzzer);

			fs.mkdirSync(corpus, { recursive: true });

			const ok = run(
				path.join(FUZZ_OUT_DIR, fuzzer),
				[`-max_total_time=${FUZZ_SECONDS}`, '-print_final_stats=1', corpus],
				{ check: false, cwd: FUZZ_OUT_DIR }
			);

			ok ? ++passed : ++failed;
		}

		recordSummary('fuzzers', passed, failed);

		if (fuzzers.length === 0 || failed > 0) {
			process.exitCode = 1;
		}
	},
	lint: async () => {
		await ensureNodeModules();
		await ensureSystemDeps(LINT_SYSTEM_DEPS);
		generateTypeScriptFbs();

		let ok = run(NPX, ['eslint', '--max-warnings', '0', '.'], { check: false });

		ok = run(NPX, ['prettier', '--check', ...prettierTargets()], { check: false }) && ok;
		ok = run('clang-format', ['--dry-run', '--Werror', ...cppFiles()], { check: false }) && ok;

		if (!ok) {
			process.exitCode = 1;
		}
	},
	format: async () => {
		await ensureNodeModules();
		await ensureSystemDeps(LINT_SYSTEM_DEPS);

		run(NPX, ['prettier', '--write', ...prettierTargets()]);
		run('clang-format', ['-i', ...cppFiles()]);
	},
	start: async () => {
		await ensureNodeModules();
		await ensureSystemDeps(SYSTEM_DEPS);
		await buildWorker();
		await buildTypeScript();

		// The example room server (example/server.mjs) bundles its page with
		// esbuild, serves it on http://localhost:3000 (PORT to change) and
		// runs until Ctrl+C. Its settings: see "The example room" in README.md.
		run(process.execPath, [path.join(ROOT, 'example', 'server.mjs')]);
	},
	bench: async () => {
		await ensureNodeModules();
		await ensureSystemDeps(BENCH_SYSTEM_DEPS);
		await buildWorker();
		await buildTypeScript();

		const benchDir = path.join(ROOT, 'bench');

		// Each bench/*.mjs prints one JSON object (bench/lib/ holds helpers).
		for (const file of fs
			.readdirSync(benchDir)
			.filter(f => f.endsWith('.mjs'))
			.sort()) {
			run(process.execPath, [path.join(benchDir, file)]);
		}
	},
};

async function main() {
	const taskName = process.argv[2];
	const task = tasks[taskName];

	if (!task) {
		console.error(
			`npm-scripts: unknown task "${taskName}"; tasks: ${Object.keys(tasks).join(', ')}`
		);
		process.exit(1);
	}

	try {
		await task();
	} catch (error) {
		console.error(`npm-scripts: ${taskName} failed: ${error.message}`);
		process.exit(1);
	}
}

/**
 * Runs a command with inherited stdio. Throws when it fails unless
 * `check: false`, in which case it returns whether it succeeded.
 */
function run(command, args, { check = true, cwd = ROOT, env = {} } = {}) {
	console.log(`> ${[command, ...args].join(' ')}`);

	const result = spawnSync(command, args, {
		cwd,
		stdio: 'inherit',
		env: { ...process.env, ...env },
	});
	const ok = result.status === 0;

	if (!ok && check) {
		throw new Error(
			`"${command}" exited with ${result.error ? result.error.message : `code ${result.status}, signal ${result.signal}`}`
		);
	}

	return ok;
}

function commandExists(program) {
	return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

function depName(dep) {
	return (
		dep.pkgConfig ??
		dep.program ??
		dep.gstElement ??
		dep.clangRuntime ??
		(dep.pythonModule && `python3 module ${dep.pythonModule}`)
	);
}

/**
 * Whether clang finds one of its runtime libraries (it prints the bare name
 * back when it does not).
 */
function clangRuntimeExists(name) {
	if (!commandExists('clang')) {
		return false;
	}

	const result = spawnSync('clang', [`-print-file-name=${name}`], { encoding: 'utf8' });
	const file = (result.stdout ?? '').trim();

	return result.status === 0 && path.isAbsolute(file) && fs.existsSync(file);
}

function missingSystemDeps(deps) {
	const havePkgConfig = commandExists('pkg-config');

	return deps.filter(dep => {
		if (dep.program) {
			return !commandExists(dep.program);
		}

		if (dep.gstElement) {
			return (
				!commandExists('gst-inspect-1.0') ||
				spawnSync('gst-inspect-1.0', ['--exists', dep.gstElement], { stdio: 'ignore' }).status !== 0
			);
		}

		if (dep.clangRuntime) {
			return !clangRuntimeExists(dep.clangRuntime);
		}

		if (dep.pythonModule) {
			return (
				spawnSync(DEBIAN_PYTHON, ['-c', `import ${dep.pythonModule}`], { stdio: 'ignore' })
					.status !== 0
			);
		}

		return (
			!havePkgConfig ||
			spawnSync('pkg-config', ['--exists', dep.pkgConfig], { stdio: 'ignore' }).status !== 0
		);
	});
}

/**
 * Checks the system build dependencies; installs the missing ones with
 * apt-get when running as root on Debian/Ubuntu (unless `install: false`),
 * otherwise stops with the exact command to run.
 */
async function ensureSystemDeps(deps, { install = true } = {}) {
	let missing = missingSystemDeps(deps);

	if (missing.length > 0 && !commandExists('pkg-config')) {
		missing = [...missing, { program: 'pkg-config', debian: 'pkg-config' }];
	}

	if (missing.length === 0) {
		return;
	}

	const packages = [...new Set(missing.map(dep => dep.debian))];
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	const isDebian = fs.existsSync('/etc/debian_version') && commandExists('apt-get');

	if (!install || !isRoot || !isDebian) {
		throw new Error(
			`missing system build dependencies (${missing.map(depName).join(', ')}); install them with:\n\n  ${isRoot ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}\n`
		);
	}

	console.log(
		`npm-scripts: installing missing system packages with apt-get: ${packages.join(' ')}`
	);

	const env = { DEBIAN_FRONTEND: 'noninteractive' };

	run('apt-get', ['update'], { env });
	run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env });

	const stillMissing = missingSystemDeps(deps);

	if (stillMissing.length > 0) {
		throw new Error(`still missing after apt-get: ${stillMissing.map(depName).join(', ')}`);
	}
}

/**
 * Installs npm dependencies when node_modules is missing or older than
 * package.json. Our own postinstall is skipped there: the caller builds.
 */
async function ensureNodeModules() {
	const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
	const packageJson = path.join(ROOT, 'package.json');

	if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(packageJson).mtimeMs) {
		return;
	}

	console.log('npm-scripts: installing npm dependencies');

	const lockFile = path.join(ROOT, 'package-lock.json');

	run(NPM, [
		fs.existsSync(lockFile) ? 'ci' : 'install',
		'--ignore-scripts',
		'--no-audit',
		'--no-fund',
	]);
}

/**
 * Configures and builds the worker with CMake + Ninja; Ninja rebuilds only
 * what is out of date. `tests: true` makes sure the unit tests are configured
 * (a build directory configured without them is reconfigured); `targets`
 * limits what is built (default: everything configured).
 */
async function buildWorker({
	outDir = OUT_DIR,
	buildType = BUILD_TYPE,
	sanitize = false,
	tests = false,
	targets = [],
} = {}) {
	const buildDir = path.join(outDir, 'build');
	const configured = fs.existsSync(path.join(buildDir, 'build.ninja'));

	if (!configured || (tests && !cmakeCacheHas(buildDir, 'MEDIASOUP_BUILD_TESTS:BOOL=ON'))) {
		run('cmake', [
			'-S',
			WORKER_DIR,
			'-B',
			buildDir,
			'-G',
			'Ninja',
			`-DCMAKE_BUILD_TYPE=${buildType === 'Debug' ? 'Debug' : 'RelWithDebInfo'}`,
			`-DMEDIASOUP_OUTPUT_DIR=${outDir}`,
			`-DMEDIASOUP_SANITIZE=${sanitize ? 'ON' : 'OFF'}`,
			`-DMEDIASOUP_BUILD_TESTS=${tests ? 'ON' : 'OFF'}`,
		]);
	}

	const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));

	run('ninja', ['-C', buildDir, '-j', jobs, ...targets]);
}

function cmakeCacheHas(buildDir, line) {
	const cacheFile = path.join(buildDir, 'CMakeCache.txt');

	return fs.existsSync(cacheFile) && fs.readFileSync(cacheFile, 'utf8').split('\n').includes(line);
}

/**
 * Generates the TypeScript code of the channel schema into node/src/fbs when
 * a schema is newer than what was generated.
 */
function generateTypeScriptFbs({ force = false } = {}) {
	const schemas = fs
		.readdirSync(FBS_DIR)
		.filter(f => f.endsWith('.fbs'))
		.map(f => path.join(FBS_DIR, f));
	const stamp = path.join(TS_FBS_DIR, '.stamp');
	const newestSchema = Math.max(...schemas.map(f => fs.statSync(f).mtimeMs));

	if (!force && fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= newestSchema) {
		return;
	}

	const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediasoup-fbs-'));

	try {
		run('flatc', ['--ts', '--gen-object-api', '-o', tmpDir, ...schemas]);
		fs.rmSync(TS_FBS_DIR, { recursive: true, force: true });
		fs.cpSync(path.join(tmpDir, 'fbs'), TS_FBS_DIR, { recursive: true });
		fs.writeFileSync(stamp, '');
	} finally {
		fs.rmSync(tmpDir, { recursive: true, force: true });
	}
}

async function buildTypeScript() {
	generateTypeScriptFbs();
	run(NPX, ['tsc', '-p', path.join(ROOT, 'tsconfig.json')]);
}

/**
 * Records the passed/failed counts of one test run for the summary line.
 */
function recordSummary(suite, passed, failed) {
	fs.mkdirSync(CACHE_DIR, { recursive: true });

	const summary = fs.existsSync(SUMMARY_FILE)
		? JSON.parse(fs.readFileSync(SUMMARY_FILE, 'utf8'))
		: {};

	summary[suite] = { passed, failed };
	fs.writeFileSync(SUMMARY_FILE, JSON.stringify(summary, null, 2));
}

function printSummary() {
	const summary = fs.existsSync(SUMMARY_FILE)
		? JSON.parse(fs.readFileSync(SUMMARY_FILE, 'utf8'))
		: {};
	let passed = 0;
	let failed = 0;

	for (const [suite, counts] of Object.entries(summary)) {
		console.log(`npm-scripts: ${suite}: ${counts.passed} passed, ${counts.failed} failed`);
		passed += counts.passed;
		failed += counts.failed;
	}

	console.log(`${passed} passed, ${failed} failed`);
}

/**
 * Runs a Catch2 binary and records its test case counts. Returns whether
 * every test case passed.
 */
function runCatch2(binary, suite, env = {}) {
	console.log(`> ${binary}`);

	const result = spawnSync(binary, [], {
		cwd: ROOT,
		env: { ...process.env, ...env },
		encoding: 'utf8',
		maxBuffer: 256 * 1024 * 1024,
	});

	process.stdout.write(result.stdout ?? '');
	process.stderr.write(result.stderr ?? '');

	const output = `${result.stdout ?? ''}`;
	let passed = 0;
	let failed = 0;
	let match;

	if ((match = /All tests passed \(\d+ assertions? in (\d+) test cases?\)/.exec(output))) {
		passed = Number(match[1]);
	} else if ((match = /test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed/.exec(output))) {
		passed = Number(match[2]);
		failed = Number(match[3]);
	} else if ((match = /test cases:\s*(\d+)\s*\|\s*(\d+) failed/.exec(output))) {
		failed = Number(match[2]);
	} else {
		// Crashed before reporting: count the whole binary as one failure.
		failed = 1;
	}

	if (result.status !== 0 && failed === 0) {
		failed = 1;
	}

	recordSummary(suite, passed, failed);

	return result.status === 0;
}

async function testWorker() {
	return runCatch2(path.join(OUT_DIR, 'mediasoup-worker-test'), 'worker');
}

async function testNode() {
	const { ok, passed, failed } = runJest(process.argv.slice(3));

	recordSummary('node', passed, failed);

	return ok;
}

/**
 * Runs Jest with `args` (and `env`) and returns whether it passed with its
 * test counts.
 */
function runJest(
	args,
	{ env = {}, resultsName = 'jest-results.json', captureOutput = false } = {}
) {
	fs.mkdirSync(CACHE_DIR, { recursive: true });

	const resultsFile = path.join(CACHE_DIR, resultsName);
	const jestArgs = ['jest', '--json', `--outputFile=${resultsFile}`, ...args];
	let ok;
	let output = '';

	fs.rmSync(resultsFile, { force: true });

	if (captureOutput) {
		// Printed once Jest is done, as the Catch2 output is.
		console.log(`> ${[NPX, ...jestArgs].join(' ')}`);

		const result = spawnSync(NPX, jestArgs, {
			cwd: ROOT,
			env: { ...process.env, ...env },
			encoding: 'utf8',
			maxBuffer: 256 * 1024 * 1024,
		});

		output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
		process.stdout.write(result.stdout ?? '');
		process.stderr.write(result.stderr ?? '');
		ok = result.status === 0;
	} else {
		ok = run(NPX, jestArgs, { check: false, env });
	}

	if (!fs.existsSync(resultsFile)) {
		return { ok: false, passed: 0, failed: 1, output };
	}

	const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
	// A test file that fails to run has no test results but counts as failed.
	const brokenSuites = results.testResults.filter(
		r => r.status === 'failed' && r.assertionResults.length === 0
	).length;

	return {
		ok,
		passed: results.numPassedTests,
		failed: results.numFailedTests + brokenSuites,
		output,
	};
}

/**
 * The integration tests of the transports, producers, consumers, data
 * channels and hostile network input against the ASan + UBSan worker. A test
 * may not notice its worker dying, so every sanitizer report fails the run by
 * itself (one failure per report): ASan and LeakSanitizer reports are written
 * to files of .cache/sanitizer-logs; UBSan's are not (GCC's UBSan runtime
 * ignores log_path when linked with ASan's), so the worker's stderr, which
 * Node logs as mediasoup:ERROR:Worker, is searched for them.
 */
async function testNodeWithSanitizers() {
	const workerBin = path.join(SANITIZE_OUT_DIR, 'mediasoup-worker');
	const logDir = path.join(CACHE_DIR, 'sanitizer-logs');

	fs.rmSync(logDir, { recursive: true, force: true });
	fs.mkdirSync(logDir, { recursive: true });

	// Both runtimes write to log_path.<pid>; a report makes the worker abort
	// (non-zero exit), and leaks are reported when it exits.
	const logPath = path.join(logDir, 'worker');
	const startMs = Date.now();
	const { ok, passed, failed, output } = runJest(
		[`node/src/test/test-(${SANITIZER_JEST_FILES.join('|')})\\.ts$`],
		{
			env: {
				MEDIASOUP_WORKER_BIN: workerBin,
				ASAN_OPTIONS: `detect_leaks=1:halt_on_error=1:abort_on_error=1:log_path=${logPath}`,
				UBSAN_OPTIONS: `print_stacktrace=1:halt_on_error=1:abort_on_error=1:log_path=${logPath}`,
				DEBUG: 'mediasoup:ERROR:Worker',
			},
			resultsName: 'jest-sanitizers-results.json',
			captureOutput: true,
		}
	);
	const reportFiles = fs.readdirSync(logDir).sort();
	const stderrReports = output
		.split('\n')
		.filter(line => /\(stderr\).*(runtime error:|ERROR: \w+Sanitizer)/.test(line));

	for (const report of reportFiles) {
		console.error(`npm-scripts: sanitizer report ${report}:`);
		console.error(fs.readFileSync(path.join(logDir, report), 'utf8'));
	}

	for (const line of stderrReports) {
		console.error(`npm-scripts: sanitizer report on the worker's stderr: ${line}`);
	}

	const reports = reportFiles.length + stderrReports.length;

	console.log(
		`npm-scripts: node-sanitizers took ${Math.round((Date.now() - startMs) / 1000)} s, ${reports} sanitizer report(s)`
	);

	recordSummary('node-sanitizers', passed, failed + reports);

	return ok && reports === 0;
}

function prettierTargets() {
	return [
		'node/src/**/*.ts',
		'!node/src/fbs/**',
		'*.mjs',
		'*.js',
		'*.json',
		'.ci/*.mjs',
		'example/**',
		'README.md',
	];
}

function cppFiles() {
	const files = [];
	const walk = dir => {
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);

			if (entry.isDirectory()) {
				if (entry.name !== 'out') {
					walk(full);
				}
			} else if (/\.(cpp|hpp|h)$/.test(entry.name)) {
				files.push(path.relative(ROOT, full));
			}
		}
	};

	for (const dir of ['include', 'src', 'test', 'fuzzer']) {
		const full = path.join(WORKER_DIR, dir);

		if (fs.existsSync(full)) {
			walk(full);
		}
	}

	return files.sort();
}

await main();
