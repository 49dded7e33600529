import type { LaunchOptions } from "@playwright/test";

/**
 * Debian's Chromium (CHROME_PATH overrides it) with WebGPU on SwiftShader, which works
 * headless on a CPU-only machine. The networking flags keep Chromium from calling out.
 */
export function chromiumLaunchOptions(extraArgs: string[] = []): LaunchOptions {
  return {
    executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--no-first-run",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--enable-unsafe-webgpu",
      "--use-webgpu-adapter=swiftshader",
      ...extraArgs,
    ],
  };
}
