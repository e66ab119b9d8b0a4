// LlvmModule.cpp — state IR → LLVM IR.
//
// Every IR instruction becomes a call to its mx_rt_* function (runtime/include/mx/rt/Abi.h)
// on slot pointers: frame slots index the `frame` argument, temps an alloca zeroed at entry.
// A step function starts with a switch on the resume point; every exit releases the temps; a
// fallible call that returns nonzero jumps to the shared failure exit. Values are 16-byte
// MxValue structs: { i8 tag, [7 x i8], i64 payload }.
#include "LlvmModule.h"

#include <map>

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "mx/Assert.h"
#include "mx/compiler/AST.h"
#include "mx/rt/Abi.h"

namespace mx::codegen {
namespace {

using llvm::BasicBlock;
using llvm::FunctionType;
using llvm::IRBuilder;
using llvm::Type;
using llvm::Value;

class Translator {
 public:
  Translator(llvm::LLVMContext& c, const ir::Module& m) : ctx_(c), ir_(m) {}

  std::unique_ptr<llvm::Module> run(const std::string& descriptor) {
    mod_ = std::make_unique<llvm::Module>("mx_pipeline", ctx_);
    i8_ = Type::getInt8Ty(ctx_);
    i32_ = Type::getInt32Ty(ctx_);
    i64_ = Type::getInt64Ty(ctx_);
    f64_ = Type::getDoubleTy(ctx_);
    ptr_ = llvm::PointerType::get(ctx_, 0);
    value_ = llvm::StructType::create(ctx_, {i8_, llvm::ArrayType::get(i8_, 7), i64_}, "MxValue");

    // Declare every function first: fns call each other and agents call fns.
    for (const ir::Function& f : ir_.functions) functions_.push_back(declare(f));
    for (size_t i = 0; i < ir_.functions.size(); ++i) define(ir_.functions[i], functions_[i]);
    emitModuleAccessor(descriptor);
    return std::move(mod_);
  }

 private:
  // ------------------------------------------------------------------- declarations

  llvm::Function* declare(const ir::Function& f) {
    // agent: i32 (ctx, frame, resume); fn: i32 (ctx, out, args); init: i32 (ctx, frame, row)
    Type* third = f.kind == ir::Function::Agent ? static_cast<Type*>(i32_) : ptr_;
    auto* type = FunctionType::get(i32_, {ptr_, ptr_, third}, false);
    static const char* prefix[] = {"mx_step_", "mx_fn_", "mx_init_"};
    return llvm::Function::Create(type, llvm::Function::InternalLinkage,
                                  std::string(prefix[f.kind]) + f.name, mod_.get());
  }

  // --------------------------------------------------------------------- definitions

  void define(const ir::Function& f, llvm::Function* fn) {
    fn_ = fn;
    irf_ = &f;
    IRBuilder<> b(BasicBlock::Create(ctx_, "entry", fn));
    builder_ = &b;
    Value* ctxArg = fn->getArg(0);
    ctxV_ = ctxArg;
    frame_ = f.kind == ir::Function::Fn ? nullptr : fn->getArg(1);

    uint32_t temps = std::max<uint32_t>(f.tempCount, 1);
    temps_ = b.CreateAlloca(value_, b.getInt32(temps), "temps");
    b.CreateMemSet(temps_, b.getInt8(0), b.getInt64(16ull * temps), llvm::MaybeAlign(8));
    argBuf_ = b.CreateAlloca(value_, b.getInt32(std::max<uint32_t>(maxArgs(f), 1)), "args");

    blocks_.clear();
    for (size_t i = 0; i < f.blocks.size(); ++i)
      blocks_.push_back(BasicBlock::Create(ctx_, "bb" + std::to_string(i), fn));
    failExit_ = BasicBlock::Create(ctx_, "fail", fn);

    if (f.kind == ir::Function::Agent) {
      auto* bad = BasicBlock::Create(ctx_, "bad_resume", fn);
      auto* sw = b.CreateSwitch(fn->getArg(2), bad, static_cast<unsigned>(f.resumeBlocks.size()));
      for (size_t k = 0; k < f.resumeBlocks.size(); ++k)
        sw->addCase(b.getInt32(static_cast<uint32_t>(k)), blocks_[f.resumeBlocks[k]]);
      b.SetInsertPoint(bad);
      exit(MX_EFFECT_FAIL);
    } else {
      if (f.kind == ir::Function::Fn) {  // parameters arrive in the args array
        auto* entered = BasicBlock::Create(ctx_, "entered", fn);
        auto* tooDeep = BasicBlock::Create(ctx_, "too_deep", fn);
        Value* status = call("mx_rt_enter", {ctxArg, b.getInt32(0)});
        b.CreateCondBr(b.CreateICmpNE(status, b.getInt32(0)), tooDeep, entered);
        b.SetInsertPoint(tooDeep);
        call("mx_rt_clear_array", {temps_, b.getInt32(std::max<uint32_t>(f.tempCount, 1))});
        b.CreateRet(b.getInt32(1));  // not entered: no mx_rt_leave
        b.SetInsertPoint(entered);
        for (uint32_t k = 0; k < f.paramCount; ++k)
          call("mx_rt_copy", {slotAt(ir::Slot::temp(k)), b.CreateGEP(value_, fn->getArg(2), b.getInt32(k))});
      } else {  // the input row
        call("mx_rt_copy", {slotAt(ir::Slot::temp(0)), fn->getArg(2)});
      }
      b.CreateBr(blocks_[0]);
    }

    b.SetInsertPoint(failExit_);
    exit(f.kind == ir::Function::Agent ? MX_EFFECT_FAIL : 1);

    for (size_t i = 0; i < f.blocks.size(); ++i) {
      b.SetInsertPoint(blocks_[i]);
      for (const ir::Inst& inst : f.blocks[i].insts) emit(inst);
      if (!b.GetInsertBlock()->getTerminator()) exit(f.kind == ir::Function::Agent ? MX_EFFECT_DONE : 0);
    }
  }

