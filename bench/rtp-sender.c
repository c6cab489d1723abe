// Paced RTP sender for bench/forwarding.mjs, incoming-bwe.mjs and
// outgoing-bwe.mjs: sends VP8-shaped RTP packets of a fixed payload size at a
// fixed rate from a fixed local port, so a comedia PlainTransport keeps the
// same remote tuple across runs.
//
// Every payload starts with a VP8 payload descriptor (15-bit PictureID); the
// first packet of each frame carries a VP8 frame header, a key frame at the
// first frame of the run and every KEY_FRAME_INTERVAL frames. The last 16
// bytes of every payload are the send time (CLOCK_REALTIME, ns) and the
// packet index, both big-endian, for the receiver's latency figures.
//
// With TWCC_EXT_ID (1-14; 0 or absent = none) every packet carries a one-byte
// header extension (RFC 8285) with that id holding a transport-wide sequence
// number (draft-holmer-rmcat-transport-wide-cc-extensions-01) that rises by
// one per packet; the payload keeps its size, the packet grows by 8 bytes.
//
// What comes back on the socket (RTCP: receiver reports, feedback) is read
// and discarded between packets so it never fills the receive buffer, and
// counted: all datagrams, and apart the transport-cc feedback packets (RTPFB,
// FMT 15) found in them.
//
// Usage: rtp-sender DEST_PORT LOCAL_PORT SSRC PT RATE COUNT PAYLOAD_SIZE FIRST_INDEX
//        [TWCC_EXT_ID]
// Sequence numbers (RTP and transport-wide), RTP timestamps and PictureIDs
// derive from the packet index, so a run starting at FIRST_INDEX continues
// the previous one. COUNT is rounded up to whole frames. Prints one JSON
// object when done.

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_RATE 30
#define KEY_FRAME_INTERVAL 60
#define STAMP_SIZE 16
// One-byte extension block: profile 0xBEDE, length 1 word, then the element
// (id and length - 1, two value bytes) and one byte of padding.
#define EXT_BLOCK_SIZE 8

struct returned {
	long datagrams;
	long bytes;
	long transport_cc_packets;
	long transport_cc_bytes;
};

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; --i) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);

	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

