import type * as flatbuffers from 'flatbuffers';
import type { SctpState } from './TransportTypes';
import type { SctpNegotiatedCapabilities, SctpStreamParameters } from './sctpParametersTypes';
import { SctpStreamParameters as FbsSctpStreamParameters } from './fbs/sctp-parameters/sctp-stream-parameters';
import { SctpState as FbsSctpState } from './fbs/transport/sctp-state';
import type { SctpNegotiatedCapabilities as FbsSctpNegotiatedCapabilities } from './fbs/transport/sctp-negotiated-capabilities';
import { Type as FbsDataProducerType } from './fbs/data-producer/type';
import { MAX_UINT16, MAX_UINT32, validateInteger } from './validation';

/**
 * Highest SCTP stream id: transports announce 65535 streams (OS and MIS),
 * numbered from 0.
 */
export const MAX_SCTP_STREAM_ID = 65534;

/**
 * Checks what ortc.validateAndNormalizeSctpStreamParameters() leaves to the
 * caller: every number must fit its wire type (streamId 0..65534, the
 * reliability fields uint16). TypeError naming the field.
 */
export function validateSctpStreamParametersRanges(
	params: SctpStreamParameters,
	field = 'sctpStreamParameters'
): void {
	validateInteger(params.streamId, `${field}.streamId`, 0, MAX_SCTP_STREAM_ID);

	for (const name of ['maxPacketLifeTime', 'maxRetransmits'] as const) {
		if (params[name] !== undefined) {
			validateInteger(params[name], `${field}.${name}`, 0, MAX_UINT16);
		}
	}
}

/**
 * Serialises SctpStreamParameters; absent (or zero, which means "not given")
 * reliability fields are left out.
 */
export function serializeSctpStreamParameters(
	builder: flatbuffers.Builder,
	params: SctpStreamParameters
): number {
	return FbsSctpStreamParameters.createSctpStreamParameters(
		builder,
		params.streamId,
		params.ordered ?? true,
		params.maxPacketLifeTime ? params.maxPacketLifeTime : null,
		params.maxRetransmits ? params.maxRetransmits : null
	);
}

/**
 * Absent reliability fields are reported as undefined (as the reference
 * does in dumps).
 */
export function parseSctpStreamParameters(params: FbsSctpStreamParameters): SctpStreamParameters {
	return {
		streamId: params.streamId(),
		ordered: params.ordered() ?? true,
		maxPacketLifeTime: params.maxPacketLifeTime() ?? undefined,
		maxRetransmits: params.maxRetransmits() ?? undefined,
	};
}

/**
 * Leaves out the reliability fields that are not set (what getters return).
 */
export function compactSctpStreamParameters(params: SctpStreamParameters): SctpStreamParameters {
	const result: SctpStreamParameters = { streamId: params.streamId, ordered: params.ordered };

	if (params.maxPacketLifeTime !== undefined) {
		result.maxPacketLifeTime = params.maxPacketLifeTime;
	}

	if (params.maxRetransmits !== undefined) {
		result.maxRetransmits = params.maxRetransmits;
	}

	return result;
}

export function parseSctpState(state: FbsSctpState): SctpState {
	switch (state) {
		case FbsSctpState.NEW:
			return 'new';
		case FbsSctpState.CONNECTING:
			return 'connecting';
		case FbsSctpState.CONNECTED:
			return 'connected';
		case FbsSctpState.FAILED:
			return 'failed';
		case FbsSctpState.CLOSED:
			return 'closed';
		default:
			throw new TypeError(`invalid SCTP state: ${state}`);
	}
}

export function parseSctpNegotiatedCapabilities(
	capabilities: FbsSctpNegotiatedCapabilities
): SctpNegotiatedCapabilities {
	return {
		negotiatedMaxOutboundStreams: capabilities.negotiatedMaxOutboundStreams(),
		negotiatedMaxInboundStreams: capabilities.negotiatedMaxInboundStreams(),
	};
}

export function parseDataType(type: FbsDataProducerType): 'sctp' | 'direct' {
	switch (type) {
		case FbsDataProducerType.SCTP:
			return 'sctp';
		case FbsDataProducerType.DIRECT:
			return 'direct';
		default:
			throw new TypeError(`invalid DataProducer/DataConsumer type: ${type}`);
	}
}

export function serializeDataType(type: 'sctp' | 'direct'): FbsDataProducerType {
	return type === 'direct' ? FbsDataProducerType.DIRECT : FbsDataProducerType.SCTP;
}

/**
 * A subchannel as the channel carries it: an integer wrapped into uint16
 * (65536 becomes 0, -1 becomes 65535). TypeError for anything else.
 */
export function normalizeSubchannel(value: unknown, field: string): number {
	if (typeof value !== 'number' || !Number.isInteger(value)) {
		throw new TypeError(`${field} must be an integer`);
	}

	return value & MAX_UINT16;
}

export function normalizeSubchannels(value: unknown, field: string): number[] {
	if (!Array.isArray(value)) {
		throw new TypeError(`${field} must be an array of integers`);
	}

	return value.map((subchannel: unknown, idx) =>
		normalizeSubchannel(subchannel, `${field}[${idx}]`)
	);
}

/**
 * The PPID rules of DataChannels (RFC 8831): 51 a string, 53 binary, 56 and
 * 57 their empty forms. SCTP cannot carry an empty message, so the empty
 * PPIDs travel with one byte (' ' or 0) that receivers ignore.
 */
export function normalizeMessage(
	message: unknown,
	ppid: unknown
): { payload: Buffer; ppid: number } {
	if (typeof message !== 'string' && !Buffer.isBuffer(message)) {
		throw new TypeError('message must be a string or a Buffer');
	}

	let resolvedPpid: number;

	if (ppid === undefined || ppid === null) {
		if (typeof message === 'string') {
			resolvedPpid = message.length > 0 ? 51 : 56;
		} else {
			resolvedPpid = message.length > 0 ? 53 : 57;
		}
	} else {
		validateInteger(ppid, 'ppid', 0, MAX_UINT32);

		resolvedPpid = ppid;
	}

	let payload: Buffer;

	if (resolvedPpid === 56) {
		payload = Buffer.from(' ');
	} else if (resolvedPpid === 57) {
		payload = Buffer.alloc(1);
	} else if (typeof message === 'string') {
		payload = Buffer.from(message, 'utf8');
	} else {
		payload = message;
	}

	return { payload, ppid: resolvedPpid };
}
