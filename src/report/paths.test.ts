import { describe, expect, it } from "vitest";
import { portableCommand, portablePath } from "./paths.js";

describe("portablePath", () => {
  it("writes paths inside the base relative to it, and outside ones as …/name", () => {
    expect(portablePath("/home/ann/tracecode/out/sweep", "/home/ann/tracecode")).toBe("out/sweep");
    expect(portablePath("/home/ann/tracecode", "/home/ann/tracecode")).toBe(".");
    expect(portablePath("out/data", "/home/ann/tracecode")).toBe("out/data");
    expect(portablePath("/srv/ds3", "/home/ann/tracecode")).toBe("…/ds3");
    expect(portablePath("../ds3", "/home/ann/tracecode")).toBe("…/ds3");
    expect(portablePath("/home/ann/tracecode-old/x", "/home/ann/tracecode")).toBe("…/x");
    expect(portablePath("/home/ann/tracecode/..data", "/home/ann/tracecode")).toBe("..data");
  });
});

describe("portableCommand", () => {
  it("makes every absolute path of a command portable and keeps the other words", () => {
    expect(
      portableCommand(
        "tracecode sweep all --data /srv/ds3 --out /home/ann/tracecode/out/s --seeds 3",
        "/home/ann/tracecode",
      ),
    ).toBe("tracecode sweep all --data …/ds3 --out out/s --seeds 3");
    expect(portableCommand("tracecode sweep epochs --data d --out s", "/x")).toBe(
      "tracecode sweep epochs --data d --out s",
    );
  });
});
