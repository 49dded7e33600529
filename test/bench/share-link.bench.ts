/**
 * Share-link length against lz-string's compressToEncodedURIComponent, the usual choice for
 * putting data in a URL. Both get the same JSON text (the positional wire form the link carries),
 * so the ratio measures the codec, not the choice of keys. Target: links at least 20 % shorter.
 *
 * The conversations come from the CuteGPT seed's examples, copied into test/fixtures so the
 * bench runs without the shared folder.
 */
import { pathToFileURL } from "node:url";
import LZString from "lz-string";
import {
  SharedConversationV1,
  encodeShareFragment,
  shareWireJson,
} from "../../app/features/share/codec";
import seed from "../fixtures/seed-conversations.json";
import type { BenchResult } from "./types";

const BASELINE = "lz-string compressToEncodedURIComponent";
const TARGET_RATIO = 0.8;

export default async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  let oursTotal = 0;
  let lzTotal = 0;
  for (const entry of seed.conversations) {
    const conversation = SharedConversationV1.parse(entry.conversation);
    const ours = encodeShareFragment(conversation).length;
    const lz = LZString.compressToEncodedURIComponent(shareWireJson(conversation)).length;
    oursTotal += ours;
    lzTotal += lz;
    results.push(measure(`share-link/${entry.id}`, ours, lz));
  }
  results.push(measure("share-link/all seed conversations", oursTotal, lzTotal));
  return results;
}

/** One row per measure; the bench runner derives the ratio from value / baseline. */
function measure(name: string, ours: number, lz: number): BenchResult {
  return {
    name: `${name} link fragment`,
    value: ours,
    unit: "chars",
    baseline: lz,
    baselineName: BASELINE,
    target: `≤ ${TARGET_RATIO} × baseline`,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await run()) {
    const ratio = r.baseline ? (r.value / r.baseline).toFixed(3) : "";
    console.log(`${r.name.padEnd(50)} ${String(r.value).padStart(6)} vs ${r.baseline} → ${ratio}`);
  }
}
