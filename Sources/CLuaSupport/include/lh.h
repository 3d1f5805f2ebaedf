/*
** lh.h: the C side of fota's Lua host.
**
** Prefix lh_. Every function says, in the manual's notation, whether it can
** raise a Lua error:
**   [-o, +p, x]  pops o values, pushes p, and x is
**     '-'  never raises;
**     'p'  runs its work under lua_pcall and returns a status (never raises);
**     'e'  may raise: call it only from C code that Lua itself is running.
** Swift calls only '-' and 'p' functions. A Lua error is a longjmp and must
** never unwind through Swift frames. A 'p' function that fails leaves its
** error message on the stack: its effect is then written +(p|1).
**
** The Lua API calls Swift makes directly (lua_settop, lua_next, lua_type,
** lua_tolstring on strings, lua_rawlen...) are those the manual marks '-',
** with two that the manual marks 'e', safe here for these reasons:
**   lua_settop may raise because it runs __close for to-be-closed slots it
**     removes; the host never marks a slot to-be-closed (no lua_toclose in
**     this code), and a script's to-be-closed variables live in its own Lua
**     frames, never in the slots the host pushed or was handed.
**   lua_next raises only for a key that is not in the table; the host walks
**     a table with the keys lua_next itself returned, reading raw, and no
**     script code runs during the walk to change the table.
** Swift never calls lua_tolstring on a number (that converts in place and
** allocates): ValueReader reads strings only when lua_type says so.
*/
#ifndef FOTA_LH_H
#define FOTA_LH_H

#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>
#include <time.h>
#include "../../CLua/lua_shim.h"

/* ---------------------------------------------------------------------------
** Why a run stopped before its chunk returned. Sticky: once set, every later
** hook call raises again, so pcall cannot swallow a tripped limit.
*/
enum {
  LH_STOP_NONE = 0,
  LH_STOP_INTERRUPT = 1, /* Ctrl-C */
  LH_STOP_TIMEOUT = 2,   /* wall clock, set by the watchdog thread */
  LH_STOP_CPU = 3,       /* CPU time of the interpreter thread */
  LH_STOP_EXIT = 4       /* the script called os.exit */
};

/* Writes bytes produced by the script (print). Must not call Lua. */
typedef void (*lh_WriteFn)(void *ctx, const char *bytes, size_t len);

/* ---------------------------------------------------------------------------
** Tape: a flat description of Lua values, written by Swift and turned into
** Lua values by C under protection. Values are laid out in pre-order: an
** array slot is followed by its `count` elements, a map slot by `count`
** key/value pairs.
*/
enum {
  LH_TAG_NIL = 0,
  LH_TAG_FALSE = 1,
  LH_TAG_TRUE = 2,
  LH_TAG_INTEGER = 3,  /* u.i */
  LH_TAG_NUMBER = 4,   /* u.n */
  LH_TAG_STRING = 5,   /* count bytes at bytes + u.offset; flags: see mirror */
  LH_TAG_ARRAY = 6,    /* count elements follow */
  LH_TAG_MAP = 7,      /* count key/value pairs follow; u.i = metatable ref or 0 */
  LH_TAG_FUNCTION = 8, /* a host function; u.i = its id */
  LH_TAG_REF = 9,      /* a value held in the registry; u.i = its ref */
  LH_TAG_ROWS = 10     /* a host row list (below) of count rows and flags shapes;
                       ** its name (a string), keys and shapes (arrays) follow;
                       ** u.offset: its packed part (lh_push_rows in lh_tape.c) */
};

typedef struct lh_Slot {
  int32_t tag;
  int32_t flags;
  int64_t count;
  union { int64_t i; double n; int64_t offset; } u;
} lh_Slot;

