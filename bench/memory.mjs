// Memory benchmark: the worker's resident memory (VmRSS) per idle consumer
// with COUNT consumers of one video producer, once each on its own
// PlainTransport and once all on one PlainTransport. Each case runs in a
// fresh worker. Prints one JSON object.
//
// Environment: COUNT (1000).

import { machine, mediasoup, residentKiB, round, sleep } from './lib/common.mjs';

const COUNT = Number(process.env.COUNT ?? 1000);
const LOCALHOST = '127.0.0.1';
const transportOptions = { listenInfo: { protocol: 'udp', ip: LOCALHOST } };

async function settledRssKiB(worker) {
	await worker.dump();
	await sleep(300);

	return residentKiB(worker.pid);
}

async function measure(layout) {
	const worker = await mediasoup.createWorker();
	const router = await worker.createRouter({
		mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
	});
	const ingress = await router.createPlainTransport({ ...transportOptions, comedia: true });
	const producer = await ingress.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
			encodings: [{ ssrc: 1111 }],
		},
	});
	const consumeOptions = { producerId: producer.id, rtpCapabilities: router.rtpCapabilities };
	const rssBeforeKiB = await settledRssKiB(worker);

	if (layout === 'transportPerConsumer') {
		for (let first = 0; first < COUNT; first += 100) {
			await Promise.all(
				Array.from({ length: Math.min(100, COUNT - first) }, async () => {
					const transport = await router.createPlainTransport(transportOptions);

					await transport.consume(consumeOptions);
				})
			);
		}
	} else {
		const transport = await router.createPlainTransport(transportOptions);

		for (let first = 0; first < COUNT; first += 100) {
			await Promise.all(
				Array.from({ length: Math.min(100, COUNT - first) }, () =>
					transport.consume(consumeOptions)
				)
			);
		}
	}

	const rssAfterKiB = await settledRssKiB(worker);

	worker.close();

	return {
		rssBeforeKiB,
		rssAfterKiB,
		perConsumerKiB: round((rssAfterKiB - rssBeforeKiB) / COUNT, 2),
	};
}

const transportPerConsumer = await measure('transportPerConsumer');
const oneTransport = await measure('oneTransport');

console.log(
	JSON.stringify({
		benchmark: 'memory',
		consumers: COUNT,
		transportPerConsumer,
		oneTransport,
		// What a transport of its own adds to a consumer.
		perTransportKiB: round(transportPerConsumer.perConsumerKiB - oneTransport.perConsumerKiB, 2),
		machine: machine(),
	})
);
