/**
 * The syntax tree of Wippy's typed Lua, as the type checker (check.ts) and the runtime type
 * values (lua/typevalue-emit.ts) read it. Built by parse.ts.
 *
 * Owns: the node shapes only. Invariants: every node carries `pos`, the UTF-16 offset of its
 * first character in the source (the line and column of a message come from it, lines.ts);
 * nodes are plain data (no methods, no parent links); a type the grammar accepts but the checker
 * does not model (`keyof`, conditional and indexed types) is kept as `{k: 'opaque'}`, which the
 * checker reads as `any`.
 */

/** A type expression as written. */
export type TypeNode =
  | { k: 'name'; pos: number; path: string[]; args: TypeNode[] }
  | { k: 'lit'; pos: number; value: string | number | boolean | null; raw: string }
  | { k: 'table'; pos: number; fields: FieldNode[]; indexers: { key: TypeNode; val: TypeNode }[]; array: TypeNode | null; readonly: boolean }
  | { k: 'func'; pos: number; params: ParamType[]; variadic: TypeNode | null; returns: TypeNode[]; retVariadic: TypeNode | null; generics: string[] }
  | { k: 'union'; pos: number; types: TypeNode[] }
  | { k: 'inter'; pos: number; types: TypeNode[] }
  | { k: 'opt'; pos: number; type: TypeNode }
  | { k: 'array'; pos: number; elem: TypeNode }
  | { k: 'typeof'; pos: number; expr: Expr }
  | { k: 'tuple'; pos: number; types: TypeNode[]; variadic: TypeNode | null }
  | { k: 'ann'; pos: number; type: TypeNode; anns: Annotation[] }
  | { k: 'opaque'; pos: number };

export interface FieldNode { name: string; optional: boolean; readonly: boolean; type: TypeNode; pos: number }
export interface ParamType { name: string | null; type: TypeNode }
/** `@min(0)`: its name and argument expressions (constants in practice). */
export interface Annotation { name: string; args: Expr[]; pos: number; end: number }

export type BinOp = '+' | '-' | '*' | '/' | '//' | '%' | '^' | '..' | '==' | '~=' | '<' | '<=' | '>' | '>='
  | 'and' | 'or' | '&' | '|' | '~' | '<<' | '>>';
export type UnOp = '-' | 'not' | '#' | '~';

export type Expr =
  | { k: 'nil'; pos: number }
  | { k: 'true'; pos: number }
  | { k: 'false'; pos: number }
  | { k: 'number'; pos: number; value: number; integer: boolean }
  | { k: 'string'; pos: number; value: string }
  | { k: 'vararg'; pos: number }
  | { k: 'func'; pos: number; f: FuncBody }
  | { k: 'table'; pos: number; items: TableItem[] }
  | { k: 'bin'; pos: number; op: BinOp; l: Expr; r: Expr }
  | { k: 'un'; pos: number; op: UnOp; e: Expr }
  | { k: 'name'; pos: number; name: string }
  | { k: 'index'; pos: number; obj: Expr; key: Expr; dot: boolean }
  | { k: 'call'; pos: number; fn: Expr; args: Expr[] }
  | { k: 'method'; pos: number; obj: Expr; name: string; args: Expr[] }
  | { k: 'paren'; pos: number; e: Expr }
  | { k: 'cast'; pos: number; e: Expr; type: TypeNode }
  | { k: 'nonnil'; pos: number; e: Expr };

export type TableItem =
  | { k: 'pos'; value: Expr }
  | { k: 'named'; name: string; value: Expr; pos: number }
  | { k: 'keyed'; key: Expr; value: Expr };

export interface Param { name: string; type: TypeNode | null; pos: number }

export interface FuncBody {
  pos: number;
  /** Offset just after the closing `end`. */
  end: number;
  generics: string[];
  params: Param[];
  /** `...`, with its annotation when it has one; null when the function takes no varargs. */
  vararg: { type: TypeNode | null } | null;
  /** The declared return types; null when the function has no return annotation. */
  returns: TypeNode[] | null;
  retVariadic: TypeNode | null;
  /** True for `function a:b()`: `self` is an implicit first parameter. */
  method: boolean;
  body: Stat[];
  /** The name it was declared under, for messages (`add`, `Runner:run`); '' for an anonymous function. */
  name: string;
}

export interface LocalName { name: string; type: TypeNode | null; pos: number }

export type Stat =
  | { k: 'local'; pos: number; names: LocalName[]; exprs: Expr[] }
  | { k: 'assign'; pos: number; targets: Expr[]; exprs: Expr[] }
  | { k: 'call'; pos: number; call: Expr }
  | { k: 'do'; pos: number; body: Stat[] }
  | { k: 'while'; pos: number; cond: Expr; body: Stat[] }
  | { k: 'repeat'; pos: number; body: Stat[]; cond: Expr }
  | { k: 'if'; pos: number; clauses: { cond: Expr; body: Stat[] }[]; orelse: Stat[] | null }
  | { k: 'fornum'; pos: number; v: LocalName; start: Expr; limit: Expr; step: Expr | null; body: Stat[] }
  | { k: 'forin'; pos: number; names: LocalName[]; exprs: Expr[]; body: Stat[] }
  | { k: 'function'; pos: number; target: Expr; f: FuncBody }
  | { k: 'localfunction'; pos: number; name: string; f: FuncBody }
  | { k: 'return'; pos: number; exprs: Expr[] }
  | { k: 'break'; pos: number }
  | { k: 'goto'; pos: number; label: string }
  | { k: 'label'; pos: number; label: string }
  | { k: 'typedecl'; pos: number; end: number; name: string; params: string[]; type: TypeNode; exported: boolean; iface: boolean };
