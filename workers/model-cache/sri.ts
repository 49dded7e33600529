/** SRI strings (`sha256-<base64>`), as model-build writes them and web-llm checks them. */
const ALGORITHMS = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" } as const;
type Algorithm = keyof typeof ALGORITHMS;

export async function sriOf(
  data: ArrayBuffer | Uint8Array<ArrayBuffer>,
  algorithm: Algorithm = "sha256",
): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest(ALGORITHMS[algorithm], data));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return `${algorithm}-${btoa(binary)}`;
}

export async function matchesSri(
  data: ArrayBuffer | Uint8Array<ArrayBuffer>,
  expected: string,
): Promise<boolean> {
  const algorithm = expected.split("-", 1)[0] as Algorithm;
  if (!(algorithm in ALGORITHMS)) throw new Error(`unsupported integrity string: ${expected}`);
  return (await sriOf(data, algorithm)) === expected;
}
