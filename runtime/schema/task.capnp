# task.capnp — the task message and the two logs built from it: the journal (RUNDIR/journal.log,
# what `mx run --resume` needs) and the trajectory log (RUNDIR/trajectory.log, every step).
#
# Versioned (ARCHITECTURE.md §5): `schemaVersion` is written in every run header and checked on
# resume. Evolve it the Cap'n Proto way — add fields at the end with new ordinals, never renumber
# or retype one — and bump schemaVersion only when a reader of the old version would misread the
# new data (then old journals are refused with a clear error instead). The file formats around
# these messages (blocks, checksums) are described in docs/trajectory.md.
@0x90a577c3ecf7ad66;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("mx::rt::wire");

const schemaVersion :UInt32 = 1;

# ------------------------------------------------------------------------------------- values

# One run-time value (mx::rt::Value). Maps keep their insertion order; records name their shape by
# the module's shape-table id (the ids compiled code passes to mx_rt_make_record), so a journal is
# only meaningful to the same module (the run header's descriptor hash guards that).
struct Value {
  union {
    none @0 :Void;
    int @1 :Int64;
    float @2 :Float64;
    bool @3 :Bool;
    text @4 :Text;              # UTF-8 as the runtime holds it (any bytes, NUL included)
    list @5 :List(Value);
    map @6 :List(Entry);
    record @7 :Record;
  }

  struct Entry {
    key @0 :Text;
    value @1 :Value;
  }

  struct Record {
    shape @0 :UInt32;           # a module shape id, or one of the reserved ids below
    fields @1 :List(Value);     # in the shape's field order
    fieldNames @2 :List(Text);  # only with shape = shapeInline: a shape outside every table
  }
}

const shapeMessage :UInt32 = 0xFFFFFFFD;   # the built-in message (role, content, tool_calls)
const shapeToolCall :UInt32 = 0xFFFFFFFE;  # the built-in tool_call (id, name, arguments)
const shapeInline :UInt32 = 0xFFFFFFFF;    # field names travel in Record.fieldNames

# ---------------------------------------------------------------------------------- the task

# One model or tool call of an await (mx::rt::PendingCall).
struct Call {
  loc @0 :UInt32;
  builtin @1 :UInt32;           # index into the built-in table: which method
  resource @2 :UInt32;          # index into the module's resources: which model or tools
  slot @3 :UInt32;              # position of its result in the await
  args @4 :List(Value);
}

# A record emitted by a step and held until the task is done (a row ends as all its records or
# one dead letter, never half of them).
struct HeldEmit {
  sink @0 :UInt32;              # the sink resource index
  record @1 :Value;
}

# The whole state of one task between two steps (ARCHITECTURE.md invariant 1): enough to go on
# from here in another process.
struct TaskState {
  rowId @0 :UInt64;
  trial @1 :UInt32;
  agent @2 :UInt32;             # the agent whose step runs next (or is awaiting)
  resume @3 :Int32;             # where in that agent's step function to go on
  attempts @4 :UInt32;          # failed attempts of the current await (retries)
  randomDraws @5 :UInt64;       # random() calls so far: part of the task's seed state
  callIndex @6 :UInt64;         # model/tool calls so far: seeds the next call
  steps @7 :UInt64;             # steps run so far (the trajectory's step index)
  frame @8 :List(Value);        # task fields, then spilled locals
  phase @9 :Phase;
  awaitResults @10 :List(Value);  # phase = ready: the results the next step resumes with
  calls @11 :List(Call);          # phase = awaiting: the calls to (re)submit, seeded from callIndex
  emits @12 :List(HeldEmit);

  enum Phase {
    ready @0;                   # waiting for a worker (in an agent queue)
    awaiting @1;                # its await's calls are out; on resume they are submitted again
  }
}

# --------------------------------------------------------------------------------- the journal

