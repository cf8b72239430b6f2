/*
 * The C baseline of the benchmark: socketpair(2) with plain read/write/send/recv, as a C program would
 * use it. Built with gcc by the benchmark runner and loaded into the benchmark JVM, so that C and Java
 * are timed alternately in one process. Every loop runs in C; Java makes one call per batch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0): returns 0 or -errno. */
int sp_pair(int type, int fds[2]) {
    return socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : -errno;
}

struct peer {
    pthread_t thread;
    int fd;
    size_t size;
};

/* Reads into a buffer of p->size bytes until end of stream or error. */
static void *drain(void *arg) {
    struct peer *p = arg;
    char *buf = malloc(p->size);
    while (read(p->fd, buf, p->size) > 0) {
    }
    free(buf);
    return NULL;
}

/* Reads p->size bytes, writes them back, until end of stream or error. */
static void *echo(void *arg) {
    struct peer *p = arg;
    char *buf = malloc(p->size);
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
