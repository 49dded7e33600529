import { runCli } from "./main";

const code = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  out: (text) => process.stdout.write(text),
  onServing: (_url, close) => process.once("SIGINT", close),
});
process.exitCode = code;
