// Shared by the benchmarks in bench/: the built library, the small C
// programs they use (compiled with cc into .cache/bench when their source
// changed), process CPU time and resident memory from /proc, and child
// processes that speak one JSON object per line.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const ROOT = path.dirname(BENCH_DIR);
export const mediasoup = require(path.join(ROOT, 'node', 'lib', 'index.js'));

const NATIVE_DIR = path.join(ROOT, '.cache', 'bench');

/**
 * Compiles bench/NAME.c into .cache/bench/NAME (when missing or older than
 * its source) and returns the executable's path.
 */
export function buildNative(name) {
	const source = path.join(BENCH_DIR, `${name}.c`);
	const binary = path.join(NATIVE_DIR, name);

	if (!fs.existsSync(binary) || fs.statSync(binary).mtimeMs < fs.statSync(source).mtimeMs) {
		fs.mkdirSync(NATIVE_DIR, { recursive: true });

		const result = spawnSync('cc', ['-O2', '-Wall', '-o', binary, source], { stdio: 'inherit' });

		if (result.status !== 0) {
			throw new Error(`cc failed to build ${source}`);
		}
	}

	return binary;
}

/**
 * CPU time (user + system, all threads) of a process in nanoseconds, from
 * the scheduler's per-thread run time (/proc/PID/task/TID/schedstat).
 */
export function cpuNs(pid) {
	let total = 0;

	for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
		try {
			total += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
		} catch {
			// The thread ended meanwhile.
		}
	}

	return total;
}

/**
 * User and system CPU time of a process (all threads) in nanoseconds, from
 * /proc/PID/stat: clock ticks (USER_HZ, 100 on Linux), so 10 ms resolution.
 * cpuNs() is the precise total; this tells where it went.
 */
export function userSystemNs(pid) {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	// Fields after the command name (which may hold spaces), from field 3.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const tickNs = 1e9 / 100;

	return { userNs: Number(fields[11]) * tickNs, systemNs: Number(fields[12]) * tickNs };
}

/**
 * CPU time of the kernel's softirq threads (ksoftirqd/N) in nanoseconds:
 * network receive work the kernel defers there is in no process's time.
 */
export function softirqThreadsNs() {
	let total = 0;

	for (const pid of fs.readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
		try {
			if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('ksoftirqd/')) {
				total += Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
			}
		} catch {
			// The process ended meanwhile.
		}
	}

	return total;
}

/**
 * Voluntary context switches of a process (all threads): about how many
 * times it went to sleep and was woken up again.
 */
export function voluntaryContextSwitches(pid) {
	let total = 0;

	for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
		try {
			const status = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');

			total += Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)[1]);
		} catch {
			// The thread ended meanwhile.
		}
	}

	return total;
}

export function residentKiB(pid) {
	return Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

/**
 * Datagrams the kernel dropped on the IPv4 UDP socket bound to `port` (full
 * receive buffer): the `drops` column of /proc/net/udp.
 */
export function udpSocketDrops(port) {
	const hexPort = port.toString(16).toUpperCase().padStart(4, '0');

	for (const line of fs.readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
		const fields = line.trim().split(/\s+/);

		if (fields[1]?.endsWith(`:${hexPort}`)) {
			return Number(fields[fields.length - 1]);
		}
	}

	return 0;
}

export function sleep(ms) {
	return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * A child process whose stdout is JSON, one object per line: `next()`
 * resolves with the next object; `exit` with the exit code.
 */
export function startJsonProcess(command, args) {
	const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
	const lines = readline.createInterface({ input: child.stdout });
	const queue = [];
	const waiters = [];
	let exited = false;

	lines.on('line', line => {
		const value = JSON.parse(line);
		const waiter = waiters.shift();

		waiter ? waiter.resolve(value) : queue.push(value);
	});

	const exit = new Promise(resolve =>
		// 'close' comes after stdout has ended (and its last line was read).
		child.once('close', code => {
			exited = true;

			for (const waiter of waiters.splice(0)) {
				waiter.reject(new Error(`${path.basename(command)} exited with ${code}`));
			}

			resolve(code);
		})
	);

	return {
		child,
		exit,
		next: () =>
			queue.length > 0
				? Promise.resolve(queue.shift())
				: exited
					? Promise.reject(new Error(`${path.basename(command)} has exited`))
					: new Promise((resolve, reject) => waiters.push({ resolve, reject })),
		/**
		 * SIGTERM, then the object it prints on exit.
		 */
		stop: async () => {
			const result = exited && queue.length > 0 ? Promise.resolve(queue.shift()) : undefined;

			if (result) {
				return result;
			}

			const last = new Promise((resolve, reject) => waiters.push({ resolve, reject }));

			child.kill('SIGTERM');

			return last;
		},
	};
}

/**
 * A free UDP port on 127.0.0.1 (bound and released at once).
 */
export async function freeUdpPort() {
	const dgram = await import('node:dgram');
	const socket = dgram.createSocket('udp4');

	await new Promise(resolve => socket.bind(0, '127.0.0.1', resolve));

	const { port } = socket.address();

	await new Promise(resolve => socket.close(resolve));

	return port;
}

/**
 * What the figures were measured on.
 */
export function machine() {
	return {
		cpus: os.cpus().length,
		cpuModel: os.cpus()[0]?.model,
		loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
	};
}

export function round(value, digits = 2) {
	return Number(value.toFixed(digits));
}
