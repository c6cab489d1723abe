// Plain-RTP interop with GStreamer: a gst-launch pipeline sends a test
// picture (VP8) and tone (Opus) over RTP into two comedia PlainTransports;
// consumers on two other PlainTransports send both to a second pipeline that
// depayloads and records them to a Matroska file. ffprobe must then decode
// video and audio frames from that file.
//
// Run twice: with rtcpMux (bare udpsrc/udpsink pipelines, no RTCP from
// GStreamer) and without it (rtpbin on both sides: the sender's RTCP comes
// from its own port and the receiver gets the SFU's RTCP on RTP port + 1).

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as mediasoup from '../';
import type { PlainTransport, Router, RtpCapabilities, Worker } from '../types';
import {
	LOCALHOST,
	ProcessSet,
	freeUdpPortPair,
	makeTempDir,
	probeMediaFile,
	requirePrograms,
	sleep,
	waitForExit,
	waitForUdpPorts,
	waitUntil,
	withToolLogs,
} from './helpers/media-tools';

const VIDEO_SSRC = 33333333;
const AUDIO_SSRC = 44444444;
const RECORD_SECONDS = 5;
// 5 s at 30 fps is 150 frames and 250 Opus frames of 20 ms; ask for clearly
// less (the recording starts at the first key frame).
const MIN_VIDEO_FRAMES = 60;
const MIN_AUDIO_FRAMES = 100;

const GST_ELEMENTS = [
	'videotestsrc',
	'audiotestsrc',
	'audioconvert',
	'audioresample',
	'vp8enc',
	'opusenc',
	'rtpvp8pay',
	'rtpopuspay',
	'udpsink',
	'udpsrc',
	'rtpjitterbuffer',
	'rtpbin',
	'rtpvp8depay',
	'rtpopusdepay',
	'opusparse',
	'matroskamux',
	'filesink',
];

const mediaCodecs: mediasoup.types.RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const processes = new ProcessSet();
let worker: Worker;
let router: Router;
let tmpDir: string;

beforeAll(async () => {
	requirePrograms(['gst-launch-1.0', 'gst-inspect-1.0', 'ffprobe'], GST_ELEMENTS);
	worker = await mediasoup.createWorker({ logLevel: 'warn' });
	tmpDir = makeTempDir('mediasoup-gstreamer');
});

beforeEach(async () => {
	router = await worker.createRouter({ mediaCodecs });
});

