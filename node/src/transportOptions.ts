// Options every transport kind shares, validated and resolved: listen
// infos, the SCTP options, and the FlatBuffers Options of creation requests.

import { serializeProtocol } from './transportFbs';
import {
	MAX_UINT16,
	MAX_UINT32,
	validateInteger,
	validateIp,
	validateOptionalBoolean,
} from './validation';
import type * as flatbuffers from 'flatbuffers';
import type { TransportListenInfo, TransportProtocol } from './TransportTypes';
import type { SctpParameters } from './sctpParametersTypes';
import { isPlainObject } from './utils';
import { ListenInfo as FbsListenInfo } from './fbs/transport/listen-info';
import { PortRange as FbsPortRange } from './fbs/transport/port-range';
import { SocketFlags as FbsSocketFlags } from './fbs/transport/socket-flags';
import { Options as FbsTransportOptions } from './fbs/transport/options';

/**
 * A listen info after validation: every field resolved.
 */
export type NormalizedListenInfo = {
	protocol: TransportProtocol;
	ip: string;
	announcedAddress?: string;
	exposeInternalIp: boolean;
	port: number;
	portRange: { min: number; max: number };
	flags: { ipv6Only: boolean; udpReusePort: boolean };
	sendBufferSize: number;
	recvBufferSize: number;
};

/**
 * Validates a TransportListenInfo (TypeError naming `field`) and resolves its
 * defaults; `announcedIp` is an alias of `announcedAddress`. IP syntax is
 * checked here too (the worker checks it again).
 */
export function normalizeListenInfo(info: unknown, field: string): NormalizedListenInfo {
	if (!isPlainObject(info)) {
		throw new TypeError(`${field} must be an object`);
	}

	const {
		protocol,
		ip,
		announcedAddress,
		announcedIp,
		exposeInternalIp,
		port,
		portRange,
		flags,
		sendBufferSize,
		recvBufferSize,
	} = info as Partial<Record<keyof TransportListenInfo, unknown>>;

	if (protocol !== 'udp' && protocol !== 'tcp') {
		throw new TypeError(`${field}.protocol must be 'udp' or 'tcp'`);
	}

	validateIp(ip, `${field}.ip`);

	// announcedIp is the deprecated name of announcedAddress.
	const announcedField =
		announcedAddress !== undefined && announcedAddress !== null
			? 'announcedAddress'
			: 'announcedIp';
	const announced = announcedAddress ?? announcedIp;

	if (announced !== undefined && announced !== null && typeof announced !== 'string') {
		throw new TypeError(`${field}.${announcedField} must be a string`);
	}

	validateOptionalBoolean(exposeInternalIp, `${field}.exposeInternalIp`);

	if (port !== undefined) {
		validateInteger(port, `${field}.port`, 0, MAX_UINT16);
	}

	const normalizedPortRange = { min: 0, max: 0 };

	if (portRange !== undefined) {
		if (!isPlainObject(portRange)) {
			throw new TypeError(`${field}.portRange must be an object`);
		}

		validateInteger(portRange.min, `${field}.portRange.min`, 0, MAX_UINT16);
		validateInteger(portRange.max, `${field}.portRange.max`, 0, MAX_UINT16);

		if (portRange.min !== 0 && portRange.max !== 0 && portRange.min > portRange.max) {
			throw new TypeError(`${field}.portRange.min cannot be greater than ${field}.portRange.max`);
		}

		normalizedPortRange.min = portRange.min;
		normalizedPortRange.max = portRange.max;
	}

	const normalizedFlags = { ipv6Only: false, udpReusePort: false };

	if (flags !== undefined) {
		if (!isPlainObject(flags)) {
			throw new TypeError(`${field}.flags must be an object`);
		}

		validateOptionalBoolean(flags.ipv6Only, `${field}.flags.ipv6Only`);
		validateOptionalBoolean(flags.udpReusePort, `${field}.flags.udpReusePort`);

		normalizedFlags.ipv6Only = flags.ipv6Only === true;
		normalizedFlags.udpReusePort = flags.udpReusePort === true;
	}

	if (sendBufferSize !== undefined) {
		validateInteger(sendBufferSize, `${field}.sendBufferSize`, 0, MAX_UINT32);
	}

	if (recvBufferSize !== undefined) {
		validateInteger(recvBufferSize, `${field}.recvBufferSize`, 0, MAX_UINT32);
	}

	const normalized: NormalizedListenInfo = {
		protocol,
		ip: ip as string,
		exposeInternalIp: exposeInternalIp === true,
		port: (port as number | undefined) ?? 0,
		portRange: normalizedPortRange,
		flags: normalizedFlags,
		sendBufferSize: (sendBufferSize as number | undefined) ?? 0,
		recvBufferSize: (recvBufferSize as number | undefined) ?? 0,
	};

	if (typeof announced === 'string' && announced.length > 0) {
		normalized.announcedAddress = announced;
	}

	return normalized;
}

