/*
** lh_limits.c: the count hook (CPU time, wall clock, Ctrl-C, os.exit) and
** the SIGINT handler.
*/
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "lh.h"
#include "lh_internal.h"

#define LH_HOOK_COUNT 1000
#define LH_CPU_CHECK_EVERY 64 /* hooks between two reads of the CPU clock… */
#define LH_CPU_CHECK_INTERVAL 0.005 /* …or seconds, whichever comes first */

static volatile sig_atomic_t lh_sigint_seen = 0;
static struct sigaction lh_old_sigint;

static const char *lh_stop_message(int reason) {
  switch (reason) {
    case LH_STOP_INTERRUPT: return "interrupted";
    case LH_STOP_TIMEOUT: return "wall-clock time limit exceeded";
    case LH_STOP_CPU: return "CPU time limit exceeded";
    case LH_STOP_EXIT: return "script called os.exit";
    default: return "stopped";
  }
}

double lh_thread_cpu(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* [-0, +0, -] a cheap monotonic clock (no system call). */
static double lh_coarse_now(void) {
  struct timespec ts;
#ifdef CLOCK_MONOTONIC_COARSE
  if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0) return 0;
#else
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
#endif
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* [-0, +0, -] the pending stop, recording one for Ctrl-C or a spent CPU
** budget. The CPU clock (a system call) is read every LH_CPU_CHECK_EVERY
** polls, and also once LH_CPU_CHECK_INTERVAL has passed: when C functions
** make each instruction slow, counting hooks alone would read it minutes late. */
static int lh_poll(lh_Host *h) {
  int reason = atomic_load(&h->stop);
  if (reason == LH_STOP_NONE && lh_sigint_seen) {
    reason = LH_STOP_INTERRUPT;
    atomic_store(&h->stop, reason);
  }
  if (reason == LH_STOP_NONE && h->cpu_limit > 0) {
    double now = lh_coarse_now();
    if (++h->hook_calls % LH_CPU_CHECK_EVERY == 0 || now - h->cpu_checked_at >= LH_CPU_CHECK_INTERVAL) {
      h->cpu_checked_at = now;
      if (lh_thread_cpu() - h->cpu_start > h->cpu_limit) {
        reason = LH_STOP_CPU;
        atomic_store(&h->stop, reason);
      }
    }
  }
  return reason;
}

int lh_limits_settle(lh_Host *h) {
  if (atomic_load(&h->stop) == LH_STOP_NONE && h->cpu_limit > 0 && h->cpu_start > 0 &&
      lh_thread_cpu() - h->cpu_start > h->cpu_limit)
    lh_request_stop(h, LH_STOP_CPU);
  return atomic_load(&h->stop);
}

int lh_limits_poll(lh_Host *h) {
  if (h->cpu_start <= 0 && atomic_load(&h->stop) == LH_STOP_NONE) return LH_STOP_NONE; /* not started */
  return lh_poll(h);
}

static void lh_hook(lua_State *L, lua_Debug *ar);

/* [-0, +0, e] raises the stop in L. The thread is marked stopped first:
** when the raise came from the hook, Lua leaves a coroutine with hooks off,
** so nothing it holds (its __close handlers) may ever run again. The hook
** then runs before every instruction of L, so a pcall loop cannot outlast
** the stop. */
static void lh_raise_stop(lua_State *L, int reason) {
  lh_mark_stopped(L);
  lua_sethook(L, lh_hook, LUA_MASKCOUNT, 1);
  lua_pushstring(L, lh_stop_message(reason));
  lua_error(L);
}

/* [-0, +0, e] raises while a stop is pending. */
static void lh_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  int reason = lh_poll(lh_host(L));
  if (reason != LH_STOP_NONE) lh_raise_stop(L, reason);
}

void lh_limits_check(lua_State *L) {
  int reason = lh_limits_poll(lh_host(L));
  if (reason != LH_STOP_NONE) lh_raise_stop(L, reason);
}

void lh_limits_check_quick(lua_State *L, lh_Host *h) {
  if (atomic_load_explicit(&h->stop, memory_order_relaxed) != LH_STOP_NONE || lh_sigint_seen ||
      ++h->host_calls % LH_CPU_CHECK_EVERY == 0)
    lh_limits_check(L);
}

void lh_mark_stopped(lua_State *L) {
  if (L != lh_host(L)->main) *(unsigned char *)lua_getextraspace(L) = 1;
}

int lh_is_stopped_thread(lua_State *co) { return *(unsigned char *)lua_getextraspace(co) == 1; }

/* [-0, +0, -] starts the CPU budget now, for this thread and the watchdog. */
static void lh_cpu_restart(lh_Host *h) {
  h->cpu_start = lh_thread_cpu();
  h->hook_calls = 0;
  clockid_t clock;
  struct timespec ts;
  if (pthread_getcpuclockid(pthread_self(), &clock) == 0 && clock_gettime(clock, &ts) == 0) {
    h->cpu_clock = clock;
    atomic_store(&h->cpu_base_ns, (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    atomic_store(&h->cpu_clock_ok, 1);
  }
}

double lh_cpu_overrun(lh_Host *h) {
  if (h->cpu_limit <= 0 || !atomic_load(&h->cpu_clock_ok)) return 0;
  struct timespec ts;
  if (clock_gettime(h->cpu_clock, &ts) != 0) return 0;
  long long used = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec - atomic_load(&h->cpu_base_ns);
  return (double)used / 1e9 - h->cpu_limit;
}

void lh_limits_start(lua_State *L) {
  lh_cpu_restart(lh_host(L));
  lua_sethook(L, lh_hook, LUA_MASKCOUNT, LH_HOOK_COUNT);
}

void lh_request_stop(lh_Host *h, int reason) {
  int expected = LH_STOP_NONE;
  atomic_compare_exchange_strong(&h->stop, &expected, reason);
}

static void lh_on_sigint(int sig) {
  (void)sig;
  if (lh_sigint_seen) _exit(130); /* second Ctrl-C: the user means it */
  lh_sigint_seen = 1;
}

void lh_install_sigint(void) {
  struct sigaction sa;
  sa.sa_handler = lh_on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, &lh_old_sigint);
}

void lh_uninstall_sigint(void) { sigaction(SIGINT, &lh_old_sigint, NULL); }

int lh_interrupt_pending(void) { return lh_sigint_seen != 0; }

void lh_clear_interrupt(void) { lh_sigint_seen = 0; }

/* [-0, +0, -] makes the hook run before every instruction of L. */
void lh_limits_tighten(lua_State *L) {
  if (lua_gethook(L) == lh_hook) lua_sethook(L, lh_hook, LUA_MASKCOUNT, 1);
}

int lh_stop_reason(lh_Host *h) { return atomic_load(&h->stop); }

void lh_limits_rearm(lua_State *L) {
  lh_Host *h = lh_host(L);
  atomic_store(&h->stop, LH_STOP_NONE);
  lh_sigint_seen = 0;
  h->close_depth = 0;
  lh_cpu_restart(h);
  lua_sethook(L, lh_hook, LUA_MASKCOUNT, LH_HOOK_COUNT);
}
