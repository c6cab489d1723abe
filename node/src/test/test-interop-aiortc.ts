// A REMB-only receiver keeps getting video (issue 12): aiortc, a WebRTC
// stack that receives with abs-send-time and answers with REMB but does no
// transport-cc, consumes VP8 from FFmpeg over a WebRtcTransport on loopback
// for 30 s. It must decode frames every second, the worker must log no error
// (a mature SFU's estimator starves exactly this peer and logs an error for
// REMB arriving on a transport-cc transport), the transport's estimate must
// follow the peer's REMB and the peer must not get more than its REMB says.
//
// The SDP offer is written here from the transport's and the consumer's
// parameters; aiortc runs in helpers/aiortc_receiver.py and reports once a
// second over JSON lines.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as mediasoup from '../';
import type {
	Consumer,
	Producer,
	Router,
	RtcpFeedback,
	RtpCapabilities,
	RtpParameters,
	TransportTraceEventData,
	WebRtcTransport,
	Worker,
} from '../types';
import { LOCALHOST, ProcessSet, requirePrograms, waitUntil } from './helpers/media-tools';

// Debian's interpreter: python3-aiortc installs there (a python3 earlier on
// PATH, e.g. pyenv's, would not see it).
const PYTHON = '/usr/bin/python3';
const RECEIVER_SCRIPT = path.join(__dirname, 'helpers', 'aiortc_receiver.py');
const VIDEO_SSRC = 33333333;
const MEASURED_SECONDS = 30;
const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
const TRANSPORT_CC_URI =
	'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
// How far the received bitrate may exceed the REMB-driven estimate, averaged
// over the measured seconds. The only video is one VP8 encoding, which an SFU
// cannot thin: after aiortc detects over-use it reports 0.85 x the rate it
// measured (the GCC decrease factor), so until its rate control climbs again
// the peer gets up to 1 / 0.85 = 1.18 x its REMB. aiortc's estimate counts
// RTP payload only while the bytes here are datagrams (RTP header, the two
// header extensions, SRTP tag: about 4 % on ~1000-byte packets). 1.25 covers
// both; an SFU forwarding with no regard to REMB would not be caught by a
// margin alone, hence the checks on the estimate itself.
const RECEIVED_OVER_REMB_MARGIN = 1.25;
// Longest wait for something expected to happen (not a performance figure).
const WAIT_MS = 20000;

