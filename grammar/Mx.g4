// Mx.g4 — the parser grammar of the .mx pipeline language (docs/language.md is the spec).
//
// Newlines are not significant; ';' may end a statement and is otherwise optional.
// Tokens are in MxLexer.g4 (lexer modes need a lexer grammar of their own).
// Generated C++ goes to the build folder only (grammar/CMakeLists.txt).
parser grammar Mx;

options { tokenVocab = MxLexer; }

// ---------------------------------------------------------------- declarations

program : decl* EOF ;

decl
  : resourceDecl
  | taskDecl
  | agentDecl
  | fnDecl
  | pipelineDecl
  ;

// model solver = local("models/tiny-arith") { temperature: 0.9 }
// source rows = jsonl("data/in.jsonl")
// sink out = jsonl("out.jsonl")
// tools shop = sqlite("data/shop.sql", per_task: true) { find_user, get_order }
resourceDecl
  : kind=(MODEL | SOURCE | SINK | TOOLS) name=IDENT ASSIGN ctor=IDENT LPAREN argList? RPAREN optionBlock?
  ;

optionBlock : LBRACE (option (COMMA option)* COMMA?)? RBRACE ;
option : IDENT (COLON expr)? ;

// task Debate from questions { id: string = row.id  round: int = 0 }
taskDecl : TASK name=IDENT (FROM source=IDENT)? LBRACE fieldDecl* RBRACE ;
fieldDecl : IDENT COLON type (ASSIGN expr)? (COMMA | SEMI)? ;

// agent propose(t: Debate) { ... }
agentDecl : AGENT name=IDENT LPAREN param RPAREN block ;

// fn clamp(x: int, lo: int, hi: int) -> int { ... }
fnDecl : FN name=IDENT LPAREN (param (COMMA param)*)? RPAREN (ARROW type)? block ;
param : IDENT COLON type ;

// pipeline debate { start: propose, max_in_flight: 4096 }
pipelineDecl : PIPELINE name=IDENT optionBlock ;

// ---------------------------------------------------------------- types

// int, list<message>, map<string, int>, string?
type : IDENT (LT type (COMMA type)* GT)? QUESTION? ;

// ---------------------------------------------------------------- statements

block : LBRACE stmt* RBRACE ;

stmt
  : LET IDENT (COLON type)? ASSIGN expr SEMI?                           # letStmt
  | LET LPAREN IDENT (COMMA IDENT)+ RPAREN ASSIGN expr SEMI?            # letTupleStmt
  | ifStmt                                                              # ifStmtAlt
  | FOR IDENT (COMMA IDENT)? IN expr block                              # forStmt
  | WHILE cond=expr (bound=IDENT limit=expr)? block                     # whileStmt
  | BREAK SEMI?                                                         # breakStmt
  | CONTINUE SEMI?                                                      # continueStmt
  | GOTO IDENT SEMI?                                                    # gotoStmt
  | DONE SEMI?                                                          # doneStmt
  | FAIL expr SEMI?                                                     # failStmt
  | EMIT IDENT recordLit SEMI?                                          # emitStmt
  | RETURN expr? SEMI?                                                  # returnStmt
  // An expression statement or an assignment: one alternative, so that choosing a statement
  // never needs lookahead across a whole expression (which made bad input parse in cubic time).
  | target=expr (op=(ASSIGN | PLUS_ASSIGN | MINUS_ASSIGN | STAR_ASSIGN | SLASH_ASSIGN) value=expr)? SEMI?  # exprStmt
  | SEMI                                                                # emptyStmt
  ;

ifStmt : IF expr block (ELSE (ifStmt | block))? ;

// ---------------------------------------------------------------- expressions

// Precedence from tightest to loosest, as the alternatives are ordered.
expr
  : primary                                                # primaryExpr
  | expr DOT IDENT                                         # memberExpr
  | expr LBRACK expr RBRACK                                # indexExpr
  | expr LPAREN argList? RPAREN                            # callExpr
  | AWAIT expr                                             # awaitExpr
  | op=(MINUS | NOT) expr                                  # unaryExpr
  | expr op=(STAR | SLASH | PERCENT) expr                  # binaryExpr
  | expr op=(PLUS | MINUS) expr                            # binaryExpr
  | <assoc=right> expr op=COALESCE expr                    # binaryExpr
  | expr op=(EQ | NE | LT | LE | GT | GE | IN) expr        # binaryExpr
  | expr op=AND expr                                       # binaryExpr
  | expr op=OR expr                                        # binaryExpr
  | <assoc=right> expr QUESTION expr COLON expr            # conditionalExpr
  ;

argList : arg (COMMA arg)* COMMA? ;
// Some keywords are also argument names: chat(m, tools: shop), openai(url, model: "name").
arg : (name=(IDENT | TOOLS | MODEL | SOURCE | SINK | TASK) COLON)? expr ;

primary
  : INT                                                    # intLit
  | FLOAT                                                  # floatLit
  | BAD_NUMBER                                             # badNumberLit
  | (TRUE | FALSE)                                         # boolLit
  | NONE                                                   # noneLit
  | stringLit                                              # stringLitAlt
  | IDENT                                                  # nameRef
  | LPAREN expr RPAREN                                     # parenExpr
  | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK             # listLit
  | recordLit                                              # recordLitAlt
  ;

// { name: expr, ... } is a record; { "key": expr, ... } is a map; {} is an empty map.
recordLit : LBRACE (recordEntry (COMMA recordEntry)* COMMA?)? RBRACE ;
recordEntry : key=(IDENT | PLAIN_STRING) COLON expr ;

stringLit
  : DQUOTE stringPart* (STR_END | STR_NEWLINE)   // a newline: reported by the AST builder
  | TDQUOTE tstringPart* TSTR_END
  | RAW_STRING
  | RAW_STRING_UNTERMINATED                         // reported by the AST builder
  | PLAIN_STRING
  ;
stringPart : STR_TEXT | STR_ESCAPE | STR_DOLLAR | STR_INTERP expr RBRACE ;
tstringPart : TSTR_TEXT | TSTR_ESCAPE | TSTR_DOLLAR | TSTR_QUOTE | TSTR_INTERP expr RBRACE ;
