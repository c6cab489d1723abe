/// <reference lib="dom" />

// The example room page: joins the room named in the URL (?room=NAME), sends
// the microphone and the camera, shows one tile per other peer with its
// bitrate and packet loss, highlights who speaks, and chats over a
// DataChannel. Bundled by the server with esbuild.

import { Device, type types } from 'mediasoup-client';
import { Signalling } from './signalling';

// ---- What the server sends (see "Signalling" in README.md) ---------------

type JoinResponse = {
	peerId: string;
	routerRtpCapabilities: types.RtpCapabilities;
	peers: { peerId: string; displayName: string }[];
	activeSpeakerPeerId?: string;
};

type TransportResponse = {
	transportId: string;
	iceParameters: types.IceParameters;
	iceCandidates: types.IceCandidate[];
	dtlsParameters: types.DtlsParameters;
	sctpParameters?: types.SctpParameters;
};

type NewConsumer = {
	consumerId: string;
	producerId: string;
	peerId: string;
	kind: types.MediaKind;
	rtpParameters: types.RtpParameters;
	source: string;
	producerPaused: boolean;
};

type NewDataConsumer = {
	dataConsumerId: string;
	dataProducerId: string;
	peerId: string;
	sctpStreamParameters: types.SctpStreamParameters;
	label: string;
	protocol: string;
};

// ---- What the page shows ---------------------------------------------------

type Figures = {
	videoWidth: number;
	videoHeight: number;
	framesDecoded: number;
	audioSamplesReceived: number;
	bitrateKbps: number;
	lossPercent: number;
};

type RemotePeer = {
	peerId: string;
	displayName: string;
	tile: HTMLElement;
	video: HTMLVideoElement;
	audio: HTMLAudioElement;
	state: HTMLElement;
	stats: HTMLElement;
	consumers: Map<string, types.Consumer>;
	dataConsumers: Map<string, types.DataConsumer>;
	figures: Figures;
	// Counters at the previous stats tick, for rates.
	last?: { time: number; bytes: number; received: number; lost: number };
};

type ChatLine = { fromPeerId: string; from: string; text: string };

/**
 * What the page exposes on window.exampleRoom (read by the Chromium test).
 */
export type ExampleRoomState = {
	peerId?: string;
	joined: boolean;
	left: boolean;
	producing: string[];
	activeSpeakerPeerId?: string;
	remotePeers: (Figures & {
		peerId: string;
		displayName: string;
		kinds: string[];
		pausedKinds: string[];
	})[];
	chat: ChatLine[];
	errors: string[];
};