afterEach(async () => {
	await processes.stopAll();
	router?.close();
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

async function rtpBytesReceived(transport: PlainTransport): Promise<number> {
	const [stats] = await transport.getStats();

	return stats.rtpBytesReceived;
}

/**
 * gst-launch arguments from a pipeline description written with one
 * element/property/caps per whitespace-separated token (no quoting needed).
 */
function pipelineArgs(description: string): string[] {
	return description.split(/\s+/).filter(Boolean);
}

const VIDEO_SOURCE =
	'videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 ' +
	'! vp8enc deadline=1 cpu-used=8 target-bitrate=500000 keyframe-max-dist=30';
const AUDIO_SOURCE =
	'audiotestsrc is-live=true wave=sine freq=440 ! audioconvert ! audioresample ' +
	'! audio/x-raw,rate=48000,channels=2 ! opusenc bitrate=64000';

async function runInterop({ rtcpMux }: { rtcpMux: boolean }): Promise<void> {
	const vp8PayloadType = routerPayloadType('video/VP8');
	const opusPayloadType = routerPayloadType('audio/opus');

	// The sender's side.
	const videoIn = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		rtcpMux,
		comedia: true,
	});
	const audioIn = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		rtcpMux,
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
	const videoPay = `rtpvp8pay pt=${vp8PayloadType} ssrc=${VIDEO_SSRC} mtu=1200 picture-id-mode=15-bit`;
	const audioPay = `rtpopuspay pt=${opusPayloadType} ssrc=${AUDIO_SSRC}`;
	const udpSink = (port: number): string =>
		`udpsink host=${LOCALHOST} port=${port} sync=false async=false`;
	let senderPipeline: string;

	if (rtcpMux) {
		senderPipeline = [
			`${VIDEO_SOURCE} ! ${videoPay} ! ${udpSink(videoIn.tuple.localPort)}`,
			`${AUDIO_SOURCE} ! ${audioPay} ! ${udpSink(audioIn.tuple.localPort)}`,
		].join(' ');
	} else {
		senderPipeline = [
			'rtpbin name=rtpbin',
			`${VIDEO_SOURCE} ! ${videoPay} ! rtpbin.send_rtp_sink_0`,
			`rtpbin.send_rtp_src_0 ! ${udpSink(videoIn.tuple.localPort)}`,
			`rtpbin.send_rtcp_src_0 ! ${udpSink(videoIn.rtcpTuple!.localPort)}`,
			`${AUDIO_SOURCE} ! ${audioPay} ! rtpbin.send_rtp_sink_1`,
			`rtpbin.send_rtp_src_1 ! ${udpSink(audioIn.tuple.localPort)}`,
			`rtpbin.send_rtcp_src_1 ! ${udpSink(audioIn.rtcpTuple!.localPort)}`,
		].join(' ');
	}

	processes.start('gst sender', 'gst-launch-1.0', pipelineArgs(`-q ${senderPipeline}`));

	await waitUntil(
		async () => (await rtpBytesReceived(videoIn)) > 0 && (await rtpBytesReceived(audioIn)) > 0,
		20000,
		'RTP from the sending pipeline'
	);

	if (!rtcpMux) {
		// rtpbin sends its first sender reports within a few seconds; comedia
		// learns the RTCP address from them.
		await waitUntil(
			() => Boolean(videoIn.rtcpTuple?.remotePort && audioIn.rtcpTuple?.remotePort),
			20000,
			'RTCP from the sending pipeline'
		);
	}

	// The receiver's side.
	const videoPort = await freeUdpPortPair();
	const audioPort = await freeUdpPortPair();
	const videoOut = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		rtcpMux,
	});
	const audioOut = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		rtcpMux,
	});

	if (rtcpMux) {
		await videoOut.connect({ ip: LOCALHOST, port: videoPort });
		await audioOut.connect({ ip: LOCALHOST, port: audioPort });
	} else {
		await videoOut.connect({ ip: LOCALHOST, port: videoPort, rtcpPort: videoPort + 1 });
		await audioOut.connect({ ip: LOCALHOST, port: audioPort, rtcpPort: audioPort + 1 });
	}

	const rtpCapabilities = router.rtpCapabilities as RtpCapabilities;
	const videoConsumer = await videoOut.consume({
		producerId: videoProducer.id,
		rtpCapabilities,
		paused: true,
	});
	const audioConsumer = await audioOut.consume({
		producerId: audioProducer.id,
		rtpCapabilities,
		paused: true,
	});
	const videoCodec = videoConsumer.rtpParameters.codecs[0];
	const audioCodec = audioConsumer.rtpParameters.codecs[0];
	const videoSsrc = videoConsumer.rtpParameters.encodings![0].ssrc!;
	const audioSsrc = audioConsumer.rtpParameters.encodings![0].ssrc!;
	const videoCaps =
		'application/x-rtp,media=video,encoding-name=VP8,' +
		`clock-rate=${videoCodec.clockRate},payload=${videoCodec.payloadType}`;
	const audioCaps =
		'application/x-rtp,media=audio,encoding-name=OPUS,' +
		`clock-rate=${audioCodec.clockRate},payload=${audioCodec.payloadType}`;
	const outputFile = path.join(tmpDir, `recorded-${rtcpMux ? 'mux' : 'nomux'}.mkv`);
	const udpSrc = (port: number, caps?: string): string =>
		`udpsrc address=${LOCALHOST} port=${port}${caps ? ` caps=${caps}` : ''}`;
	const recordTail = 'matroskamux name=mux ! filesink location=' + outputFile;
	let receiverPipeline: string;

	if (rtcpMux) {
		// The SFU's RTCP arrives on the RTP port too; the jitter buffer drops
		// what does not match the RTP caps.
		receiverPipeline = [
			`${udpSrc(videoPort, videoCaps)} ! rtpjitterbuffer latency=200 ! rtpvp8depay ! queue ! mux.`,
			`${udpSrc(audioPort, audioCaps)} ! rtpjitterbuffer latency=200 ! rtpopusdepay ! opusparse ! queue ! mux.`,
			recordTail,
		].join(' ');
	} else {
		// The SFU's RTCP comes to RTP port + 1. (Receiver reports are not sent
		// back: gst-launch cannot send them from the port the SFU expects.)
		receiverPipeline = [
			'rtpbin name=rtpbin latency=200',
			`${udpSrc(videoPort, videoCaps)} ! rtpbin.recv_rtp_sink_0`,
			`${udpSrc(videoPort + 1)} ! rtpbin.recv_rtcp_sink_0`,
			`rtpbin.recv_rtp_src_0_${videoSsrc}_${videoCodec.payloadType} ! rtpvp8depay ! queue ! mux.`,
			`${udpSrc(audioPort, audioCaps)} ! rtpbin.recv_rtp_sink_1`,
			`${udpSrc(audioPort + 1)} ! rtpbin.recv_rtcp_sink_1`,
			`rtpbin.recv_rtp_src_1_${audioSsrc}_${audioCodec.payloadType} ! rtpopusdepay ! opusparse ! queue ! mux.`,
			recordTail,
		].join(' ');
	}

	// -e: on SIGINT, send EOS so the muxer finishes the file.
	const receiver = processes.start(
		'gst receiver',
		'gst-launch-1.0',
		pipelineArgs(`-e ${receiverPipeline}`)
	);
	const receivePorts = rtcpMux
		? [videoPort, audioPort]
		: [videoPort, videoPort + 1, audioPort, audioPort + 1];

	await waitForUdpPorts(receivePorts, receiver);
	await videoConsumer.resume();
	await audioConsumer.resume();

	// Record RECORD_SECONDS from the moment the muxer writes media.
	await waitUntil(
		() => fs.existsSync(outputFile) && fs.statSync(outputFile).size > 4096,
		20000,
		'the receiving pipeline to write media'
	);
	await sleep(RECORD_SECONDS * 1000);

	receiver.child.kill('SIGINT');

	expect(await waitForExit(receiver, 20000)).toBe(0);

	const streams = probeMediaFile(outputFile);
	const video = streams.find(s => s.codecType === 'video');
	const audio = streams.find(s => s.codecType === 'audio');

	expect(video?.codecName).toBe('vp8');
	expect(audio?.codecName).toBe('opus');
	expect(video!.frames).toBeGreaterThanOrEqual(MIN_VIDEO_FRAMES);
	expect(audio!.frames).toBeGreaterThanOrEqual(MIN_AUDIO_FRAMES);
}

test('GStreamer sends VP8 + Opus through the SFU (rtcpMux) to a GStreamer recorder', async () => {
	await withToolLogs(processes, () => runInterop({ rtcpMux: true }));
}, 90000);

test('GStreamer with rtpbin and separate RTCP ports (rtcpMux: false) to a GStreamer recorder', async () => {
	await withToolLogs(processes, () => runInterop({ rtcpMux: false }));
}, 90000);
