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
