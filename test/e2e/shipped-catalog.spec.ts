import { expect, test } from "@playwright/test";
import { serveStatic, type StaticSite } from "./static-server";

// The app as a fresh clone builds it, catalog included, on a host where no deploy has
// published CuteGPT yet: nothing but the built files (no test catalog in front).
let site: StaticSite;
test.beforeAll(async () => {
  site = await serveStatic("dist-test");
});
test.afterAll(async () => {
  await site.close();
});

test("CuteGPT is listed first, says plainly that it is not published, and names what to use", async ({
  page,
}) => {
  const offSite: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(site.url)) offSite.push(r.url());
  });
  await page.goto(site.url + "/");
  const picker = page.getByRole("combobox", { name: "Model" });
  await expect(picker).toBeEnabled();
  const options = picker.locator("option");
  await expect(options.first()).toHaveText(/^★ CuteGPT · CuteGPT 13B/);
  for (const i of [0, 1, 2, 3]) {
    await expect(options.nth(i)).toHaveAttribute("data-unavailable", "not-published");
    await expect(options.nth(i)).toContainText("Not published yet");
    await expect(options.nth(i)).toBeDisabled();
  }
  // SwiftShader has no shader-f16: the pick meanwhile is the f32 Qwen build it can run.
  await expect(picker).toHaveValue("Qwen2.5-1.5B-Instruct-q4f32_1-MLC");
  const hint = page.getByTestId("cutegpt-hint");
  await expect(hint).toContainText("CuteGPT is not available on this site yet");
  await expect(hint).toContainText("Qwen2.5 1.5B Instruct (q4f32_1");
  // Plain words for users: no commands, no file names.
  await expect(page.locator('section[aria-label="Model"]')).not.toContainText(
    /npm run|model-build|\.json/,
  );
  await expect(page.locator('option[value="Qwen2.5-7B-Instruct-q4f16_1-MLC"]')).toHaveAttribute(
    "data-unavailable",
    "gpu-feature",
  );
  // Showing the list downloads nothing from anywhere.
  expect(offSite).toEqual([]);
});

test("in Chinese the same state is told in Chinese", async ({ browser }) => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(site.url + "/");
  await expect(page.getByRole("combobox", { name: "模型" })).toBeEnabled();
  await expect(page.getByTestId("cutegpt-hint")).toContainText("本站还没有发布 CuteGPT");
  await expect(
    page.getByRole("combobox", { name: "模型" }).locator("option").first(),
  ).toContainText("尚未发布");
  await context.close();
});
