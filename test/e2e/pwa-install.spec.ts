import { expect, test } from "@playwright/test";
import { openApp } from "./helpers";

test("shows an install hint, and an Install button that opens the browser's dialog once it is offered", async ({
  page,
}) => {
  await openApp(page);
  await expect(page.getByTestId("install-hint")).toContainText("install CuteGPT");
  await expect(page.getByRole("button", { name: "Install app" })).toHaveCount(0);

  // Chromium offers installation with a beforeinstallprompt event; a stand-in records the call.
  await page.evaluate(() => {
    const offer = Object.assign(new Event("beforeinstallprompt", { cancelable: true }), {
      prompt: async () => {
        (window as { installPrompted?: boolean }).installPrompted = true;
      },
      userChoice: Promise.resolve({ outcome: "accepted" }),
    });
    dispatchEvent(offer);
  });
  const install = page.getByRole("button", { name: "Install app" });
  await expect(install).toBeVisible();
  await expect(page.getByTestId("install-hint")).toHaveCount(0);
  await install.click();
  expect(await page.evaluate(() => (window as { installPrompted?: boolean }).installPrompted)).toBe(
    true,
  );
  // Accepted: neither the button nor the hint stays.
  await expect(install).toHaveCount(0);
  await expect(page.getByTestId("install-hint")).toHaveCount(0);
});
