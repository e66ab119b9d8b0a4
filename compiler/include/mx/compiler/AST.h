// AST.h — the abstract syntax tree of a .mx program, with a source range on every node.
//
// Nodes are plain structs owned through unique_ptr by their parent; a `kind` tag and the
// `as<T>()` helper replace RTTI for dispatch (passes switch on kind). Sema annotates nodes in
// place: `type` on expressions, `symbol` on names, `local` on let-bound variables. The parse
// tree → AST builder is in lib/parse/AstBuilder.cpp; the printer in lib/AstPrinter.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mx/compiler/Source.h"

namespace mx {

class Type;
struct Decl;
struct LocalVar;

template <class T, class N>
T* as(N* node) { return node && node->kind == T::Kind ? static_cast<T*>(node) : nullptr; }
template <class T, class N>
const T* as(const N* node) { return node && node->kind == T::Kind ? static_cast<const T*>(node) : nullptr; }

// ------------------------------------------------------------------------------------ types

/// A type as written: `list<message>`, `string?`. Resolved to a Type by sema.
struct TypeRef {
  SourceRange range;
  std::string name;
  std::vector<TypeRef> args;
  bool optional = false;
};

// ------------------------------------------------------------------------------ expressions

enum class ExprKind {
  Int, Float, Bool, None, String, Name, Member, Index, Call, Await, Unary, Binary, Conditional,
  List, Record, Error
};

struct Expr {
  explicit Expr(ExprKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Expr() = default;
  ExprKind kind;
  SourceRange range;
  const Type* type = nullptr;  // set by the type checker
};
using ExprPtr = std::unique_ptr<Expr>;

struct IntExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Int;
  IntExpr(SourceRange r, int64_t v) : Expr(Kind, r), value(v) {}
  int64_t value;
};

struct FloatExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Float;
  FloatExpr(SourceRange r, double v) : Expr(Kind, r), value(v) {}
  double value;
};

struct BoolExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Bool;
  BoolExpr(SourceRange r, bool v) : Expr(Kind, r), value(v) {}
  bool value;
};

struct NoneExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::None;
  explicit NoneExpr(SourceRange r) : Expr(Kind, r) {}
};

/// A string literal: literal text pieces and interpolated `${expr}` pieces, in order.
struct StringExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::String;
  explicit StringExpr(SourceRange r) : Expr(Kind, r) {}
  struct Part {
    std::string text;  // used when expr is null (escapes already decoded)
    ExprPtr expr;
  };
  std::vector<Part> parts;
};

/// What a name refers to, filled in by name resolution.
enum class SymbolKind { Unresolved, Local, TaskParam, Row, Fn, Model, Tools, Sink, Source, Builtin };

struct NameExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Name;
  NameExpr(SourceRange r, std::string n) : Expr(Kind, r), name(std::move(n)) {}
  std::string name;
  SymbolKind symbol = SymbolKind::Unresolved;
  Decl* decl = nullptr;       // Fn, Model, Tools, Sink, Source
  LocalVar* local = nullptr;  // Local and TaskParam
};

struct MemberExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Member;
  MemberExpr(SourceRange r, ExprPtr b, std::string m, SourceRange mr)
      : Expr(Kind, r), base(std::move(b)), member(std::move(m)), memberRange(mr) {}
  ExprPtr base;
  std::string member;
  SourceRange memberRange;
};

struct IndexExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Index;
  IndexExpr(SourceRange r, ExprPtr b, ExprPtr i) : Expr(Kind, r), base(std::move(b)), index(std::move(i)) {}
  ExprPtr base;
  ExprPtr index;
};

struct Arg {
  std::string name;  // empty for a positional argument
  SourceRange nameRange;
  ExprPtr value;
};

struct BuiltinSig;

/// What a call invokes, filled in by the type checker.
enum class CallTarget { Unresolved, Builtin, Fn, ModelMethod, ToolsMethod };

struct CallExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Call;
  CallExpr(SourceRange r, ExprPtr c) : Expr(Kind, r), callee(std::move(c)) {}
  ExprPtr callee;
  std::vector<Arg> args;
  CallTarget target = CallTarget::Unresolved;
  const BuiltinSig* builtin = nullptr;  // Builtin, ModelMethod, ToolsMethod
  bool isAsync = false;                 // a model or tool call that must be awaited
};

struct AwaitExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Await;
  AwaitExpr(SourceRange r, ExprPtr o) : Expr(Kind, r), operand(std::move(o)) {}
  ExprPtr operand;  // an async call, or the builtin all(...) of async calls
};