  static uint32_t maxArgs(const ir::Function& f) {
    size_t n = 0;
    for (const auto& bl : f.blocks)
      for (const auto& i : bl.insts) n = std::max(n, i.args.size());
    return static_cast<uint32_t>(n);
  }

  /// Releases the temps (and, in a fn, the call depth) and returns `code`.
  void exit(int32_t code) {
    call("mx_rt_clear_array", {temps_, builder_->getInt32(std::max<uint32_t>(irf_->tempCount, 1))});
    if (irf_->kind == ir::Function::Fn) call("mx_rt_leave", {ctxV_});
    builder_->CreateRet(builder_->getInt32(code));
  }

  Value* slotAt(const ir::Slot& s) {
    MX_ASSERT(s.valid(), "an instruction reads a missing slot");
    Value* base = s.kind == ir::Slot::Frame ? frame_ : temps_;
    MX_ASSERT(base, "a fn has no frame");
    return builder_->CreateGEP(value_, base, builder_->getInt32(s.index));
  }

  /// Copies the argument slots bitwise into the contiguous args buffer (the callee only reads).
  Value* argArray(const std::vector<ir::Slot>& args) {
    for (size_t k = 0; k < args.size(); ++k)
      builder_->CreateMemCpy(builder_->CreateGEP(value_, argBuf_, builder_->getInt32(static_cast<uint32_t>(k))),
                             llvm::MaybeAlign(8), slotAt(args[k]), llvm::MaybeAlign(8), 16);
    return argBuf_;
  }

  Value* cstring(const std::string& s) {
    auto it = strings_.find(s);
    if (it != strings_.end()) return it->second;
    auto* g = builder_->CreateGlobalString(s, "str", 0, mod_.get());
    strings_[s] = g;
    return g;
  }

  Value* payload(const ir::Slot& s) {  // the i64 payload of an int slot
    return builder_->CreateLoad(i64_, builder_->CreateConstGEP2_32(value_, slotAt(s), 0, 2));
  }

