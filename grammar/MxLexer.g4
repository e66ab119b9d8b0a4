// MxLexer.g4 — the tokens of the .mx language (the parser grammar is Mx.g4).
//
// Strings use lexer modes so that "${expr}" interpolation nests to any depth: '${' pushes the
// default mode, and each '{' / '}' in the default mode pushes / pops, so the '}' that closes an
// interpolation returns to the string it started in. The lexer subclass in compiler/lib/parse
// ignores a '}' that would pop an empty mode stack (unbalanced input must not throw).
lexer grammar MxLexer;


MODEL : 'model' ;
SOURCE : 'source' ;
SINK : 'sink' ;
TOOLS : 'tools' ;
TASK : 'task' ;
FROM : 'from' ;
AGENT : 'agent' ;
FN : 'fn' ;
PIPELINE : 'pipeline' ;
LET : 'let' ;
IF : 'if' ;
ELSE : 'else' ;
FOR : 'for' ;
IN : 'in' ;
WHILE : 'while' ;
BREAK : 'break' ;
CONTINUE : 'continue' ;
GOTO : 'goto' ;
DONE : 'done' ;
FAIL : 'fail' ;
EMIT : 'emit' ;
RETURN : 'return' ;
AWAIT : 'await' ;
AND : 'and' ;
OR : 'or' ;
NOT : 'not' ;
TRUE : 'true' ;
FALSE : 'false' ;
NONE : 'none' ;

ARROW : '->' ;
PLUS_ASSIGN : '+=' ;
MINUS_ASSIGN : '-=' ;
STAR_ASSIGN : '*=' ;
SLASH_ASSIGN : '/=' ;
EQ : '==' ;
NE : '!=' ;
LE : '<=' ;
GE : '>=' ;
LT : '<' ;
GT : '>' ;
COALESCE : '??' ;
QUESTION : '?' ;
ASSIGN : '=' ;
PLUS : '+' ;
MINUS : '-' ;
STAR : '*' ;
SLASH : '/' ;
PERCENT : '%' ;
DOT : '.' ;
COMMA : ',' ;
COLON : ':' ;
SEMI : ';' ;
LPAREN : '(' ;
RPAREN : ')' ;
LBRACK : '[' ;
RBRACK : ']' ;
LBRACE : '{' -> pushMode(DEFAULT_MODE) ;
RBRACE : '}' -> popMode ;

FLOAT : DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT ;
INT : DIGITS ;
// A malformed number (`1_`, `12abc`, `0x1F`, `5.`, `1e`): one token, so the builder can say what
// is wrong instead of the parser seeing a number followed by a name. Valid numbers win ties
// because FLOAT and INT come first.
BAD_NUMBER : [0-9] [0-9_]* ('.' [0-9_]*)? ([eE] [+-]?)? [a-zA-Z0-9_]* ;
fragment DIGITS : [0-9] ('_'? [0-9])* ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;

IDENT : [a-zA-Z_] [a-zA-Z_0-9]* ;

// r"..." keeps backslashes as written (handy for regular expressions); no interpolation.
RAW_STRING : 'r"' ~["\r\n]* '"' ;
RAW_STRING_UNTERMINATED : 'r"' ~["\r\n]* ;
// A string with no escapes or interpolation; one token so that record keys stay simple.
PLAIN_STRING : '"' ~["\\$\r\n]* '"' ;
TDQUOTE : '"""' -> pushMode(TSTR) ;
DQUOTE : '"' -> pushMode(STR) ;

LINE_COMMENT : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
WS : [ \t\r\n\f]+ -> channel(HIDDEN) ;

// Anything else becomes one token the parser rejects with a located error.
UNKNOWN_CHAR : . ;

mode STR;
STR_END : '"' -> popMode ;
STR_INTERP : '${' -> pushMode(DEFAULT_MODE) ;
STR_ESCAPE : '\\' ~[\r\n] ;
STR_DOLLAR : '$' ;
STR_TEXT : ~["\\$\r\n]+ ;
// A newline inside "..." ends the string with an error token (the builder reports it).
STR_NEWLINE : [\r\n] -> popMode ;

mode TSTR;
TSTR_END : '"""' -> popMode ;
TSTR_INTERP : '${' -> pushMode(DEFAULT_MODE) ;
TSTR_ESCAPE : '\\' . ;
TSTR_DOLLAR : '$' ;
TSTR_QUOTE : '"' ;
TSTR_TEXT : ~["\\$]+ ;
