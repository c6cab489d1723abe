// Creating and closing entities must leave the worker's memory flat.

import * as fs from 'node:fs';
import * as mediasoup from '../';
import type { Worker } from '../types';

const mediaCodecs: mediasoup.types.RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

/**
 * Resident set size of a process now, in KiB (getrusage only gives the peak).
 */
function residentKiB(pid: number): number {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);

	return Number(match![1]);
}

async function churnRouters(worker: Worker, count: number): Promise<void> {
	for (let i = 0; i < count; ++i) {
		const router = await worker.createRouter({ mediaCodecs });

		router.close();
	}

	// Let the close requests reach the worker before measuring.
	await worker.dump();
}

let worker: Worker;

beforeAll(async () => {
	worker = await mediasoup.createWorker();
});

afterAll(() => worker.close());

test('creating and closing 1,000 routers leaves the worker memory flat', async () => {
	// Warm up allocators and caches first.
	await churnRouters(worker, 1000);

	const before = residentKiB(worker.pid);

	await churnRouters(worker, 1000);

	const after = residentKiB(worker.pid);

	expect((await worker.dump()).routerIds).toEqual([]);
	// A leak of even 100 bytes per router would show as ~100 KiB; allow some
	// page-level noise below that.
	expect(after - before).toBeLessThan(64);
}, 60000);
