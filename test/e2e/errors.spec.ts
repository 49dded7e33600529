import { expect, test } from "@playwright/test";
import { openApp, sendMessage } from "./helpers";

test("a browser without WebGPU gets a plain explanation and saved chats stay readable", async ({
  page,
}) => {
  // First visit with WebGPU: leave a conversation behind.
  await openApp(page);
  await page.getByRole("combobox", { name: "Model" }).selectOption("test-engine-fast");
  await page.getByRole("button", { name: "Load model" }).click();
  await expect(page.locator('[data-testid="model-status"][data-state="ready"]')).toBeVisible();
  await sendMessage(page, "Remember me");
  await expect(page.locator('article[data-status="done"][data-role="assistant"]')).toHaveCount(1);

  // Then the same profile in a browser that has no navigator.gpu.
  await page.addInitScript(() => {
    delete (Navigator.prototype as { gpu?: unknown }).gpu;
  });
  await page.reload();
  const notice = page.getByTestId("no-webgpu");
  await expect(notice).toContainText("This browser cannot run models");
  await expect(notice).toContainText("Chrome or Edge 113+");
  await expect(page.locator('article[data-role="user"]').getByTestId("message-content")).toHaveText(
    "Remember me",
  );

  // Nothing offers a load that cannot work, and the chat can still be read and scrolled.
  await expect(page.getByRole("button", { name: "Load model" })).toBeDisabled();
});

test("a browser whose WebGPU gives no adapter is told what to change", async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, "gpu", {
      get: () => ({ requestAdapter: async () => null }),
    });
  });
  await page.goto("/");
  await expect(page.getByTestId("no-webgpu")).toContainText("no graphics adapter");
});

test("the real web-llm engine reports missing model files", async ({ page }) => {
  await openApp(page);
  await page.getByRole("combobox", { name: "Model" }).selectOption("real-webllm-missing-files");
  await page.getByRole("button", { name: "Load model" }).click();
  const error = page.locator('[data-error-code="model-files-not-found"]');
  await expect(error).toBeVisible({ timeout: 30_000 });
  await expect(error).toContainText("model files were not found");
});

test("the real web-llm engine reports a model library that is not valid wasm", async ({ page }) => {
  await openApp(page);
  await page.getByRole("combobox", { name: "Model" }).selectOption("real-webllm-bad-library");
  await page.getByRole("button", { name: "Load model" }).click();
  const error = page.locator('[data-error-code="model-library-invalid"]');
  await expect(error).toBeVisible({ timeout: 30_000 });
  await expect(error).toContainText("not a valid WebAssembly file");
});

test("a model the GPU cannot run is disabled with the reason (SwiftShader has no shader-f16)", async ({
  page,
}) => {
  await openApp(page);
  const option = page.locator('option[value="test-engine-f16"]');
  await expect(option).toBeDisabled();
  await expect(option).toContainText("Not available on this GPU");
});