typedef struct lh_Tape {
  const lh_Slot *slots;
  size_t nslots;
  const char *bytes;
  size_t nbytes;
  /* 0, or the position of the host call's argument whose elements the
  ** tape's strings may repeat: a string slot with flags k > 0, and row k of
  ** a row list, is that argument's element k when it is a string of the same
  ** bytes, taken as it is (no new string: a long result of the script's own
  ** IMEIs costs no hashing). Checked, so a wrong hint only costs time; only
  ** the trampoline honours it (it alone has the arguments at hand). */
  int32_t mirror;
} lh_Tape;

/* ---------------------------------------------------------------------------
** Host functions. Swift returns one of these statuses to the C trampoline,
** which raises any error only after the Swift frames have returned.
*/
enum {
  LH_CALL_RETURN = 0,   /* out holds the results */
  LH_CALL_ERROR = 1,    /* out holds one value: the error (strings get position) */
  LH_CALL_ARGERROR = 2, /* out holds one string; *argn is the bad argument */
  LH_CALL_MEMERROR = 3  /* the call would pass the memory budget (lh_charge) */
};

/* Called by the trampoline with the function's id; fills *out. Must not raise. */
typedef int (*lh_DispatchFn)(void *ctx, lua_State *L, int64_t id, lh_Tape *out,
                             int *argn);

/* ---------------------------------------------------------------------------
** The host: one per lua_State, passed as the allocator's user data.
*/
typedef struct lh_Host {
  /* budgeted allocator */
  size_t mem_used;
  size_t mem_limit;    /* bytes; 0 = no limit */
  int mem_refused;     /* an allocation was refused at least once */
  size_t host_charged; /* part of mem_used held by the host itself: Swift
                       ** copies of script values, tapes, JSON text */
  size_t call_charged; /* part of host_charged given back when the current
                       ** host call (or read of results) ends */
  int call_refused;    /* a charge was refused during the current call */

  /* limits checked by the count hook */
  _Atomic int stop;    /* LH_STOP_* */
  double cpu_limit;    /* seconds of thread CPU time; 0 = none */
  double cpu_start;
  unsigned hook_calls;
  unsigned host_calls; /* host function calls, for lh_limits_check_quick */
  double cpu_checked_at; /* monotonic seconds of the last CPU clock read */
  int exit_status;     /* for LH_STOP_EXIT */
  /* the interpreter thread's CPU clock and its reading when the budget
  ** started, for the watchdog thread (lh_cpu_overrun) */
  _Atomic int cpu_clock_ok;
  clockid_t cpu_clock;
  _Atomic long long cpu_base_ns;

  /* output and host functions */
  lh_WriteFn write;
  void *write_ctx;
  lh_DispatchFn dispatch;
  void *dispatch_ctx;

  /* last error, copied out of Lua by the message handler (malloc'd) */
  char *err_where;
  char *err_traceback;

  /* pattern-matching caps */
  size_t max_pattern;
  size_t max_subject;

  lua_State *main;     /* the main thread (never marked as stopped) */
  int close_depth;     /* coroutine.close calls in progress, nested */
} lh_Host;

/* [-0, +0, -] a new state using h's budgeted allocator, or NULL. */
lua_State *lh_newstate(lh_Host *h);
/* [-0, +0, -] charges n bytes that the host builds from script values
** (copies, tapes, text) to the state's memory budget, as if Lua had
** allocated them. Returns 0, and records the refusal like the allocator
** does, if that would pass the limit; nothing is charged then. */
int lh_charge(lh_Host *h, size_t n);
/* [-0, +0, -] gives back n bytes charged with lh_charge. */
void lh_credit(lh_Host *h, size_t n);
/* [-0, +0, -] lh_charge for memory held only until lh_end_call: what a host
** function builds while it runs (copies of its arguments, text). */
int lh_charge_call(lh_Host *h, size_t n);
/* [-0, +0, -] gives back what lh_charge_call charged since the last call of
** this; returns 1 if a charge was refused meanwhile (the call must then fail
** with a memory error, whatever the Swift code made of the refusal). */
int lh_end_call(lh_Host *h);

