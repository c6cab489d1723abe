// Minimal UDP fan-out relay, the floor bench/forwarding.mjs compares the SFU
// with: receives datagrams on one socket (recvmmsg) and sends each, unchanged,
// to every destination (sendmmsg from one socket). No parsing, no rewriting.
//
// Usage: udp-relay DEST_PORT... (destinations on 127.0.0.1; a port may repeat)
// Prints {"port": P} (its receive port) once ready, runs until SIGTERM or
// SIGINT, then prints one JSON object with its counts.

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RECV_BATCH 32
#define SEND_BATCH 1024
#define BUF_SIZE 2048

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DEST_PORT...\n", argv[0]);
		return 2;
	}

	const int dests = argc - 1;
	struct sockaddr_in *addrs = calloc((size_t)dests, sizeof(*addrs));

	for (int i = 0; i < dests; ++i) {
		addrs[i].sin_family = AF_INET;
		addrs[i].sin_port = htons((uint16_t)atoi(argv[i + 1]));
		inet_pton(AF_INET, "127.0.0.1", &addrs[i].sin_addr);
	}

	int in_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int out_fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = 0 };
	socklen_t len = sizeof(local);
	int sndbuf = 16 << 20;

	inet_pton(AF_INET, "127.0.0.1", &local.sin_addr);

	if (bind(in_fd, (struct sockaddr *)&local, sizeof(local)) != 0 ||
	    bind(out_fd, (struct sockaddr *)&local, sizeof(local)) != 0) {
		perror("bind");
		return 1;
	}

	if (setsockopt(out_fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) != 0)
		setsockopt(out_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));

	getsockname(in_fd, (struct sockaddr *)&local, &len);
	printf("{\"port\":%d}\n", ntohs(local.sin_port));
	fflush(stdout);

	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	static uint8_t bufs[RECV_BATCH][BUF_SIZE];
	struct mmsghdr in_msgs[RECV_BATCH];
	struct iovec in_iovs[RECV_BATCH];
	struct mmsghdr *out_msgs = calloc(SEND_BATCH, sizeof(*out_msgs));
	struct iovec out_iov;
	uint64_t received = 0;
	uint64_t sent = 0;
	uint64_t send_errors = 0;

	for (int b = 0; b < RECV_BATCH; ++b) {
		in_iovs[b].iov_base = bufs[b];
		in_iovs[b].iov_len = BUF_SIZE;
		memset(&in_msgs[b].msg_hdr, 0, sizeof(in_msgs[b].msg_hdr));
		in_msgs[b].msg_hdr.msg_iov = &in_iovs[b];
		in_msgs[b].msg_hdr.msg_iovlen = 1;
	}

	for (int m = 0; m < SEND_BATCH; ++m) {
		out_msgs[m].msg_hdr.msg_iov = &out_iov;
		out_msgs[m].msg_hdr.msg_iovlen = 1;
		out_msgs[m].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
	}

	while (!stop_requested) {
		struct pollfd pfd = { .fd = in_fd, .events = POLLIN };

		if (poll(&pfd, 1, 100) <= 0)
			continue;

		const int got = recvmmsg(in_fd, in_msgs, RECV_BATCH, MSG_DONTWAIT, NULL);

		if (got <= 0)
			continue;

		received += (uint64_t)got;

		for (int b = 0; b < got; ++b) {
			out_iov.iov_base = bufs[b];
			out_iov.iov_len = in_msgs[b].msg_len;

			for (int first = 0; first < dests; first += SEND_BATCH) {
				const int n = dests - first < SEND_BATCH ? dests - first : SEND_BATCH;

				for (int m = 0; m < n; ++m)
					out_msgs[m].msg_hdr.msg_name = &addrs[first + m];

				int done = 0;

				while (done < n) {
					const int r = sendmmsg(out_fd, out_msgs + done, (unsigned)(n - done), 0);

					if (r < 0) {
						if (errno == EINTR)
							continue;

						// Count the one that failed and go on with the rest.
						++send_errors;
						++done;
						continue;
					}

					done += r;
					sent += (uint64_t)r;
				}
			}
		}
	}

	printf("{\"received\":%llu,\"sent\":%llu,\"sendErrors\":%llu}\n",
	       (unsigned long long)received, (unsigned long long)sent,
	       (unsigned long long)send_errors);

	return 0;
}