declare global {
	interface Window {
		exampleRoom: { state: () => ExampleRoomState };
	}
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const params = new URLSearchParams(location.search);
const roomName = params.get('room') || Math.random().toString(36).slice(2, 8);

if (!params.get('room')) {
	params.set('room', roomName);
	history.replaceState(null, '', `?${params}`);
}

const remotePeers = new Map<string, RemotePeer>();
const chat: ChatLine[] = [];
const errors: string[] = [];
let signalling: Signalling | undefined;
let device: Device | undefined;
let sendTransport: types.Transport | undefined;
let recvTransport: types.Transport | undefined;
let localStream: MediaStream | undefined;
let micProducer: types.Producer | undefined;
let camProducer: types.Producer | undefined;
let chatProducer: types.DataProducer | undefined;
let myPeerId: string | undefined;
let activeSpeakerPeerId: string | undefined;
let joined = false;
let left = false;

function setStatus(text: string): void {
	$('status').textContent = text;
}

function reportError(what: string, error: unknown): void {
	const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;

	errors.push(message);
	setStatus(message);
}

// ---- Tiles -------------------------------------------------------------------

function remotePeer(peerId: string, displayName = 'Guest'): RemotePeer {
	let peer = remotePeers.get(peerId);

	if (peer) {
		return peer;
	}

	const tile = document.createElement('figure');
	const video = document.createElement('video');
	const audio = document.createElement('audio');
	const caption = document.createElement('figcaption');
	const name = document.createElement('span');
	const state = document.createElement('span');
	const stats = document.createElement('span');

	tile.className = 'tile remote';
	tile.classList.toggle('speaking', peerId === activeSpeakerPeerId);
	tile.dataset.peerId = peerId;
	video.autoplay = true;
	video.playsInline = true;
	video.muted = true;
	audio.autoplay = true;
	name.className = 'name';
	name.textContent = displayName;
	state.className = 'state';
	stats.className = 'stats';
	caption.append(name, ' ', state, stats);
	tile.append(video, audio, caption);
	$('tiles').append(tile);

	peer = {
		peerId,
		displayName,
		tile,
		video,
		audio,
		state,
		stats,
		consumers: new Map(),
		dataConsumers: new Map(),
		figures: {
			videoWidth: 0,
			videoHeight: 0,
			framesDecoded: 0,
			audioSamplesReceived: 0,
			bitrateKbps: 0,
			lossPercent: 0,
		},
	};
	remotePeers.set(peerId, peer);

	return peer;
}

function removeRemotePeer(peerId: string): void {
	const peer = remotePeers.get(peerId);

	if (!peer) {
		return;
	}

	for (const consumer of peer.consumers.values()) {
		consumer.close();
	}

	for (const dataConsumer of peer.dataConsumers.values()) {
		dataConsumer.close();
	}

	peer.tile.remove();
	remotePeers.delete(peerId);
}

function showPausedState(peer: RemotePeer): void {
	const paused = [...peer.consumers.values()].filter(c => c.appData.producerPaused);
	const labels = paused.map(c => (c.kind === 'audio' ? 'muted' : 'camera off'));

	peer.state.textContent = labels.join(', ');
	peer.tile.classList.toggle(
		'video-off',
		paused.some(c => c.kind === 'video')
	);
}

function attachTracks(peer: RemotePeer): void {
	for (const kind of ['audio', 'video'] as const) {
		const consumer = [...peer.consumers.values()].find(c => c.kind === kind);
		const element = kind === 'audio' ? peer.audio : peer.video;

		element.srcObject = consumer ? new MediaStream([consumer.track]) : null;

		if (consumer) {
			element.play().catch(() => {
				// Autoplay refused (no user gesture yet): the Join click gives one.
			});
		}
	}

	showPausedState(peer);
}

function showActiveSpeaker(peerId: string): void {
	activeSpeakerPeerId = peerId;
	$('local-tile').classList.toggle('speaking', peerId === myPeerId);

	for (const peer of remotePeers.values()) {
		peer.tile.classList.toggle('speaking', peer.peerId === peerId);
	}
}

// ---- Chat --------------------------------------------------------------------

function addChatLine(line: ChatLine): void {
	const item = document.createElement('li');
	const from = document.createElement('span');

	chat.push(line);
	from.className = 'from';
	from.textContent = line.from;
	item.append(from, line.text);
	$('messages').append(item);
	item.scrollIntoView({ block: 'end' });
}

function sendChat(text: string): void {
	if (!chatProducer || chatProducer.readyState !== 'open' || !text) {
		return;
	}

	chatProducer.send(text);
	addChatLine({ fromPeerId: myPeerId ?? '', from: 'You', text });
}

// ---- Statistics ----------------------------------------------------------------

async function updateStats(peer: RemotePeer): Promise<void> {
	let bytes = 0;
	let received = 0;
	let lost = 0;
	const figures = peer.figures;

	for (const consumer of peer.consumers.values()) {
		const report = await consumer.getStats();

		report.forEach(stat => {
			if (stat.type !== 'inbound-rtp') {
				return;
			}

			bytes += stat.bytesReceived ?? 0;
			received += stat.packetsReceived ?? 0;
			lost += stat.packetsLost ?? 0;

			if (consumer.kind === 'video') {
				figures.framesDecoded = stat.framesDecoded ?? 0;
				figures.videoWidth = peer.video.videoWidth;
				figures.videoHeight = peer.video.videoHeight;
			} else {
				figures.audioSamplesReceived = stat.totalSamplesReceived ?? 0;
			}
		});
	}

	const now = performance.now();
	const last = peer.last;

	if (last) {
		const seconds = (now - last.time) / 1000;
		const newLost = Math.max(0, lost - last.lost);
		const newPackets = received - last.received + newLost;

		figures.bitrateKbps = seconds > 0 ? Math.round(((bytes - last.bytes) * 8) / seconds / 1000) : 0;
		figures.lossPercent = newPackets > 0 ? (100 * newLost) / newPackets : 0;
	}

	peer.last = { time: now, bytes, received, lost };
	// The size shows what the sender and the router let through (a thumbnail
	// means a low bandwidth estimate somewhere).
	peer.stats.textContent =
		`${figures.videoWidth}×${figures.videoHeight}, ${figures.bitrateKbps} kbps, ` +
		`${figures.lossPercent.toFixed(1)} % loss`;
}

setInterval(() => {
	for (const peer of remotePeers.values()) {
		updateStats(peer).catch(() => {
			// A consumer closed meanwhile: next tick.
		});
	}
}, 1000);

// ---- Signalling ------------------------------------------------------------------

function findConsumer(consumerId: string): [RemotePeer, types.Consumer] | undefined {
	for (const peer of remotePeers.values()) {
		const consumer = peer.consumers.get(consumerId);

		if (consumer) {
			return [peer, consumer];
		}
	}

	return undefined;
}

async function onNewConsumer(data: NewConsumer): Promise<void> {
	const consumer = await recvTransport!.consume({
		id: data.consumerId,
		producerId: data.producerId,
		kind: data.kind,
		rtpParameters: data.rtpParameters,
		appData: { source: data.source, producerPaused: data.producerPaused },
	});
	const peer = remotePeers.get(data.peerId);

	if (!peer) {
		// The peer left meanwhile.
		consumer.close();

		return;
	}

	peer.consumers.set(consumer.id, consumer);
	attachTracks(peer);
	await signalling!.request('resumeConsumer', { consumerId: consumer.id });
}

async function onNewDataConsumer(data: NewDataConsumer): Promise<void> {
	const dataConsumer = await recvTransport!.consumeData({
		id: data.dataConsumerId,
		dataProducerId: data.dataProducerId,
		sctpStreamParameters: data.sctpStreamParameters,
		label: data.label,
		protocol: data.protocol,
	});
	const peer = remotePeers.get(data.peerId);

	if (!peer) {
		dataConsumer.close();

		return;
	}

	peer.dataConsumers.set(dataConsumer.id, dataConsumer);
	dataConsumer.on('message', message => {
		if (typeof message === 'string') {
			addChatLine({ fromPeerId: peer.peerId, from: peer.displayName, text: message });
		}
	});
}

function onNotification(method: string, data: unknown): void {
	const ids = data as { peerId: string; consumerId: string; dataConsumerId: string };

	switch (method) {
		case 'newPeer': {
			const { peerId, displayName } = data as { peerId: string; displayName: string };

			remotePeer(peerId, displayName);
			break;
		}

		case 'peerClosed': {
			removeRemotePeer(ids.peerId);
			break;
		}

		case 'newConsumer': {
			onNewConsumer(data as NewConsumer).catch(error => reportError('consume', error));
			break;
		}

		case 'consumerClosed': {
			const found = findConsumer(ids.consumerId);

			if (found) {
				found[1].close();
				found[0].consumers.delete(ids.consumerId);
				attachTracks(found[0]);
			}

			break;
		}

		case 'consumerPaused':
		case 'consumerResumed': {
			const found = findConsumer(ids.consumerId);

			if (found) {
				found[1].appData.producerPaused = method === 'consumerPaused';
				showPausedState(found[0]);
			}

			break;
		}

		case 'newDataConsumer': {
			onNewDataConsumer(data as NewDataConsumer).catch(error => reportError('consumeData', error));
			break;
		}

		case 'dataConsumerClosed': {
			for (const peer of remotePeers.values()) {
				peer.dataConsumers.get(ids.dataConsumerId)?.close();
				peer.dataConsumers.delete(ids.dataConsumerId);
			}

			break;
		}

		case 'activeSpeaker': {
			showActiveSpeaker(ids.peerId);
			break;
		}
	}
}

async function createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
	const info = await signalling!.request<TransportResponse>('createTransport', { direction });
	const options = {
		id: info.transportId,
		iceParameters: info.iceParameters,
		iceCandidates: info.iceCandidates,
		dtlsParameters: info.dtlsParameters,
		sctpParameters: info.sctpParameters,
	};
	const transport =
		direction === 'send'
			? device!.createSendTransport(options)
			: device!.createRecvTransport(options);

	transport.on('connect', ({ dtlsParameters }, callback, errback) => {
		signalling!
			.request('connectTransport', { transportId: transport.id, dtlsParameters })
			.then(() => callback(), errback);
	});
	transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
		signalling!
			.request<{ producerId: string }>('produce', {
				transportId: transport.id,
				kind,
				rtpParameters,
				appData,
			})
			.then(({ producerId }) => callback({ id: producerId }), errback);
	});
	transport.on('producedata', ({ sctpStreamParameters, label, protocol }, callback, errback) => {
		signalling!
			.request<{ dataProducerId: string }>('produceData', {
				transportId: transport.id,
				sctpStreamParameters,
				label,
				protocol,
			})
			.then(({ dataProducerId }) => callback({ id: dataProducerId }), errback);
	});

	return transport;
}