# Who wrote a journal. A resume refuses a journal whose header does not match the program it is
# given, instead of mixing the outputs of two pipelines.
struct RunHeader {
  schemaVersion @0 :UInt32;
  mxVersion @1 :Text;
  modulePath @2 :Text;          # absolute path of the .mx file (JIT) or the shared object (AOT)
  aot @3 :Bool;
  sourcePath @4 :Text;          # the .mx source the module was compiled from
  descriptorHash @5 :Text;      # hash of the module descriptor (the pipeline's whole shape)
  pipeline @6 :Text;
  inputPath @7 :Text;           # the rows' file as opened (the source, or --input)
  seed @8 :Int64;
  trials @9 :UInt32;
  limit @10 :Int64;             # --limit, -1 for none
  sinks @11 :List(SinkFile);    # in the order of every offsets list below
  startedAtMs @12 :Int64;       # wall clock, for people
  resumes @13 :UInt32;          # how many times this run was resumed before this header

  struct SinkFile {
    resource @0 :UInt32;
    path @1 :Text;              # relative to the run directory when it is inside it
  }
}

# Byte lengths of the output files that the entries up to this point account for: on resume every
# file is cut back to these, and whatever a task wrote after them is written again by that task.
struct Offsets {
  sinks @0 :List(UInt64);       # parallel to RunHeader.sinks
  deadLetters @1 :UInt64;
  trajectory @2 :UInt64;        # 0 when the trajectory log is off
}

struct FinishedTask {
  rowId @0 :UInt64;
  trial @1 :UInt32;
}

# One entry of the journal. A group commit appends, in this order: `admitted` (rows read so far),
# `finished` (tasks that ended since the last commit, with the offsets after their records),
# `checkpoint`s; a snapshot (after a resume, or when the journal is rotated) writes `header`,
# `admitted`, `finishedBelow`, `finished` (the few above the mark), `checkpoint`s.
struct JournalEntry {
  union {
    header @0 :RunHeader;
    admitted @1 :UInt64;        # rows 0 .. N-1 of the source were read (and became tasks or dead letters)
    checkpoint @2 :TaskState;   # the latest state of an unfinished task (the last one wins)
    finished @3 :Finished;
    finishedBelow @4 :UInt64;   # every task with index (row * trials + trial) below this is finished
    complete @5 :Offsets;       # the run finished; nothing is left to resume
  }

  struct Finished {
    tasks @0 :List(FinishedTask);
    offsets @1 :Offsets;        # after the records of these tasks (and every earlier one)
  }
}

# ----------------------------------------------------------------------------- the trajectory

# One model or tool call of a step's await, with what came back.
struct CallRecord {
  method @0 :Text;              # chat, complete, call, invoke
  resource @1 :UInt32;
  slot @2 :UInt32;
  seed @3 :UInt64;              # from (run seed, row, trial, call index): replays the call
  args @4 :List(Value);
  result @5 :Value;
  error @6 :Text;               # "" when it succeeded
  tokensIn @7 :UInt64;
  tokensOut @8 :UInt64;
  latencyNs @9 :UInt64;
  attempt @10 :UInt32;          # 0 for the first try, then one per retry
}

# One step of one task. A step that awaits is logged when its calls have all answered (with the
# results it will resume with), so every record is complete.
struct TrajectoryStep {
  rowId @0 :UInt64;
  trial @1 :UInt32;
  step @2 :UInt64;              # 0, 1, 2, ... per task
  agent @3 :UInt32;
  resume @4 :Int32;             # the resume point the step started from
  effect @5 :Effect;
  gotoAgent @6 :UInt32;         # effect = goto
  emits @7 :UInt32;             # records the step emitted (held until the task is done)
  randomDrawsBefore @8 :UInt64; # the task's random state before and after the step
  randomDrawsAfter @9 :UInt64;
  calls @10 :List(CallRecord);  # effect = await
  error @11 :Text;              # effect = fail: the reason (as in the dead letter)
  startNs @12 :UInt64;          # since the run (segment) started
  durationNs @13 :UInt64;       # the step function alone, calls excluded
  restored @14 :Bool;           # an await re-submitted after a resume (its step ran before)

  enum Effect {
    goto @0;
    done @1;
    await @2;
    fail @3;
  }
}

# One message of the trajectory log: a header at the start of every run segment (the first run
# and each resume), then steps.
struct TrajectoryRecord {
  union {
    header @0 :RunHeader;
    step @1 :TrajectoryStep;
  }
}
