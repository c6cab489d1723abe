// Parsing of the FlatBuffers shapes every transport kind shares: the base
// dump and stats, protocols and tuples.

import type { TransportMessageSizes } from './Transport';
import type {
	BaseTransportDump,
	BaseTransportStats,
	TransportProtocol,
	TransportTraceEventData,
	TransportTuple,
} from './TransportTypes';
import { readStrings } from './fbsUtils';
import { Protocol as FbsProtocol } from './fbs/transport/protocol';
import type { Tuple as FbsTuple } from './fbs/transport/tuple';
import type { Dump as FbsTransportDump } from './fbs/transport/dump';
import type { Stats as FbsTransportStats } from './fbs/transport/stats';
import { BweTraceInfo as FbsBweTraceInfo } from './fbs/transport/bwe-trace-info';
import { BweType as FbsBweType } from './fbs/transport/bwe-type';
import { TraceDirection as FbsTransportTraceDirection } from './fbs/transport/trace-direction';
import { TraceEventType as FbsTransportTraceEventType } from './fbs/transport/trace-event-type';
import { TraceInfo as FbsTransportTraceInfo } from './fbs/transport/trace-info';
import type { TraceNotification as FbsTransportTraceNotification } from './fbs/transport/trace-notification';

/**
 * Dump response bodies of every transport kind share this shape.
 */
export function parseBaseTransportDump(
	dump: FbsTransportDump,
	messageSizes: TransportMessageSizes
): BaseTransportDump {
	const dropped = dump.dropped()!;

	return {
		id: dump.id()!,
		producerIds: readStrings(i => dump.producerIds(i), dump.producerIdsLength()),
		consumerIds: readStrings(i => dump.consumerIds(i), dump.consumerIdsLength()),
		mapSsrcConsumerId: readUint32Strings(
			i => dump.mapSsrcConsumerId(i),
			dump.mapSsrcConsumerIdLength()
		),
		mapRtxSsrcConsumerId: readUint32Strings(
			i => dump.mapRtxSsrcConsumerId(i),
			dump.mapRtxSsrcConsumerIdLength()
		),
		// Filled by the worker once Producers exist.
		recvRtpHeaderExtensions: {},
		rtpListener: { ssrcTable: [], midTable: [], ridTable: [] },
		maxSendMessageSize: messageSizes.maxSendMessageSize,
		maxReceiveMessageSize: messageSizes.maxReceiveMessageSize,
		dataProducerIds: readStrings(i => dump.dataProducerIds(i), dump.dataProducerIdsLength()),
		dataConsumerIds: readStrings(i => dump.dataConsumerIds(i), dump.dataConsumerIdsLength()),
		traceEventTypes: readStrings(i => dump.traceEventTypes(i), dump.traceEventTypesLength()),
		droppedPackets: {
			notStunDtlsRtpRtcp: Number(dropped.notStunDtlsRtpRtcp()),
			invalidStun: Number(dropped.invalidStun()),
			stunUnauthorized: Number(dropped.stunUnauthorized()),
			dtlsUnexpected: Number(dropped.dtlsUnexpected()),
			rtpBeforeSrtp: Number(dropped.rtpBeforeSrtp()),
			srtpDecryptFailed: Number(dropped.srtpDecryptFailed()),
			srtcpDecryptFailed: Number(dropped.srtcpDecryptFailed()),
			invalidRtp: Number(dropped.invalidRtp()),
			invalidRtcp: Number(dropped.invalidRtcp()),
			unknownTuple: Number(dropped.unknownTuple()),
			tcpConnectionRejected: Number(dropped.tcpConnectionRejected()),
			tcpConnectionTimedOut: Number(dropped.tcpConnectionTimedOut()),
		},
	};
}

/**
 * Stats response bodies of every transport kind share this shape.
 */
