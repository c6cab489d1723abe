// Plain-RTP interop with FFmpeg: one FFmpeg sends a generated test picture
// (VP8) and tone (Opus) over RTP into two comedia PlainTransports; consumers
// of both producers on two other PlainTransports send them to a second FFmpeg
// that receives with an SDP file and records a few seconds to a Matroska
// file. ffprobe must then decode video and audio frames from that file.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as mediasoup from '../';
import type {
	Consumer,
	MediaKind,
	PlainTransport,
	Router,
	RtpCapabilities,
	RtpCodecParameters,
	Worker,
} from '../types';
import {
	LOCALHOST,
	ProcessSet,
	freeUdpPortPair,
	makeTempDir,
	probeMediaFile,
	requirePrograms,
	waitForExit,
	waitForUdpPorts,
	waitUntil,
	withToolLogs,
} from './helpers/media-tools';

const VIDEO_SSRC = 22222222;
const AUDIO_SSRC = 11111111;
const RECORD_SECONDS = 5;
// 5 s at 30 fps is 150 frames and 250 Opus frames of 20 ms; the first key
// frame may take up to one GOP (1 s), so ask for clearly less.
const MIN_VIDEO_FRAMES = 60;
const MIN_AUDIO_FRAMES = 100;

const mediaCodecs: mediasoup.types.RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const processes = new ProcessSet();
let worker: Worker;
let router: Router;
let tmpDir: string;

beforeAll(async () => {
	requirePrograms(['ffmpeg', 'ffprobe']);
	worker = await mediasoup.createWorker({ logLevel: 'warn' });
	router = await worker.createRouter({ mediaCodecs });
	tmpDir = makeTempDir('mediasoup-ffmpeg');
});

afterEach(async () => {
	await processes.stopAll();
});

afterAll(() => {
	worker?.close();

	if (tmpDir) {
		fs.rmSync(tmpDir, { recursive: true, force: true });
	}
});

function routerPayloadType(mimeType: string): number {
	return router.rtpCapabilities.codecs!.find(c => c.mimeType === mimeType)!.preferredPayloadType!;
}

/**
 * The SDP FFmpeg needs to receive one consumer's RTP on `port` (FFmpeg also
 * binds port + 1 for RTCP; the consumer's RTCP comes muxed on `port`, which
 * FFmpeg's RTP demuxer accepts).
 */
function sdpMedia(kind: MediaKind, port: number, codec: RtpCodecParameters): string {
	const encoding = codec.mimeType.split('/')[1];
	const channels = codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';

	return [
		`m=${kind} ${port} RTP/AVP ${codec.payloadType}`,
		`a=rtpmap:${codec.payloadType} ${encoding}/${codec.clockRate}${channels}`,
		'a=recvonly',
	].join('\r\n');
}

async function rtpBytesReceived(transport: PlainTransport): Promise<number> {
	const [stats] = await transport.getStats();

	return stats.rtpBytesReceived;
}

