/*
 * The C baseline of the benchmark: socketpair(2) with plain read/write/send/recv/close, sendmmsg(2) and
 * recvmmsg(2) for batches of messages, and epoll(7) for many pairs at once, as a C program would use
 * them. Built with gcc by the benchmark runner and loaded into the benchmark JVM, so that C and Java are
 * timed alternately in one process. Every loop runs in C; Java makes one call per batch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0): returns 0 or -errno. */
int sp_pair(int type, int fds[2]) {
    return socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : -errno;
}

/* Buffers start at a page boundary, as every Java variant's do (see AlignedBuffers.java). */
#define ALIGNMENT 4096

static char *aligned_buffer(size_t size) {
    void *buf;
    return posix_memalign(&buf, ALIGNMENT, size) == 0 ? buf : NULL;
}

struct peer {
    pthread_t thread;
    int fd;
    size_t size;
};

/* Reads into a buffer of p->size bytes until end of stream or error. */
static void *drain(void *arg) {
    struct peer *p = arg;
    char *buf = aligned_buffer(p->size);
    while (read(p->fd, buf, p->size) > 0) {
    }
    free(buf);
    return NULL;
}

/* The most messages one sendmmsg(2) or recvmmsg(2) of the batched baseline moves. */
#define BATCH 64

/* Points msgs[0 .. count) at one iovec each, of size bytes from bufs + i * stride. */
static void batch_headers(struct mmsghdr *msgs, struct iovec *iov, char *bufs, size_t stride, size_t size,
                          int count) {
    memset(msgs, 0, (size_t) count * sizeof *msgs);
    for (int i = 0; i < count; i++) {
        iov[i].iov_base = bufs + (size_t) i * stride;
        iov[i].iov_len = size;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
}

/*
 * Receives messages of up to p->size bytes, BATCH to a recvmmsg(2) call, until an error or an empty
 * message (what a shutdown of the input makes a datagram socket's receive return).
 */
static void *drain_batched(void *arg) {
    struct peer *p = arg;
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    char *bufs = aligned_buffer(BATCH * p->size);
    for (;;) {
        batch_headers(msgs, iov, bufs, p->size, p->size, BATCH);
        int n = recvmmsg(p->fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        if (n <= 0 || msgs[0].msg_len == 0) {
            break;
        }
    }
    free(bufs);
    return NULL;
}

/* Reads p->size bytes, writes them back, until end of stream or error. */
static void *echo(void *arg) {
    struct peer *p = arg;
    char *buf = aligned_buffer(p->size);
    for (;;) {
        size_t got = 0;
        while (got < p->size) {
            ssize_t n = read(p->fd, buf + got, p->size - got);
            if (n <= 0) {
                free(buf);
                return NULL;
            }
            got += (size_t) n;
        }
        if (write(p->fd, buf, p->size) != (ssize_t) p->size) {
            free(buf);
            return NULL;
        }
    }
}

static struct peer *start(void *(*body)(void *), int fd, size_t size) {
    struct peer *p = malloc(sizeof *p);
    p->fd = fd;
    p->size = size;
    if (pthread_create(&p->thread, NULL, body, p) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

/* A thread that reads fd in chunks of size bytes until end of stream. */
struct peer *sp_start_drain(int fd, long size) {
    return start(drain, fd, (size_t) size);
}

/* A thread that receives messages of up to size bytes on fd, BATCH to a recvmmsg(2), until shut down. */
struct peer *sp_start_drain_batched(int fd, long size) {
    return start(drain_batched, fd, (size_t) size);
}

/* A thread that echoes messages of size bytes on fd until end of stream. */
struct peer *sp_start_echo(int fd, long size) {
    return start(echo, fd, (size_t) size);
}

/*
 * Waits for a thread started above, after its descriptor's peer was closed. A datagram socket sees no end
 * of stream when its peer closes: shutting its input down ends the thread's read (with 0) on every type.
 */
void sp_join(struct peer *p) {
    shutdown(p->fd, SHUT_RD);
    pthread_join(p->thread, NULL);
    free(p);
}

/* Writes count messages of size bytes from buf, each completely: returns bytes written or -errno. */
long sp_write_n(int fd, const char *buf, long size, long count) {
    long total = 0;
    for (long i = 0; i < count; i++) {
        long done = 0;
        while (done < size) {
            ssize_t n = write(fd, buf + done, (size_t) (size - done));
            if (n < 0) {
                return -errno;
            }
            done += n;
        }
        total += done;
    }
    return total;
}

/* Sends count messages of size bytes with one send(2) each: returns bytes sent or -errno. */
long sp_send_n(int fd, const char *buf, long size, long count) {
    long total = 0;
    for (long i = 0; i < count; i++) {
        ssize_t n = send(fd, buf, (size_t) size, MSG_NOSIGNAL);
        if (n < 0) {
            return -errno;
        }
        total += n;
    }
    return total;
}

/*
 * Sends count messages of size bytes, all from buf, BATCH to a sendmmsg(2) call (a call that sends
 * fewer is followed by one for the rest): returns messages sent or -errno.
 */
long sp_sendmmsg_n(int fd, const char *buf, long size, long count) {
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    long sent = 0;
    while (sent < count) {
        int batch = count - sent < BATCH ? (int) (count - sent) : BATCH;
        batch_headers(msgs, iov, (char *) buf, 0, (size_t) size, batch);
        int n = sendmmsg(fd, msgs, (unsigned) batch, MSG_NOSIGNAL);
        if (n < 0) {
            return -errno;
        }
        sent += n;
    }
    return sent;
}

/* count round trips of one byte: write one, read the echo. Returns count or -errno. */
long sp_pingpong_n(int fd, long count) {
    char b = 1;
    for (long i = 0; i < count; i++) {
        if (write(fd, &b, 1) != 1) {
            return -errno;
        }
        if (read(fd, &b, 1) != 1) {
            return -errno;
        }
    }
    return count;
}

/* Writes all of size bytes from buf: 0, or -errno. */
static int write_all(int fd, const char *buf, size_t size) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, buf + done, size - done);
        if (n < 0) {
            return -errno;
        }
        done += (size_t) n;
    }
    return 0;
}

/* Reads exactly size bytes into buf: 0, or -errno (-EPIPE at an early end of stream). */
static int read_all(int fd, char *buf, size_t size) {
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0) {
            return -errno;
        }
        if (n == 0) {
            return -EPIPE;
        }
        got += (size_t) n;
    }
    return 0;
}

