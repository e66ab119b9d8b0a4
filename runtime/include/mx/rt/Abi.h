/* Abi.h — the C ABI between compiled .mx code and the runtime (every mx_rt_* symbol).
 *
 * Compiled step functions never touch C++ objects: they hold values in 16-byte MxValue slots
 * (in the task frame or on their own stack) and call these functions to operate on them. The
 * same header serves the JIT (symbols registered explicitly with ORC) and AOT shared objects
 * (resolved against the mx binary at dlopen time). Bump MX_ABI_VERSION on any change here: a
 * module built for another version is refused with a clear error, never run.
 *
 * Ownership: a slot owns one reference to its heap object. Every function that writes an `out`
 * slot releases what the slot held before; `out` may be the same slot as an input (`x = x + 1`
 * compiles to mx_rt_binary(ctx, loc, Add, x, x, one)), so inputs are read before out is written. Slots must be zero-initialized (MX_NONE) before first
 * use; compiled code releases its temporaries with mx_rt_clear.
 *
 * Errors: functions that can fail (a bad index, a division by zero, invalid JSON) return
 * nonzero after recording the failure in the context, with the source location id `loc` that
 * the compiler passed; the step then returns MX_EFFECT_FAIL and the runtime fails that task
 * alone with `file:line:col` and the agent's name.
 */
#ifndef MX_RT_ABI_H
#define MX_RT_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MX_ABI_VERSION 3

/* ------------------------------------------------------------------------------ values */

typedef enum MxTag {
  MX_NONE = 0, /* none / JSON null */
  MX_INT = 1,
  MX_FLOAT = 2,
  MX_BOOL = 3,
  MX_STR = 4,    /* MxObj: UTF-8 bytes */
  MX_LIST = 5,   /* MxObj: elements */
  MX_MAP = 6,    /* MxObj: string keys in insertion order (also JSON objects) */
  MX_RECORD = 7, /* MxObj: a shape (field names) and one value per field; tasks, messages */
} MxTag;

typedef struct MxObj MxObj; /* a reference-counted heap object, opaque to compiled code */

typedef struct MxValue {
  uint8_t tag; /* MxTag */
  uint8_t reserved[7];
  union {
    int64_t i;
    double f;
    uint8_t b;
    MxObj* obj;
  } as;
} MxValue;

/* The execution context of one step: the task's identity, seeds, pending effects, the results
 * of the awaits being resumed, and the failure being reported. Opaque to compiled code. */
typedef struct MxCtx MxCtx;

void mx_rt_clear(MxValue* slot);                        /* release and set to none */
void mx_rt_copy(MxValue* dst, const MxValue* src);      /* value copy (shares, copy-on-write) */
void mx_rt_move(MxValue* dst, MxValue* src);            /* steals src, leaves it none */
void mx_rt_const_str(MxValue* out, const char* utf8, uint64_t len);
void mx_rt_set_int(MxValue* out, int64_t v);
void mx_rt_set_float(MxValue* out, double v);
void mx_rt_set_bool(MxValue* out, int32_t v);
void mx_rt_clear_array(MxValue* slots, uint32_t count); /* releases a step's temporaries */

/* Converts a JSON value (an input column) to a declared field type, given as its .mx text
 * ("int", "list<float>", "map<string, int>?", "message"): lists and maps element by element, ints
 * widened to floats, none accepted only for optionals. Fails the row with a message naming
 * `what` (the field) and the element otherwise. */
int32_t mx_rt_convert(MxCtx* ctx, uint32_t loc, MxValue* out, const MxValue* in, const char* type,
                      const char* what);

/* ------------------------------------------------------------------------- operations */

/* Binary and unary operators, dispatched on the operands' tags (sema has already checked them).
 * op: the mx::BinaryOp / mx::UnaryOp enumerators. */
int32_t mx_rt_binary(MxCtx* ctx, uint32_t loc, int32_t op, MxValue* out, const MxValue* a,
                     const MxValue* b);
int32_t mx_rt_unary(MxCtx* ctx, uint32_t loc, int32_t op, MxValue* out, const MxValue* a);
int32_t mx_rt_truthy(const MxValue* v); /* bool → 0/1 */

/* Containers. Index and member reads on json never fail (a miss gives none); on typed lists
 * and maps a miss fails the task. */
int32_t mx_rt_index_get(MxCtx* ctx, uint32_t loc, MxValue* out, const MxValue* base,
                        const MxValue* index);
int32_t mx_rt_index_set(MxCtx* ctx, uint32_t loc, MxValue* base, const MxValue* index,
                        const MxValue* value);
void mx_rt_field_get(MxValue* out, const MxValue* record, uint32_t field);
void mx_rt_field_set(MxValue* record, uint32_t field, const MxValue* value);
void mx_rt_json_member(MxValue* out, const MxValue* json, const char* key);
/* `j[i]` / `j["k"]` where j is json: a miss gives none (the compiler uses this, not
 * mx_rt_index_get, whenever the base's static type is json). */
