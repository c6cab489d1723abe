/// <reference lib="dom" />

// A browser's bare RTCPeerConnection (window.pc) sending audio to a
// WebRtcTransport, with the SDP answer written from the transport's
// parameters (no mediasoup-client): for tests of ICE, DTLS and TCP.

import type { Page } from 'playwright-core';
import * as mediasoup from '../../';
import type {
	DtlsParameters,
	DtlsRole,
	IceCandidate,
	IceParameters,
	Router,
	WebRtcTransport,
	Worker,
} from '../../types';
import { launchBrowser, type TestBrowser } from './browser';
import { createTestNetwork, type TestNetwork } from './netns';

export type BrowserOffer = { sdp: string; fingerprint: string; mid: string };

/**
 * The network namespace, the browser in it, and a worker with an audio-only
 * Router in it (Chromium gathers candidates only in the namespace).
 */
export type RawPeerRig = {
	network: TestNetwork;
	browser: TestBrowser;
	worker: Worker;
	router: Router;
};

export async function startRawPeerRig(): Promise<RawPeerRig> {
	const network = createTestNetwork();
	const browser = await launchBrowser({ executablePath: network.wrap('/usr/bin/chromium') });
	const worker = await mediasoup.createWorker({
		workerBin: network.wrap(mediasoup.workerBin),
		logLevel: 'warn',
	});
	const router = await worker.createRouter({
		mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
	});

	return { network, browser, worker, router };
}

export async function stopRawPeerRig(rig: RawPeerRig | undefined): Promise<void> {
	rig?.worker.close();
	await rig?.browser.close();
	rig?.network.destroy();
}

/**
 * Closes the page's peer connection, if any (between tests).
 */
export async function closeBrowserPeerConnection(page: Page): Promise<void> {
	await page.evaluate(() => {
		const w = window as unknown as { pc?: RTCPeerConnection };

		w.pc?.close();
		delete w.pc;
	});
}

/**
 * Creates an RTCPeerConnection sending audio and returns its offer.
 */
export async function createBrowserOffer(page: Page): Promise<BrowserOffer> {
	return page.evaluate(async () => {
		const pc = new RTCPeerConnection();

		(window as unknown as { pc: RTCPeerConnection }).pc = pc;
		pc.addTransceiver('audio', { direction: 'sendonly' });
		await pc.setLocalDescription(await pc.createOffer());

		const sdp = pc.localDescription!.sdp;
		const fingerprint = /a=fingerprint:sha-256 ([0-9A-F:]+)/.exec(sdp)![1];
		const mid = /a=mid:(\S+)/.exec(sdp)![1];

		return { sdp, fingerprint, mid };
	});
}

/**
 * Our SDP answer: ICE-lite with the transport's credentials and candidates,
 * its sha-256 fingerprint, and the DTLS setup role the browser must take.
 */
export function buildAnswer({
	iceParameters,
	iceCandidates,
	dtlsParameters,
	setup,
	mid,
}: {
	iceParameters: IceParameters;
	iceCandidates: IceCandidate[];
	dtlsParameters: DtlsParameters;
	setup: 'active' | 'passive';
	mid: string;
}): string {
	const fingerprint = dtlsParameters.fingerprints.find(f => f.algorithm === 'sha-256')!;
	const lines = [
		'v=0',
		'o=- 1 1 IN IP4 0.0.0.0',
		's=-',
		't=0 0',
		'a=ice-lite',
		`a=group:BUNDLE ${mid}`,
		'm=audio 9 UDP/TLS/RTP/SAVPF 111',
		'c=IN IP4 0.0.0.0',
		`a=ice-ufrag:${iceParameters.usernameFragment}`,
		`a=ice-pwd:${iceParameters.password}`,
		`a=fingerprint:sha-256 ${fingerprint.value}`,
		`a=setup:${setup}`,
		`a=mid:${mid}`,
		'a=recvonly',
		'a=rtcp-mux',
		'a=rtpmap:111 opus/48000/2',
		...iceCandidates.map(
			c =>
				`a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.address} ${c.port} typ host${
					c.tcpType ? ` tcptype ${c.tcpType}` : ''
				}`
		),
		'a=end-of-candidates',
	];

	return `${lines.join('\r\n')}\r\n`;
}

export async function setBrowserAnswer(page: Page, sdp: string): Promise<void> {
	await page.evaluate(async answer => {
		const pc = (window as unknown as { pc: RTCPeerConnection }).pc;

		await pc.setRemoteDescription({ type: 'answer', sdp: answer });
	}, sdp);
}

export async function browserConnectionState(page: Page): Promise<string> {
	return page.evaluate(() => (window as unknown as { pc: RTCPeerConnection }).pc.connectionState);
}

/**
 * Signals a browser offer to the transport and back. `browserRole` is the
 * DTLS role the browser takes; the transport gets the opposite one.
 */
export async function negotiate(
	page: Page,
	transport: WebRtcTransport,
	{ browserRole = 'client', fingerprint }: { browserRole?: DtlsRole; fingerprint?: string } = {}
): Promise<void> {
	const offer = await createBrowserOffer(page);

	await transport.connect({
		dtlsParameters: {
			role: browserRole,
			fingerprints: [{ algorithm: 'sha-256', value: fingerprint ?? offer.fingerprint }],
		},
	});

	await setBrowserAnswer(
		page,
		buildAnswer({
			iceParameters: transport.iceParameters,
			iceCandidates: transport.iceCandidates,
			dtlsParameters: transport.dtlsParameters,
			setup: browserRole === 'client' ? 'passive' : 'active',
			mid: offer.mid,
		})
	);
}