enum class UnaryOp { Neg, Not };

struct UnaryExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Unary;
  UnaryExpr(SourceRange r, UnaryOp o, ExprPtr e) : Expr(Kind, r), op(o), operand(std::move(e)) {}
  UnaryOp op;
  ExprPtr operand;
};

enum class BinaryOp { Mul, Div, Mod, Add, Sub, Coalesce, Eq, Ne, Lt, Le, Gt, Ge, In, And, Or };
const char* binaryOpSpelling(BinaryOp op);

struct BinaryExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Binary;
  BinaryExpr(SourceRange r, BinaryOp o, ExprPtr l, ExprPtr rr, SourceRange opr)
      : Expr(Kind, r), op(o), lhs(std::move(l)), rhs(std::move(rr)), opRange(opr) {}
  BinaryOp op;
  ExprPtr lhs, rhs;
  SourceRange opRange;
};

struct ConditionalExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Conditional;
  ConditionalExpr(SourceRange r, ExprPtr c, ExprPtr t, ExprPtr e)
      : Expr(Kind, r), cond(std::move(c)), thenExpr(std::move(t)), elseExpr(std::move(e)) {}
  ExprPtr cond, thenExpr, elseExpr;
};

struct ListExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::List;
  explicit ListExpr(SourceRange r) : Expr(Kind, r) {}
  std::vector<ExprPtr> elements;
};

/// `{ name: e, ... }` (a record) or `{ "key": e, ... }` (a map); `{}` is an empty map.
struct RecordExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Record;
  explicit RecordExpr(SourceRange r) : Expr(Kind, r) {}
  struct Entry {
    std::string key;
    SourceRange keyRange;
    bool quotedKey = false;
    ExprPtr value;
  };
  std::vector<Entry> entries;
  bool isMap() const { return entries.empty() || entries.front().quotedKey; }
};

/// Stands where the builder could not build an expression (already diagnosed).
struct ErrorExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Error;
  explicit ErrorExpr(SourceRange r) : Expr(Kind, r) {}
};

// ------------------------------------------------------------------------------- statements

enum class StmtKind {
  Block, Let, LetTuple, Assign, If, For, While, Break, Continue, Goto, Done, Fail, Emit, Return,
  ExprStmt
};

struct Stmt {
  explicit Stmt(StmtKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Stmt() = default;
  StmtKind kind;
  SourceRange range;
};
using StmtPtr = std::unique_ptr<Stmt>;

struct BlockStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Block;
  explicit BlockStmt(SourceRange r) : Stmt(Kind, r) {}
  std::vector<StmtPtr> stmts;
};

/// A variable introduced by let, for, a tuple let or a parameter. Owned by its agent or fn.
struct LocalVar {
  std::string name;
  SourceRange range;
  const Type* type = nullptr;
  bool livesAcrossAwait = false;  // set by lowering (issue 3): stored in the task frame
};

struct LetStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Let;
  LetStmt(SourceRange r) : Stmt(Kind, r) {}
  std::string name;
  SourceRange nameRange;
  std::unique_ptr<TypeRef> declaredType;
  ExprPtr init;
  LocalVar* local = nullptr;
};

struct LetTupleStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::LetTuple;
  LetTupleStmt(SourceRange r) : Stmt(Kind, r) {}
  std::vector<std::string> names;
  std::vector<SourceRange> nameRanges;
  ExprPtr init;
  std::vector<LocalVar*> locals;
};

enum class AssignOp { Set, Add, Sub, Mul, Div };

struct AssignStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Assign;
  AssignStmt(SourceRange r) : Stmt(Kind, r) {}
  AssignOp op = AssignOp::Set;
  ExprPtr target;
  ExprPtr value;
};

struct IfStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::If;
  IfStmt(SourceRange r) : Stmt(Kind, r) {}
  ExprPtr cond;
  std::unique_ptr<BlockStmt> thenBlock;
  StmtPtr elseStmt;  // a BlockStmt, an IfStmt (else if) or null
};

struct ForStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::For;
  ForStmt(SourceRange r) : Stmt(Kind, r) {}
  std::string var;  // the element, or the key when var2 is set
  SourceRange varRange;
  std::string var2;  // the value, for `for k, v in map`
  SourceRange var2Range;
  ExprPtr iterable;
  std::unique_ptr<BlockStmt> body;
  LocalVar* local = nullptr;
  LocalVar* local2 = nullptr;
};