async function join(displayName: string): Promise<void> {
	const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';

	setStatus('connecting…');
	signalling = await Signalling.open(`${protocol}//${location.host}/ws`);
	signalling.onNotification = onNotification;
	signalling.onClose = () => {
		if (!left) {
			setStatus('disconnected from the server');
		}
	};

	const response = await signalling.request<JoinResponse>('join', { room: roomName, displayName });

	myPeerId = response.peerId;

	for (const peer of response.peers) {
		remotePeer(peer.peerId, peer.displayName);
	}

	if (response.activeSpeakerPeerId) {
		showActiveSpeaker(response.activeSpeakerPeerId);
	}

	device = new Device();
	await device.load({ routerRtpCapabilities: response.routerRtpCapabilities });
	sendTransport = await createTransport('send');
	recvTransport = await createTransport('recv');
	// From now on the server sends a newConsumer for everything the others send.
	await signalling.request('consume', { rtpCapabilities: device.rtpCapabilities });
	joined = true;
	setStatus('');
	$('controls').hidden = false;

	try {
		localStream = await navigator.mediaDevices.getUserMedia({
			audio: true,
			video: { width: 640, height: 360 },
		});
	} catch (error) {
		reportError('no camera or microphone', error);
	}

	const audioTrack = localStream?.getAudioTracks()[0];
	const videoTrack = localStream?.getVideoTracks()[0];

	if (videoTrack) {
		($('local-video') as HTMLVideoElement).srcObject = new MediaStream([videoTrack]);
		camProducer = await sendTransport.produce({ track: videoTrack, appData: { source: 'cam' } });
	}

	if (audioTrack) {
		micProducer = await sendTransport.produce({ track: audioTrack, appData: { source: 'mic' } });
	}

	chatProducer = await sendTransport.produceData({ ordered: true, label: 'chat' });

	const enableChat = (): void => {
		($('chat-input') as HTMLInputElement).disabled = false;
		($('chat-send') as HTMLButtonElement).disabled = false;
	};

	// Open already when the transport was connected by the media.
	if (chatProducer.readyState === 'open') {
		enableChat();
	} else {
		chatProducer.on('open', enableChat);
	}
}

