#ifndef OBF_C_SYSTEM_SHIMS_H
#define OBF_C_SYSTEM_SHIMS_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <pthread.h>

/// EPOLLIN / EPOLLOUT / ... as plain integers (the Swift importer turns the enum into a struct).
static inline uint32_t obf_epollin(void) { return EPOLLIN; }
static inline uint32_t obf_epollout(void) { return EPOLLOUT; }
static inline uint32_t obf_epollerr(void) { return EPOLLERR; }
static inline uint32_t obf_epollhup(void) { return EPOLLHUP; }

/// GNU extensions that the headers declare only under _GNU_SOURCE (used by OBFHTTP).
extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/// Lowers the calling thread's CPU priority by `nice` (Linux applies nice per thread): for
/// background writers that must never take CPU from the threads answering requests.
static inline int obf_lower_thread_priority(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}

#endif