const mediaCodecs: mediasoup.types.RouterRtpCodecCapability[] = [
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

type AiortcCapabilities = {
	codecs: { mimeType: string; clockRate: number; rtcpFeedback: RtcpFeedback[] }[];
	headerExtensions: string[];
};

type AiortcSecond = {
	index: number;
	frames: number;
	width: number;
	height: number;
	bytes: number;
	remb: number[];
	connectionState: string;
};

type AiortcMessage =
	| ({ type: 'capabilities' } & AiortcCapabilities)
	| { type: 'answer'; sdp: string }
	| ({ type: 'second' } & AiortcSecond);

/**
 * The aiortc process: its messages as they come, its stderr for failure
 * messages.
 */
class AiortcReceiver {
	readonly child: ChildProcessWithoutNullStreams;
	readonly messages: AiortcMessage[] = [];
	stderr = '';
	exited = false;

	constructor() {
		this.child = spawn(PYTHON, [RECEIVER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
		this.child.stderr.on('data', (chunk: Buffer) => {
			this.stderr = (this.stderr + chunk.toString()).slice(-8000);
		});
		this.child.once('exit', () => {
			this.exited = true;
		});
		this.child.once('error', error => {
			this.stderr += `\n[spawn error: ${error.message}]`;
			this.exited = true;
		});
		readline.createInterface({ input: this.child.stdout }).on('line', line => {
			this.messages.push(JSON.parse(line) as AiortcMessage);
		});
	}

	send(message: object): void {
		this.child.stdin.write(`${JSON.stringify(message)}\n`);
	}

	async next<T extends AiortcMessage['type']>(
		type: T
	): Promise<Extract<AiortcMessage, { type: T }>> {
		let found: AiortcMessage | undefined;

		await waitUntil(
			() => {
				if (this.exited) {
					throw new Error(`aiortc exited:\n${this.stderr}`);
				}

				found = this.messages.find(m => m.type === type);

				return found !== undefined;
			},
			WAIT_MS,
			`aiortc's "${type}"`
		);

		return found as Extract<AiortcMessage, { type: T }>;
	}

	seconds(): AiortcSecond[] {
		return this.messages.filter(m => m.type === 'second') as AiortcSecond[];
	}

	async stop(): Promise<void> {
		if (this.exited) {
			return;
		}

		const exit = new Promise(resolve => this.child.once('exit', resolve));

		this.child.stdin.end();

		const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);

		await exit;
		clearTimeout(timer);
	}
}

const processes = new ProcessSet();
let aiortc: AiortcReceiver | undefined;
let worker: Worker;
let router: Router;
const workerLogs: { level: 'warn' | 'error'; namespace: string; log: string }[] = [];
const workerFailures: string[] = [];

beforeAll(async () => {
	requirePrograms(['ffmpeg']);

	if (spawnSync(PYTHON, ['-c', 'import aiortc'], { stdio: 'ignore' }).status !== 0) {
		throw new Error(
			`aiortc is not importable by ${PYTHON} (python3-aiortc, see TEST_SYSTEM_DEPS in npm-scripts.mjs)`
		);
	}

	mediasoup.setLogEventListeners({
		onwarn: (namespace, log) => workerLogs.push({ level: 'warn', namespace, log }),
		onerror: (namespace, log) => workerLogs.push({ level: 'error', namespace, log }),
	});
	worker = await mediasoup.createWorker({ logLevel: 'warn' });
	worker.on('@failure', (error: unknown) => workerFailures.push(String(error)));
	worker.on('died', error => workerFailures.push(`died: ${String(error)}`));
	router = await worker.createRouter({ mediaCodecs });
});

afterEach(async () => {
	await aiortc?.stop();
	await processes.stopAll();
});

afterAll(() => {
	worker?.close();
	mediasoup.setLogEventListeners();
});

/**
 * The router's capabilities narrowed to what aiortc says it receives: its
 * codecs, their RTCP feedback and its header extensions (abs-send-time, not
 * transport-wide-cc), as a signalling server would pass them to consume().
 */
function aiortcRtpCapabilities(caps: AiortcCapabilities): RtpCapabilities {
	const theirs = (mimeType: string): AiortcCapabilities['codecs'][number] | undefined =>
		caps.codecs.find(c => c.mimeType.toLowerCase() === mimeType.toLowerCase());

	return {
		codecs: router
			.rtpCapabilities!.codecs!.filter(codec => theirs(codec.mimeType))
			.map(codec => ({
				...codec,
				rtcpFeedback: (codec.rtcpFeedback ?? []).filter(fb =>
					theirs(codec.mimeType)!.rtcpFeedback.some(
						their => their.type === fb.type && (their.parameter ?? '') === (fb.parameter ?? '')
					)
				),
			})),
		headerExtensions: router.rtpCapabilities!.headerExtensions!.filter(
			ext => ext.kind === 'video' && caps.headerExtensions.includes(ext.uri)
		),
	};
}

/**
 * Our SDP offer for one consumer: ICE-lite with the transport's credentials
 * and candidates, DTLS actpass, the consumer's codecs, header extensions and
 * SSRCs (RTX as a FID group).
 */
function buildOffer(transport: WebRtcTransport, rtpParameters: RtpParameters): string {
	const fingerprint = transport.dtlsParameters.fingerprints.find(f => f.algorithm === 'sha-256')!;
	const mid = rtpParameters.mid!;
	const { ssrc, rtx } = rtpParameters.encodings![0];
	const cname = rtpParameters.rtcp!.cname!;
	const codecLines = rtpParameters.codecs.flatMap(codec => {
		const pt = codec.payloadType;
		const fmtp = Object.entries(codec.parameters ?? {})
			.map(([key, value]) => `${key}=${value}`)
			.join(';');

		return [
			`a=rtpmap:${pt} ${codec.mimeType.split('/')[1]}/${codec.clockRate}`,
			...(codec.rtcpFeedback ?? []).map(
				fb => `a=rtcp-fb:${pt} ${fb.type}${fb.parameter ? ` ${fb.parameter}` : ''}`
			),
			...(fmtp ? [`a=fmtp:${pt} ${fmtp}`] : []),
		];
	});
	const lines = [
		'v=0',
		'o=- 1 1 IN IP4 127.0.0.1',
		's=-',
		't=0 0',
		'a=ice-lite',
		`a=group:BUNDLE ${mid}`,
		`m=video 9 UDP/TLS/RTP/SAVPF ${rtpParameters.codecs.map(c => c.payloadType).join(' ')}`,
		'c=IN IP4 127.0.0.1',
		`a=ice-ufrag:${transport.iceParameters.usernameFragment}`,
		`a=ice-pwd:${transport.iceParameters.password}`,
		`a=fingerprint:sha-256 ${fingerprint.value}`,
		'a=setup:actpass',
		`a=mid:${mid}`,
		'a=sendonly',
		'a=rtcp-mux',
		'a=rtcp-rsize',
		...codecLines,
		...(rtpParameters.headerExtensions ?? []).map(ext => `a=extmap:${ext.id} ${ext.uri}`),
		...(rtx ? [`a=ssrc-group:FID ${ssrc} ${rtx.ssrc}`] : []),
		...[ssrc, ...(rtx ? [rtx.ssrc] : [])].flatMap(s => [
			`a=ssrc:${s} cname:${cname}`,
			`a=ssrc:${s} msid:ffmpeg video`,
		]),
		...transport.iceCandidates.map(
			c =>
				`a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.address} ${c.port} typ host`
		),
		'a=end-of-candidates',
	];

	return `${lines.join('\r\n')}\r\n`;
}

/**
 * FFmpeg sends a test picture as VP8 (one key frame a second: it does not
 * hear PLI over plain RTP) into a comedia PlainTransport.
 */
async function startFfmpegProducer(): Promise<Producer> {
	const payloadType = router.rtpCapabilities.codecs!.find(
		c => c.mimeType === 'video/VP8'
	)!.preferredPayloadType!;
	const plain = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		rtcpMux: true,
		comedia: true,
	});
	const producer = await plain.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [{ mimeType: 'video/VP8', payloadType, clockRate: 90000 }],
			encodings: [{ ssrc: VIDEO_SSRC }],
		},
	});

	// prettier-ignore
	processes.start('ffmpeg sender', 'ffmpeg', [
		'-hide_banner', '-nostdin', '-loglevel', 'warning',
		'-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30',
		'-t', '90',
		'-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8',
		'-b:v', '500k', '-g', '30',
		'-rtpflags', 'skip_rtcp',
		'-ssrc', String(VIDEO_SSRC), '-payload_type', String(payloadType),
		'-f', 'rtp', `rtp://${LOCALHOST}:${plain.tuple.localPort}?pkt_size=1200`,
	]);

	await waitUntil(
		async () => (await plain.getStats())[0].rtpBytesReceived > 0,
		WAIT_MS,
		'RTP from FFmpeg'
	);

	return producer;
}