struct WhileStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::While;
  WhileStmt(SourceRange r) : Stmt(Kind, r) {}
  ExprPtr cond;
  ExprPtr bound;  // `max N`; null when missing (an error)
  std::unique_ptr<BlockStmt> body;
};

struct BreakStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Break;
  explicit BreakStmt(SourceRange r) : Stmt(Kind, r) {}
};

struct ContinueStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Continue;
  explicit ContinueStmt(SourceRange r) : Stmt(Kind, r) {}
};

struct GotoStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Goto;
  GotoStmt(SourceRange r) : Stmt(Kind, r) {}
  std::string target;
  SourceRange targetRange;
  Decl* agent = nullptr;  // resolved target
};

struct DoneStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Done;
  explicit DoneStmt(SourceRange r) : Stmt(Kind, r) {}
};

struct FailStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Fail;
  FailStmt(SourceRange r) : Stmt(Kind, r) {}
  ExprPtr reason;
};

struct EmitStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Emit;
  EmitStmt(SourceRange r) : Stmt(Kind, r) {}
  std::string sink;
  SourceRange sinkRange;
  std::unique_ptr<RecordExpr> record;
  Decl* sinkDecl = nullptr;
};

struct ReturnStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Return;
  ReturnStmt(SourceRange r) : Stmt(Kind, r) {}
  ExprPtr value;  // may be null
};

struct ExprStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::ExprStmt;
  ExprStmt(SourceRange r) : Stmt(Kind, r) {}
  ExprPtr expr;
};

// ----------------------------------------------------------------------------- declarations

enum class DeclKind { Model, Source, Sink, Tools, Task, Agent, Fn, Pipeline };
const char* declKindName(DeclKind kind);
/// "a model", "an agent": for messages.
std::string withArticle(const std::string& noun);

struct Decl {
  Decl(DeclKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Decl() = default;
  DeclKind kind;
  SourceRange range;
  std::string name;
  SourceRange nameRange;
};
using DeclPtr = std::unique_ptr<Decl>;

/// `key: value` in an option block, or a bare `key` (value null), as in a tools list.
struct Option {
  std::string key;
  SourceRange keyRange;
  ExprPtr value;
};

/// model / source / sink / tools: `KIND NAME = CTOR(args) { options }`.
struct ResourceDecl : Decl {
  ResourceDecl(DeclKind k, SourceRange r) : Decl(k, r) {}
  std::string ctor;
  SourceRange ctorRange;
  std::vector<Arg> args;
  std::vector<Option> options;
  bool hasOptionBlock = false;
};

struct FieldDecl {
  std::string name;
  SourceRange nameRange;
  TypeRef typeRef;
  ExprPtr init;  // may be null: the zero value of the type
  const Type* type = nullptr;
};

struct TaskDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Task;
  explicit TaskDecl(SourceRange r) : Decl(Kind, r) {}
  std::string source;  // may be empty
  SourceRange sourceRange;
  std::vector<FieldDecl> fields;
  Decl* sourceDecl = nullptr;
  const Type* type = nullptr;
  const FieldDecl* field(const std::string& n) const;
};

struct Param {
  std::string name;
  SourceRange nameRange;
  TypeRef typeRef;
};

/// Shared by agents and fns: a body with parameters and the locals it declares.
struct CallableDecl : Decl {
  CallableDecl(DeclKind k, SourceRange r) : Decl(k, r) {}
  std::vector<Param> params;
  std::unique_ptr<BlockStmt> body;
  std::vector<std::unique_ptr<LocalVar>> locals;  // params first, then every let/for variable
  SourceRange closingBrace;
};

struct AgentDecl : CallableDecl {
  static constexpr DeclKind Kind = DeclKind::Agent;
  explicit AgentDecl(SourceRange r) : CallableDecl(Kind, r) {}
  TaskDecl* task = nullptr;  // the parameter's task type
};

struct FnDecl : CallableDecl {
  static constexpr DeclKind Kind = DeclKind::Fn;
  explicit FnDecl(SourceRange r) : CallableDecl(Kind, r) {}
  std::unique_ptr<TypeRef> returnTypeRef;  // null: returns nothing
  const Type* returnType = nullptr;
  std::vector<const Type*> paramTypes;  // resolved by the declaration pass
};

struct PipelineDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Pipeline;
  explicit PipelineDecl(SourceRange r) : Decl(Kind, r) {}
  std::vector<Option> options;
  AgentDecl* start = nullptr;  // resolved `start:`
};

struct Program {
  std::vector<DeclPtr> decls;
};

}  // namespace mx
