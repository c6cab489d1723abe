// RTP receiver for bench/*.mjs: binds COUNT UDP sockets on
// 127.0.0.1, prints their ports as one JSON line, then counts what arrives
// until SIGTERM or SIGINT, and prints one JSON object. Many senders (one per
// consumer) share each socket, so epoll + recvmmsg read packets in batches
// and the receiver costs far less per packet than what it measures.
//
// Packets are counted when they are RTP (not RTCP by RFC 5761 rules) and at
// least MIN_SIZE bytes long, in total and per SSRC (one SSRC per consumer).
// Latency = kernel receive time (SO_TIMESTAMPNS)
// minus the send time the sender put in the last 16 bytes, for packets whose
// index is at least LATENCY_FROM_INDEX. Kernel drops on the receiver's own
// sockets (SO_RXQ_OVFL) are reported apart: they would mean the receiver was
// the bottleneck.
//
// On SIGUSR1 it prints {"received":N,"bytes":N,"receiverSocketDrops":N}
// (totals so far, bytes of the counted packets) as one JSON line and goes on,
// so one receiver can serve many measured runs.
//
// Usage: rtp-receiver COUNT MIN_SIZE LATENCY_FROM_INDEX

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define BUF_SIZE 2048
#define STAMP_SIZE 16
// Latency histogram: 1 us buckets up to 1 s, then one overflow bucket.
#define HIST_BUCKETS 1000000
// Open-addressing table of per-SSRC counts.
#define SSRC_SLOTS 8192

#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif

static volatile sig_atomic_t stop_requested = 0;
static volatile sig_atomic_t snapshot_requested = 0;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		snapshot_requested = 1;
	else
		stop_requested = 1;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; ++i)
		v = (v << 8) | p[i];

	return v;
}

static uint32_t ssrc_keys[SSRC_SLOTS];
static uint64_t ssrc_counts[SSRC_SLOTS];
static uint8_t ssrc_used[SSRC_SLOTS];
static int ssrc_full = 0;

static void count_ssrc(uint32_t ssrc)
{
	uint32_t slot = (ssrc * 2654435761u) % SSRC_SLOTS;

	for (int probe = 0; probe < SSRC_SLOTS; ++probe) {
		if (!ssrc_used[slot]) {
			ssrc_used[slot] = 1;
			ssrc_keys[slot] = ssrc;
			ssrc_counts[slot] = 1;
			return;
		}

		if (ssrc_keys[slot] == ssrc) {
			++ssrc_counts[slot];
			return;
		}

		slot = (slot + 1) % SSRC_SLOTS;
	}

	ssrc_full = 1;
}

