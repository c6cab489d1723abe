// The 'trace' events of Producers and Consumers: the enableTraceEvent()
// request body and the parsing of the worker's trace notifications.

import type * as flatbuffers from 'flatbuffers';
import { Direction as FbsDirection } from './fbs/trace/direction';
import { EnableTraceEventRequest as FbsEnableTraceEventRequest } from './fbs/trace/enable-trace-event-request';
import { EventType as FbsEventType } from './fbs/trace/event-type';
import { FirTraceInfo as FbsFirTraceInfo } from './fbs/trace/fir-trace-info';
import { Info as FbsInfo } from './fbs/trace/info';
import { KeyFrameTraceInfo as FbsKeyFrameTraceInfo } from './fbs/trace/key-frame-trace-info';
import { PliTraceInfo as FbsPliTraceInfo } from './fbs/trace/pli-trace-info';
import type { RtpPacketDump as FbsRtpPacketDump } from './fbs/trace/rtp-packet-dump';
import { RtpTraceInfo as FbsRtpTraceInfo } from './fbs/trace/rtp-trace-info';
import { SrTraceInfo as FbsSrTraceInfo } from './fbs/trace/sr-trace-info';
import type { TraceNotification as FbsTraceNotification } from './fbs/trace/trace-notification';

export type TraceEventData<Type extends string> = {
	type: Type;
	timestamp: number;
	direction: 'in' | 'out';
	info: unknown;
};

/**
 * Builds the body of a PRODUCER/CONSUMER_ENABLE_TRACE_EVENT request.
 */
export function serializeEnableTraceEventRequest(
	builder: flatbuffers.Builder,
	types: string[]
): number {
	const typeOffsets = types.map(type => builder.createString(type));
	const eventsOffset = FbsEnableTraceEventRequest.createEventsVector(builder, typeOffsets);

	return FbsEnableTraceEventRequest.createEnableTraceEventRequest(builder, eventsOffset);
}

function parseRtpPacketDump(dump: FbsRtpPacketDump): Record<string, unknown> {
	const rtpPacket: Record<string, unknown> = {
		payloadType: dump.payloadType(),
		sequenceNumber: dump.sequenceNumber(),
		timestamp: dump.timestamp(),
		marker: dump.marker(),
		ssrc: dump.ssrc(),
		isKeyFrame: dump.isKeyFrame(),
		size: Number(dump.size()),
		payloadSize: Number(dump.payloadSize()),
		spatialLayer: dump.spatialLayer(),
		temporalLayer: dump.temporalLayer(),
	};
	const mid = dump.mid();
	const rid = dump.rid();
	const rrid = dump.rrid();
	const wideSequenceNumber = dump.wideSequenceNumber();

	if (mid) {
		rtpPacket.mid = mid;
	}

	if (rid) {
		rtpPacket.rid = rid;
	}

	if (rrid) {
		rtpPacket.rrid = rrid;
	}

	if (wideSequenceNumber !== null) {
		rtpPacket.wideSequenceNumber = wideSequenceNumber;
	}

	return rtpPacket;
}

function parseInfo(notification: FbsTraceNotification): unknown {
	switch (notification.infoType()) {
		case FbsInfo.RtpTraceInfo: {
			const info = notification.info(new FbsRtpTraceInfo()) as FbsRtpTraceInfo;

			return { rtpPacket: parseRtpPacketDump(info.rtpPacket()!), isRtx: info.isRtx() };
		}

		case FbsInfo.KeyFrameTraceInfo: {
			const info = notification.info(new FbsKeyFrameTraceInfo()) as FbsKeyFrameTraceInfo;

			return { rtpPacket: parseRtpPacketDump(info.rtpPacket()!), isRtx: info.isRtx() };
		}

		case FbsInfo.FirTraceInfo: {
			const info = notification.info(new FbsFirTraceInfo()) as FbsFirTraceInfo;

			return { ssrc: info.ssrc() };
		}

		case FbsInfo.PliTraceInfo: {
			const info = notification.info(new FbsPliTraceInfo()) as FbsPliTraceInfo;

			return { ssrc: info.ssrc() };
		}

		case FbsInfo.SrTraceInfo: {
			const info = notification.info(new FbsSrTraceInfo()) as FbsSrTraceInfo;

			return {
				ssrc: info.ssrc(),
				ntpSec: info.ntpSec(),
				ntpFrac: info.ntpFrac(),
				rtpTs: info.rtpTs(),
				packetCount: info.packetCount(),
				octetCount: info.octetCount(),
			};
		}

		default: {
			return undefined;
		}
	}
}

const TYPE_NAMES: Record<FbsEventType, string> = {
	[FbsEventType.KEYFRAME]: 'keyframe',
	[FbsEventType.FIR]: 'fir',
	[FbsEventType.NACK]: 'nack',
	[FbsEventType.PLI]: 'pli',
	[FbsEventType.RTP]: 'rtp',
	[FbsEventType.SR]: 'sr',
};

export function parseTraceEventData<Type extends string>(
	notification: FbsTraceNotification
): TraceEventData<Type> {
	return {
		type: TYPE_NAMES[notification.type()] as Type,
		timestamp: Number(notification.timestamp()),
		direction: notification.direction() === FbsDirection.DIRECTION_IN ? 'in' : 'out',
		info: parseInfo(notification),
	};
}
