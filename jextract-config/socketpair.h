/*
 * The C declarations the socketpair library binds. jextract reads this header with the options in
 * libc.args; only the symbols named there are generated.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * SCM_PIDFD: the control message in which Linux 6.5 and later install a pidfd of the sender once anyone
 * sharing the socket has set SO_PASSPIDFD. glibc declares it in <bits/socket.h> from 2.39 on, in the
 * enum beside SCM_RIGHTS, with the value the kernel gives it in include/linux/socket.h; older headers
 * lack it, and the library must still close every pidfd it receives.
 */
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif

/*
 * The control-message arithmetic of <sys/socket.h>, which Java code has to repeat. CMSG_LEN, CMSG_SPACE
 * and CMSG_DATA are function-like macros, which jextract cannot bind; these object-like macros carry what
 * they compute. The data of a message starts SOCKETPAIR_CMSG_DATA_OFFSET bytes after its header
 * (CMSG_DATA), CMSG_LEN(n) is SOCKETPAIR_CMSG_DATA_OFFSET + n, and CMSG_SPACE(n) is
 * SOCKETPAIR_CMSG_DATA_OFFSET + n rounded up to a multiple of SOCKETPAIR_CMSG_ALIGNMENT.
 */
#define SOCKETPAIR_CMSG_ALIGNMENT ((int) (CMSG_SPACE(1) - CMSG_SPACE(0)))
#define SOCKETPAIR_CMSG_DATA_OFFSET ((int) CMSG_LEN(0))
