/**
 * Tokeniser, recursive-descent parser and evaluator for arithmetic expressions.
 * No `eval`/`Function`. Grammar, lowest precedence first:
 *
 *   expr    := term (("+" | "-") term)*
 *   term    := unary (("*" | "/" | "%" | "of" | <implicit>) unary)*
 *   unary   := ("-" | "+") unary | power
 *   power   := postfix ("^" unary)?            right-associative; -2^2 = -4
 *   postfix := primary ("!" | "%")*            "%" is a percent (÷100) unless an operand follows
 *   primary := number | constant | func "(" expr ("," expr)* ")" | func unary | "(" expr ")"
 *
 * Implicit multiplication applies before "(", a function or a constant: `2(3+4)`, `3pi`.
 */
import { ExpressionError, FUNCTIONS, evaluate, type Node } from "./arithmetic-eval.ts";

export { ExpressionError, evaluate, formatNumber, type Node } from "./arithmetic-eval.ts";

export type Token =
  | { kind: "num"; value: number; raw: string; pos: number; end: number }
  | { kind: "ident"; name: string; pos: number; end: number }
  | { kind: "op"; op: string; pos: number; end: number };

/** Named constants. */
export const CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E, tau: 2 * Math.PI };

const MAX_TOKENS = 1000;
const MAX_DEPTH = 100;

/**
 * Splits an expression into tokens; words become `ident` tokens.
 * Throws {@link ExpressionError} on a character that belongs to no token.
 *
 * @example
 * tokenize("2*(3+4)").map((t) => t.kind) // ["num", "op", "op", "num", "op", "num", "op"]
 */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)|([a-zπ]+)|(\*\*|[-+*/%^!(),])|(\S))/giy;
  for (let m = re.exec(src); m !== null && m[0] !== ""; m = re.exec(src)) {
    const end = m.index + m[0].length;
    const pos = end - m[0].trimStart().length;
    if (m[1] !== undefined) tokens.push({ kind: "num", value: Number(m[1]), raw: m[1], pos, end });
    else if (m[2] !== undefined) tokens.push({ kind: "ident", name: m[2].toLowerCase() === "π" ? "pi" : m[2].toLowerCase(), pos, end });
    else if (m[3] !== undefined) tokens.push({ kind: "op", op: m[3] === "**" ? "^" : m[3], pos, end });
    else throw new ExpressionError(`Unexpected character '${m[4]}' at position ${pos + 1}`);
    if (tokens.length > MAX_TOKENS) throw new ExpressionError(`Expression is too long (more than ${MAX_TOKENS} tokens)`);
  }
  return tokens;
}

function describe(t: Token | undefined): string {
  if (t === undefined) return "end of expression";
  const text = t.kind === "num" ? t.raw : t.kind === "ident" ? t.name : t.op;
  return `'${text}' at position ${t.pos + 1}`;
}

/**
 * Parses tokens into an AST. Throws {@link ExpressionError} with the position of
 * the first unexpected token.
 *
 * @example
 * parse(tokenize("2^3^2")) // { type: "bin", op: "^", left: 2, right: { type: "bin", op: "^", … } }
 */