  /// Signatures of the mx_rt_* functions (Abi.h), as result + parameter letters:
  /// v void, i i32, l i64, d double, p pointer.
  FunctionType* abiType(std::string_view name) {
    static const std::pair<const char*, const char*> kAbi[] = {
        {"mx_rt_clear", "vp"}, {"mx_rt_copy", "vpp"}, {"mx_rt_const_str", "vppl"},
        {"mx_rt_set_int", "vpl"}, {"mx_rt_set_float", "vpd"}, {"mx_rt_set_bool", "vpi"},
        {"mx_rt_clear_array", "vpi"}, {"mx_rt_convert", "ipipppp"}, {"mx_rt_binary", "ipiippp"},
        {"mx_rt_unary", "ipiipp"}, {"mx_rt_index_get", "ipippp"}, {"mx_rt_index_set", "ipippp"},
        {"mx_rt_field_get", "vppi"}, {"mx_rt_field_set", "vpip"}, {"mx_rt_json_member", "vppp"}, {"mx_rt_json_index", "vppp"},
        {"mx_rt_make_list", "vppi"}, {"mx_rt_make_map", "vpppi"}, {"mx_rt_make_record", "vppip"},
        {"mx_rt_append", "vpp"}, {"mx_rt_extend", "vpp"}, {"mx_rt_concat", "vppi"},
        {"mx_rt_iter_next", "iplpp"}, {"mx_rt_builtin", "ipiippi"}, {"mx_rt_goto", "vpi"},
        {"mx_rt_fail", "vpip"}, {"mx_rt_emit", "ipiip"}, {"mx_rt_await_call", "vpiiiipi"},
        {"mx_rt_await", "ipi"}, {"mx_rt_enter", "ipi"}, {"mx_rt_leave", "vp"}, {"mx_rt_await_result", "vpip"}, {"mx_rt_loop_bound", "ipilp"},
    };
    for (const auto& [n, sig] : kAbi) {
      if (name != n) continue;
      auto letter = [&](char c) -> Type* {
        switch (c) {
          case 'v': return Type::getVoidTy(ctx_);
          case 'i': return i32_;
          case 'l': return i64_;
          case 'd': return f64_;
          default: return ptr_;
        }
      };
      std::vector<Type*> params;
      for (const char* c = sig + 1; *c; ++c) params.push_back(letter(*c));
      return FunctionType::get(letter(sig[0]), params, false);
    }
    MX_ASSERT(false, "codegen calls an mx_rt_* function missing from its ABI table");
    return nullptr;
  }

  llvm::CallInst* call(const char* name, std::vector<Value*> args) {
    FunctionType* type = abiType(name);
    MX_ASSERT(type->getNumParams() == args.size(), "wrong argument count for an mx_rt_* call");
    return builder_->CreateCall(mod_->getOrInsertFunction(name, type), args);
  }

  /// Branches to the failure exit when a fallible call returned nonzero.
  void check(Value* status) {
    auto* ok = BasicBlock::Create(ctx_, "ok", fn_);
    builder_->CreateCondBr(builder_->CreateICmpNE(status, builder_->getInt32(0)), failExit_, ok);
    builder_->SetInsertPoint(ok);
  }

  Value* loc(const ir::Inst& i) { return builder_->getInt32(i.loc); }
  Value* u32(int64_t v) { return builder_->getInt32(static_cast<uint32_t>(v)); }

