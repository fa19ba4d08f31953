import { describe, expect, it } from "vitest";
import { InFlight } from "../../../durable-objects/task-in-flight.ts";

describe("InFlight", () => {
  it("runs that overlap share one totals object; after the last ends, the next run reads the task's stored totals again", () => {
    const f = new InFlight();
    const first = f.open({ hops: 3, costUsd: 0.3 }, 2);
    first.hops += 2; // two calls reserved
    const joined = f.open({ hops: 4, costUsd: 0.4 }); // a dispatched run starting meanwhile: the stored totals already count one finished call
    expect(joined).toBe(first);
    expect(joined.hops).toBe(5);
    f.close();
    f.close();
    expect(f.open({ hops: 9, costUsd: 1 })).toBe(first); // one still open
    f.close();
    f.close();
    const fresh = f.open({ hops: 5, costUsd: 0.5 });
    expect(fresh).not.toBe(first);
    expect(fresh).toEqual({ hops: 5, costUsd: 0.5 });
  });

  it("knows which dispatched runs are going on in this instance", () => {
    const f = new InFlight();
    expect(f.start("s/1")).toBe(true);
    expect(f.start("s/1")).toBe(false);
    expect(f.running("s/1")).toBe(true);
    expect(f.running("s/2")).toBe(false);
    f.end("s/1");
    expect(f.running("s/1")).toBe(false);
  });

  it("a close without an open is harmless", () => {
    const f = new InFlight();
    f.close();
    expect(f.open({ hops: 1, costUsd: 0 })).toEqual({ hops: 1, costUsd: 0 });
  });
});
