// Data through SCTP: a DirectTransport DataProducer in Router A, piped to
// Router B over two PipeTransports with SCTP (plain UDP on loopback, usrsctp
// at both ends), delivered to a DirectTransport DataConsumer in B. Prints
// one JSON object: messages and bytes per second end to end for a few
// message sizes, the worker's CPU per message, and the resident memory an
// SCTP association adds to a transport once connected.
//
// Flow control as an application would do it: the sender stops while the
// pipe DataConsumer's buffered amount is above a high mark and resumes on
// 'bufferedamountlow'.

import { cpuNs, mediasoup, residentKiB } from './lib/common.mjs';

const MESSAGES = Number(process.env.MESSAGES ?? 20000);
const SIZES = [100, 1000, 16000];
const HIGH_MARK = 1000000;
const ASSOCIATIONS_FOR_MEMORY = 100;

async function waitFor(predicate, what, timeoutMs = 30000) {
	const deadline = Date.now() + timeoutMs;

	while (!predicate()) {
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await new Promise(resolve => setTimeout(resolve, 5));
	}
}

async function connectedPipePair(router, options = {}) {
	const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
	const a = await router.createPipeTransport({ listenInfo, enableSctp: true, ...options });
	const b = await router.createPipeTransport({ listenInfo, enableSctp: true, ...options });

	await a.connect({ ip: '127.0.0.1', port: b.tuple.localPort });
	await b.connect({ ip: '127.0.0.1', port: a.tuple.localPort });
	await waitFor(() => a.sctpState === 'connected' && b.sctpState === 'connected', 'SCTP connected');

	return [a, b];
}

async function throughput(worker, router, size) {
	const [pipeA, pipeB] = await connectedPipePair(router);
	const direct = await router.createDirectTransport({
		maxMessageSize: 262144,
	});
	const dataProducer = await direct.produceData();
	const pipeConsumer = await pipeA.consumeData({ dataProducerId: dataProducer.id });
	const pipeProducer = await pipeB.produceData({
		sctpStreamParameters: pipeConsumer.sctpStreamParameters,
	});
	const sink = await direct.consumeData({ dataProducerId: pipeProducer.id });
	let received = 0;
	let dropped = 0;
	let low = true;

	sink.on('message', () => ++received);
	pipeConsumer.on('sctpsendbufferfull', () => ++dropped);
	pipeConsumer.on('bufferedamountlow', () => (low = true));
	await pipeConsumer.setBufferedAmountLowThreshold(HIGH_MARK / 2);

	const message = Buffer.alloc(size, 0x61);
	const cpuStart = cpuNs(worker.pid);
	const start = process.hrtime.bigint();

	for (let sent = 0; sent < MESSAGES;) {
		// Send in slices, checking the buffered amount between them.
		for (let i = 0; i < 50 && sent < MESSAGES; ++i, ++sent) {
			dataProducer.send(message);
		}

		if ((await pipeConsumer.getBufferedAmount()) > HIGH_MARK) {
			low = false;
			await waitFor(() => low, 'bufferedamountlow');
		}
	}

	await waitFor(() => received + dropped >= MESSAGES, 'every message delivered');

	const seconds = Number(process.hrtime.bigint() - start) / 1e9;
	const cpuMs = (cpuNs(worker.pid) - cpuStart) / 1e6;

	for (const transport of [pipeA, pipeB, direct]) {
		transport.close();
	}

	return {
		size,
		messages: MESSAGES,
		received,
		droppedSendBufferFull: dropped,
		messagesPerSecond: Math.round(received / seconds),
		megabytesPerSecond: Number(((received * size) / seconds / 1e6).toFixed(1)),
		workerCpuUsPerMessage: Number(((cpuMs * 1000) / received).toFixed(2)),
	};
}

async function associationMemory(worker, router) {
	const before = residentKiB(worker.pid);
	const pairs = [];

	for (let i = 0; i < ASSOCIATIONS_FOR_MEMORY / 2; ++i) {
		pairs.push(await connectedPipePair(router));
	}

	const withSctp = (residentKiB(worker.pid) - before) / ASSOCIATIONS_FOR_MEMORY;

	for (const pair of pairs) {
		pair.forEach(transport => transport.close());
	}

	return {
		transports: ASSOCIATIONS_FOR_MEMORY,
		kbPerConnectedSctpTransport: Number(withSctp.toFixed(1)),
	};
}

const worker = await mediasoup.createWorker({ logLevel: 'error' });
const router = await worker.createRouter();
const results = [];

for (const size of SIZES) {
	results.push(await throughput(worker, router, size));
}

const memory = await associationMemory(worker, router);

worker.close();

console.log(JSON.stringify({ benchmark: 'data-channels', throughput: results, memory }, null, 2));