  void emit(const ir::Inst& i) {
    IRBuilder<>& b = *builder_;
    using ir::Op;
    switch (i.op) {
      case Op::ConstInt: call("mx_rt_set_int", {slotAt(i.dst), b.getInt64(i.imm)}); return;
      case Op::ConstFloat: call("mx_rt_set_float", {slotAt(i.dst), llvm::ConstantFP::get(f64_, i.fimm)}); return;
      case Op::ConstBool: call("mx_rt_set_bool", {slotAt(i.dst), b.getInt32(i.imm ? 1 : 0)}); return;
      case Op::ConstNone: call("mx_rt_clear", {slotAt(i.dst)}); return;
      case Op::ConstStr:
        call("mx_rt_const_str", {slotAt(i.dst), cstring(i.str), b.getInt64(i.str.size())});
        return;
      case Op::Copy: call("mx_rt_copy", {slotAt(i.dst), slotAt(i.a)}); return;
      case Op::Clear: call("mx_rt_clear", {slotAt(i.dst)}); return;
      case Op::Binary:
        check(call("mx_rt_binary", {ctxV_, loc(i), u32(i.imm), slotAt(i.dst), slotAt(i.a), slotAt(i.b)}));
        return;
      case Op::Unary: check(call("mx_rt_unary", {ctxV_, loc(i), u32(i.imm), slotAt(i.dst), slotAt(i.a)})); return;
      case Op::Builtin:
        check(call("mx_rt_builtin", {ctxV_, loc(i), u32(i.imm), slotAt(i.dst), argArray(i.args), u32(i.args.size())}));
        return;
      case Op::CallFn: {
        llvm::Function* callee = functions_[fnOffset() + static_cast<size_t>(i.imm)];
        Value* args = argArray(i.args);
        check(b.CreateCall(callee, {ctxV_, slotAt(i.dst), args}));
        return;
      }
      case Op::FieldGet: call("mx_rt_field_get", {slotAt(i.dst), slotAt(i.a), u32(i.imm)}); return;
      case Op::FieldSet: call("mx_rt_field_set", {slotAt(i.dst), u32(i.imm), slotAt(i.a)}); return;
      case Op::IndexGet: check(call("mx_rt_index_get", {ctxV_, loc(i), slotAt(i.dst), slotAt(i.a), slotAt(i.b)})); return;
      case Op::IndexSet: check(call("mx_rt_index_set", {ctxV_, loc(i), slotAt(i.dst), slotAt(i.a), slotAt(i.b)})); return;
      case Op::JsonMember: call("mx_rt_json_member", {slotAt(i.dst), slotAt(i.a), cstring(i.str)}); return;
      case Op::JsonIndex: call("mx_rt_json_index", {slotAt(i.dst), slotAt(i.a), slotAt(i.b)}); return;
      case Op::MakeList: call("mx_rt_make_list", {slotAt(i.dst), argArray(i.args), u32(i.args.size())}); return;
      case Op::MakeMap: {
        auto* arrTy = llvm::ArrayType::get(ptr_, std::max<size_t>(i.keys.size(), 1));
        std::vector<llvm::Constant*> keys;
        for (const auto& k : i.keys) keys.push_back(llvm::cast<llvm::Constant>(cstring(k)));
        if (keys.empty()) keys.push_back(llvm::ConstantPointerNull::get(ptr_));
        auto* table = new llvm::GlobalVariable(*mod_, arrTy, true, llvm::GlobalValue::PrivateLinkage,
                                               llvm::ConstantArray::get(arrTy, keys), "keys");
        call("mx_rt_make_map", {slotAt(i.dst), table, argArray(i.args), u32(i.args.size())});
        return;
      }
      case Op::MakeRecord: call("mx_rt_make_record", {ctxV_, slotAt(i.dst), u32(i.imm), argArray(i.args)}); return;
      case Op::Append: call("mx_rt_append", {slotAt(i.dst), slotAt(i.a)}); return;
      case Op::Extend: call("mx_rt_extend", {slotAt(i.dst), slotAt(i.a)}); return;
      case Op::Concat: call("mx_rt_concat", {slotAt(i.dst), argArray(i.args), u32(i.args.size())}); return;
      case Op::IterNext: {
        Value* more = call("mx_rt_iter_next", {slotAt(i.a), payload(i.b), slotAt(i.args[0]), slotAt(i.args[1])});
        call("mx_rt_set_bool", {slotAt(i.dst), more});
        return;
      }
      case Op::LoopBound: check(call("mx_rt_loop_bound", {ctxV_, loc(i), payload(i.a), slotAt(i.b)})); return;
      case Op::Convert:
        check(call("mx_rt_convert", {ctxV_, loc(i), slotAt(i.dst), slotAt(i.a), cstring(i.str), cstring(i.keys.at(0))}));
        return;
      case Op::Emit: check(call("mx_rt_emit", {ctxV_, loc(i), u32(i.imm), slotAt(i.a)})); return;
      case Op::AwaitCall:
        call("mx_rt_await_call", {ctxV_, loc(i), u32(i.imm), u32(i.imm2), u32(i.imm3), argArray(i.args),
                                  u32(i.args.size())});
        return;
      case Op::AwaitResult: call("mx_rt_await_result", {ctxV_, u32(i.imm), slotAt(i.dst)}); return;
      case Op::Jump: b.CreateBr(blocks_[i.target]); return;
      case Op::Branch: {
        // Booleans keep their value in the payload's low byte.
        Value* byte = b.CreateLoad(i8_, b.CreateConstGEP2_32(value_, slotAt(i.a), 0, 2));
        b.CreateCondBr(b.CreateICmpNE(byte, b.getInt8(0)), blocks_[i.target], blocks_[i.target2]);
        return;
      }
      case Op::Goto:
        call("mx_rt_goto", {ctxV_, u32(i.imm)});
        exit(MX_EFFECT_GOTO);
        return;
      case Op::Done: exit(irf_->kind == ir::Function::Agent ? MX_EFFECT_DONE : 0); return;
      case Op::Fail:
        call("mx_rt_fail", {ctxV_, loc(i), slotAt(i.a)});
        exit(MX_EFFECT_FAIL);
        return;
      case Op::Await: {
        Value* code = call("mx_rt_await", {ctxV_, b.getInt32(static_cast<int32_t>(i.imm))});
        call("mx_rt_clear_array", {temps_, b.getInt32(std::max<uint32_t>(irf_->tempCount, 1))});
        b.CreateRet(code);
        return;
      }
      case Op::Return:
        if (i.a.valid()) call("mx_rt_copy", {fn_->getArg(1), slotAt(i.a)});
        else call("mx_rt_clear", {fn_->getArg(1)});
        exit(0);
        return;
    }
  }