export function parse(tokens: readonly Token[]): Node {
  let i = 0;
  let depth = 0;
  const peek = (): Token | undefined => tokens[i];
  const isOp = (t: Token | undefined, ...ops: string[]): boolean => t?.kind === "op" && ops.includes(t.op);
  const startsOperand = (t: Token | undefined): boolean =>
    t !== undefined && (t.kind === "num" || (t.kind === "ident" && t.name !== "of") || (t.kind === "op" && t.op === "("));
  // "%" is a percent sign unless an operand follows ("17 % 5"), or it stands
  // apart and a sign follows ("17 % -5"); "50% - 10" is a percent.
  const isPercent = (): boolean => {
    const next = tokens[i + 1];
    const attached = tokens[i - 1]?.end === tokens[i]?.pos;
    return !startsOperand(next) && (attached || !isOp(next, "-", "+"));
  };
  const isWord = (t: Token | undefined, name: string): boolean => t?.kind === "ident" && t.name === name;
  const enter = () => {
    if (++depth > MAX_DEPTH) throw new ExpressionError("Expression is nested too deeply");
  };

  function expr(): Node {
    let left = term();
    while (isOp(peek(), "+", "-")) {
      const op = (tokens[i++] as { op: string }).op;
      left = { type: "bin", op, left, right: term() };
    }
    return left;
  }

  function term(): Node {
    let left = unary();
    for (;;) {
      const t = peek();
      if (isOp(t, "*", "/", "%")) {
        i++;
        left = { type: "bin", op: (t as { op: string }).op, left, right: unary() };
      } else if (isWord(t, "of")) {
        i++;
        left = { type: "bin", op: "*", word: "of", left, right: unary() };
      } else if (isOp(t, "(") || (t?.kind === "ident" && t.name !== "of")) {
        left = { type: "bin", op: "*", implicit: true, left, right: unary() };
      } else return left;
    }
  }

  function unary(): Node {
    if (isOp(peek(), "-", "+")) {
      const op = (tokens[i++] as { op: string }).op;
      enter();
      const arg = unary();
      depth--;
      return op === "-" ? { type: "neg", arg } : arg;
    }
    return power();
  }

  function power(): Node {
    const base = postfix();
    if (!isOp(peek(), "^")) return base;
    i++;
    enter();
    const exponent = unary();
    depth--;
    return { type: "bin", op: "^", left: base, right: exponent };
  }

  function postfix(): Node {
    let node = primary();
    for (;;) {
      if (isOp(peek(), "!")) {
        i++;
        node = { type: "fact", arg: node };
      } else if (isOp(peek(), "%") && isPercent()) {
        i++;
        node = { type: "pct", arg: node };
      } else return node;
    }
  }

  function primary(): Node {
    const t = peek();
    if (t === undefined) throw new ExpressionError("Unexpected end of expression");
    if (t.kind === "num") {
      i++;
      return { type: "num", value: t.value, raw: t.raw };
    }
    if (isOp(t, "(")) {
      i++;
      enter();
      const inner = expr();
      depth--;
      if (!isOp(peek(), ")")) throw new ExpressionError(`Expected ')' but found ${describe(peek())}`);
      i++;
      return { type: "group", inner };
    }
    if (t.kind === "ident") {
      i++;
      if (t.name in CONSTANTS) return { type: "const", name: t.name, value: CONSTANTS[t.name] as number };
      if (!(t.name in FUNCTIONS)) throw new ExpressionError(`Unknown name '${t.name}' at position ${t.pos + 1}`);
      enter();
      let args: Node[];
      if (isOp(peek(), "(")) {
        i++;
        args = isOp(peek(), ")") ? [] : [expr()];
        while (isOp(peek(), ",")) {
          i++;
          args.push(expr());
        }
        if (!isOp(peek(), ")")) throw new ExpressionError(`Expected ')' after arguments of ${t.name} but found ${describe(peek())}`);
        i++;
      } else args = [unary()];
      depth--;
      return { type: "call", name: t.name, args };
    }
    throw new ExpressionError(`Unexpected ${describe(t)}`);
  }

  if (tokens.length === 0) throw new ExpressionError("Empty expression");
  const ast = expr();
  if (i < tokens.length) throw new ExpressionError(`Unexpected ${describe(tokens[i])}`);
  return ast;
}

/**
 * Canonical text of an AST: binary operators spaced, user parentheses kept.
 *
 * @example
 * print(parse(tokenize("12*(3+4)"))) // "12 * (3 + 4)"
 */
export function print(node: Node): string {
  switch (node.type) {
    case "num":
      return node.raw;
    case "const":
      return node.name;
    case "neg":
      return `-${print(node.arg)}`;
    case "pct":
      return `${print(node.arg)}%`;
    case "fact":
      return `${print(node.arg)}!`;
    case "group":
      return `(${print(node.inner)})`;
    case "call":
      return `${node.name}(${node.args.map(print).join(", ")})`;
    case "bin":
      if (node.op === "^") return `${print(node.left)}^${print(node.right)}`;
      return `${print(node.left)} ${node.word ?? node.op} ${print(node.right)}`;
  }
}

/**
 * Parses and evaluates `src`.
 *
 * @example
 * calculate("2 ^ 10-5") // { expression: "2^10 - 5", value: 1019 }
 */
export function calculate(src: string): { expression: string; value: number } {
  const ast = parse(tokenize(src));
  return { expression: print(ast), value: evaluate(ast) };
}
