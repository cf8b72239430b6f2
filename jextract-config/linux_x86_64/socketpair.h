/*
 * The C declarations the socketpair library binds on Linux. jextract reads this header with the options
 * in libc.args and errno.args; only the symbols named there are generated.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The control message in which Linux 6.5 and later deliver a pidfd of the sender to a socket that has
 * SO_PASSPIDFD set (the kernel's include/linux/socket.h). glibc declares it from 2.39 on, in <bits/socket.h>
 * in the enum beside SCM_RIGHTS, with this value; the glibc 2.36 and musl headers bound here do not.
 */
#ifndef SCM_PIDFD
#define SCM_PIDFD 4
#endif

/*
 * The control-message arithmetic of <sys/socket.h> for this target, which Java code has to repeat. CMSG_LEN,
 * CMSG_SPACE and CMSG_DATA are function-like macros, which jextract cannot bind; these object-like macros
 * carry what they compute. The data of a message starts SOCKETPAIR_CMSG_DATA_OFFSET bytes after its header
 * (CMSG_DATA), CMSG_LEN(n) is SOCKETPAIR_CMSG_DATA_OFFSET + n, and CMSG_SPACE(n) is
 * SOCKETPAIR_CMSG_DATA_OFFSET + n rounded up to a multiple of SOCKETPAIR_CMSG_ALIGNMENT (as CMSG_ALIGN
 * rounds, where the headers define it). ../check-layouts asserts each of these against the macros.
 */
#define SOCKETPAIR_CMSG_ALIGNMENT ((int) (CMSG_SPACE(1) - CMSG_SPACE(0)))
#define SOCKETPAIR_CMSG_DATA_OFFSET ((int) CMSG_LEN(0))
