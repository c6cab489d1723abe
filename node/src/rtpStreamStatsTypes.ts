/**
 * Stats of one RTP stream (common part of receive and send streams).
 */
export type BaseRtpStreamStats = {
	timestamp: number;
	ssrc: number;
	rtxSsrc?: number;
	rid?: string;
	kind: string;
	mimeType: string;
	packetsLost: number;
	fractionLost: number;
	jitter: number;
	packetsDiscarded: number;
	packetsRetransmitted: number;
	packetsRepaired: number;
	nackCount: number;
	nackPacketCount: number;
	pliCount: number;
	firCount: number;
	roundTripTime?: number;
	rtxPacketsDiscarded?: number;
	score: number;
};

/**
 * Stats of an RTP stream a Producer receives.
 */
export type RtpStreamRecvStats = BaseRtpStreamStats & {
	type: string;
	packetCount: number;
	byteCount: number;
	bitrate: number;
	bitrateByLayer: BitrateByLayer;
};

/**
 * Stats of an RTP stream a Consumer sends.
 */
export type RtpStreamSendStats = BaseRtpStreamStats & {
	type: string;
	packetCount: number;
	byteCount: number;
	bitrate: number;
	/**
	 * Packets asked for by NACK but not resent because they were resent less
	 * than an RTT (at least 20 ms; 100 ms while the RTT is unknown) ago or 5
	 * times already.
	 */
	retransmissionsSuppressed: number;
	/**
	 * Packets asked for by NACK but not resent because retransmissions are
	 * held to the stream's media bitrate (at least 100 kbit/s) and to the
	 * transport's budget.
	 */
	retransmissionsOverBudget: number;
};

/**
 * Bitrate (bps) per 'spatial.temporal' layer, e.g. { '0.0': 150000 }.
 */
export type BitrateByLayer = { [key: string]: number };
