import { describe, expect, it } from "vitest";
import { CheckedResults, type Expectation, parseChildLine } from "./protocol.js";

const expectation = (id: number, inputs = 2, maxEvents = 10): Expectation => ({
  id,
  kind: "job",
  inputs,
  maxEvents,
  firstOfKey: false,
});
const ok = '{"s":"ok","r":[[[0],["1"],"1",false],[[0,1],["","2"],"2",false]]}';
const line = (id: number, result: string, more = "") =>
  `{"t":"result","id":${id},"result":${result}${more}}`;

/** The verdict of a fresh parse: the message, or the error's text. */
function verdict(text: string, e: Expectation, checked?: CheckedResults): unknown {
  try {
    return parseChildLine(text, e, checked);
  } catch (err) {
    return (err as Error).message;
  }
}

describe("parseChildLine with checked results", () => {
  it("answers a repeated result text as a fresh parse does, without parsing it again", () => {
    const checked = new CheckedResults();
    const first = parseChildLine(line(1, ok), expectation(1), checked);
    const again = parseChildLine(line(2, ok), expectation(2), checked);
    expect(again).toEqual(parseChildLine(line(2, ok), expectation(2)));
    expect(first).toEqual({ ...(again as object), id: 1 });
    if (first.t !== "result" || again.t !== "result") throw new Error("not a result");
    expect(again.result).toBe(first.result);
  });

  it("checks a known text again against another input count or event cap", () => {
    const checked = new CheckedResults();
    parseChildLine(line(1, ok), expectation(1), checked);
    for (const e of [expectation(2, 3), expectation(2, 2, 1)]) {
      const memo = verdict(line(2, ok), e, checked);
      expect(memo).toEqual(verdict(line(2, ok), e));
      expect(String(memo)).toMatch(/protocol violation/);
    }
  });

  it("gives every odd line the verdict of a fresh parse", () => {
    const checked = new CheckedResults();
    parseChildLine(line(1, ok), expectation(1), checked);
    const odd = [
      line(2, ok, ',"id":1'), // a second id after the result: the last one counts
      line(2, ok, ',"result":{"s":"ok","r":[]}'), // a second result
      line(2, ok, ',"inputs":"[]"'), // inputs for a set the parent has
      line(2, ` ${ok} `),
      line(2, '{"s":"ok","r":[[[0],["1"],"1",false]]}'), // one run for two inputs
      line(2, '{"s":"bad","r":[]}'),
      line(2, `${ok.slice(0, -1)}`),
      line(3, ok),
      `${line(2, ok)} `,
    ];
    for (const text of odd) {
      expect(verdict(text, expectation(2), checked)).toEqual(verdict(text, expectation(2)));
      // and again, now that the cache may hold it
      expect(verdict(text, expectation(2), checked)).toEqual(verdict(text, expectation(2)));
    }
    expect(String(verdict(odd[0], expectation(2), checked))).toMatch(/protocol violation/);
  });

  it("stays bounded", () => {
    const checked = new CheckedResults(ok.length * 2);
    for (let i = 0; i < 5; i++) {
      const text = ok.replace('"1",false', `"${i}",false`);
      expect(parseChildLine(line(i, text), expectation(i), checked)).toEqual(
        parseChildLine(line(i, text), expectation(i)),
      );
    }
  });
});
