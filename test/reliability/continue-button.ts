import type { Page } from "@playwright/test";

/**
 * The shared view's "Continue this chat" button, found inside the view's header: a role query
 * over the whole page checks every element's visibility and role on the page's main thread,
 * and over five long replies that was itself a task of half a second, counted as the app's.
 */
export const continueButton = (page: Page) =>
  page
    .getByTestId("shared-view")
    .locator("header")
    .getByRole("button", { name: /Continue this chat/ });
