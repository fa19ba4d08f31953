/**
 * AST, function table and evaluator of the arithmetic skill. Expected failures
 * (division by zero, domain errors, overflow) throw {@link ExpressionError}.
 */

/** Parsed expression. `group` keeps the user's parentheses for printing. */
export type Node =
  | { type: "num"; value: number; raw: string }
  | { type: "const"; name: string; value: number }
  | { type: "neg"; arg: Node }
  | { type: "pct"; arg: Node }
  | { type: "fact"; arg: Node }
  | { type: "group"; inner: Node }
  | { type: "call"; name: string; args: Node[] }
  | { type: "bin"; op: string; left: Node; right: Node; word?: string; implicit?: boolean };

/** An expression that cannot be parsed or evaluated; the message is user-facing. */
export class ExpressionError extends Error {
  override readonly name = "ExpressionError";
}

interface Fn {
  min: number;
  max: number;
  call(args: number[]): number;
}

const positive = (name: string, x: number): number => {
  if (x <= 0) throw new ExpressionError(`${name} is only defined for positive numbers (got ${formatNumber(x)})`);
  return x;
};

const unary = (f: (x: number) => number): Fn => ({ min: 1, max: 1, call: ([x]) => f(x as number) });

/** Functions by name, with their arity. Trigonometry is in radians. */
export const FUNCTIONS: Readonly<Record<string, Fn>> = {
  sqrt: unary((x) => {
    if (x < 0) throw new ExpressionError(`sqrt is not defined for negative numbers (got ${formatNumber(x)})`);
    return Math.sqrt(x);
  }),
  cbrt: unary(Math.cbrt),
  abs: unary(Math.abs),
  floor: unary(Math.floor),
  ceil: unary(Math.ceil),
  round: {
    min: 1,
    max: 2,
    call: ([x = 0, digits = 0]) => {
      if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw new ExpressionError("round: digits must be an integer from 0 to 15");
      const f = 10 ** digits;
      return (Math.sign(x) * Math.round(Math.abs(x) * f)) / f;
    },
  },
  min: { min: 1, max: Infinity, call: (xs) => Math.min(...xs) },
  max: { min: 1, max: Infinity, call: (xs) => Math.max(...xs) },
  log: {
    min: 1,
    max: 2,
    call: ([x = 0, base]) => {
      if (base === undefined) return Math.log10(positive("log", x));
      if (base <= 0 || base === 1) throw new ExpressionError("log: the base must be positive and not 1");
      return Math.log(positive("log", x)) / Math.log(base);
    },
  },
  ln: unary((x) => Math.log(positive("ln", x))),
  exp: unary(Math.exp),
  sin: unary(Math.sin),
  cos: unary(Math.cos),
  tan: unary(Math.tan),
};

function checked(v: number): number {
  if (Number.isNaN(v)) throw new ExpressionError("The result is not a real number");
  if (!Number.isFinite(v)) throw new ExpressionError("The result is too large to represent");
  return v;
}

function factorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new ExpressionError(`Factorial is only defined for non-negative integers (got ${formatNumber(n)})`);
  if (n > 170) throw new ExpressionError("The result is too large to represent");
  let r = 1;
  for (let k = 2; k <= n; k++) r *= k;
  return r;
}

function binary(op: string, a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      if (b === 0) throw new ExpressionError("Division by zero");
      return a / b;
    case "%":
      if (b === 0) throw new ExpressionError("Division by zero (modulo by 0)");
      return a % b;
    case "^":
      if (a === 0 && b < 0) throw new ExpressionError("Division by zero (0 raised to a negative power)");
      return a ** b;
    default:
      throw new ExpressionError(`Unknown operator '${op}'`);
  }
}

/**
 * Evaluates an AST; every intermediate result must be a finite real number.
 *
 * @example
 * evaluate({ type: "bin", op: "+", left: { type: "num", value: 1, raw: "1" }, right: { type: "num", value: 2, raw: "2" } }) // 3
 */
export function evaluate(node: Node): number {
  switch (node.type) {
    case "num":
    case "const":
      return node.value;
    case "group":
      return evaluate(node.inner);
    case "neg":
      return -evaluate(node.arg);
    case "pct":
      return evaluate(node.arg) / 100;
    case "fact":
      return factorial(evaluate(node.arg));
    case "call": {
      const fn = FUNCTIONS[node.name];
      if (fn === undefined) throw new ExpressionError(`Unknown function '${node.name}'`);
      const n = node.args.length;
      if (n < fn.min || n > fn.max) {
        const want = fn.max === Infinity ? `at least ${fn.min}` : fn.min === fn.max ? `${fn.min}` : `${fn.min} or ${fn.max}`;
        throw new ExpressionError(`${node.name} expects ${want} argument${fn.max === 1 || fn.max === Infinity ? "" : "s"}, got ${n}`);
      }
      return checked(fn.call(node.args.map(evaluate)));
    }
    case "bin":
      return checked(binary(node.op, evaluate(node.left), evaluate(node.right)));
  }
}

/**
 * Rounds away binary floating-point noise (12 significant digits) and turns -0 into 0.
 *
 * @example
 * cleanNumber(0.1 + 0.2) // 0.3
 */
export function cleanNumber(v: number): number {
  const r = Number(v.toPrecision(12));
  return Object.is(r, -0) ? 0 : r;
}

/**
 * Display form of a result: noise removed, plain digits where JavaScript allows.
 *
 * @example
 * formatNumber(1 / 3) // "0.333333333333"
 */
export function formatNumber(v: number): string {
  return String(cleanNumber(v));
}