test('FFmpeg sends VP8 + Opus through the SFU to an FFmpeg that records decodable media', async () => {
	await withToolLogs(processes, async () => {
		const vp8PayloadType = routerPayloadType('video/VP8');
		const opusPayloadType = routerPayloadType('audio/opus');

		// The sender's side: comedia transports learn FFmpeg's address from its
		// first packet.
		const videoIn = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: LOCALHOST },
			rtcpMux: true,
			comedia: true,
		});
		const audioIn = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: LOCALHOST },
			rtcpMux: true,
			comedia: true,
		});
		const videoProducer = await videoIn.produce({
			kind: 'video',
			rtpParameters: {
				codecs: [{ mimeType: 'video/VP8', payloadType: vp8PayloadType, clockRate: 90000 }],
				encodings: [{ ssrc: VIDEO_SSRC }],
			},
		});
		const audioProducer = await audioIn.produce({
			kind: 'audio',
			rtpParameters: {
				codecs: [
					{ mimeType: 'audio/opus', payloadType: opusPayloadType, clockRate: 48000, channels: 2 },
				],
				encodings: [{ ssrc: AUDIO_SSRC }],
			},
		});

		// FFmpeg sends RTCP from a socket of its own (it cannot mux RTCP on the
		// RTP socket), so with rtcpMux its sender reports would reach the comedia
		// transport from an unknown port; worse, a first report would make the
		// transport learn the RTCP port as its tuple. Its RTCP is left out.
		const rtpUrl = (port: number): string => `rtp://${LOCALHOST}:${port}?pkt_size=1200`;

		processes.start('ffmpeg sender', 'ffmpeg', [
			'-hide_banner',
			'-nostdin',
			'-loglevel',
			'warning',
			'-re',
			'-f',
			'lavfi',
			'-i',
			'testsrc=size=320x240:rate=30',
			'-re',
			'-f',
			'lavfi',
			'-i',
			'sine=frequency=440:sample_rate=48000',
			'-t',
			'120',
			'-map',
			'0:v',
			'-c:v',
			'libvpx',
			'-deadline',
			'realtime',
			'-cpu-used',
			'8',
			'-b:v',
			'500k',
			'-g',
			'30',
			'-rtpflags',
			'skip_rtcp',
			'-ssrc',
			String(VIDEO_SSRC),
			'-payload_type',
			String(vp8PayloadType),
			'-f',
			'rtp',
			rtpUrl(videoIn.tuple.localPort),
			'-map',
			'1:a',
			'-c:a',
			'libopus',
			'-ac',
			'2',
			'-ar',
			'48000',
			'-b:a',
			'64k',
			'-rtpflags',
			'skip_rtcp',
			'-ssrc',
			String(AUDIO_SSRC),
			'-payload_type',
			String(opusPayloadType),
			'-f',
			'rtp',
			rtpUrl(audioIn.tuple.localPort),
		]);

		await waitUntil(
			async () => (await rtpBytesReceived(videoIn)) > 0 && (await rtpBytesReceived(audioIn)) > 0,
			20000,
			'RTP from the sending FFmpeg'
		);

		// The receiver's side.
		const videoPort = await freeUdpPortPair();
		const audioPort = await freeUdpPortPair();
		const videoOut = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: LOCALHOST },
			rtcpMux: true,
		});
		const audioOut = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: LOCALHOST },
			rtcpMux: true,
		});

		await videoOut.connect({ ip: LOCALHOST, port: videoPort });
		await audioOut.connect({ ip: LOCALHOST, port: audioPort });

		const rtpCapabilities = router.rtpCapabilities as RtpCapabilities;
		const videoConsumer: Consumer = await videoOut.consume({
			producerId: videoProducer.id,
			rtpCapabilities,
			paused: true,
		});
		const audioConsumer: Consumer = await audioOut.consume({
			producerId: audioProducer.id,
			rtpCapabilities,
			paused: true,
		});
		const sdpFile = path.join(tmpDir, 'receive.sdp');
		const outputFile = path.join(tmpDir, 'recorded.mkv');

		fs.writeFileSync(
			sdpFile,
			[
				'v=0',
				`o=- 0 0 IN IP4 ${LOCALHOST}`,
				's=mediasoup interop',
				`c=IN IP4 ${LOCALHOST}`,
				't=0 0',
				sdpMedia('video', videoPort, videoConsumer.rtpParameters.codecs[0]),
				sdpMedia('audio', audioPort, audioConsumer.rtpParameters.codecs[0]),
				'',
			].join('\r\n')
		);

		const receiver = processes.start('ffmpeg receiver', 'ffmpeg', [
			'-hide_banner',
			'-nostdin',
			'-loglevel',
			'warning',
			'-protocol_whitelist',
			'file,udp,rtp',
			'-i',
			sdpFile,
			'-map',
			'0:v',
			'-map',
			'0:a',
			'-c',
			'copy',
			'-t',
			String(RECORD_SECONDS),
			'-y',
			outputFile,
		]);

		await waitForUdpPorts([videoPort, videoPort + 1, audioPort, audioPort + 1], receiver);
		await videoConsumer.resume();
		await audioConsumer.resume();

		// The recorder stops by itself after RECORD_SECONDS of media.
		expect(await waitForExit(receiver, 45000)).toBe(0);

		const streams = probeMediaFile(outputFile);
		const video = streams.find(s => s.codecType === 'video');
		const audio = streams.find(s => s.codecType === 'audio');

		expect(video?.codecName).toBe('vp8');
		expect(audio?.codecName).toBe('opus');
		expect(video!.frames).toBeGreaterThanOrEqual(MIN_VIDEO_FRAMES);
		expect(audio!.frames).toBeGreaterThanOrEqual(MIN_AUDIO_FRAMES);
	});
}, 90000);