/**
 * Converts a deprecated `listenIp` (a string or `{ ip, announcedIp }`) into a
 * listen info of the given protocol.
 */
export function listenIpToListenInfo(
	listenIp: unknown,
	field: string,
	protocol: TransportProtocol,
	port: unknown
): NormalizedListenInfo {
	let ip: unknown;
	let announcedIp: unknown;

	if (typeof listenIp === 'string') {
		ip = listenIp;
	} else if (isPlainObject(listenIp)) {
		ip = listenIp.ip;
		announcedIp = listenIp.announcedIp;
	} else {
		throw new TypeError(`${field} must be a string or an object`);
	}

	if (port !== undefined) {
		validateInteger(port, 'port', 0, MAX_UINT16);
	}

	validateIp(ip, typeof listenIp === 'string' ? field : `${field}.ip`);

	return normalizeListenInfo({ protocol, ip, announcedIp, port }, field);
}

export function serializeListenInfo(
	builder: flatbuffers.Builder,
	listenInfo: NormalizedListenInfo
): number {
	const ipOffset = builder.createString(listenInfo.ip);
	const announcedAddressOffset = listenInfo.announcedAddress
		? builder.createString(listenInfo.announcedAddress)
		: 0;
	const portRangeOffset = FbsPortRange.createPortRange(
		builder,
		listenInfo.portRange.min,
		listenInfo.portRange.max
	);
	const flagsOffset = FbsSocketFlags.createSocketFlags(
		builder,
		listenInfo.flags.ipv6Only,
		listenInfo.flags.udpReusePort
	);

	FbsListenInfo.startListenInfo(builder);
	FbsListenInfo.addProtocol(builder, serializeProtocol(listenInfo.protocol));
	FbsListenInfo.addIp(builder, ipOffset);

	if (announcedAddressOffset) {
		FbsListenInfo.addAnnouncedAddress(builder, announcedAddressOffset);
	}

	FbsListenInfo.addExposeInternalIp(builder, listenInfo.exposeInternalIp);
	FbsListenInfo.addPort(builder, listenInfo.port);
	FbsListenInfo.addPortRange(builder, portRangeOffset);
	FbsListenInfo.addFlags(builder, flagsOffset);
	FbsListenInfo.addSendBufferSize(builder, listenInfo.sendBufferSize);
	FbsListenInfo.addRecvBufferSize(builder, listenInfo.recvBufferSize);

	return FbsListenInfo.endListenInfo(builder);
}

/**
 * SCTP related options of WebRtc, Plain and Pipe transports, validated.
 */
export type NormalizedSctpOptions = {
	enableSctp: boolean;
	maxSendMessageSize: number;
	maxReceiveMessageSize: number;
	sctpSendBufferSize: number;
	sctpPerStreamSendQueueLimit: number;
	sctpMaxReceiverWindowBufferSize: number;
	sctpDefaultStreamBufferedAmountLowThreshold: number;
};

const SCTP_DEFAULTS: Omit<NormalizedSctpOptions, 'enableSctp'> = {
	maxSendMessageSize: 262144,
	maxReceiveMessageSize: 262144,
	sctpSendBufferSize: 2000000,
	sctpPerStreamSendQueueLimit: 2000000,
	sctpMaxReceiverWindowBufferSize: 5242880,
	sctpDefaultStreamBufferedAmountLowThreshold: 1024,
};

