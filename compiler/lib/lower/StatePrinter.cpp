// StatePrinter.cpp — `mxc --emit=states`: the state machines as text.
#include <ostream>

#include "mx/compiler/Printers.h"
#include "mx/compiler/StateIR.h"

namespace mx::ir {
namespace {

std::string slot(const Slot& s) {
  if (s.kind == Slot::Frame) return "%f" + std::to_string(s.index);
  if (s.kind == Slot::Temp) return "%t" + std::to_string(s.index);
  return "_";
}

std::string quoted(const std::string& s) { return quoteForDump(s); }

std::string list(const std::vector<Slot>& slots) {
  std::string s;
  for (size_t i = 0; i < slots.size(); ++i) s += (i ? ", " : "") + slot(slots[i]);
  return s;
}

const char* opName(Op op) {
  switch (op) {
    case Op::ConstInt: return "const";
    case Op::ConstFloat: return "const";
    case Op::ConstBool: return "const";
    case Op::ConstNone: return "const";
    case Op::ConstStr: return "const";
    case Op::Copy: return "copy";
    case Op::Clear: return "clear";
    case Op::Binary: return "binary";
    case Op::Unary: return "unary";
    case Op::Builtin: return "builtin";
    case Op::CallFn: return "call";
    case Op::FieldGet: return "field.get";
    case Op::FieldSet: return "field.set";
    case Op::IndexGet: return "index.get";
    case Op::IndexSet: return "index.set";
    case Op::JsonMember: return "json.member";
    case Op::JsonIndex: return "json.index";
    case Op::MakeList: return "list";
    case Op::MakeMap: return "map";
    case Op::MakeRecord: return "record";
    case Op::Append: return "append";
    case Op::Extend: return "extend";
    case Op::Concat: return "concat";
    case Op::IterNext: return "iter.next";
    case Op::LoopBound: return "loop.bound";
    case Op::Convert: return "convert";
    case Op::Emit: return "emit";
    case Op::AwaitCall: return "await.call";
    case Op::AwaitResult: return "await.result";
    case Op::Jump: return "jump";
    case Op::Branch: return "branch";
    case Op::Goto: return "goto";
    case Op::Done: return "done";
    case Op::Fail: return "fail";
    case Op::Await: return "await";
    case Op::Return: return "return";
  }
  return "?";
}

void inst(const Inst& i, const Module& m, std::ostream& out) {
  out << "    ";
  if (i.dst.valid() && i.op != Op::FieldSet && i.op != Op::IndexSet && i.op != Op::Append && i.op != Op::Extend)
    out << slot(i.dst) << " = ";
  out << opName(i.op);
  switch (i.op) {
    case Op::ConstInt: out << ' ' << i.imm; break;
    case Op::ConstFloat: out << ' ' << i.fimm; break;
    case Op::ConstBool: out << (i.imm ? " true" : " false"); break;
    case Op::ConstNone: out << " none"; break;
    case Op::ConstStr: out << ' ' << quoted(i.str); break;
    case Op::Copy: case Op::Clear: out << ' ' << slot(i.a); break;
    case Op::Binary: out << ' ' << binaryOpSpelling(static_cast<BinaryOp>(i.imm)) << ' ' << slot(i.a) << ", " << slot(i.b); break;
    case Op::Unary: out << (i.imm == static_cast<int>(UnaryOp::Not) ? " not " : " - ") << slot(i.a); break;
    case Op::Builtin: case Op::CallFn: out << ' ' << i.str << '(' << list(i.args) << ')'; break;
    case Op::FieldGet: out << ' ' << slot(i.a) << '.' << i.imm; break;
    case Op::FieldSet: out << ' ' << slot(i.dst) << '.' << i.imm << ", " << slot(i.a); break;
    case Op::IndexGet: out << ' ' << slot(i.a) << '[' << slot(i.b) << ']'; break;
    case Op::IndexSet: out << ' ' << slot(i.dst) << '[' << slot(i.a) << "], " << slot(i.b); break;
    case Op::JsonMember: out << ' ' << slot(i.a) << '.' << i.str; break;
    case Op::JsonIndex: out << ' ' << slot(i.a) << '[' << slot(i.b) << ']'; break;
    case Op::MakeList: case Op::Concat: out << " [" << list(i.args) << ']'; break;
    case Op::MakeMap: {
      out << " {";
      for (size_t k = 0; k < i.args.size(); ++k) out << (k ? ", " : "") << quoted(i.keys[k]) << ": " << slot(i.args[k]);
      out << '}';
      break;
    }
    case Op::MakeRecord: {
      out << " {";
      const auto& names = m.shapes.at(static_cast<size_t>(i.imm));
      for (size_t k = 0; k < i.args.size(); ++k) out << (k ? ", " : "") << names[k] << ": " << slot(i.args[k]);
      out << '}';
      break;
    }
    case Op::Append: case Op::Extend: out << ' ' << slot(i.dst) << ", " << slot(i.a); break;
    case Op::IterNext: out << ' ' << slot(i.a) << '[' << slot(i.b) << "] -> " << list(i.args); break;
    case Op::LoopBound: out << ' ' << slot(i.a) << " max " << slot(i.b); break;
    case Op::Convert: out << ' ' << slot(i.a) << " to " << i.str << " for " << i.keys.at(0); break;
    case Op::Emit: out << ' ' << i.str << ' ' << slot(i.a); break;
    case Op::AwaitCall: out << " #" << i.imm3 << ' ' << i.str << '(' << list(i.args) << ')'; break;
    case Op::AwaitResult: out << " #" << i.imm; break;
    case Op::Jump: out << " bb" << i.target; break;
    case Op::Branch: out << ' ' << slot(i.a) << ", bb" << i.target << ", bb" << i.target2; break;
    case Op::Goto: out << ' ' << i.str; break;
    case Op::Fail: case Op::Return: if (i.a.valid()) out << ' ' << slot(i.a); break;
    case Op::Await: out << " -> state " << i.imm; break;
    case Op::Done: break;
  }
  if (i.loc && i.loc < m.locations.size())
    out << "  @" << m.locations[i.loc].line << ':' << m.locations[i.loc].col;
  out << '\n';
}

}  // namespace

void printStates(const Module& module, std::ostream& out) {
  for (const Function& f : module.functions) {
    static const char* kinds[] = {"agent", "fn", "init"};
    out << kinds[f.kind] << ' ' << f.name << ": " << f.fieldCount << " fields, " << f.spillCount
        << " spilled, " << f.tempCount << " temps, " << f.resumeBlocks.size() << " state"
        << (f.resumeBlocks.size() == 1 ? "" : "s") << '\n';
    for (size_t k = 0; k < f.spillNames.size(); ++k)
      out << "  spill " << slot(Slot::frame(f.fieldCount + static_cast<uint32_t>(k))) << " = " << f.spillNames[k] << '\n';
    for (size_t b = 0; b < f.blocks.size(); ++b) {
      for (size_t s = 0; s < f.resumeBlocks.size(); ++s)
        if (f.resumeBlocks[s] == b) out << "  state " << s << ":\n";
      out << "  bb" << b << ":\n";
      for (const Inst& i : f.blocks[b].insts) inst(i, module, out);
    }
  }
}

}  // namespace mx::ir
