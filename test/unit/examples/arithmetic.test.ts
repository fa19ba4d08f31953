import { describe, expect, it } from "vitest";
import { evaluateArithmetic, extractExpression, normalizeMath } from "../../../examples/specialists/src/skills/arithmetic.ts";
import { calculate, parse, print, tokenize } from "../../../examples/specialists/src/skills/arithmetic-parser.ts";
import { cleanNumber, formatNumber } from "../../../examples/specialists/src/skills/arithmetic-eval.ts";

describe("calculate (parser + evaluator)", () => {
  it.each([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["10 - 4 - 3", 3],
    ["100 / 10 / 5", 2],
    ["2^3^2", 512],
    ["(2^3)^2", 64],
    ["-2^2", -4],
    ["(-2)^2", 4],
    ["2^-1", 0.5],
    ["--3", 3],
    ["+5 - -5", 10],
    ["17 % 5", 2],
    ["-17 % 5", -2],
    ["17 % -5", 2],
    ["50%", 0.5],
    ["80 * 15%", 12],
    ["15% of 80", 12],
    ["15% of 80 + 5", 17],
    ["2(3 + 4)", 14],
    ["3pi", 3 * Math.PI],
    ["2e3", 2000],
    [".5 + .25", 0.75],
    ["5!", 120],
    ["0!", 1],
    ["3!^2", 36],
    ["sqrt(16)", 4],
    ["sqrt 16 * 2", 8],
    ["abs(-3)", 3],
    ["abs -42", 42],
    ["round(2.5)", 3],
    ["round(-2.5)", -3],
    ["round(3.14159, 2)", 3.14],
    ["floor(-1.5)", -2],
    ["ceil(1.2)", 2],
    ["min(4, 2, 8)", 2],
    ["max(4, 2, 8)", 8],
    ["log(1000)", 3],
    ["log(8, 2)", 3],
    ["ln(e)", 1],
    ["exp(0)", 1],
    ["cbrt(27)", 3],
    ["cos(0)", 1],
    ["2 ** 8", 256],
  ])("%s = %s", (src, expected) => {
    expect(calculate(src).value).toBeCloseTo(expected, 10);
  });

  it("keeps the user's parentheses and spaces operators when printing", () => {
    expect(print(parse(tokenize("12*(3+4)")))).toBe("12 * (3 + 4)");
    expect(print(parse(tokenize("2 ^ 10-5")))).toBe("2^10 - 5");
    expect(print(parse(tokenize("max(1,2)+-3")))).toBe("max(1, 2) + -3");
    expect(print(parse(tokenize("sqrt 2")))).toBe("sqrt(2)");
  });

  it.each([
    ["1 / 0", "Division by zero"],
    ["5 % 0", "Division by zero (modulo by 0)"],
    ["0^-1", "Division by zero (0 raised to a negative power)"],
    ["sqrt(-4)", "sqrt is not defined for negative numbers (got -4)"],
    ["log(0)", "log is only defined for positive numbers (got 0)"],
    ["ln(-1)", "ln is only defined for positive numbers (got -1)"],
    ["log(8, 1)", "log: the base must be positive and not 1"],
    ["2.5!", "Factorial is only defined for non-negative integers (got 2.5)"],
    ["171!", "The result is too large to represent"],
    ["10^400", "The result is too large to represent"],
    ["(-8)^(1/3)", "The result is not a real number"],
    ["sqrt(1, 2)", "sqrt expects 1 argument, got 2"],
    ["max()", "max expects at least 1 argument, got 0"],
    ["round(1, 2, 3)", "round expects 1 or 2 arguments, got 3"],
    ["round(1.5, 0.5)", "round: digits must be an integer from 0 to 15"],
    ["(1 + 2", "Expected ')' but found end of expression"],
    ["1 + 2)", "Unexpected ')' at position 6"],
    ["1 +", "Unexpected end of expression"],
    ["* 3", "Unexpected '*' at position 1"],
    ["foo(3)", "Unknown name 'foo' at position 1"],
    ["2 $ 3", "Unexpected character '$' at position 3"],
    ["", "Empty expression"],
  ])("%s fails with %j", (src, message) => {
    expect(() => calculate(src)).toThrow(message);
  });

  it("refuses nesting deeper than the limit instead of overflowing the stack", () => {
    expect(() => calculate(`${"(".repeat(150)}1${")".repeat(150)}`)).toThrow("Expression is nested too deeply");
    expect(calculate(`${"(".repeat(50)}1${")".repeat(50)}`).value).toBe(1);
  });

  it("refuses expressions with too many tokens", () => {
    expect(() => calculate(Array.from({ length: 600 }, () => "1").join("+"))).toThrow("Expression is too long (more than 1000 tokens)");
  });
});

describe("number formatting", () => {
  it("removes floating-point noise and negative zero", () => {
    expect(cleanNumber(0.1 + 0.2)).toBe(0.3);
    expect(cleanNumber(-0)).toBe(0);
    expect(Object.is(cleanNumber(-0), 0)).toBe(true);
    expect(formatNumber(1 / 3)).toBe("0.333333333333");
    expect(formatNumber(1e21)).toBe("1e+21");
  });
});

