// Helpers for the plain-RTP interop tests with external media tools (FFmpeg,
// GStreamer): child processes that are always reaped, free UDP ports on
// 127.0.0.1, waiting until a tool has bound its receive ports, and reading a
// recorded file back with ffprobe.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const LOCALHOST = '127.0.0.1';

export type ToolProcess = {
	name: string;
	child: ChildProcess;
	/**
	 * Everything the process wrote to stdout and stderr so far (last 64 KiB).
	 */
	output: () => string;
	exited: () => boolean;
	/**
	 * Resolves with the exit code (null when killed by a signal) once the
	 * process has exited.
	 */
	exit: Promise<number | null>;
	/**
	 * Sends `signal`, waits up to `graceMs` for the exit, then SIGKILL.
	 */
	stop: (signal?: NodeJS.Signals, graceMs?: number) => Promise<void>;
};

const OUTPUT_LIMIT = 64 * 1024;

export function commandExists(program: string): boolean {
	return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Throws a clear error naming the missing program or GStreamer element (the
 * test task installs them; see TEST_SYSTEM_DEPS in npm-scripts.mjs).
 */
export function requirePrograms(programs: string[], gstElements: string[] = []): void {
	for (const program of programs) {
		if (!commandExists(program)) {
			throw new Error(`"${program}" is not installed (see TEST_SYSTEM_DEPS in npm-scripts.mjs)`);
		}
	}

	for (const element of gstElements) {
		const result = spawnSync('gst-inspect-1.0', ['--exists', element], { stdio: 'ignore' });

		if (result.status !== 0) {
			throw new Error(
				`GStreamer element "${element}" is missing (gstreamer1.0-plugins-base, -good and -bad are needed)`
			);
		}
	}
}

/**
 * The exit code, or 'timeout' if the process has not exited within `ms`.
 */
async function exitWithin(
	exit: Promise<number | null>,
	ms: number
): Promise<number | null | 'timeout'> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<'timeout'>(resolve => {
		timer = setTimeout(() => resolve('timeout'), ms);
	});

	try {
		return await Promise.race([exit, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * Waits for a tool that stops by itself (e.g. a recorder with a duration) and
 * returns its exit code, or 'timeout'.
 */
export async function waitForExit(
	proc: ToolProcess,
	timeoutMs: number
): Promise<number | null | 'timeout'> {
	return exitWithin(proc.exit, timeoutMs);
}

export function startProcess(name: string, command: string, args: string[]): ToolProcess {
	const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	let hasExited = false;
	const append = (chunk: Buffer): void => {
		output += chunk.toString();

		if (output.length > OUTPUT_LIMIT) {
			output = output.slice(-OUTPUT_LIMIT);
		}
	};

	child.stdout!.on('data', append);
	child.stderr!.on('data', append);

	const exit = new Promise<number | null>(resolve => {
		child.once('error', error => {
			append(Buffer.from(`\n[spawn error: ${error.message}]\n`));
			hasExited = true;
			resolve(null);
		});
		child.once('exit', code => {
			hasExited = true;
			resolve(code);
		});
	});

	const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> => {
		if (hasExited) {
			return;
		}

		child.kill(signal);

		if ((await exitWithin(exit, graceMs)) === 'timeout' && !hasExited) {
			child.kill('SIGKILL');
			await exit;
		}
	};

	return { name, child, output: () => output, exited: () => hasExited, exit, stop };
}

/**
 * Every process started by a test file, stopped in afterEach/afterAll.
 */
export class ProcessSet {
	readonly #processes = new Set<ToolProcess>();

	start(name: string, command: string, args: string[]): ToolProcess {
		const proc = startProcess(name, command, args);

		this.#processes.add(proc);

		return proc;
	}

	async stopAll(): Promise<void> {
		await Promise.all([...this.#processes].map(proc => proc.stop('SIGKILL', 2000)));
		this.#processes.clear();
	}

	/**
	 * The output of every process, for failure messages.
	 */
	logs(): string {
		return [...this.#processes]
			.map(proc => `----- ${proc.name} -----\n${proc.output().slice(-4000)}`)
			.join('\n');
	}
}

export function makeTempDir(prefix: string): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

async function bindUdp(port: number): Promise<dgram.Socket | undefined> {
	const socket = dgram.createSocket('udp4');

	return new Promise(resolve => {
		socket.once('error', () => {
			socket.close();
			resolve(undefined);
		});
		socket.bind(port, LOCALHOST, () => resolve(socket));
	});
}

async function closeUdp(socket: dgram.Socket): Promise<void> {
	await new Promise<void>(resolve => socket.close(() => resolve()));
}

/**
 * An even UDP port P on 127.0.0.1 such that P and P + 1 are both free right
 * now (RTP and RTCP of a receiving tool, which binds both).
 */
export async function freeUdpPortPair(): Promise<number> {
	for (let attempt = 0; attempt < 200; ++attempt) {
		const port = 20000 + 2 * Math.floor(Math.random() * 15000);
		const rtp = await bindUdp(port);

		if (!rtp) {
			continue;
		}

		const rtcp = await bindUdp(port + 1);

		await closeUdp(rtp);

		if (rtcp) {
			await closeUdp(rtcp);

			return port;
		}
	}

	throw new Error('no free UDP port pair found');
}

/**
 * Local UDP ports bound on this host (IPv4), from /proc/net/udp.
 */
function boundUdpPorts(): Set<number> {
	const ports = new Set<number>();
	const lines = fs.readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1);

	for (const line of lines) {
		const local = line.trim().split(/\s+/)[1];

		if (local) {
			ports.add(parseInt(local.split(':')[1], 16));
		}
	}

	return ports;
}

export async function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * Waits until every port is bound (a receiving tool is ready), or fails with
 * the tool's output.
 */
export async function waitForUdpPorts(
	ports: number[],
	proc: ToolProcess,
	timeoutMs = 20000
): Promise<void> {
	const deadline = Date.now() + timeoutMs;

	while (Date.now() < deadline) {
		if (proc.exited()) {
			throw new Error(`${proc.name} exited before binding its ports:\n${proc.output()}`);
		}

		const bound = boundUdpPorts();

		if (ports.every(port => bound.has(port))) {
			return;
		}

		await sleep(50);
	}

	throw new Error(`${proc.name} did not bind ports ${ports.join(', ')}:\n${proc.output()}`);
}

export async function waitUntil(
	check: () => boolean | Promise<boolean>,
	timeoutMs: number,
	what: string
): Promise<void> {
	const deadline = Date.now() + timeoutMs;

	while (!(await check())) {
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await sleep(100);
	}
}

export type ProbedStream = {
	codecType: string;
	codecName: string;
	/**
	 * Frames (video) or packets decoded into frames (audio) read by ffprobe.
	 */
	frames: number;
};

/**
 * Decodes the whole file with ffprobe and returns its streams with the number
 * of frames decoded from each.
 */
export function probeMediaFile(file: string): ProbedStream[] {
	const json = execFileSync(
		'ffprobe',
		[
			'-v',
			'error',
			'-count_frames',
			'-show_entries',
			'stream=codec_type,codec_name,nb_read_frames',
			'-of',
			'json',
			file,
		],
		{ encoding: 'utf8', timeout: 60000 }
	);
	const { streams = [] } = JSON.parse(json) as {
		streams?: { codec_type: string; codec_name: string; nb_read_frames?: string }[];
	};

	return streams.map(s => ({
		codecType: s.codec_type,
		codecName: s.codec_name,
		frames: Number(s.nb_read_frames ?? 0),
	}));
}

/**
 * Runs `fn`; if it throws, adds the tools' output to the error message so a
 * failure shows what FFmpeg/GStreamer said.
 */
export async function withToolLogs<T>(processes: ProcessSet, fn: () => Promise<T>): Promise<T> {
	try {
		return await fn();
	} catch (error) {
		const err = error as Error;

		err.message = `${err.message}\n\n${processes.logs()}`;

		throw err;
	}
}
