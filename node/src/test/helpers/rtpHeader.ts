// Where an RTP packet's payload starts (RFC 3550 5.1 and 5.3.1): packets the
// worker sends to consumers carry header extensions (the transport-wide
// sequence number, abs-send-time) that the producer's packets may not have.

export function rtpHeaderSize(packet: Buffer): number {
	let size = 12 + (packet[0] & 0x0f) * 4;

	if (packet[0] & 0x10) {
		size += 4 + packet.readUInt16BE(size + 2) * 4;
	}

	return size;
}

// The payload without the header and the padding.
export function rtpPayload(packet: Buffer): Buffer {
	const padding = packet[0] & 0x20 ? packet[packet.length - 1] : 0;

	return packet.subarray(rtpHeaderSize(packet), packet.length - padding);
}
