/**
 * SCTP association settings of a transport.
 */
export type SctpParameters = {
	/**
	 * SCTP port, always 5000.
	 */
	port: number;

	/**
	 * Largest message the transport sends.
	 */
	maxSendMessageSize: number;

	/**
	 * Largest message the transport accepts.
	 */
	maxReceiveMessageSize: number;

	/**
	 * Size of the SCTP send buffer.
	 */
	sendBufferSize: number;

	/**
	 * Per stream send queue limit.
	 */
	perStreamSendQueueLimit: number;

	/**
	 * Size of the SCTP receiver window buffer.
	 */
	maxReceiverWindowBufferSize: number;

	/**
	 * Whether the association carries WebRTC DataChannels.
	 */
	isDataChannel: boolean;

	/**
	 * Initially requested outgoing streams (kept for backward compatibility).
	 */
	OS: number;

	/**
	 * Maximum incoming streams (kept for backward compatibility).
	 */
	MIS: number;

	/**
	 * Same as maxReceiveMessageSize (kept for backward compatibility).
	 */
	maxMessageSize: number;
};

/**
 * Stream counts agreed once the SCTP association is up.
 */
export type SctpNegotiatedCapabilities = {
	negotiatedMaxOutboundStreams: number;
	negotiatedMaxInboundStreams: number;
};

/**
 * Settings of one SCTP stream (a DataChannel). Unset reliability fields mean
 * a reliable stream.
 */
export type SctpStreamParameters = {
	/**
	 * SCTP stream id.
	 */
	streamId: number;

	/**
	 * Whether messages are delivered in order. Default true, or false when a
	 * partial reliability field is given without `ordered`.
	 */
	ordered?: boolean;

	/**
	 * Partial reliability: time (ms) during which a message may be
	 * retransmitted.
	 */
	maxPacketLifeTime?: number;

	/**
	 * Partial reliability: how many times a message may be retransmitted.
	 */
	maxRetransmits?: number;
};
