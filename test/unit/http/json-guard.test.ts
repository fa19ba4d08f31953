import { describe, expect, it } from "vitest";
import { jsonDepth, protoKeyPath, protoPath } from "../../../worker/http/json-guard.ts";

describe("jsonDepth", () => {
  it("counts nesting outside strings", () => {
    expect(jsonDepth("1", 32)).toBe(0);
    expect(jsonDepth('{"a":[1,[2]]}', 32)).toBe(3);
    expect(jsonDepth('{"a":"[[[[{{{{"}', 32)).toBe(1);
    expect(jsonDepth('{"a":"\\"[[[["}', 32)).toBe(1);
  });
  it("stops early on hostile bodies", () => {
    const evil = "[".repeat(200_000);
    expect(jsonDepth(evil, 32)).toBe(33);
  });
});

describe("a member named __proto__", () => {
  it("is found anywhere, by its path: top level, a message, a content part, an input item", () => {
    expect(protoKeyPath('{"model":"auto","__proto__":{"x":1}}')).toBe("__proto__");
    expect(protoKeyPath('{"messages":[{"role":"user","content":"hi","__proto__":null}]}')).toBe("messages.0.__proto__");
    expect(protoKeyPath('{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","__proto__":[]}]}]}')).toBe("messages.0.content.1.__proto__");
    expect(protoKeyPath('{"input":[{"role":"user","content":"hi"},{"__proto__":{}}]}')).toBe("input.1.__proto__");
    expect(protoKeyPath('[{"__proto__":1}]')).toBe("0.__proto__");
  });
  it("spelled with escapes it is the same key; in a value or as part of a longer key it is not one", () => {
    expect(protoKeyPath('{"a":{"\\u005f_proto__":1}}')).toBe("a.__proto__");
    expect(protoKeyPath('{"a":"__proto__","__proto__x":1,"b":["__proto__"]}')).toBeUndefined();
    expect(protoKeyPath('{"a":"caf\\u00e9"}')).toBeUndefined();
    // every letter of the key, escaped alone (either hex case), is found
    for (const key of ["\\u005F_proto__", "__\\u0070roto__", "__p\\u0072oto__", "__pr\\u006Fto__", "__pro\\u0074o__"]) expect(protoKeyPath(`{"a":{"${key}":1}}`), key).toBe("a.__proto__");
    expect(protoKeyPath('{"__proto__":')).toBeUndefined(); // not JSON: the route says so
    expect(protoPath({ a: [1, { b: 2 }] })).toBeUndefined();
  });
});