// Reads whatever is queued on the socket without waiting and counts it.
static void drain(int fd, struct returned *returned)
{
	uint8_t buf[2048];
	ssize_t len;

	while ((len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		returned->datagrams += 1;
		returned->bytes += len;

		// Walk the compound packet: each RTCP header gives its own length.
		for (size_t off = 0; off + 4 <= (size_t)len;) {
			const size_t size = ((size_t)((buf[off + 2] << 8) | buf[off + 3]) + 1) * 4;

			if ((buf[off] >> 6) != 2 || off + size > (size_t)len)
				break;

			if (buf[off + 1] == 205 && (buf[off] & 0x1f) == 15) {
				returned->transport_cc_packets += 1;
				returned->transport_cc_bytes += (long)size;
			}

			off += size;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc != 9 && argc != 10) {
		fprintf(stderr,
			"usage: %s DEST_PORT LOCAL_PORT SSRC PT RATE COUNT PAYLOAD_SIZE FIRST_INDEX "
			"[TWCC_EXT_ID]\n",
			argv[0]);
		return 2;
	}

	const int dest_port = atoi(argv[1]);
	const int local_port = atoi(argv[2]);
	const uint32_t ssrc = (uint32_t)strtoul(argv[3], NULL, 10);
	const int pt = atoi(argv[4]);
	const long rate = atol(argv[5]);
	long count = atol(argv[6]);
	const int payload_size = atoi(argv[7]);
	const uint64_t first_index = strtoull(argv[8], NULL, 10);
	const int ext_id = argc == 10 ? atoi(argv[9]) : 0;

	if (rate <= 0 || count <= 0 || payload_size < 32 || payload_size > 1400 || ext_id < 0 ||
	    ext_id > 14) {
		fprintf(stderr, "bad arguments\n");
		return 2;
	}

	const long per_frame = rate / FRAME_RATE > 0 ? rate / FRAME_RATE : 1;

	count = (count + per_frame - 1) / per_frame * per_frame;

	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(local_port) };
	struct sockaddr_in dest = { .sin_family = AF_INET, .sin_port = htons(dest_port) };
	int one = 1;

	inet_pton(AF_INET, "127.0.0.1", &local.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &dest.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));

	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0 ||
	    connect(fd, (struct sockaddr *)&dest, sizeof(dest)) != 0) {
		perror("bind/connect");
		return 1;
	}

	uint8_t packet[12 + EXT_BLOCK_SIZE + 1400];
	const size_t header_size = 12 + (ext_id ? EXT_BLOCK_SIZE : 0);
	const size_t packet_size = header_size + (size_t)payload_size;
	uint8_t *payload = packet + header_size;
	uint8_t *wide_seq = packet + 12 + 5;
	struct returned returned = { 0 };
	const uint64_t interval_ns = 1000000000ull / (uint64_t)rate;
	const uint64_t first_frame = first_index / (uint64_t)per_frame;
	struct timespec next;
	long errors = 0;
	long sent = 0;

	memset(packet, 0xab, sizeof(packet));
	packet[0] = ext_id ? 0x90 : 0x80;

	if (ext_id) {
		static const uint8_t ext_block[EXT_BLOCK_SIZE] = { 0xbe, 0xde, 0x00, 0x01 };

		memcpy(packet + 12, ext_block, sizeof(ext_block));
		packet[12 + 4] = (uint8_t)(ext_id << 4 | 1);
	}

	packet[8] = (uint8_t)(ssrc >> 24);
	packet[9] = (uint8_t)(ssrc >> 16);
	packet[10] = (uint8_t)(ssrc >> 8);
	packet[11] = (uint8_t)ssrc;

	clock_gettime(CLOCK_MONOTONIC, &next);

	const uint64_t start_ns = now_ns(CLOCK_MONOTONIC);

	for (long i = 0; i < count; ++i) {
		const uint64_t index = first_index + (uint64_t)i;
		const uint64_t frame = index / (uint64_t)per_frame;
		const int first_of_frame = index % (uint64_t)per_frame == 0;
		const int last_of_frame = index % (uint64_t)per_frame == (uint64_t)per_frame - 1;
		const int key_frame = frame == first_frame || frame % KEY_FRAME_INTERVAL == 0;
		const uint16_t seq = (uint16_t)index;
		const uint32_t ts = (uint32_t)(frame * (90000 / FRAME_RATE));
		const uint16_t picture_id = (uint16_t)(frame & 0x7fff);

		packet[1] = (uint8_t)((last_of_frame ? 0x80 : 0) | (pt & 0x7f));
		packet[2] = (uint8_t)(seq >> 8);
		packet[3] = (uint8_t)seq;
		packet[4] = (uint8_t)(ts >> 24);
		packet[5] = (uint8_t)(ts >> 16);
		packet[6] = (uint8_t)(ts >> 8);
		packet[7] = (uint8_t)ts;

		if (ext_id) {
			wide_seq[0] = (uint8_t)(seq >> 8);
			wide_seq[1] = (uint8_t)seq;
		}

		// VP8 payload descriptor: X, S on the first packet, PID 0; I with a
		// 15-bit PictureID.
		payload[0] = first_of_frame ? 0x90 : 0x80;
		payload[1] = 0x80;
		payload[2] = (uint8_t)(0x80 | (picture_id >> 8));
		payload[3] = (uint8_t)picture_id;

		if (first_of_frame) {
			// Frame tag (P bit clear on key frames, show_frame set), then for a
			// key frame the start code and 320x240.
			static const uint8_t key_header[10] = { 0x10, 0x00, 0x00, 0x9d, 0x01,
								0x2a, 0x40, 0x01, 0xf0, 0x00 };

			memcpy(payload + 4, key_header, sizeof(key_header));

			if (!key_frame)
				payload[4] = 0x11;
		} else {
			memset(payload + 4, 0xab, 10);
		}

		// Absolute schedule: a late packet goes at once, the rate holds.
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		next.tv_nsec += (long)interval_ns;

		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec += 1;
		}

		uint8_t *stamp = packet + packet_size - STAMP_SIZE;

		put_be64(stamp, now_ns(CLOCK_REALTIME));
		put_be64(stamp + 8, index);

		if (send(fd, packet, packet_size, 0) < 0)
			++errors;
		else
			++sent;

		drain(fd, &returned);
	}

	const double seconds = (double)(now_ns(CLOCK_MONOTONIC) - start_ns) / 1e9;

	printf("{\"sent\":%ld,\"sendErrors\":%ld,\"seconds\":%.3f,\"nextIndex\":%llu,"
	       "\"returnedDatagrams\":%ld,\"returnedBytes\":%ld,\"transportCcPackets\":%ld,"
	       "\"transportCcBytes\":%ld}\n",
	       sent, errors, seconds, (unsigned long long)(first_index + (uint64_t)count),
	       returned.datagrams, returned.bytes, returned.transport_cc_packets,
	       returned.transport_cc_bytes);
	close(fd);

	return 0;
}
