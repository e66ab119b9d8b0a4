// StateIR.h — agents as resumable state machines: the lowered form between the AST and LLVM.
//
// Each agent becomes one Function whose blocks are split at every await: an `await` ends its
// block with the resume point the runtime passes back, and that point's block starts by taking
// the results. Values live in slots: frame slots (the task's fields, then the agent's locals that
// live across an await: "spilled") travel with the task message; temp slots exist only during
// one step. Instructions are one-to-one with mx_rt_* calls of runtime/include/mx/rt/Abi.h, so
// codegen is a direct translation and `mxc --emit=states` shows exactly what will run.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "mx/compiler/AST.h"

namespace mx {

struct SemaContext;

namespace ir {

/// A value slot: in the task frame (persisted) or a temporary of the current step.
struct Slot {
  enum Kind : uint8_t { None, Frame, Temp } kind = None;
  uint32_t index = 0;
  static Slot frame(uint32_t i) { return {Frame, i}; }
  static Slot temp(uint32_t i) { return {Temp, i}; }
  bool valid() const { return kind != None; }
  bool operator==(const Slot&) const = default;
};

enum class Op {
  // values
  ConstInt, ConstFloat, ConstBool, ConstNone, ConstStr,  // dst = imm / fimm / str
  Copy,        // dst = a
  Clear,       // dst = none (release)
  Binary,      // dst = a <imm: BinaryOp> b          (fallible)
  Unary,       // dst = <imm: UnaryOp> a             (fallible)
  Builtin,     // dst = builtin imm(args...)         (fallible)
  CallFn,      // dst = fn imm(args...)              (fallible)
  FieldGet,    // dst = a.field[imm]
  FieldSet,    // dst.field[imm] = a
  IndexGet,    // dst = a[b]                         (fallible)
  IndexSet,    // dst[a] = b                         (fallible)
  JsonMember,  // dst = a.<str>
  JsonIndex,   // dst = a[b] where a is json: a miss gives none
  MakeList,    // dst = [args...]
  MakeMap,     // dst = {keys[i]: args[i]}
  MakeRecord,  // dst = shape imm {args...}
  Append,      // dst += a (list element)
  Extend,      // dst += a (list)
  Concat,      // dst = str(args[0]) + str(args[1]) + ...
  IterNext,    // cond dst = next(a: iterable, b: index) → args[0]: value, args[1]: key
  LoopBound,   // (fallible) fails the task when counter a exceeds bound b
  Convert,     // dst = a converted to the type written in str; keys[0] names it (fallible)
  Emit,        // emit sink imm record a            (fallible)
  AwaitCall,   // start call builtin imm on resource imm2, result slot imm3, args...
  AwaitResult, // dst = result of call imm of the await just resumed
  // terminators
  Jump,        // -> target
  Branch,      // a ? target : target2
  Goto,        // route to agent imm
  Done,
  Fail,        // reason a
  Await,       // suspend; resume at point imm (its block is resumeBlocks[imm])
  Return,      // fn result a (or none)
};

struct Inst {
  Op op;
  Slot dst{}, a{}, b{};
  std::vector<Slot> args{};
  std::vector<std::string> keys{};  // MakeMap
  int64_t imm = 0, imm2 = 0, imm3 = 0;
  double fimm = 0;
  std::string str{};  // ConstStr text, JsonMember key, or a name for printing
  uint32_t target = 0, target2 = 0;
  uint32_t loc = 0;  // source location id (Module::locations)
  bool isTerminator() const { return op >= Op::Jump; }
  bool isFallible() const;
};

struct Block {
  std::vector<Inst> insts;
};

struct Function {
  enum Kind { Agent, Fn, TaskInit } kind = Agent;
  std::string name;
  std::vector<Block> blocks;          // block 0 is the entry (resume point 0)
  std::vector<uint32_t> resumeBlocks; // resume point k → block; [0] = 0
  uint32_t tempCount = 0;
  uint32_t spillCount = 0;            // frame slots after the task's fields
  std::vector<std::string> spillNames;
  uint32_t paramCount = 0;            // Fn: arguments arrive in temps 0..paramCount-1;
                                      // TaskInit: the input row arrives in temp 0
  uint32_t fieldCount = 0;            // frame slots holding the task's fields
  const Decl* decl = nullptr;
};

struct Location {
  uint32_t line, col;
};

struct Module {
  std::vector<Function> functions;     // agents first (in declaration order), then fns, then inits
  std::vector<std::vector<std::string>> shapes;  // record field names by shape id
  std::vector<Location> locations;     // by loc id; 0 is "unknown"
};

/// Lowers every agent, fn and task initializer of an analysed program (no errors).
Module lower(SemaContext& sema, const SourceFile& file);

/// Prints the machines: for each agent its frame layout, then each state with its blocks.
void printStates(const Module& module, std::ostream& out);

}  // namespace ir
}  // namespace mx
