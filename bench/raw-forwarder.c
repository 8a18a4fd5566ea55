/*
 * The floor for P2: a raw UDP fan-out with no RTP logic beyond picking which
 * SSRCs go out. Every packet received on <port> whose SSRC is listed is sent to
 * each of the <n> destinations (sendmmsg batches); the count of packets sent is
 * printed once a second. In "sink" mode it binds <port> and never reads, so
 * the kernel drops what arrives (a receiver that costs nothing to run).
 *
 *   raw-forwarder fwd <port> <dest-ip> <dest-port> <n> <ssrc>[,<ssrc>...]
 *   raw-forwarder sink <port>
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_SSRCS 16

static int bind_udp(int port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    perror("bind");
    exit(1);
  }
  return fd;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "sink") == 0) {
    int fd = bind_udp(atoi(argv[2]));
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    printf("ready\n");
    fflush(stdout);
    for (;;) pause();
  }
  if (argc != 7 || strcmp(argv[1], "fwd") != 0) {
    fprintf(stderr, "usage: %s fwd <port> <dest-ip> <dest-port> <n> <ssrc,...> | sink <port>\n", argv[0]);
    return 2;
  }
  int fd = bind_udp(atoi(argv[2]));
  int n = atoi(argv[5]);
  uint32_t ssrcs[MAX_SSRCS];
  int nssrc = 0;
  for (char *s = strtok(argv[6], ","); s && nssrc < MAX_SSRCS; s = strtok(NULL, ",")) ssrcs[nssrc++] = (uint32_t)strtoul(s, NULL, 10);
  struct sockaddr_in dest = {0};
  dest.sin_family = AF_INET;
  dest.sin_port = htons((uint16_t)atoi(argv[4]));
  inet_pton(AF_INET, argv[3], &dest.sin_addr);

  static unsigned char buf[2048];
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  unsigned long long sent = 0;
  double last = now_s();
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    poll(&p, 1, 200);
    for (;;) {
      ssize_t len = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (len < 12) break;
      uint32_t ssrc = ((uint32_t)buf[8] << 24) | ((uint32_t)buf[9] << 16) | ((uint32_t)buf[10] << 8) | buf[11];
      int wanted = 0;
      for (int i = 0; i < nssrc; i++) wanted |= ssrcs[i] == ssrc;
      if (!wanted) continue;
      /* one copy per destination, like one consumer per hall */
      for (int done = 0; done < n;) {
        int k = n - done < BATCH ? n - done : BATCH;
        for (int i = 0; i < k; i++) {
          iov[i].iov_base = buf;
          iov[i].iov_len = (size_t)len;
          memset(&msgs[i], 0, sizeof msgs[i]);
          msgs[i].msg_hdr.msg_name = &dest;
          msgs[i].msg_hdr.msg_namelen = sizeof dest;
          msgs[i].msg_hdr.msg_iov = &iov[i];
          msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int r = sendmmsg(fd, msgs, (unsigned)k, 0);
        if (r <= 0) break;
        sent += (unsigned long long)r;
        done += r;
      }
    }
    if (now_s() - last >= 1.0) {
      last = now_s();
      printf("sent %llu\n", sent);
      fflush(stdout);
    }
  }
}
