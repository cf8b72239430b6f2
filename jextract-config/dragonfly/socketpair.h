/*
 * The C declarations the socketpair library binds on DragonFly. jextract reads this header with the options
 * in libc.args and errno.args; only the symbols named there are generated.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/ucred.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
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
#include <unistd.h>

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

/*
 * The option level of LOCAL_PEERCRED, which <sys/un.h> here does not name (FreeBSD and macOS call it
 * SOL_LOCAL): the kernel hands every level but SOL_SOCKET to the protocol, and DragonFly's own
 * getpeereid(3) (lib/libc/gen/getpeereid.c) passes 0.
 */
#define SOCKETPAIR_SOL_LOCAL 0