export function parseBaseTransportStats(stats: FbsTransportStats): BaseTransportStats {
	const result: BaseTransportStats = {
		transportId: stats.transportId()!,
		timestamp: Number(stats.timestamp()),
		bytesReceived: Number(stats.bytesReceived()),
		recvBitrate: stats.recvBitrate(),
		bytesSent: Number(stats.bytesSent()),
		sendBitrate: stats.sendBitrate(),
		rtpBytesReceived: Number(stats.rtpBytesReceived()),
		rtpRecvBitrate: stats.rtpRecvBitrate(),
		rtpBytesSent: Number(stats.rtpBytesSent()),
		rtpSendBitrate: stats.rtpSendBitrate(),
		rtxBytesReceived: Number(stats.rtxBytesReceived()),
		rtxRecvBitrate: stats.rtxRecvBitrate(),
		rtxBytesSent: Number(stats.rtxBytesSent()),
		rtxSendBitrate: stats.rtxSendBitrate(),
		probationBytesSent: Number(stats.probationBytesSent()),
		probationSendBitrate: stats.probationSendBitrate(),
	};

	const optionals: [keyof BaseTransportStats, number | null][] = [
		['availableOutgoingBitrate', stats.availableOutgoingBitrate()],
		['availableIncomingBitrate', stats.availableIncomingBitrate()],
		['maxIncomingBitrate', stats.maxIncomingBitrate()],
		['maxOutgoingBitrate', stats.maxOutgoingBitrate()],
		['minOutgoingBitrate', stats.minOutgoingBitrate()],
	];

	for (const [key, value] of optionals) {
		if (value !== null) {
			(result as Record<string, unknown>)[key] = value;
		}
	}

	return result;
}

export function parseProtocol(protocol: FbsProtocol): TransportProtocol {
	switch (protocol) {
		case FbsProtocol.UDP:
			return 'udp';
		case FbsProtocol.TCP:
			return 'tcp';
		default:
			throw new TypeError(`invalid protocol: ${protocol}`);
	}
}

export function serializeProtocol(protocol: TransportProtocol): FbsProtocol {
	switch (protocol) {
		case 'udp':
			return FbsProtocol.UDP;
		case 'tcp':
			return FbsProtocol.TCP;
		default:
			throw new TypeError(`invalid protocol: ${String(protocol)}`);
	}
}

/**
 * A tuple without remote part (no remote IP) has neither remoteIp nor
 * remotePort.
 */
export function parseTuple(tuple: FbsTuple): TransportTuple {
	const localAddress = tuple.localAddress()!;
	const remoteIp = tuple.remoteIp();
	const result: TransportTuple = {
		localIp: localAddress,
		localAddress,
		localPort: tuple.localPort(),
		protocol: parseProtocol(tuple.protocol()),
	};

	if (remoteIp) {
		result.remoteIp = remoteIp;
		result.remotePort = tuple.remotePort();
	}

	return result;
}

function readUint32Strings(
	get: (i: number) => { key(): number; value(): string | null } | null,
	length: number
): { key: number; value: string }[] {
	const pairs: { key: number; value: string }[] = [];

	for (let i = 0; i < length; ++i) {
		const pair = get(i)!;

		pairs.push({ key: pair.key(), value: pair.value()! });
	}

	return pairs;
}

/**
 * A transport 'trace' notification ('bwe' is the only kind the worker emits).
 */
export function parseTransportTraceEventData(
	trace: FbsTransportTraceNotification
): TransportTraceEventData {
	const info: Record<string, unknown> = {};

	if (trace.infoType() === FbsTransportTraceInfo.BweTraceInfo) {
		const bwe = new FbsBweTraceInfo();

		trace.info(bwe);

		Object.assign(info, {
			desiredBitrate: bwe.desiredBitrate(),
			effectiveDesiredBitrate: bwe.effectiveDesiredBitrate(),
			minBitrate: bwe.minBitrate(),
			maxBitrate: bwe.maxBitrate(),
			startBitrate: bwe.startBitrate(),
			maxPaddingBitrate: bwe.maxPaddingBitrate(),
			availableBitrate: bwe.availableBitrate(),
			bweType: bwe.bweType() === FbsBweType.REMB ? 'remb' : 'transport-cc',
		});
	}

	return {
		type: trace.type() === FbsTransportTraceEventType.BWE ? 'bwe' : 'probation',
		timestamp: Number(trace.timestamp()),
		direction: trace.direction() === FbsTransportTraceDirection.DIRECTION_IN ? 'in' : 'out',
		info,
	};
}
