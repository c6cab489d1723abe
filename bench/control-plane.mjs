// Control-plane benchmark: COUNT PlainTransports and COUNT consumers (one
// per transport, all of one producer) created and then closed, once one
// request at a time (each awaited before the next) and once with all
// requests in flight (Promise.all). Prints one JSON object.
//
// close() returns nothing to await (it sends its request and moves on), so
// in both modes the closes go out back to back and one awaited request after
// them marks when the worker has handled them all.
//
// Environment: COUNT (500).

import { machine, mediasoup, round } from './lib/common.mjs';

const COUNT = Number(process.env.COUNT ?? 500);
const LOCALHOST = '127.0.0.1';

const worker = await mediasoup.createWorker();
const router = await worker.createRouter({
	mediaCodecs: [
		{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
		{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
	],
});
const ingress = await router.createPlainTransport({
	listenInfo: { protocol: 'udp', ip: LOCALHOST },
	comedia: true,
});
const producer = await ingress.produce({
	kind: 'video',
	rtpParameters: {
		codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
		encodings: [{ ssrc: 1111 }],
	},
});
const transportOptions = { listenInfo: { protocol: 'udp', ip: LOCALHOST } };
const consumeOptions = { producerId: producer.id, rtpCapabilities: router.rtpCapabilities };

function since(start) {
	return Number(process.hrtime.bigint() - start) / 1e9;
}

async function closeAll(transports, consumers) {
	for (const consumer of consumers) {
		consumer.close();
	}

	for (const transport of transports) {
		transport.close();
	}

	// Handled in order by the worker: resolves once every close is done.
	await router.dump();
}

async function sequential(count) {
	const transports = [];
	const consumers = [];
	let start = process.hrtime.bigint();

	for (let i = 0; i < count; ++i) {
		transports.push(await router.createPlainTransport(transportOptions));
	}

	const createSeconds = since(start);

	start = process.hrtime.bigint();

	for (const transport of transports) {
		consumers.push(await transport.consume(consumeOptions));
	}

	const consumeSeconds = since(start);

	start = process.hrtime.bigint();
	await closeAll(transports, consumers);

	return { createSeconds, consumeSeconds, closeSeconds: since(start) };
}

async function inFlight(count) {
	let start = process.hrtime.bigint();
	const transports = await Promise.all(
		Array.from({ length: count }, () => router.createPlainTransport(transportOptions))
	);
	const createSeconds = since(start);

	start = process.hrtime.bigint();

	const consumers = await Promise.all(
		transports.map(transport => transport.consume(consumeOptions))
	);
	const consumeSeconds = since(start);

	start = process.hrtime.bigint();
	await closeAll(transports, consumers);

	return { createSeconds, consumeSeconds, closeSeconds: since(start) };
}

function report({ createSeconds, consumeSeconds, closeSeconds }) {
	// COUNT transport creations, COUNT consumes, 2 * COUNT closes.
	const requests = 4 * COUNT;

	return {
		createTransportPerSecond: Math.round(COUNT / createSeconds),
		consumePerSecond: Math.round(COUNT / consumeSeconds),
		closePerSecond: Math.round((2 * COUNT) / closeSeconds),
		requests,
		seconds: round(createSeconds + consumeSeconds + closeSeconds, 3),
		requestsPerSecond: Math.round(requests / (createSeconds + consumeSeconds + closeSeconds)),
	};
}

// Warm-up (JIT, allocator) before measuring.
await sequential(100);
await inFlight(100);

const sequentialResult = report(await sequential(COUNT));
const inFlightResult = report(await inFlight(COUNT));

worker.close();

console.log(
	JSON.stringify({
		benchmark: 'control-plane',
		transports: COUNT,
		consumers: COUNT,
		sequential: sequentialResult,
		inFlight: inFlightResult,
		machine: machine(),
	})
);