static uint64_t percentile(const uint32_t *hist, uint64_t samples, double p)
{
	const uint64_t target = (uint64_t)((double)samples * p);
	uint64_t seen = 0;

	for (uint64_t i = 0; i <= HIST_BUCKETS; ++i) {
		seen += hist[i];

		if (seen > target)
			return i;
	}

	return HIST_BUCKETS;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s COUNT MIN_SIZE LATENCY_FROM_INDEX\n", argv[0]);
		return 2;
	}

	const int count = atoi(argv[1]);
	int min_size = atoi(argv[2]);
	const uint64_t latency_from = strtoull(argv[3], NULL, 10);

	// Room for at least an RTP header and the sender's stamp.
	if (min_size < 12 + STAMP_SIZE)
		min_size = 12 + STAMP_SIZE;

	if (count <= 0) {
		fprintf(stderr, "bad COUNT\n");
		return 2;
	}

	int *fds = calloc((size_t)count, sizeof(int));
	uint32_t *overflows = calloc((size_t)count, sizeof(uint32_t));
	uint32_t *hist = calloc(HIST_BUCKETS + 1, sizeof(uint32_t));
	int ep = epoll_create1(0);
	int one = 1;
	int rcvbuf = 16 << 20;

	printf("{\"ports\":[");

	for (int i = 0; i < count; ++i) {
		struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
		socklen_t len = sizeof(addr);

		inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
		fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

		if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&addr, sizeof(addr)) != 0) {
			perror("socket/bind");
			return 1;
		}

		// As root the forced size is allowed; otherwise the plain one, capped.
		if (setsockopt(fds[i], SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
			setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));

		setsockopt(fds[i], SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
		setsockopt(fds[i], SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
		getsockname(fds[i], (struct sockaddr *)&addr, &len);

		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };

		epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
		printf("%s%d", i ? "," : "", ntohs(addr.sin_port));
	}

	printf("]}\n");
	fflush(stdout);

	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	static uint8_t bufs[BATCH][BUF_SIZE];
	static uint8_t ctrl[BATCH][256];
	struct mmsghdr msgs[BATCH];
	struct iovec iovs[BATCH];
	struct epoll_event events[256];
	uint64_t received = 0;
	uint64_t received_bytes = 0;
	uint64_t rtcp = 0;
	uint64_t other = 0;
	uint64_t samples = 0;
	uint64_t max_latency_us = 0;
	uint64_t batches = 0;

	while (!stop_requested) {
		if (snapshot_requested) {
			uint64_t drops = 0;

			snapshot_requested = 0;

			for (int i = 0; i < count; ++i)
				drops += overflows[i];

			printf("{\"received\":%llu,\"bytes\":%llu,\"receiverSocketDrops\":%llu}\n",
			       (unsigned long long)received, (unsigned long long)received_bytes,
			       (unsigned long long)drops);
			fflush(stdout);
		}

		const int n = epoll_wait(ep, events, 256, 100);

		for (int e = 0; e < n; ++e) {
			const int idx = (int)events[e].data.u32;

			for (;;) {
				for (int b = 0; b < BATCH; ++b) {
					iovs[b].iov_base = bufs[b];
					iovs[b].iov_len = BUF_SIZE;
					memset(&msgs[b].msg_hdr, 0, sizeof(msgs[b].msg_hdr));
					msgs[b].msg_hdr.msg_iov = &iovs[b];
					msgs[b].msg_hdr.msg_iovlen = 1;
					msgs[b].msg_hdr.msg_control = ctrl[b];
					msgs[b].msg_hdr.msg_controllen = sizeof(ctrl[b]);
				}

				const int got = recvmmsg(fds[idx], msgs, BATCH, MSG_DONTWAIT, NULL);

				if (got <= 0)
					break;

				++batches;

				for (int b = 0; b < got; ++b) {
					const uint8_t *pkt = bufs[b];
					const unsigned len = msgs[b].msg_len;
					struct timespec rx = { 0, 0 };

					for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[b].msg_hdr); c;
					     c = CMSG_NXTHDR(&msgs[b].msg_hdr, c)) {
						if (c->cmsg_level != SOL_SOCKET)
							continue;

						if (c->cmsg_type == SCM_TIMESTAMPNS)
							memcpy(&rx, CMSG_DATA(c), sizeof(rx));
						else if (c->cmsg_type == SO_RXQ_OVFL)
							memcpy(&overflows[idx], CMSG_DATA(c), sizeof(uint32_t));
					}

					if (len >= 2 && pkt[1] >= 192 && pkt[1] <= 223) {
						++rtcp;
						continue;
					}

					if (len < (unsigned)min_size || (pkt[0] >> 6) != 2) {
						++other;
						continue;
					}

					++received;
					received_bytes += len;
					count_ssrc(((uint32_t)pkt[8] << 24) | ((uint32_t)pkt[9] << 16) |
						   ((uint32_t)pkt[10] << 8) | pkt[11]);

					const uint8_t *stamp = pkt + len - STAMP_SIZE;
					const uint64_t index = get_be64(stamp + 8);

					if (index < latency_from || rx.tv_sec == 0)
						continue;

					const uint64_t sent_ns = get_be64(stamp);
					const uint64_t rx_ns =
						(uint64_t)rx.tv_sec * 1000000000ull + (uint64_t)rx.tv_nsec;
					const uint64_t us = rx_ns > sent_ns ? (rx_ns - sent_ns) / 1000 : 0;

					++hist[us < HIST_BUCKETS ? us : HIST_BUCKETS];
					++samples;

					if (us > max_latency_us)
						max_latency_us = us;
				}

				if (got < BATCH)
					break;
			}
		}
	}

	uint64_t min_per_ssrc = 0;
	uint64_t max_per_ssrc = 0;
	uint64_t ssrcs = 0;
	uint64_t overflow_total = 0;

	for (int i = 0; i < SSRC_SLOTS; ++i) {
		if (!ssrc_used[i])
			continue;

		if (ssrcs == 0 || ssrc_counts[i] < min_per_ssrc)
			min_per_ssrc = ssrc_counts[i];

		if (ssrc_counts[i] > max_per_ssrc)
			max_per_ssrc = ssrc_counts[i];

		++ssrcs;
	}

	for (int i = 0; i < count; ++i)
		overflow_total += overflows[i];

	printf("{\"sockets\":%d,\"received\":%llu,\"ssrcs\":%llu,\"ssrcTableFull\":%s,"
	       "\"minPerSsrc\":%llu,\"maxPerSsrc\":%llu,\"rtcp\":%llu,\"other\":%llu,\"receiverSocketDrops\":%llu,\"recvmmsgCalls\":%llu,"
	       "\"latencySamples\":%llu,\"latencyP50Us\":%llu,\"latencyP99Us\":%llu,"
	       "\"latencyMaxUs\":%llu}\n",
	       count, (unsigned long long)received, (unsigned long long)ssrcs,
	       ssrc_full ? "true" : "false", (unsigned long long)min_per_ssrc,
	       (unsigned long long)max_per_ssrc, (unsigned long long)rtcp,
	       (unsigned long long)other, (unsigned long long)overflow_total,
	       (unsigned long long)batches, (unsigned long long)samples,
	       (unsigned long long)(samples ? percentile(hist, samples, 0.5) : 0),
	       (unsigned long long)(samples ? percentile(hist, samples, 0.99) : 0),
	       (unsigned long long)max_latency_us);

	return 0;
}