describe("normalizeMath / extractExpression", () => {
  it("rewrites word operators", () => {
    expect(normalizeMath("12 times 7").replace(/\s+/g, " ").trim()).toBe("12 * 7");
    expect(normalizeMath("9 divided by 3 plus 1 minus 2").replace(/\s+/g, " ").trim()).toBe("9 / 3 + 1 - 2");
    expect(normalizeMath("12 x 7").replace(/\s+/g, " ").trim()).toBe("12 * 7");
    expect(normalizeMath("1,234,567 + 1")).toBe("1234567 + 1");
  });

  it("finds the expression inside a sentence", () => {
    expect(extractExpression("so what's 12 * (3 + 4) then?")).toBe("12 * (3 + 4)");
    expect(extractExpression("hello there")).toBeUndefined();
    expect(extractExpression("what is 5 + 3, and 2 + 2")).toBe("5 + 3");
    expect(extractExpression("max(1, 2), min(3, 4)")).toBe("max(1, 2)");
  });
});

describe("evaluateArithmetic", () => {
  it.each([
    ["what is 12 * (3 + 4)?", "12 * (3 + 4) = 84", "12 * (3 + 4)", 84],
    ["compute 2^10 - 5", "2^10 - 5 = 1019", "2^10 - 5", 1019],
    ["17 % 5", "17 % 5 = 2", "17 % 5", 2],
    ["sqrt(2) * 3", "sqrt(2) * 3 = 4.24264068712", "sqrt(2) * 3", 4.24264068712],
    ["15% of 80", "15% of 80 = 12", "15% of 80", 12],
    ["what is 20 percent of 350", "20% of 350 = 70", "20% of 350", 70],
    ["what is 12 times 7", "12 * 7 = 84", "12 * 7", 84],
    ["12 x 7", "12 * 7 = 84", "12 * 7", 84],
    ["what is 0.1 + 0.2?", "0.1 + 0.2 = 0.3", "0.1 + 0.2", 0.3],
    ["how much is 38 plus 47", "38 + 47 = 85", "38 + 47", 85],
    ["what does 9 minus 14 come to", "9 - 14 = -5", "9 - 14", -5],
    ["10 minus 4 times 2", "10 - 4 * 2 = 2", "10 - 4 * 2", 2],
    ["what is 7 squared plus 3 cubed", "7^2 + 3^3 = 76", "7^2 + 3^3", 76],
    ["2 to the power of 16", "2^16 = 65536", "2^16", 65536],
    ["the square root of 144", "sqrt(144) = 12", "sqrt(144)", 12],
    ["cube root of 27", "cbrt(27) = 3", "cbrt(27)", 3],
    ["absolute value of -42", "abs(-42) = 42", "abs(-42)", 42],
    ["what's the natural log of 1", "ln(1) = 0", "ln(1)", 0],
    ["what is log base 2 of 64", "log(64, 2) = 6", "log(64, 2)", 6],
    ["divide 1000 by 8", "1000 / 8 = 125", "1000 / 8", 125],
    ["multiply 45 by 19", "45 * 19 = 855", "45 * 19", 855],
    ["add 1,250 and 3,480", "1250 + 3480 = 4730", "1250 + 3480", 4730],
    ["subtract 3 from 10", "10 - 3 = 7", "10 - 3", 7],
    ["the product of 250 and 12", "250 * 12 = 3000", "250 * 12", 3000],
    ["what is 10 factorial", "10! = 3628800", "10!", 3628800],
    ["17 % -5", "17 % -5 = 2", "17 % -5", 2],
    ["50% - 10", "50% - 10 = -9.5", "50% - 10", -9.5],
    ["100 divided by 7, rounded to 2 decimals", "100 / 7 = 14.29 (rounded to 2 decimals)", "100 / 7", 14.29],
    ["how much is a 18% tip on 64 dollars", "18% of 64 = 11.52", "18% of 64", 11.52],
  ])("%s", (input, text, expression, value) => {
    expect(evaluateArithmetic(input)).toEqual({ ok: true, text, expression, value });
  });

  it.each([
    ["what percent of 200 is 50", "50 is 25% of 200", "50 / 200 * 100", 25],
    ["30 is what percentage of 120", "30 is 25% of 120", "30 / 120 * 100", 25],
    ["what percentage is 45 out of 60", "45 is 75% of 60", "45 / 60 * 100", 75],
    ["increase 80 by 15%", "80 increased by 15% = 92", "80 * (1 + 15%)", 92],
    ["decrease 2400 by 12 percent", "2400 decreased by 12% = 2112", "2400 * (1 - 12%)", 2112],
    ["25% off 48", "48 with 25% off = 36", "48 * (1 - 25%)", 36],
  ])("percentage phrase %s", (input, text, expression, value) => {
    expect(evaluateArithmetic(input)).toEqual({ ok: true, text, expression, value });
  });

  it.each([
    ["1/0", "Division by zero"],
    ["what is 5 +", "Unexpected end of expression"],
    ["5 apples + 3", "Unknown name 'apples' at position 3"],
    ["foo(3)", "Unknown name 'foo' at position 1"],
    ["what percent of 0 is 5", "Division by zero: cannot take a percentage of 0"],
    ["hello there", 'No arithmetic expression found in the input (try something like "12 * (3 + 4)")'],
    ["", 'No arithmetic expression found in the input (try something like "12 * (3 + 4)")'],
  ])("%j is refused: %s", (input, reason) => {
    expect(evaluateArithmetic(input)).toEqual({ ok: false, reason });
  });
});
