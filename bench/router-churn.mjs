// Control-plane benchmark: routers created and closed per second on one
// worker, and the worker's resident memory before and after. Prints JSON.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const mediasoup = require('../node/lib/index.js');

const COUNT = Number(process.env.COUNT ?? 5000);

function residentKiB(pid) {
	return Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

const worker = await mediasoup.createWorker();
const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

async function churn(count) {
	for (let i = 0; i < count; ++i) {
		const router = await worker.createRouter({ mediaCodecs });

		router.close();
	}

	await worker.dump();
}

await churn(1000);

const rssBeforeKiB = residentKiB(worker.pid);
const start = process.hrtime.bigint();

await churn(COUNT);

const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const rssAfterKiB = residentKiB(worker.pid);

worker.close();

console.log(
	JSON.stringify({
		benchmark: 'router-churn',
		routers: COUNT,
		seconds: Number(seconds.toFixed(3)),
		createClosePerSecond: Math.round(COUNT / seconds),
		workerRssBeforeKiB: rssBeforeKiB,
		workerRssAfterKiB: rssAfterKiB,
		workerRssGrowthKiB: rssAfterKiB - rssBeforeKiB,
	})
);