/**
 * Validates the SCTP options (TypeError naming the field) and resolves their
 * defaults.
 */
export function normalizeSctpOptions(options: Record<string, unknown>): NormalizedSctpOptions {
	validateOptionalBoolean(options.enableSctp, 'enableSctp');

	const normalized: NormalizedSctpOptions = {
		enableSctp: options.enableSctp === true,
		...SCTP_DEFAULTS,
	};

	for (const key of Object.keys(SCTP_DEFAULTS) as (keyof typeof SCTP_DEFAULTS)[]) {
		const value = options[key];

		if (value === undefined) {
			continue;
		}

		const min = key === 'sctpDefaultStreamBufferedAmountLowThreshold' ? 0 : 1;

		validateInteger(value, key, min, MAX_UINT32);

		normalized[key] = value;
	}

	return normalized;
}

/**
 * SctpParameters a transport with SCTP enabled reports.
 */
export function buildSctpParameters(
	sctp: NormalizedSctpOptions,
	isDataChannel: boolean
): SctpParameters {
	return {
		port: 5000,
		OS: 65535,
		MIS: 65535,
		maxMessageSize: sctp.maxReceiveMessageSize,
		maxSendMessageSize: sctp.maxSendMessageSize,
		maxReceiveMessageSize: sctp.maxReceiveMessageSize,
		sendBufferSize: sctp.sctpSendBufferSize,
		perStreamSendQueueLimit: sctp.sctpPerStreamSendQueueLimit,
		maxReceiverWindowBufferSize: sctp.sctpMaxReceiverWindowBufferSize,
		isDataChannel,
	};
}

/**
 * The FBS Transport.Options every creation request carries.
 */
export function serializeTransportOptions(
	builder: flatbuffers.Builder,
	{
		direct = false,
		maxMessageSize = 0,
		initialAvailableOutgoingBitrate = 600000,
		sctp,
		isDataChannel = false,
	}: {
		direct?: boolean;
		maxMessageSize?: number;
		initialAvailableOutgoingBitrate?: number;
		sctp?: NormalizedSctpOptions;
		isDataChannel?: boolean;
	}
): number {
	FbsTransportOptions.startOptions(builder);
	FbsTransportOptions.addDirect(builder, direct);
	FbsTransportOptions.addMaxMessageSize(builder, maxMessageSize);
	FbsTransportOptions.addInitialAvailableOutgoingBitrate(builder, initialAvailableOutgoingBitrate);
	FbsTransportOptions.addEnableSctp(builder, sctp?.enableSctp ?? false);
	FbsTransportOptions.addMaxSctpMessageSize(
		builder,
		sctp?.maxReceiveMessageSize ?? SCTP_DEFAULTS.maxReceiveMessageSize
	);
	FbsTransportOptions.addMaxSctpSendMessageSize(
		builder,
		sctp?.maxSendMessageSize ?? SCTP_DEFAULTS.maxSendMessageSize
	);
	FbsTransportOptions.addSctpSendBufferSize(
		builder,
		sctp?.sctpSendBufferSize ?? SCTP_DEFAULTS.sctpSendBufferSize
	);
	FbsTransportOptions.addSctpPerStreamSendQueueLimit(
		builder,
		sctp?.sctpPerStreamSendQueueLimit ?? SCTP_DEFAULTS.sctpPerStreamSendQueueLimit
	);
	FbsTransportOptions.addSctpMaxReceiverWindowBufferSize(
		builder,
		sctp?.sctpMaxReceiverWindowBufferSize ?? SCTP_DEFAULTS.sctpMaxReceiverWindowBufferSize
	);
	FbsTransportOptions.addSctpDefaultStreamBufferedAmountLowThreshold(
		builder,
		sctp?.sctpDefaultStreamBufferedAmountLowThreshold ??
			SCTP_DEFAULTS.sctpDefaultStreamBufferedAmountLowThreshold
	);
	FbsTransportOptions.addIsDataChannel(builder, isDataChannel);

	return FbsTransportOptions.endOptions(builder);
}