/* [-0, +0, -] the host of a state made by lh_newstate. */
lh_Host *lh_host(lua_State *L);
/* [-0, +0, -] closes L; finalizers run under the same budget and hook. */
void lh_close(lua_State *L);
/* [-0, +0, -] frees what the host itself allocated. */
void lh_host_free(lh_Host *h);

/* [-0, +0, -] installs the count hook and starts the CPU clock. */
void lh_limits_start(lua_State *L);
/* [-0, +0, -] asks every hook of h to raise; safe from any thread. */
void lh_request_stop(lh_Host *h, int reason);
/* [-0, +0, -] the pending LH_STOP_* reason, read atomically. */
int lh_stop_reason(lh_Host *h);
/* [-0, +0, e] raises like the count hook if a stop is pending, Ctrl-C was
** pressed or the CPU budget is spent (that clock is read at most every few
** milliseconds). For C functions that can run long between two hooks. */
void lh_limits_check(lua_State *L);
/* [-0, +0, -] the pending LH_STOP_* reason after checking Ctrl-C and the CPU
** budget as the hook does, without raising (for the allocator). */
int lh_limits_poll(lh_Host *h);
/* [-0, +0, -] seconds by which the interpreter thread has overrun its CPU
** budget (negative while within it, 0 without a budget). Safe from any
** thread: the watchdog uses it to stop, and at worst abandon, a script
** stuck in a long C function where no hook runs. */
double lh_cpu_overrun(lh_Host *h);
/* [-0, +0, -] at the end of a chunk, on the interpreter thread: reads the
** CPU clock now and records a CPU stop if the budget is spent, so an overrun
** in the chunk's last C call is reported even though no hook ran after it.
** Returns the pending LH_STOP_* reason. */
int lh_limits_settle(lh_Host *h);
/* [-0, +0, -] CPU seconds used by the calling thread. */
double lh_thread_cpu(void);

/* [-0, +0, -] SIGINT sets a process-wide flag that every host's hook honours;
** a second SIGINT before the first is handled exits at once with 130. */
void lh_install_sigint(void);
void lh_uninstall_sigint(void);
int lh_interrupt_pending(void);
void lh_clear_interrupt(void);

/* [-0, +(0|1), p] opens the sandboxed standard library; 0 or an error status
** with the message on the stack. */
int lh_open_sandbox(lua_State *L);

/* [-0, +(0|1), p] sets the folders `require` searches: a NUL-separated list
** of (root, shown-as) pairs, `count` pairs in all. Call before running code.
** Returns a status; on error the message is on the stack. */
int lh_set_require_path(lua_State *L, const char *pairs, size_t len, int count);

/* [-0, +1, -] loads text (never bytecode) as a chunk named `chunkname`
** (lua_load is protected: a syntax or memory error is returned, not raised);
** a first line starting with '#' is ignored (line numbers are kept).
** Returns a status; on error the message is on the stack. */
int lh_loadtext(lua_State *L, const char *text, size_t len, const char *chunkname);

/* [-0, +(n|1), p] pushes the tape's top-level values; *npushed gets n.
** On error pushes the message instead and returns its status. */
int lh_push_tape(lua_State *L, const lh_Tape *tape, int *npushed);

/* [-0, +(0|1), p] sets global `name` to the tape's single value; on error
** the message is left on the stack. */
int lh_setglobal_tape(lua_State *L, const char *name, const lh_Tape *tape);

/* [-(nargs+1), +(nresults|1), p] calls the function below nargs arguments with
** the host's message handler (traceback, error position); LUA_MULTRET allowed.
** On error, one value (the error) is left and the status returned. */
int lh_pcall(lua_State *L, int nargs, int nresults);

/* [-1, +(0|1), p] stores the value at the top in the registry and pops it;
** *ref gets the reference. On error the message replaces the value. */
int lh_ref(lua_State *L, int *ref);
/* [-0, +0, -] frees a reference (luaL_unref only rewrites existing registry
** slots: it never allocates; it needs 2 free stack slots, which every call
** level has). */
void lh_unref(lua_State *L, int ref);