/*
 * count pair lifecycles: socketpair(2) of STREAM sockets, 64 bytes from the first end to the second,
 * 64 bytes back, close(2) of both ends. Returns count or -errno.
 */
long sp_lifecycle_n(long count) {
    char out[64];
    char in[64];
    memset(out, 7, sizeof out);
    for (long i = 0; i < count; i++) {
        int fds[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
            return -errno;
        }
        int r = write_all(fds[0], out, sizeof out);
        if (r == 0) {
            r = read_all(fds[1], in, sizeof in);
        }
        if (r == 0) {
            r = write_all(fds[1], out, sizeof out);
        }
        if (r == 0) {
            r = read_all(fds[0], in, sizeof in);
        }
        close(fds[0]);
        close(fds[1]);
        if (r != 0) {
            return r;
        }
    }
    return count;
}

/* As many events as the JDK's epoll selector collects in one epoll_wait(2). */
#define SELECTION_EVENTS 1024

/*
 * n ends of n / 2 connected pairs, all in an epoll set for EPOLLIN (level-triggered): ends[i] is
 * registered, peers[i] is the other end of its pair (itself registered at the neighbouring index).
 */
struct selection {
    int epfd;
    int n;
    int next;
    int *ends;
    int *peers;
    struct epoll_event events[SELECTION_EVENTS];
};

/* Closes what sp_selection_open made of s: its first opened ends, and the epoll set. */
static void selection_free(struct selection *s, int opened) {
    for (int i = 0; i < opened; i++) {
        close(s->ends[i]);
    }
    if (s->epfd >= 0) {
        close(s->epfd);
    }
    free(s->ends);
    free(s->peers);
    free(s);
}

/*
 * n / 2 socket pairs (n even) with both ends, non-blocking as a selector's channels must be, in an epoll
 * set for reading: the C side of the selector workload. Returns NULL, with the errno in *error, on
 * failure.
 */
struct selection *sp_selection_open(int n, int *error) {
    if (n <= 0 || n % 2 != 0) {
        *error = EINVAL;
        return NULL;
    }
    struct selection *s = calloc(1, sizeof *s);
    if (s == NULL) {
        *error = errno;
        return NULL;
    }
    s->n = n;
    s->ends = calloc((size_t) n, sizeof *s->ends);
    s->peers = calloc((size_t) n, sizeof *s->peers);
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->ends == NULL || s->peers == NULL || s->epfd < 0) {
        *error = errno;
        selection_free(s, 0);
        return NULL;
    }
    for (int i = 0; i < n; i += 2) {
        int fds[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) != 0) {
            *error = errno;
            selection_free(s, i);
            return NULL;
        }
        s->ends[i] = fds[0];
        s->ends[i + 1] = fds[1];
        s->peers[i] = fds[1];
        s->peers[i + 1] = fds[0];
        for (int j = i; j < i + 2; j++) {
            struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t) j};
            if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->ends[j], &ev) != 0) {
                *error = errno;
                selection_free(s, i + 2);
                return NULL;
            }
        }
    }
    return s;
}

/*
 * rounds selection rounds: one byte written on the peers of the next ready ends (a different set each
 * round, rotating through all n), epoll_wait(2) until all of them are collected, one byte read from
 * each end reported. Returns the bytes read, or -errno.
 */
long sp_selection_rounds(struct selection *s, int ready, long rounds) {
    char b = 1;
    long total = 0;
    for (long r = 0; r < rounds; r++) {
        for (int i = 0; i < ready; i++) {
            if (write(s->peers[s->next], &b, 1) != 1) {
                return -errno;
            }
            s->next = s->next + 1 == s->n ? 0 : s->next + 1;
        }
        int got = 0;
        while (got < ready) {
            int k = epoll_wait(s->epfd, s->events, SELECTION_EVENTS, -1);
            if (k < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return -errno;
            }
            for (int j = 0; j < k; j++) {
                if (read(s->ends[s->events[j].data.u32], &b, 1) != 1) {
                    return -errno;
                }
            }
            got += k;
        }
        total += got;
    }
    return total;
}

/* Closes every descriptor of s and frees it. */
void sp_selection_close(struct selection *s) {
    selection_free(s, s->n);
}
