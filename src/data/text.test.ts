import { describe, expect, it } from "vitest";
import { escapeControl } from "./index.js";

describe("escapeControl", () => {
  it("makes C0, DEL, C1, escape sequences and direction overrides visible", () => {
    expect(escapeControl("a\x1b[2Jb")).toBe("a\\x1b[2Jb");
    expect(escapeControl("x\n#  1  fake")).toBe("x\\n#  1  fake");
    expect(escapeControl("\t\r\x00\x7f\x9b\u202e")).toBe("\\t\\r\\x00\\x7f\\x9b\\u202e");
  });

  it("leaves printable text alone and passes through what it is told to keep", () => {
    expect(escapeControl("naïve → λ \\x1b")).toBe("naïve → λ \\x1b");
    expect(escapeControl("one\ntwo\x1b", "\n")).toBe("one\ntwo\\x1b");
  });
});
