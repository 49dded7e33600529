import { describe, expect, it } from "vitest";
import { CUTEGPT_STOP_STRINGS, StopFilter, cleanReply } from "../../../app/prompt/stops";

/** Feeds every delta, then flushes; returns everything shown and how it ended. */
function run(deltas: readonly string[], filter = new StopFilter()) {
  const shown: string[] = [];
  let stopped = false;
  let stopString: string | undefined;
  for (const delta of deltas) {
    const result = filter.push(delta);
    shown.push(result.text);
    if (result.stopped && !stopped) stopString = result.stopString;
    stopped = result.stopped;
  }
  shown.push(filter.flush());
  return { text: shown.join(""), shown, stopped, stopString };
}

/** Every way to cut `stop` into 2 and into 3 non-empty pieces, with text around it. */
function splits(stop: string): string[][] {
  const cases: string[][] = [];
  for (let i = 1; i < stop.length; i++) {
    cases.push(["答案是" + stop.slice(0, i), stop.slice(i) + "多余的话"]);
    for (let j = i + 1; j < stop.length; j++) {
      cases.push(["答案是" + stop.slice(0, i), stop.slice(i, j), stop.slice(j) + "多余的话"]);
    }
  }
  return cases;
}

describe("CUTEGPT_STOP_STRINGS", () => {
  it("holds the three special tokens and a self-started turn", () => {
    expect(CUTEGPT_STOP_STRINGS).toEqual(["<end>", "<s>", "</s>", "\n问："]);
  });
});

describe("StopFilter", () => {
  for (const stop of ["<end>", "<s>", "</s>", "\n问："]) {
    const label = JSON.stringify(stop);

    it(`stops on ${label} arriving whole and shows only the text before it`, () => {
      expect(run(["答案是", stop, "多余的话"])).toMatchObject({
        text: "答案是",
        stopped: true,
        stopString: stop,
      });
      expect(run(["答案是" + stop + "多余的话"])).toMatchObject({ text: "答案是", stopped: true });
    });

    it(`stops on ${label} split across 2 or 3 deltas at every point`, () => {
      const cases = splits(stop);
      expect(cases.length).toBe(stop.length - 1 + ((stop.length - 1) * (stop.length - 2)) / 2);
      for (const deltas of cases) {
        const result = run(deltas);
        expect(result, JSON.stringify(deltas)).toMatchObject({
          text: "答案是",
          stopped: true,
          stopString: stop,
        });
      }
    });
  }

  it("stops when the model starts the next turn itself", () => {
    const result = run(["1.《红楼梦》\n2.《西游记》", "\n", "问", "：再来", "三本"]);
    expect(result.text).toBe("1.《红楼梦》\n2.《西游记》");
    expect(result.stopString).toBe("\n问：");
  });

  it("shows a possible prefix once the next delta shows it was not a stop", () => {
    const filter = new StopFilter();
    expect(filter.push("a<e")).toEqual({ text: "a", stopped: false });
    expect(filter.push("x>b")).toEqual({ text: "<ex>b", stopped: false });
    expect(filter.flush()).toBe("");
  });

  it("releases look-alikes of every stop string", () => {
    expect(run(["<", "/", "t>"])).toMatchObject({ text: "</t>", stopped: false });
    expect(run(["<s", "pan>"])).toMatchObject({ text: "<span>", stopped: false });
    expect(run(["<en", "d"])).toMatchObject({ text: "<end", stopped: false });
    expect(run(["第一行\n", "问", "题很好"])).toMatchObject({
      text: "第一行\n问题很好",
      stopped: false,
    });
    expect(run(["问：不在行首的问：不算"])).toMatchObject({
      text: "问：不在行首的问：不算",
      stopped: false,
    });
  });

  it("holds back only the part that could still become a stop string", () => {
    const filter = new StopFilter();
    expect(filter.push("Hello <")).toEqual({ text: "Hello ", stopped: false });
    expect(filter.push("<")).toEqual({ text: "<", stopped: false });
    expect(filter.push("/s")).toEqual({ text: "", stopped: false });
    expect(filter.push(">tail")).toEqual({ text: "", stopped: true, stopString: "</s>" });
  });

  it("returns held text on flush when the stream ends mid-prefix", () => {
    const filter = new StopFilter();
    expect(filter.push("代码如下：\n")).toEqual({ text: "代码如下：", stopped: false });
    expect(filter.flush()).toBe("\n");
    expect(filter.flush()).toBe("");
  });

  it("ends at the earliest stop string when several follow", () => {
    expect(run(["a</s>b<end>c"])).toMatchObject({ text: "a", stopString: "</s>" });
    expect(run(["<<end>"])).toMatchObject({ text: "<", stopString: "<end>" });
  });

  it("stops on a reply that is only a stop string", () => {
    expect(run(["<end>"])).toMatchObject({ text: "", stopped: true });
  });

  it("shows nothing after a stop, even on flush", () => {
    const filter = new StopFilter();
    filter.push("done<end>");
    expect(filter.stopped).toBe(true);
    expect(filter.push("more <")).toEqual({ text: "", stopped: true });
    expect(filter.flush()).toBe("");
  });

  it("passes emoji and code blocks through unchanged", () => {
    expect(run(["😺 ", "```ts\nconst a = 1;", "\n```", "\n", "更多"])).toMatchObject({
      text: "😺 ```ts\nconst a = 1;\n```\n更多",
      stopped: false,
    });
  });

  it("accepts its own stop strings and ignores empty ones", () => {
    expect(run(["abcSTOPdef"], new StopFilter(["", "STOP"]))).toMatchObject({
      text: "abc",
      stopString: "STOP",
    });
    expect(run(["a<end>b"], new StopFilter(["STOP"]))).toMatchObject({
      text: "a<end>b",
      stopped: false,
    });
  });
});

describe("cleanReply", () => {
  it("strips every <s>, <end> and </s>", () => {
    expect(cleanReply("<s>你好<end></s>")).toBe("你好");
    expect(cleanReply("a<s>b<s>c</s><end>")).toBe("abc");
  });

  it("removes them in the reference order, so a token hidden around another goes too", () => {
    expect(cleanReply("<<s>end>")).toBe("");
  });

  it("leaves everything else, whitespace and 问： included", () => {
    expect(cleanReply(" 答案\n问：下一题 \n")).toBe(" 答案\n问：下一题 \n");
  });
});