  size_t fnOffset() const {
    size_t n = 0;
    for (const auto& f : ir_.functions)
      if (f.kind == ir::Function::Agent) ++n;
    return n;
  }

  /// `const MxModule* mx_module(void)`: the descriptor, the step table and the init table.
  void emitModuleAccessor(const std::string& descriptor) {
    std::vector<llvm::Constant*> steps, inits;
    for (size_t i = 0; i < ir_.functions.size(); ++i) {
      if (ir_.functions[i].kind == ir::Function::Agent) steps.push_back(functions_[i]);
      if (ir_.functions[i].kind == ir::Function::TaskInit) inits.push_back(functions_[i]);
    }
    auto table = [&](std::vector<llvm::Constant*>& fns, const char* name) -> llvm::Constant* {
      if (fns.empty()) return llvm::ConstantPointerNull::get(ptr_);
      auto* ty = llvm::ArrayType::get(ptr_, fns.size());
      return new llvm::GlobalVariable(*mod_, ty, true, llvm::GlobalValue::PrivateLinkage,
                                      llvm::ConstantArray::get(ty, fns), name);
    };
    IRBuilder<> b(ctx_);
    auto* desc = new llvm::GlobalVariable(*mod_, llvm::ArrayType::get(i8_, descriptor.size() + 1), true,
                                          llvm::GlobalValue::PrivateLinkage,
                                          llvm::ConstantDataArray::getString(ctx_, descriptor), "descriptor");
    auto* version = new llvm::GlobalVariable(*mod_, llvm::ArrayType::get(i8_, 6), true,
                                             llvm::GlobalValue::PrivateLinkage,
                                             llvm::ConstantDataArray::getString(ctx_, "0.1.0"), "version");
    auto* moduleTy = llvm::StructType::create(ctx_, {i32_, ptr_, ptr_, i32_, ptr_, i32_, ptr_}, "MxModule");
    auto* info = new llvm::GlobalVariable(
        *mod_, moduleTy, true, llvm::GlobalValue::PrivateLinkage,
        llvm::ConstantStruct::get(moduleTy, {b.getInt32(MX_ABI_VERSION), version, desc,
                                             b.getInt32(static_cast<uint32_t>(steps.size())), table(steps, "steps"),
                                             b.getInt32(static_cast<uint32_t>(inits.size())), table(inits, "inits")}),
        "mx_module_info");
    auto* accessor = llvm::Function::Create(FunctionType::get(ptr_, {}, false), llvm::Function::ExternalLinkage,
                                            "mx_module", mod_.get());
    b.SetInsertPoint(BasicBlock::Create(ctx_, "entry", accessor));
    b.CreateRet(info);
  }

  llvm::LLVMContext& ctx_;
  const ir::Module& ir_;
  std::unique_ptr<llvm::Module> mod_;
  Type *i8_ = nullptr, *i32_ = nullptr, *i64_ = nullptr, *f64_ = nullptr;
  llvm::PointerType* ptr_ = nullptr;
  llvm::StructType* value_ = nullptr;
  std::vector<llvm::Function*> functions_;
  std::map<std::string, Value*> strings_;

  // per function
  llvm::Function* fn_ = nullptr;
  const ir::Function* irf_ = nullptr;
  IRBuilder<>* builder_ = nullptr;
  Value *ctxV_ = nullptr, *frame_ = nullptr, *temps_ = nullptr, *argBuf_ = nullptr;
  std::vector<BasicBlock*> blocks_;
  BasicBlock* failExit_ = nullptr;
};

}  // namespace

std::unique_ptr<llvm::Module> buildLlvmModule(llvm::LLVMContext& context, const ir::Module& module,
                                              const std::string& descriptor) {
  auto m = Translator(context, module).run(descriptor);
  std::string err;
  llvm::raw_string_ostream os(err);
  MX_ASSERT(!llvm::verifyModule(*m, &os), ("generated LLVM IR is invalid: " + err).c_str());
  return m;
}

void optimizeModule(llvm::Module& module, llvm::TargetMachine* machine) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(machine);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  mpm.run(module, mam);
}

std::unique_ptr<llvm::TargetMachine> hostTargetMachine(std::string& error, bool hostCpu) {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    return true;
  }();
  (void)initialized;
  std::string triple = llvm::sys::getProcessTriple();
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) return nullptr;
  llvm::TargetOptions options;
  return std::unique_ptr<llvm::TargetMachine>(
      target->createTargetMachine(triple, hostCpu ? llvm::sys::getHostCPUName() : llvm::StringRef("generic"), "",
                                  options, llvm::Reloc::PIC_));
}

}  // namespace mx::codegen