/**
 * Runs `fn`; if it throws, adds what FFmpeg and aiortc said and aiortc's last
 * reports to the error message.
 */
async function withReceiverLogs(fn: () => Promise<void>): Promise<void> {
	try {
		await fn();
	} catch (error) {
		const err = error as Error;

		err.message = [
			err.message,
			processes.logs(),
			'----- aiortc (stderr) -----',
			aiortc?.stderr.slice(-4000) ?? '',
			'----- aiortc (last reports) -----',
			...(aiortc?.seconds().slice(-5) ?? []).map(s => JSON.stringify(s)),
		].join('\n');

		throw err;
	}
}

function mean(values: number[]): number {
	return values.reduce((sum, v) => sum + v, 0) / values.length;
}

test('aiortc, a REMB-only receiver, decodes video every second for 30 s at the rate its REMB reports', async () => {
	await withReceiverLogs(async () => {
		// aiortc loads while FFmpeg starts.
		aiortc = new AiortcReceiver();

		const producer = await startFfmpegProducer();
		const transport = await router.createWebRtcTransport({
			listenInfos: [{ protocol: 'udp', ip: LOCALHOST }],
		});
		// Each with the number of seconds aiortc had reported when it came.
		const bweOut: { availableBitrate: number; bweType: string; reportedSeconds: number }[] = [];

		await transport.enableTraceEvent(['bwe']);
		transport.on('trace', (trace: TransportTraceEventData) => {
			if (trace.type === 'bwe' && trace.direction === 'out') {
				bweOut.push({
					...(trace.info as { availableBitrate: number; bweType: string }),
					reportedSeconds: aiortc!.seconds().length,
				});
			}
		});

		const caps = await aiortc.next('capabilities');
		const consumer: Consumer = await transport.consume({
			producerId: producer.id,
			rtpCapabilities: aiortcRtpCapabilities(caps),
		});
		const { rtpParameters } = consumer;

		// What aiortc's capabilities make of the consumer: REMB, not transport-cc.
		expect(rtpParameters.headerExtensions!.map(ext => ext.uri)).toContain(ABS_SEND_TIME_URI);
		expect(rtpParameters.headerExtensions!.map(ext => ext.uri)).not.toContain(TRANSPORT_CC_URI);
		expect(rtpParameters.codecs[0].rtcpFeedback!.map(fb => fb.type)).toContain('goog-remb');
		expect(rtpParameters.codecs[0].rtcpFeedback!.map(fb => fb.type)).not.toContain('transport-cc');

		aiortc.send({ type: 'offer', sdp: buildOffer(transport, rtpParameters) });

		const { sdp: answer } = await aiortc.next('answer');
		const fingerprint = /a=fingerprint:sha-256 ([0-9A-Fa-f:]+)/.exec(answer)![1];
		const setup = /a=setup:(active|passive)/.exec(answer)![1];

		await transport.connect({
			dtlsParameters: {
				role: setup === 'active' ? 'client' : 'server',
				fingerprints: [{ algorithm: 'sha-256', value: fingerprint }],
			},
		});

		// From the first decoded second, MEASURED_SECONDS more; the worker's
		// estimate is sampled as each second is reported.
		const estimates = new Map<number, number>();
		const firstFrameSecond = (): AiortcSecond | undefined =>
			aiortc!.seconds().find(s => s.frames > 0);

		await waitUntil(
			async () => {
				if (aiortc!.exited) {
					throw new Error(`aiortc exited:\n${aiortc!.stderr}`);
				}

				for (const second of aiortc!.seconds()) {
					if (!estimates.has(second.index)) {
						const [stats] = await transport.getStats();

						estimates.set(second.index, stats.availableOutgoingBitrate ?? 0);
					}
				}

				const first = firstFrameSecond();

				return first !== undefined && aiortc!.seconds().length >= first.index + MEASURED_SECONDS;
			},
			WAIT_MS + (MEASURED_SECONDS + 5) * 1000,
			`aiortc to decode for ${MEASURED_SECONDS} s`
		);

		const first = firstFrameSecond()!;
		const measured = aiortc.seconds().slice(first.index, first.index + MEASURED_SECONDS);
		const rembSent = aiortc.seconds().flatMap(s => s.remb);
		const measuredEstimates = measured.map(s => estimates.get(s.index)!);
		const summary = {
			framesPerSecond: measured.map(s => s.frames),
			size: `${measured.at(-1)!.width}x${measured.at(-1)!.height}`,
			receivedKbps: measured.map(s => Math.round(s.bytes / 125)),
			aiortcRembKbps: rembSent.map(bps => Math.round(bps / 1000)),
			availableOutgoingKbps: measuredEstimates.map(bps => Math.round(bps / 1000)),
			bweOut: bweOut.slice(-5),
			workerLogs,
			workerFailures,
		};

		// eslint-disable-next-line no-console
		console.info(`aiortc interop figures: ${JSON.stringify(summary)}`);

		// Video every second, at the size FFmpeg sends.
		expect(measured.filter(s => s.frames === 0)).toEqual([]);
		expect(summary.size).toBe('320x240');

		// Nothing logged by the worker, nothing failed.
		expect(workerLogs.filter(l => l.level === 'error')).toEqual([]);
		expect(workerFailures).toEqual([]);

		// The peer sent REMB, and it bounds the transport's estimate: with no
		// loss the estimate is the REMB itself; never above the largest one.
		expect(rembSent.length).toBeGreaterThan(0);

		// From the second after the one in which aiortc sent its first REMB (a
		// REMB and the report listing it travel apart); aiortc starts sending
		// REMB about 3 s into the media.
		const firstRembIndex = aiortc.seconds().find(s => s.remb.length > 0)!.index;
		const afterRemb = measured.filter(s => s.index > firstRembIndex);
		const estimatesAfterRemb = afterRemb.map(s => estimates.get(s.index)!);

		expect(afterRemb.length).toBeGreaterThanOrEqual(MEASURED_SECONDS / 2);

		for (const estimate of estimatesAfterRemb) {
			expect(estimate).toBeGreaterThan(0);
			expect(estimate).toBeLessThanOrEqual(Math.max(...rembSent));
		}

		expect(estimatesAfterRemb.some(estimate => rembSent.includes(estimate))).toBe(true);

		// The peer does not get more than its REMB says.
		expect(mean(afterRemb.map(s => s.bytes * 8))).toBeLessThanOrEqual(
			mean(estimatesAfterRemb) * RECEIVED_OVER_REMB_MARGIN
		);

		// The transport's outgoing 'bwe' trace says the same.
		expect(bweOut.length).toBeGreaterThan(0);

		for (const info of bweOut) {
			expect(info.bweType).toBe('remb');
			expect(info.availableBitrate).toBeGreaterThan(0);

			if (info.reportedSeconds > firstRembIndex) {
				expect(info.availableBitrate).toBeLessThanOrEqual(Math.max(...rembSent));
			}
		}
	});
}, 90000);