/* [-0, +0, -] the bytes of the string at idx, or NULL if it is not a string
** (numbers are not converted: that would allocate). */
const char *lh_rawstring(lua_State *L, int idx, size_t *len);

/* [-0, +1, p] pushes t[key] read raw, t being the table at idx (the error
** message instead, with a non-zero status). */
int lh_rawgetfield(lua_State *L, int idx, const char *key);

/* [-0, +0, -] the terminal escaping rule, the only one (print uses it in C,
** TerminalText.escape in Swift): how many bytes (1-4) at s form the next
** unit, and in *escape whether that unit must be written as \ddd escapes.
** Escaped: C0 controls but tab (and newline when keep_newline), DEL, the
** C1 controls U+0080-U+009F encoded in UTF-8, and any byte 0x80-0x9F that
** is not part of a valid UTF-8 sequence. len must be at least 1. */
size_t lh_terminal_unit(const char *s, size_t len, int keep_newline, int *escape);

/* [-0, +0, -] stdout through C's buffer, shared with Swift's print. */
void lh_write_stdout(const char *bytes, size_t len);
void lh_flush_stdout(void);

/* [-0, +0, p] completion candidates for text: a name, or a path of `.name`,
** `[integer]` and `["string"]` steps ending in `.word` or `:word`; found by
** reading tables raw (and their metatables' __index tables), never running a
** metamethod or script code. Sorted, unique, at most about a thousand (the
** first ones, and the last so their shared prefix is that of every match);
** malloc'd, freed by lh_complete_free. *steps (may be NULL) gets the work
** done, keys visited plus name comparisons: tests use it to check that
** completion stays linear in the number of keys. */
int lh_complete(lua_State *L, const char *text, size_t len, char ***items, size_t *count,
                size_t *steps);
void lh_complete_free(char **items, size_t count);

/* [-1, +(0|1), p] runs the printer's chunk at the top, passing it two
** functions: one returns the real table behind a host read-only proxy (so
** results like `fota` show their fields), the other the length of a host
** row list (so its rows show), and keeps the printer the chunk
** returns in the registry: *ref gets the reference. On error the message is
** left on the stack. */
int lh_repl_make_printer(lua_State *L, int *ref);

/* [-nresults, +(0|1), p] sets _ to the first result and passes all of them
** to the function held in the registry at `printer`; on error the message is
** left on the stack. */
int lh_repl_show(lua_State *L, int printer, int nresults);

/* [-0, +0, -] clears a stop (Ctrl-C, CPU) and restarts the CPU clock, so the
** next chunk at the prompt runs with a full budget. */
void lh_repl_rearm(lua_State *L);

/* ---------------------------------------------------------------------------
** Host row lists (lh_rows.c): a read-only list whose rows, tables of string
** fields, are built when read (`devices` of a fota.append result). Made from
** a tape (LH_TAG_ROWS); the host reads one through these, raw.
*/
typedef struct lh_RowField {
  const char *key;   /* the field's name */
  size_t key_len;
  const char *value; /* NULL: the row has no such field */
  size_t value_len;
} lh_RowField;

/* [-0, +0, -] the number of rows of the host row list at idx, or -1 when
** the value there is not one (recognized by the metatable every row list
** shares, which scripts cannot fetch or forge). */
int64_t lh_rows_count(lua_State *L, int idx);

/* [-0, +0, -] fills fields[0 ..< n] with row i (1-based) of the row list at
** idx, at most max fields, field 0 being the row's own string; returns n, 0
** if idx is not a row list or i out of range. The bytes belong to the list:
** copy them before any Lua code runs. */
int lh_rows_row(lua_State *L, int idx, int64_t i, lh_RowField *fields, int max);

/* [-0, +0, -] 1 and *id set if the value at idx is a host function. */
int lh_host_function_id(lua_State *L, int idx, int64_t *id);

/* [-0, +?, e] the C function behind every host function: Lua calls it (it
** raises the function's errors); Swift only compares pointers with it. */
int lh_trampoline(lua_State *L);

#endif