void mx_rt_json_index(MxValue* out, const MxValue* json, const MxValue* index);
void mx_rt_make_list(MxValue* out, const MxValue* elements, uint32_t count);
void mx_rt_make_map(MxValue* out, const char* const* keys, const MxValue* values, uint32_t count);
/* shape: an id from the module's record shape table (field names in order). */
void mx_rt_make_record(MxCtx* ctx, MxValue* out, uint32_t shape, const MxValue* values);
void mx_rt_append(MxValue* list, const MxValue* element);  /* list += element */
void mx_rt_extend(MxValue* list, const MxValue* other);    /* list += list */
void mx_rt_concat(MxValue* out, const MxValue* parts, uint32_t count); /* templates: str(...) joined */
int64_t mx_rt_len(const MxValue* v);

/* Iteration for `for` loops: `index` counts steps; returns 0 when done. For maps and json
 * objects, `key` receives the key and `out` the value. */
int32_t mx_rt_iter_next(const MxValue* iterable, int64_t index, MxValue* out, MxValue* key);

/* Built-in functions, by index into mx::stdlib::builtinSpecs(). `args` holds the positional
 * arguments followed by the keyword ones in signature order (absent ones are none). */
int32_t mx_rt_builtin(MxCtx* ctx, uint32_t loc, uint32_t builtin, MxValue* out,
                      const MxValue* args, uint32_t count);

/* -------------------------------------------------------------------------------- effects */

typedef enum MxEffect {
  MX_EFFECT_GOTO = 1,  /* mx_rt_goto was called */
  MX_EFFECT_DONE = 2,
  MX_EFFECT_FAIL = 3,  /* mx_rt_fail was called, or a fallible call returned nonzero */
  MX_EFFECT_AWAIT = 4, /* mx_rt_await_* were called; resume at the returned point */
} MxEffect;

void mx_rt_goto(MxCtx* ctx, uint32_t agent);
void mx_rt_fail(MxCtx* ctx, uint32_t loc, const MxValue* reason);
int32_t mx_rt_emit(MxCtx* ctx, uint32_t loc, uint32_t sink, const MxValue* record);
/* Starts one asynchronous call (a model or tools method, by builtin index) as part of the await
 * being prepared; `slot` numbers the results of one await from 0. */
void mx_rt_await_call(MxCtx* ctx, uint32_t loc, uint32_t builtin, uint32_t resource, uint32_t slot,
                      const MxValue* args, uint32_t count);
/* Ends the step with an await; the runtime calls the step again with `resume` once every call
 * has answered. */
int32_t mx_rt_await(MxCtx* ctx, int32_t resume);
/* After resuming: the result of call `slot` of the await just completed. */
void mx_rt_await_result(MxCtx* ctx, uint32_t slot, MxValue* out);

/* Around every fn body: counts nesting so that runaway recursion fails the task (nonzero from
 * mx_rt_enter) instead of overflowing the worker's stack. */
int32_t mx_rt_enter(MxCtx* ctx, uint32_t loc);
void mx_rt_leave(MxCtx* ctx);

/* Counts iterations of `while c max N`; fails the task (returns nonzero) past the bound. */
int32_t mx_rt_loop_bound(MxCtx* ctx, uint32_t loc, int64_t count, const MxValue* bound);

/* --------------------------------------------------------------------- module descriptor */

/* One step of an agent: runs from `resume` (0 = the agent's start) until an effect and returns
 * the MxEffect. `frame` holds the task's fields first, then the agent's spilled locals (locals
 * that live across an await), so the whole state of a suspended task is in its frame. */
typedef int32_t (*MxStepFn)(MxCtx* ctx, MxValue* frame, int32_t resume);

/* Fills a fresh frame's fields from an input row (a map); nonzero fails the row. */
typedef int32_t (*MxInitFn)(MxCtx* ctx, MxValue* frame, const MxValue* row);

/* What a compiled pipeline exports, as `const MxModule* mx_module(void)`. Everything that is
 * not code travels in `descriptor`, a JSON document written by the compiler: the task types and
 * their fields, agents (name, frame size, spilled locals), models, sources, sinks, tools and
 * pipelines with their settings, record shapes, and the source location table that turns a
 * `loc` id into file:line:col. */
typedef struct MxModule {
  uint32_t abi_version; /* MX_ABI_VERSION of the compiler that built it */
  const char* mx_version;
  const char* descriptor; /* JSON, see above */
  uint32_t agent_count;
  const MxStepFn* steps; /* by agent index, in descriptor order */
  uint32_t task_count;
  const MxInitFn* inits; /* by task index */
} MxModule;

typedef const MxModule* (*MxModuleFn)(void);

#ifdef __cplusplus
}
#endif

#endif /* MX_RT_ABI_H */