async function toggleProducer(producer: types.Producer | undefined, button: HTMLElement) {
	if (!producer) {
		return;
	}

	if (producer.paused) {
		producer.resume();
		await signalling!.request('resumeProducer', { producerId: producer.id });
	} else {
		producer.pause();
		await signalling!.request('pauseProducer', { producerId: producer.id });
	}

	const off = producer.paused;

	if (producer === micProducer) {
		button.textContent = off ? 'Unmute' : 'Mute';
		$('local-tile').querySelector('.state')!.textContent = off ? 'muted' : '';
	} else {
		button.textContent = off ? 'Start camera' : 'Stop camera';
		$('local-tile').classList.toggle('video-off', off);
	}
}

async function leave(): Promise<void> {
	left = true;
	joined = false;
	await signalling?.request('leave').catch(() => {});
	signalling?.close();
	sendTransport?.close();
	recvTransport?.close();
	localStream?.getTracks().forEach(track => track.stop());

	for (const peerId of [...remotePeers.keys()]) {
		removeRemotePeer(peerId);
	}

	$('controls').hidden = true;
	setStatus('You left the room. Reload the page to join again.');
}

// ---- Wiring ------------------------------------------------------------------

$('room-name').textContent = roomName;
($('display-name') as HTMLInputElement).value = params.get('name') ?? '';

$('join-form').addEventListener('submit', event => {
	event.preventDefault();

	const name = ($('display-name') as HTMLInputElement).value.trim() || 'Guest';

	$('join-form').hidden = true;
	$('local-tile').querySelector('.name')!.textContent = `${name} (you)`;
	join(name).catch(error => reportError('join failed', error));
});

$('mic').addEventListener('click', () => {
	toggleProducer(micProducer, $('mic')).catch(error => reportError('microphone', error));
});

$('cam').addEventListener('click', () => {
	toggleProducer(camProducer, $('cam')).catch(error => reportError('camera', error));
});

$('leave').addEventListener('click', () => {
	leave().catch(error => reportError('leave', error));
});

$('chat-form').addEventListener('submit', event => {
	event.preventDefault();

	const input = $('chat-input') as HTMLInputElement;

	sendChat(input.value.trim());
	input.value = '';
});

window.exampleRoom = {
	state: () => ({
		peerId: myPeerId,
		joined,
		left,
		producing: [micProducer, camProducer]
			.filter((p): p is types.Producer => Boolean(p && !p.closed))
			.map(p => p.kind),
		activeSpeakerPeerId,
		remotePeers: [...remotePeers.values()].map(peer => ({
			peerId: peer.peerId,
			displayName: peer.displayName,
			kinds: [...peer.consumers.values()].map(c => c.kind),
			pausedKinds: [...peer.consumers.values()]
				.filter(c => c.appData.producerPaused)
				.map(c => c.kind),
			...peer.figures,
		})),
		chat: [...chat],
		errors: [...errors],
	}),
};
